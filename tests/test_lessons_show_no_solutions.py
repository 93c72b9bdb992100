"""No lesson contains a graded function's solution.

A lesson builds toward an exercise with a smaller case, a skeleton and the numbers to
reproduce; it never prints the function the learner is graded on. This test compares, by
syntax tree, every graded function's solution (the code between `### BEGIN SOLUTION` and
`### END SOLUTION` in solutions/NN_name/, and the reference implementation in
autograder/reference/) with every function defined in a lesson's code cells, and fails on a
match. Names are normalised first: the function's arguments and local variables become
placeholders numbered in order of first use, docstrings are dropped, a local assigned once and
read once is written in where it is read (`n = Y.shape[0]; ... / n` is `... / Y.shape[0]`),
`float(...)` around a value is dropped, and a call of another graded function whose solution is
one `return` is replaced by that expression, so renaming `X` to `inputs`, reordering the
arguments or inlining a helper does not hide a copy. A match is the whole body, or a
solution of two or more statements found as a consecutive run of statements anywhere in a
lesson function (a copy with a print added around it), or a near copy: at least NEAR of the
solution's runs of four syntax-tree tokens (node types, attribute names, constants, global
names; every local name one token) found in the lesson function, for a solution of at least
MIN_GRAMS such runs (a loop written out a little differently is still the solution).

ALLOWED lists the one-line formulas that are a lesson's point: the lesson shows them
because reading that formula is what the lesson teaches.
"""

import ast
import copy
import inspect
import textwrap
from functools import lru_cache
from pathlib import Path

import nbformat
import pytest

from autograder.copies import grams, near_copy  # the shared near-copy rule (NEAR, MIN_GRAMS)
from autograder.specs import all_specs

ROOT = Path(__file__).resolve().parent.parent
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"

# (assignment, function): one-line formulas a lesson exists to show.
ALLOWED = {
    ("01_neuron", "sigmoid"),          # lesson 1: 1 / (1 + e^-z) is the activation itself
    ("01_neuron", "tanh"),             # lesson 1: np.tanh
    ("01_neuron", "relu"),             # lesson 1: max(z, 0)
    ("01_neuron", "weighted_sum"),     # lesson 1: X @ w + b is the neuron's first half
    ("04_nudging", "relative_error"),  # lesson 4 states the one relative-error formula
    ("05_numerical_gradient", "relative_error"),
    ("04_nudging", "forward_difference"),  # lesson 4: the two difference quotients are
    ("04_nudging", "central_difference"),  # the lesson's formulas
    ("06_descent", "descent_step"),    # lesson 6: theta - learning_rate * gradient
    ("03_loss", "mse"),                # lesson 3 states the course's one cost, 0.5 sum / n
}


# ------------------------------------------------------------------ normalising

class _Rename(ast.NodeTransformer):
    """Local names (arguments, assigned names, local functions) become v0, v1, ... in order of
    first use; every other name (np, a global helper) keeps its own."""

    def __init__(self, local):
        self.local, self.names = local, {}

    def _new(self, name):
        if name not in self.local:
            return name
        return self.names.setdefault(name, f"v{len(self.names)}")

    def visit_Name(self, node):
        return ast.copy_location(ast.Name(id=self._new(node.id), ctx=node.ctx), node)

    def visit_arg(self, node):
        return ast.copy_location(ast.arg(arg=self._new(node.arg), annotation=None), node)

    def visit_FunctionDef(self, node):
        node.name = self._new(node.name)
        node.returns = None
        return self.generic_visit(node)


def _local_names(fn):
    names = {a.arg for a in ast.walk(fn) if isinstance(a, ast.arg)}
    names |= {n.id for n in ast.walk(fn) if isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del))}
    names |= {n.name for n in ast.walk(fn) if isinstance(n, (ast.FunctionDef, ast.Lambda)) and
              n is not fn and hasattr(n, "name")}
    return names


def _without_docstring(body):
    if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant) \
            and isinstance(body[0].value.value, str):
        return body[1:]
    return body


class _Substitute(ast.NodeTransformer):
    def __init__(self, mapping):
        self.mapping = mapping

    def visit_Name(self, node):
        if isinstance(node.ctx, ast.Load) and node.id in self.mapping:
            return copy.deepcopy(self.mapping[node.id])
        return node


class _Simplify(ast.NodeTransformer):
    """float(x) -> x; a call of a one-return graded function -> its expression."""

    def __init__(self, formulas):
        self.formulas = formulas

    def visit_Call(self, node):
        self.generic_visit(node)
        if isinstance(node.func, ast.Name) and node.func.id == "float" and len(node.args) == 1 \
                and not node.keywords:
            return node.args[0]
        if isinstance(node.func, ast.Name) and node.func.id in self.formulas and not node.keywords:
            params, expr = self.formulas[node.func.id]
            if len(params) >= len(node.args):
                return _Substitute(dict(zip(params, node.args))).visit(copy.deepcopy(expr))
        return node


def _inline_locals(body):
    """Write a top-level local that is assigned once and read once into the place it is read."""
    body = [copy.deepcopy(s) for s in body]
    changed = True
    while changed:
        changed = False
        for i, stmt in enumerate(body):
            if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
                    and isinstance(stmt.targets[0], ast.Name)):
                continue
            name = stmt.targets[0].id
            rest = ast.Module(body=body[i + 1:], type_ignores=[])
            loads = [n for n in ast.walk(rest) if isinstance(n, ast.Name) and n.id == name
                     and isinstance(n.ctx, ast.Load)]
            stores = [n for n in ast.walk(ast.Module(body=body, type_ignores=[]))
                      if isinstance(n, ast.Name) and n.id == name and not isinstance(n.ctx, ast.Load)]
            loops = [n for n in ast.walk(rest) if isinstance(n, (ast.For, ast.While, ast.comprehension,
                                                                 ast.FunctionDef, ast.Lambda))]
            if len(loads) == 1 and len(stores) == 1 and not loops:
                body = body[:i] + [_Substitute({name: stmt.value}).visit(s) for s in body[i + 1:]]
                changed = True
                break
    return body


def normalised_body(body, formulas):
    body = _inline_locals(_without_docstring(body))
    return [ast.fix_missing_locations(_Simplify(formulas).visit(s)) for s in body]


def _key(statements, local):
    """A normalised text of a run of statements: equal keys mean the same code up to names."""
    module = ast.Module(body=[ast.parse(ast.unparse(s)).body[0] for s in statements], type_ignores=[])
    return ast.dump(_Rename(local).visit(module), include_attributes=False)


def _parse_cell(source):
    """A notebook cell as Python (cell and line magics, shell escapes dropped), or None."""
    lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
    try:
        return ast.parse("\n".join(lines))
    except SyntaxError:
        return None


# ------------------------------------------------------------------ solutions

def _solution_bodies():
    """(assignment, function, where, statements, local names) for every graded function."""
    found = []
    for assignment, graded in sorted(all_specs().items()):
        path = ROOT / "solutions" / assignment / f"{assignment}_exercise.ipynb"
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type != "code" or BEGIN not in cell.source:
                continue
            tree = _parse_cell(cell.source)
            lines = cell.source.splitlines()
            begins = [i + 1 for i, line in enumerate(lines) if BEGIN in line]
            ends = [i + 1 for i, line in enumerate(lines) if END in line]
            for fn in tree.body if tree else []:
                if not isinstance(fn, ast.FunctionDef) or fn.name not in graded:
                    continue
                spans = [(b, e) for b, e in zip(begins, ends) if fn.lineno < b <= fn.end_lineno]
                body = [s for s in fn.body if any(b < s.lineno and s.end_lineno < e for b, e in spans)]
                FUNCTION_PARAMS[(assignment, fn.name)] = [a.arg for a in fn.args.args]
                if body:
                    found.append((assignment, fn.name, f"{path.relative_to(ROOT)}", body,
                                  _local_names(fn)))
        for name, g in graded.items():
            try:
                fn = ast.parse(textwrap.dedent(inspect.getsource(g.reference))).body[0]
            except (OSError, TypeError, IndexError):
                continue
            if isinstance(fn, ast.FunctionDef):
                found.append((assignment, name, f"the reference {g.reference.__module__}.{fn.name}",
                              _without_docstring(fn.body), _local_names(fn)))
    return found


def _formulas(found):
    """{graded name: (parameters, expression)} for each solution that is one `return`."""
    formulas = {}
    for _assignment, name, where, body, _local in found:
        if where.startswith("solutions/") and len(body) == 1 and isinstance(body[0], ast.Return) \
                and body[0].value is not None:
            formulas.setdefault(name, (FUNCTION_PARAMS[(_assignment, name)], body[0].value))
    return formulas


FUNCTION_PARAMS = {}
RAW_SOLUTIONS = _solution_bodies()
FORMULAS = _formulas(RAW_SOLUTIONS)
SOLUTIONS = [(a, n, where, normalised_body(body, {k: v for k, v in FORMULAS.items() if k != n}), local)
             for a, n, where, body, local in RAW_SOLUTIONS]


# ------------------------------------------------------------------ lessons

@lru_cache(maxsize=None)
def _lesson_functions(path):
    """(cell number, function name, body, local names) of every def in the lesson's code cells
    (nested defs too)."""
    nb = nbformat.read(path, as_version=4)
    found = []
    for number, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        tree = _parse_cell(cell.source)
        for fn in ast.walk(tree) if tree else []:
            if isinstance(fn, ast.FunctionDef):
                found.append((number, fn.name, normalised_body(fn.body, FORMULAS), _local_names(fn)))
    return found


def _windows(body, size):
    """Every consecutive run of `size` statements, at every nesting level of body."""
    blocks = [body] + [getattr(node, field) for stmt in body for node in ast.walk(stmt)
                       for field in ("body", "orelse", "finalbody")
                       if isinstance(getattr(node, field, None), list) and getattr(node, field)
                       and isinstance(getattr(node, field)[0], ast.stmt)]
    for block in blocks:
        for start in range(len(block) - size + 1):
            yield block[start:start + size]


def copies_in(lesson_path):
    """[(cell number, lesson function, assignment, graded function, where)] for every lesson
    function that holds a solution."""
    hits = []
    for number, fname, body, local in _lesson_functions(lesson_path):
        if not body:
            continue
        whole, lesson_grams = _key(body, local), grams(body, local)
        for assignment, gname, where, solution, sol_local in SOLUTIONS:
            if (assignment, gname) in ALLOWED:
                continue
            target = _key(solution, sol_local)
            if whole == target or near_copy(grams(solution, sol_local), lesson_grams) or (
                    len(solution) >= 2 and any(_key(run, local) == target
                                               for run in _windows(body, len(solution)))):
                hits.append((number, fname, assignment, gname, where))
    return hits


LESSONS = sorted((ROOT / "lessons").glob("*.ipynb"))


def test_every_graded_function_has_a_solution_to_compare():
    graded = {(a, n) for a, fns in all_specs().items() for n in fns}
    from_notebooks = {(a, n) for a, n, where, _, _ in SOLUTIONS if where.startswith("solutions/")}
    assert graded - from_notebooks == set(), sorted(graded - from_notebooks)


def test_allow_list_names_graded_one_line_formulas():
    graded = {(a, n) for a, fns in all_specs().items() for n in fns}
    assert ALLOWED <= graded, sorted(ALLOWED - graded)


@pytest.mark.parametrize("lesson", LESSONS, ids=[p.stem for p in LESSONS])
def test_lesson_shows_no_graded_solution(lesson):
    hits = copies_in(lesson)
    assert not hits, "\n".join(
        f"lessons/{lesson.name} cell {number}: def {fname} is exercise {assignment}'s graded "
        f"{gname} ({where}); show a smaller case, a skeleton with shapes and the numbers to "
        "reproduce instead" for number, fname, assignment, gname, where in hits)


# ------------------------------------------------------------------ the comparison itself

def _hits(lesson_source, solution_source, name="f"):
    fn = ast.parse(solution_source).body[0]
    lesson_fn = ast.parse(lesson_source).body[0]
    sol_body, local = normalised_body(fn.body, {}), _local_names(fn)
    body, lesson_local = normalised_body(lesson_fn.body, {}), _local_names(lesson_fn)
    target = _key(sol_body, local)
    return _key(body, lesson_local) == target or (len(sol_body) >= 2 and any(
        _key(run, lesson_local) == target for run in _windows(body, len(sol_body))))


SOLUTION = "def f(X, w, b):\n    z = X @ w + b\n    a = np.maximum(z, 0.0)\n    return a, z\n"


def test_renamed_arguments_and_locals_still_match():
    assert _hits('def g(inputs, weights, bias):\n    """Doc."""\n    s = inputs @ weights + bias\n'
                 "    return np.maximum(s, 0.0), s\n", SOLUTION)


def test_a_copy_with_a_print_around_it_still_matches():
    assert _hits("def g(A, B, c):\n    print('hi')\n    t = A @ B + c\n    r = np.maximum(t, 0.0)\n"
                 "    return r, t\n", SOLUTION)


def test_a_different_computation_does_not_match():
    assert not _hits("def g(A, B, c):\n    t = A @ B - c\n    return np.maximum(t, 0.0), t\n", SOLUTION)
    assert not _hits("def g(A, B, c):\n    t = A @ B + c\n    return np.minimum(t, 0.0), t\n", SOLUTION)


def test_an_inlined_local_or_a_float_wrapper_does_not_hide_a_copy():
    solution = "def f(Y_hat, Y):\n    n = Y.shape[0]\n    return float(0.5 * np.sum((Y_hat - Y) ** 2) / n)\n"
    assert _hits("def g(a, b):\n    return 0.5 * np.sum((a - b) ** 2) / b.shape[0]\n", solution)


def test_a_loop_written_a_little_differently_is_a_near_copy():
    solution = ("def f(X, y, epochs, lr):\n    theta = np.zeros(X.shape[1])\n    losses = []\n"
                "    for _ in range(epochs):\n        for i in range(X.shape[0]):\n"
                "            g = (X[i] @ theta - y[i]) * X[i]\n            theta = theta - lr * g\n"
                "            losses.append(0.5 * (X[i] @ theta - y[i]) ** 2)\n"
                "    return theta, np.array(losses)\n")
    lesson = ("def g(A, t, n_epochs, step):\n    w = np.zeros(A.shape[1])\n    history = []\n"
              "    for epoch in range(n_epochs):\n        for i in range(A.shape[0]):\n"
              "            slope = (A[i] @ w - t[i]) * A[i]\n            w = w - step * slope\n"
              "            history.append(0.5 * (A[i] @ w - t[i]) ** 2)\n"
              "    print(w)\n    return w, np.array(history)\n")
    sol, les = ast.parse(solution).body[0], ast.parse(lesson).body[0]
    assert near_copy(grams(normalised_body(sol.body, {}), _local_names(sol)),
                     grams(normalised_body(les.body, {}), _local_names(les)))
