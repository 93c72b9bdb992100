"""Graded answers where they must not be: in what the course shows learners, and handed back.

One implementation serves two users:

- `scan(root)` reads everything a learner reads before solving an exercise (the lessons' code
  cells, comments and markdown code; the exercises' cells and prose; the flashcards; every module
  of the learner edition's `course` package and its README) and reports every place that holds a
  graded function's answer (tests/test_lessons_show_no_solutions.py fails on any).
- `handed_out_copies(notebook, graded_names, root)` tells grading which graded functions of a submission
  are a copy of a function or cell the course hands out (autograder/grading/submissions.py puts
  it in the status, for the instructor to judge; the points are the graded ones).

What counts as the answer: the code between `### BEGIN SOLUTION` and `### END SOLUTION` in
solutions/NN_name/, and the reference function of the same name in autograder/reference/.

Normalising. Both sides are compared after the same rewriting: docstrings dropped; `x += y`
written `x = x + y`; a local assigned once and read once written in where it is read; `float(...)`
dropped; a call of a graded function whose answer is one expression (after the same inlining)
replaced by that expression; `len(X)`, `X.shape[0]`, a row `A[0]` or an entry `params["W1"]` is a
value like a name; a number other than 0 and 1 is a value like a name (`0.1` where the answer has
`learning_rate`); `a * b * c` and `a + b + c` are read without regard to order or grouping; then
every name but numpy's, the builtins' and imported modules' becomes a placeholder numbered in
order of first use. So renaming `X` to `inputs`, picking one example's row, writing the step size
as a number, or inlining a helper hides nothing.

Matching. A place holds an answer when

1. a function or cell there has the answer's whole body, or a run of its statements (for an
   answer of two or more), or is a near copy (at least NEAR of the answer's runs of four syntax
   tokens, for an answer of at least MIN_GRAMS of them); or
2. it performs the answer's line-level operations. An operation is a value the answer computes
   (an assignment's or a `return`'s value, a loop's range, an element of a returned tuple or
   comprehension), with its locals written in and as written; the place performs it when any
   expression there is the same after normalising (a `print(...)` or a variable around it
   changes nothing). Its *weight* counts the operations written (arithmetic, comparisons,
   calls, `.T`, slices and `[:, None]`), plus one for a constant 0 or 1 among them; operations
   lighter than 2 (`np.tanh(z)`, `Y - A`) are not told apart from ordinary arithmetic. The
   place holds the answer when it performs every operation the answer returns (the whole
   function, a one-line formula included), or one operation of weight WEIGHT_ALONE or more, or
   two or more of them weighing WEIGHT_TOGETHER together. An operation an earlier exercise's
   answer performs too (the mean squared error inside a later loss) is the learner's own by
   then: alone, or with only such others, it does not give the later function away.

A call of a one-expression graded function is written out on both sides (two_layer_forward's
`dense_forward(X, W1, b1)` is `X @ W1 + b1`), except a place's call of the very function it is
compared with: calling a function hands nothing out.

The rule for smaller cases. The comparison is of operations, not of shapes: code that performs
the answer's operations on one example, a row, or a 1-1-1 network *is* the answer (it runs on a
batch unchanged, and an entrywise formula on scalars is the entrywise formula). A lesson shows a
smaller case as different code (scalars multiplied with `*` where the answer has `@`, a loop
over three named numbers), as the formula in maths, or as a skeleton that names every array's
shape and prints the numbers to reproduce. There is no allow-list.

When. A learner reads lesson N and exercise N's prose before solving exercise N, a flashcard of
lesson N with lesson N, and the `course` package and the README from the start; so a place at
stage N (lesson N, exercise N, a card of lesson N; stage 0 for the package) must hold no answer
of exercise N or later. An answer of an earlier exercise is the learner's own work by then.
"""

from __future__ import annotations

import ast
import builtins
import io
import json
import re
import tokenize
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
NEAR = 0.6       # a copy written a little differently scores 0.68 to 1.0; smaller cases stay below 0.5
MIN_GRAMS = 15
CELL_SPAN = 2.5  # grading: a near copy of a cell is of one at most this many times the function's size
WEIGHT_ALONE = 4
WEIGHT_TOGETHER = 5
MODULES = {"np", "numpy", "math"}
KEEP = set(dir(builtins)) | MODULES


# ------------------------------------------------------------------ reading code

def parse_cell(source):
    """A notebook cell as Python (magics and shell escapes dropped), or None."""
    lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!", "?"))]
    try:
        return ast.parse("\n".join(lines))
    except SyntaxError:
        return None


def without_docstring(body):
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        return body[1:]
    return body


def _piece_expressions(text):
    """Expressions in a line of text that is code or nearly so: the whole line, or its pieces
    split at `=`, ` is `, `:` and runs of spaces (`relu_backward(dA, Z) = dA * (Z > 0)   (note)`);
    `f'(x)` is read as `f_prime(x)`."""
    text = re.sub(r"(\w)'\(", r"\1_prime(", text.strip())
    found = []
    for piece in [text] + re.split(r"\s=\s|\sis\s|:\s|\s{2,}|,\s(?=[a-z_]+\s=)", text):
        piece = piece.strip().lstrip("=").strip().rstrip(".,;")
        if not piece or not re.search(r"[-+*/@<>]|\w\(", piece):
            continue
        try:
            tree = ast.parse(piece)
        except SyntaxError:
            continue
        found += [s for s in tree.body if isinstance(s, (ast.Expr, ast.Assign, ast.AugAssign))]
        if len(tree.body) == 1 and piece == text:
            break
    return found


def code_of_text(text):
    """Statements a learner reads as code in markdown or a comment: fenced and indented code
    blocks (parsed whole, else line by line) and inline code spans."""
    statements, rest = [], []
    blocks = re.findall(r"```[a-z]*\n(.*?)```", text, flags=re.S)
    text = re.sub(r"```[a-z]*\n.*?```", "", text, flags=re.S)
    indented, block = [], []
    for line in text.splitlines():
        if line.startswith("    ") and line.strip() and not line.lstrip().startswith(("-", "*", "|")):
            block.append(line[4:])
        else:
            if block:
                indented.append("\n".join(block))
            block = []
            rest.append(line)
    if block:
        indented.append("\n".join(block))
    for source in blocks + indented:
        tree = parse_cell(source)
        if tree is not None:
            statements += tree.body
        else:
            for line in source.splitlines():
                statements += _piece_expressions(line)
    for span in re.findall(r"`([^`\n]+)`", "\n".join(rest)):
        statements += _piece_expressions(span)
    return statements


def comments(source):
    """The text of every comment in a piece of Python source."""
    try:
        return [t.string.lstrip("#").strip() for t in tokenize.generate_tokens(io.StringIO(source).readline)
                if t.type == tokenize.COMMENT]
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return [line.split("#", 1)[1] for line in source.splitlines() if "#" in line]


def local_names(fn):
    names = {a.arg for a in ast.walk(fn) if isinstance(a, ast.arg)}
    names |= {n.id for n in ast.walk(fn) if isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del))}
    names |= {n.name for n in ast.walk(fn) if isinstance(n, ast.FunctionDef) and n is not fn}
    return names


def module_aliases(tree):
    """Names a module is imported as (`import course.training as tr`: tr)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            found |= {a.asname or a.name for a in node.names if a.name[:1].islower() and "_" not in a.name
                      and node.module in ("course", "autograder")}
    return found


# ------------------------------------------------------------------ normalising statements

def _clone(node):
    """A copy of a syntax tree (copy.deepcopy, without its memo: several times faster)."""
    if isinstance(node, ast.AST):
        new = node.__class__()
        for name, value in ast.iter_fields(node):
            setattr(new, name, _clone(value))
        for name in node._attributes:
            if hasattr(node, name):
                setattr(new, name, getattr(node, name))
        return new
    if isinstance(node, list):
        return [_clone(v) for v in node]
    return node


class _Substitute(ast.NodeTransformer):
    def __init__(self, mapping):
        self.mapping = mapping

    def visit_Name(self, node):
        if isinstance(node.ctx, ast.Load) and node.id in self.mapping:
            return _clone(self.mapping[node.id])
        return node


class _Simplify(ast.NodeTransformer):
    """float(x), np.asarray(x, dtype=...) -> x; mod.f(...) -> f(...) for an imported module; a call of a one-expression
    graded function -> its expression (formulas: {name: (parameters, expression)})."""

    def __init__(self, formulas, aliases=()):
        self.formulas, self.aliases = formulas, set(aliases) - MODULES

    def visit_Call(self, node):
        self.generic_visit(node)
        func = node.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in self.aliases:
            node.func = func = ast.copy_location(ast.Name(id=func.attr, ctx=ast.Load()), func)
        if isinstance(func, ast.Name) and func.id == "float" and len(node.args) == 1 and not node.keywords:
            return node.args[0]
        if ast.unparse(func) in ("np.asarray", "np.array") and len(node.args) == 1 \
                and all(k.arg == "dtype" for k in node.keywords):
            return node.args[0]  # a conversion, not an operation
        if isinstance(func, ast.Name) and func.id in self.formulas and not node.keywords:
            params, expr = self.formulas[func.id]
            if len(params) >= len(node.args):
                return _Substitute(dict(zip(params, node.args))).visit(_clone(expr))
        return node


class _AugToAssign(ast.NodeTransformer):
    def visit_AugAssign(self, node):
        target = _clone(node.target)
        load = _clone(node.target)
        for n in ast.walk(load):
            if hasattr(n, "ctx"):
                n.ctx = ast.Load()
        value = ast.BinOp(left=load, op=node.op, right=node.value)
        return ast.copy_location(ast.Assign(targets=[target], value=value), node)


def inline_locals(body, only_once=True):
    """Write a top-level local assigned once into the place(s) it is read: read once (or, with
    only_once False, any number of times) and with no loop after it."""
    body = [_clone(s) for s in body]
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
            if loads and (len(loads) == 1 or not only_once) and len(stores) == 1 and not loops:
                body = body[:i] + [_Substitute({name: stmt.value}).visit(s) for s in body[i + 1:]]
                changed = True
                break
    return body


def normalised_body(body, formulas, aliases=()):
    body = [_AugToAssign().visit(_clone(s)) for s in without_docstring(body)]
    body = inline_locals(body)
    return [ast.fix_missing_locations(_Simplify(formulas, aliases).visit(s)) for s in body]


class _Rename(ast.NodeTransformer):
    """Local names become v0, v1, ... in order of first use; other names keep their own."""

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


_IDENTIFIER = re.compile(r"(Name\(id=|arg\(arg=|FunctionDef\(name=)'([^']*)'")


def _renumber(text, local):
    """An ast.dump text with the names in local written v0, v1, ... in order of first use."""
    names = {}

    def rename(m):
        name = m.group(2)
        if name not in local:
            return m.group(0)
        return f"{m.group(1)}'{names.setdefault(name, f'v{len(names)}')}'"
    return _IDENTIFIER.sub(rename, text)


_CONTEXT = re.compile(r", ctx=(?:Load|Store|Del)\(\)")


def _dump(node):
    return _CONTEXT.sub("", ast.dump(node, include_attributes=False))


def body_key(statements, local):
    """A normalised text of a run of statements: equal keys mean the same code up to names."""
    return _renumber("".join(_dump(s) for s in statements), local)


def _tokens(body, local):
    out = []
    for stmt in body:
        for node in ast.walk(stmt):
            if isinstance(node, ast.Name):
                out.append("L" if node.id in local else node.id)
            elif isinstance(node, ast.arg):
                out.append("L")
            elif isinstance(node, ast.Attribute):
                out.append("." + node.attr)
            elif isinstance(node, ast.Constant):
                out.append(repr(node.value))
            elif not isinstance(node, ast.expr_context):
                out.append(type(node).__name__)
    return out


def grams(body, local, k=4):
    tokens = _tokens(body, local)
    return {tuple(tokens[i:i + k]) for i in range(len(tokens) - k + 1)}


def near_copy(solution_grams, place_grams):
    return (len(solution_grams) >= MIN_GRAMS
            and len(solution_grams & place_grams) >= NEAR * len(solution_grams))


def windows(body, size):
    """Every consecutive run of `size` statements, at every nesting level of body."""
    blocks = [body] + [getattr(node, f) for stmt in body for node in ast.walk(stmt)
                       for f in ("body", "orelse", "finalbody")
                       if isinstance(getattr(node, f, None), list) and getattr(node, f)
                       and isinstance(getattr(node, f)[0], ast.stmt)]
    for block in blocks:
        for start in range(len(block) - size + 1):
            yield block[start:start + size]


# ------------------------------------------------------------------ operations (line level)

_COMMUTATIVE = (ast.Mult, ast.Add)


def _is_value(node):
    """A name, a row or entry of one (`A[0]`, `params["W1"]`, `X[i]`), `X.shape[0]`, `len(X)`."""
    if isinstance(node, ast.Name):
        return True
    if isinstance(node, ast.Subscript):
        index = node.slice
        parts = index.elts if isinstance(index, ast.Tuple) else [index]
        return (all(_is_index(p) for p in parts)
                and (_is_value(node.value) or isinstance(node.value, ast.Attribute)
                     and node.value.attr == "shape" and _is_value(node.value.value)))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "len" \
            and len(node.args) == 1 and _is_value(node.args[0]):
        return True
    return isinstance(node, ast.Attribute) and node.attr in ("size", "ndim") and _is_value(node.value)


def _is_index(node):
    """A constant index, a name, -1, or a slice of those (`[0]`, `[i]`, `[:-1]`, `[1:]`)."""
    if isinstance(node, ast.Slice):
        return all(part is None or _is_index(part) for part in (node.lower, node.upper, node.step))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return isinstance(node.operand, ast.Constant)
    if isinstance(node, ast.JoinedStr):  # params[f"W{k}"]
        return all(isinstance(v, ast.Constant) or isinstance(v, ast.FormattedValue) and isinstance(v.value, ast.Name)
                   for v in node.values)
    return isinstance(node, ast.Name) or isinstance(node, ast.Constant) and node.value is not None


def _real_operations(node):
    """Arithmetic, comparisons, calls, `.T` and slices written in an expression."""
    total = 0
    for n in ast.walk(node):
        if isinstance(n, (ast.BinOp, ast.Compare, ast.BoolOp, ast.IfExp, ast.comprehension)):
            total += 1
        elif isinstance(n, ast.UnaryOp) and not isinstance(n.operand, ast.Constant):
            total += 1
        elif isinstance(n, (ast.Call, ast.Subscript)) and not _is_value(n):
            total += 1
        elif isinstance(n, ast.Attribute) and n.attr == "T":
            total += 1
    return total


def weight(node):
    """How much an expression computes: its operations (see _real_operations), plus one when
    it has any and uses the constant 0 or 1 (`np.maximum(z, 0.0)` weighs 2, `X @ w + b` 2,
    `np.tanh(z)` and `Y - A` 1, a lone name or number 0)."""
    ops = _real_operations(node)
    constant = any(isinstance(n, ast.Constant) and type(n.value) in (int, float) and n.value in (0, 1)
                   for n in ast.walk(node))
    return ops + (1 if ops and constant else 0)


class _Canon(ast.NodeTransformer):
    """Values (see _is_value) and numbers other than 0 and 1 become names; a call of a graded
    function in `atoms` becomes a name too (P where the answer has softmax(Z)); the operands of
    `*` and `+` chains are sorted."""

    def __init__(self, atoms=()):
        self.atoms = atoms

    def _name(self, text):
        return ast.Name(id="§" + text, ctx=ast.Load())

    def visit_Constant(self, node):
        if type(node.value) in (int, float) and node.value not in (0, 1):
            return self._name(repr(float(node.value)))
        if type(node.value) in (int, float):
            return ast.Constant(value=float(node.value))
        return node

    def visit_Call(self, node):
        if isinstance(node.func, ast.Name) and node.func.id in self.atoms or _is_value(node):
            return self._name(ast.unparse(node))
        return self.generic_visit(node)

    def visit_Attribute(self, node):
        if _is_value(node):
            return self._name(ast.unparse(node))
        return self.generic_visit(node)

    def visit_Subscript(self, node):
        if _is_value(node) and not isinstance(node.ctx, ast.Store):
            return self._name(ast.unparse(node))
        return self.generic_visit(node)

    def visit_BinOp(self, node):
        self.generic_visit(node)
        if not isinstance(node.op, _COMMUTATIVE):
            return node
        operands = []

        marker = "§" + type(node.op).__name__

        def flatten(n):
            if isinstance(n, ast.BinOp) and type(n.op) is type(node.op):
                flatten(n.left)
                flatten(n.right)
            elif isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == marker:
                for arg in n.args:  # a chain already read below this one
                    flatten(arg)
            else:
                operands.append(n)
        flatten(node)
        uses = Counter(n.id for n in ast.walk(node) if isinstance(n, ast.Name))

        def order(n):
            # by shape with every name alike, then the operand used more often first
            shape = _IDENTIFIER.sub(lambda m: m.group(0) if m.group(2) in KEEP else m.group(1), _dump(n))
            return shape, -uses[n.id] if isinstance(n, ast.Name) else 0
        operands.sort(key=order)
        return ast.Call(func=ast.Name(id="§" + type(node.op).__name__, ctx=ast.Load()), args=operands,
                        keywords=[])


class _AllNames:
    """Every name but numpy's, the builtins' and the markers is local."""

    def __contains__(self, name):
        return name not in KEEP and not name.startswith("§")


def _placeholders(node):
    """The expression's dump with every name but numpy's, the builtins' and the operators'
    numbered in order of first use."""
    return _renumber(_dump(node), _NamesButOperators())


class _NamesButOperators:
    def __contains__(self, name):
        return name not in KEEP and name not in ("§Mult", "§Add")


def _calls(expr):
    return {n.func.id for n in ast.walk(expr) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}


_KEYS = {}


def expression_keys(expr, formulas, graded=(), aliases=(), text=None):
    """The normalised forms of one expression, {(key, the graded functions written out in it)}:
    as written, with the calls of one-expression graded functions written out, and with calls
    of graded functions read as values."""
    memo = (text or ast.unparse(expr), id(formulas), id(graded), frozenset(aliases))
    if memo not in _KEYS:
        _KEYS[memo] = _expression_keys(expr, formulas, graded, aliases)
    return _KEYS[memo]


def _expression_keys(expr, formulas, graded, aliases):
    keys = set()
    called = _calls(expr) | {n.attr for n in ast.walk(expr) if isinstance(n, ast.Attribute)}
    variants = [({}, ())]
    if called & set(formulas):
        variants.append((formulas, ()))
    if called & set(graded):
        variants.append(({}, set(graded)))
    for subst, atoms in variants:
        node = _Simplify(subst, aliases).visit(ast.Expression(body=_clone(expr))).body
        node = _Canon(atoms).visit(node)
        if weight(node) >= 2:  # a lone call or sum says nothing of which answer
            keys.add((_placeholders(node), frozenset(called & set(subst))))
    return keys


def _values_of(stmt):
    """The expressions a statement computes (not looking into nested blocks)."""
    if isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.Return, ast.Expr)) and stmt.value is not None:
        return [stmt.value]
    if isinstance(stmt, ast.AugAssign):
        return [_AugToAssign().visit(_clone(stmt)).value]
    if isinstance(stmt, (ast.For, ast.AsyncFor)):
        return [stmt.iter]
    if isinstance(stmt, (ast.If, ast.While)):
        return [stmt.test]
    return []


def _parts(expr):
    """An expression and, for a tuple, list, dict or comprehension, its elements (recursively)."""
    yield expr
    if isinstance(expr, (ast.Tuple, ast.List, ast.Set)):
        for e in expr.elts:
            yield from _parts(e)
    elif isinstance(expr, ast.Dict):
        for e in expr.values:
            yield from _parts(e)
    elif isinstance(expr, (ast.ListComp, ast.SetComp, ast.GeneratorExp)):
        yield from _parts(expr.elt)
    elif isinstance(expr, ast.DictComp):
        yield from _parts(expr.value)


def _statements(body, only_once=True):
    """Every statement of body at every nesting level (not into nested defs), each block's
    locals read once (only_once False: assigned once; None: none) written in."""
    found = []
    body = [_AugToAssign().visit(_clone(x)) for x in body if isinstance(x, ast.stmt)]
    for s in body if only_once is None else inline_locals(body, only_once):
        found.append(s)
        if isinstance(s, (ast.FunctionDef, ast.ClassDef)):
            continue
        for f in ("body", "orelse", "finalbody"):
            inner = getattr(s, f, None)
            if isinstance(inner, list) and inner and isinstance(inner[0], ast.stmt):
                found += _statements(inner, only_once)
    return found


def _leaves(expr):
    """The elements of a returned tuple, list, dict or comprehension (recursively), or expr."""
    parts = list(_parts(expr))
    return [p for p in parts if len(list(_parts(p))) == 1] if len(parts) > 1 else [expr]


def operations(body, formulas, graded=()):
    """[(keys, weight, text, essential)] for every operation of an answer's body of weight 2 or
    more, its locals read once written in and not; essential: a leaf of a statement's value with
    its locals written in (the whole function is its essential operations)."""
    found, seen = [], set()
    for once in (True, None):
        statements = _statements(without_docstring(body), once)
        for stmt in statements:
            for value in _values_of(stmt):
                leaves = {id(p) for p in _leaves(value)}
                for part in _parts(value):
                    w, text = weight(part), ast.unparse(part)
                    if w >= 2 and (text, once) not in seen:
                        seen.add((text, once))
                        found.append(({key for key, _ in expression_keys(part, formulas, graded)}, w, text,
                                      bool(once) and id(part) in leaves))
    return found


# ------------------------------------------------------------------ the answers

@dataclass
class Answer:
    assignment: str
    function: str
    where: str
    body: list
    local: set
    params: list
    normalised: list = field(default_factory=list)
    key: str = ""
    grams: set = field(default_factory=set)
    key_all: str = ""        # with every name but numpy's and the builtins' a placeholder
    grams_all: set = field(default_factory=set)
    ops: list = field(default_factory=list)
    learned: set = field(default_factory=set)  # texts of ops an earlier exercise's answer performs

    @property
    def stage(self):
        return int(self.assignment[:2])


def _reference_modules(root):
    """{assignment: [reference module files]} from the specs' `from autograder.reference import
    X as ref` lines."""
    found = {}
    for spec in sorted((root / "autograder" / "specs").glob("*.py")):
        text = spec.read_text()
        assignment = re.search(r'^ASSIGNMENT = "([^"]+)"', text, flags=re.M)
        modules = re.findall(r"^from autograder\.reference import (\w+)", text, flags=re.M)
        if assignment:
            found[assignment.group(1)] = [root / "autograder" / "reference" / f"{m}.py" for m in modules]
    return found


def _reference_functions(module):
    """The top-level defs of a reference module, and those it imports from another one."""
    tree = ast.parse(module.read_text())
    found = [fn for fn in tree.body if isinstance(fn, ast.FunctionDef)]
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("autograder.reference."):
            other = module.parent / f"{node.module.rsplit('.', 1)[1]}.py"
            names = {a.name for a in node.names}
            if other.exists():
                found += [fn for fn in ast.parse(other.read_text()).body
                          if isinstance(fn, ast.FunctionDef) and fn.name in names]
    return found


class _Cell:
    """A notebook cell as read from its JSON (nbformat's reader validates: several times slower)."""

    def __init__(self, data):
        source = data.get("source", "")
        self.cell_type = data.get("cell_type")
        self.source = "".join(source) if isinstance(source, list) else source
        self.metadata = data.get("metadata", {})


class _Notebook:
    def __init__(self, cells):
        self.cells = cells


def _cells(path):
    return [_Cell(c) for c in json.loads(Path(path).read_text()).get("cells", [])]


@lru_cache(maxsize=None)
def answers(root):
    """Every graded function's answer under root: [Answer], the solution notebooks' solution
    blocks and the reference functions of the same names, normalised and with their operations."""
    found = answer_bodies(root)
    formulas, written_out = _formulas(found), _formulas(found, only_once=False)
    graded_names = {a.function for a in found}
    for a in found:
        mine = {k: v for k, v in formulas.items() if k != a.function}
        a.normalised = normalised_body(a.body, mine)
        a.key = body_key(a.normalised, a.local)
        a.grams = grams(a.normalised, a.local)
        a.key_all, a.grams_all = body_key(a.normalised, _AllNames()), grams(a.normalised, _AllNames())
        a.ops = operations(a.body, {k: v for k, v in written_out.items() if k != a.function}, graded_names)
    # an operation an earlier exercise's answer performs too is the learner's own by then
    for a in found:
        earlier = {key for b in found if b.stage < a.stage for op in b.ops for key in op[0]}
        a.learned = {op[2] for op in a.ops if op[0] & earlier}
    return found


@lru_cache(maxsize=None)
def answer_bodies(root):
    """The answers as written ([Answer] with body, local names and parameters only)."""
    root = Path(root)
    found, graded = [], {}
    for path in sorted((root / "solutions").glob("[0-9][0-9]_*/*.ipynb")):
        assignment = path.parent.name
        for cell in _cells(path):
            if cell.cell_type != "code" or BEGIN not in cell.source:
                continue
            tree = parse_cell(cell.source)
            lines = cell.source.splitlines()
            begins = [i + 1 for i, line in enumerate(lines) if BEGIN in line]
            ends = [i + 1 for i, line in enumerate(lines) if END in line]
            for fn in tree.body if tree else []:
                if not isinstance(fn, ast.FunctionDef):
                    continue
                spans = [(b, e) for b, e in zip(begins, ends) if fn.lineno < b <= fn.end_lineno]
                body = [s for s in fn.body if any(b < s.lineno and s.end_lineno < e for b, e in spans)]
                if body:
                    graded.setdefault(assignment, set()).add(fn.name)
                    found.append(Answer(assignment, fn.name, str(path.relative_to(root)), body,
                                        local_names(fn), [a.arg for a in fn.args.args]))
    for assignment, modules in _reference_modules(root).items():
        for module in modules:
            if not module.exists():
                continue
            for fn in _reference_functions(module):
                if fn.name in graded.get(assignment, ()):
                    found.append(Answer(assignment, fn.name, f"{module.relative_to(root)} {fn.name}",
                                        without_docstring(fn.body), local_names(fn),
                                        [a.arg for a in fn.args.args]))
    return found


def _formulas(found, only_once=True):
    """{graded name: (parameters, expression)} for each solution that is one `return` once its
    locals read once (only_once False: any local assigned once) are written in."""
    formulas = {}
    for a in found:
        if not a.where.startswith("solutions/"):
            continue
        body = inline_locals([s for s in without_docstring(a.body)], only_once=only_once)
        if len(body) == 1 and isinstance(body[0], ast.Return) and body[0].value is not None:
            formulas.setdefault(a.function, (a.params, body[0].value))
    # a formula calling another is written out too (sigmoid_prime calls sigmoid)
    for _ in range(3):
        formulas = {name: (params, _Simplify({k: v for k, v in formulas.items() if k != name})
                           .visit(ast.Expression(body=_clone(expr))).body
                           if _calls(expr) & (set(formulas) - {name}) else expr)
                    for name, (params, expr) in formulas.items()}
    return formulas


# ------------------------------------------------------------------ what learners read

@dataclass
class Place:
    """One place a learner reads: a notebook cell, a module's function or top level, a card."""

    where: str
    stage: int
    statements: list          # code a learner reads there
    functions: list           # (name, body, local names) of the defs there
    aliases: set = field(default_factory=set)
    code: list | None = None  # the statements that are code (not prose or comments); None: all


def _stage(name):
    return int(name[:2]) if name[:2].isdigit() else 0


def _cell_code(cell_type, source):
    """(statements, functions, code) a learner reads in one notebook cell: code, the cell's
    statements that are code and not prose or a comment."""
    if cell_type == "code":
        tree = parse_cell(source)
        code = list(tree.body) if tree else []
        statements = code + [s for text in comments(source) for s in _piece_expressions(text)]
        functions = [(fn.name, fn.body, local_names(fn)) for fn in ast.walk(tree)
                     if isinstance(fn, ast.FunctionDef)] if tree else []
        return statements, functions, code
    if cell_type == "markdown":
        return code_of_text(source), [], []
    return [], [], []


def place_of_cells(where, stage, cells):
    """One place of consecutive cells ([{"cell_type", "source"}]), read together."""
    statements, functions, aliases, code = [], [], set(), []
    for cell in cells:
        found, defs, written = _cell_code(cell["cell_type"], cell["source"])
        statements += found
        functions += defs
        code += written
        tree = parse_cell(cell["source"]) if cell["cell_type"] == "code" else None
        aliases |= module_aliases(tree) if tree else set()
    return Place(where, stage, statements, functions, aliases, code)


def _notebook_places(path, rel, stage, skip_answer_cells=False):
    places = []
    nb = _Notebook(_cells(path))
    aliases = set()
    for cell in nb.cells:
        if cell.cell_type == "code":
            tree = parse_cell(cell.source)
            aliases |= module_aliases(tree) if tree else set()
    for number, cell in enumerate(nb.cells):
        if skip_answer_cells and cell.metadata.get("nbgrader", {}).get("solution"):
            continue
        statements, functions, code = _cell_code(cell.cell_type, cell.source)
        if statements:
            places.append(Place(f"{rel} cell {number}", stage, statements, functions, aliases, code))
    return places


def _module_places(path, rel, stage):
    return module_places(path.read_text(), rel, stage)


def module_places(text, rel, stage):
    """The places of a Python module's source: each def (its body and docstring), and the rest
    (module-level code, comments, the module's docstring)."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return []
    aliases = module_aliases(tree)
    places = []
    defs = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    for fn in defs:
        doc = ast.get_docstring(fn) or ""
        statements = list(fn.body) + [s for line in doc.splitlines() for s in _piece_expressions(line)]
        places.append(Place(f"{rel} def {fn.name}", stage, statements, [(fn.name, fn.body, local_names(fn))],
                            aliases, []))
    code = [s for s in tree.body if not isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
    doc = ast.get_docstring(tree) or ""
    top = code + [s for line in doc.splitlines() for s in _piece_expressions(line)]
    top += [s for c in comments(text) for s in _piece_expressions(c)]
    if top:
        places.append(Place(f"{rel} (module level, comments, docstring)", stage, top, [], aliases, code))
    return places


def _card_places(path, rel):
    """The flashcards of course/flashcard_deck.py (read, not run): a place per card, at the stage
    of its lesson."""
    places = []
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "CARDS" for t in node.targets) \
                and isinstance(node.value, ast.Dict):
            for key, cards in zip(node.value.keys, node.value.values):
                lesson = key.value if isinstance(key, ast.Constant) else 0
                for index, card in enumerate(getattr(cards, "elts", [])):
                    text = "\n\n".join(ast.literal_eval(a) for a in getattr(card, "args", [])
                                       if isinstance(a, (ast.Constant, ast.JoinedStr, ast.BinOp))
                                       and _literal(a))
                    statements = code_of_text(text)
                    if statements:
                        places.append(Place(f"{rel} lesson {lesson} card {index + 1}", lesson, statements, [],
                                            code=[]))
    return places


def _literal(node):
    try:
        return isinstance(ast.literal_eval(node), str)
    except ValueError:
        return False


def learner_files(root):
    """The files a learner reads under root (a repository or a learner edition), relative to
    it: the lessons, the released exercises, the `course` package's modules and the README the
    learner edition is handed with (the repository's template of it, or the edition's own)."""
    root = Path(root)
    found = sorted((root / "lessons").glob("*.ipynb"))
    found += sorted((root / "exercises").glob("[0-9][0-9]_*/*.ipynb"))
    found += sorted((root / "course").rglob("*.py"))
    readme = root / "autograder" / "edition" / "README.md"
    found += [readme if readme.exists() else root / "README.md"]
    return [p.relative_to(root) for p in found if p.exists()]


def learner_places(root):
    """Every place a learner reads under root (see learner_files); the exercises' answer cells
    are left out (in a release they are the stub the learner replaces)."""
    root = Path(root)
    places = []
    for rel in learner_files(root):
        path, parts = root / rel, rel.parts
        if parts[0] == "lessons":
            places += _notebook_places(path, str(rel), _stage(path.name))
        elif parts[0] == "exercises":
            places += _notebook_places(path, str(rel), _stage(parts[1]), skip_answer_cells=True)
        elif path.name == "flashcard_deck.py":
            places += _card_places(path, str(rel))
        elif path.suffix == ".py":
            places += _module_places(path, str(rel), 0)
        else:
            statements = code_of_text(path.read_text())
            if statements:
                places.append(Place(str(rel), 0, statements, [], code=[]))
    return places


# ------------------------------------------------------------------ the scan

@dataclass(frozen=True)
class Finding:
    where: str
    assignment: str
    function: str
    answer: str       # where the answer is (a solution notebook or the reference)
    how: str          # "the whole body", "a run of its statements", "a near copy", "its operations"
    lines: tuple = ()

    def __str__(self):
        text = (f"{self.where}: exercise {self.assignment}'s graded {self.function} ({self.how}; "
                f"answer in {self.answer})")
        return text + "".join(f"\n      {line}" for line in self.lines)


class _Prepared:
    """A place's code, normalised once: its expressions' keys, and its bodies' keys and grams.
    A call of a graded function is written out as its formula (two_layer_forward's call of
    dense_forward is X @ W + b), except when the place is compared with that function itself:
    calling a function hands nothing out."""

    def __init__(self, place, formulas, written_out, graded):
        self.place, self.formulas = place, formulas
        self.keys = {}  # key -> [(weight, text, graded functions written out)]
        exprs = [n for s in place.statements for n in ast.walk(s) if isinstance(n, ast.expr)]
        exprs += [v for s in place.statements for n in ast.walk(s) if isinstance(n, ast.AugAssign)
                  for v in _values_of(n)]
        # locals written in (wish_z = wish * slope2 with slope2 computed above), read once or
        # more often (Z1 = X @ W1 + b1 then np.maximum(Z1, 0.0)): the statements that changed
        as_written = {ast.unparse(s) for s in place.statements if isinstance(s, ast.stmt)}
        for body in [place.statements] + [b for _n, b, _l in place.functions]:
            for once in (True, False):
                for stmt in _statements(body, once):
                    if isinstance(stmt, (ast.FunctionDef, ast.ClassDef, ast.For, ast.While, ast.If,
                                         ast.With, ast.Try)) or ast.unparse(stmt) not in as_written:
                        exprs += [n for v in _values_of(stmt) for n in ast.walk(v) if isinstance(n, ast.expr)]
        seen = set()
        for node in exprs:
            if isinstance(node, (ast.Name, ast.Constant)):
                continue
            text = ast.unparse(node)
            if text in seen:
                continue
            seen.add(text)
            w = weight(node)
            if w >= 2:
                for key, names in expression_keys(node, written_out, graded, place.aliases, text):
                    self.keys.setdefault(key, []).append((w, text, names))
        self.called = {n.func.id for s in place.statements for n in ast.walk(s)
                       if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)} & set(formulas)
        self._bodies, self._runs, self._dumps = {}, {}, {}

    def bodies(self, function):
        """[(label, body, local names, key, grams)] of the place's defs and its top level, the
        graded calls written out but for function's own."""
        variant = function if function in self.called else None
        if variant not in self._bodies:
            formulas = {k: v for k, v in self.formulas.items() if k != variant}
            found = [(f"def {name}", normalised_body(body, formulas, self.place.aliases), local)
                     for name, body, local in self.place.functions]
            top = [s for s in self.place.statements if isinstance(s, ast.stmt)]
            found.append(("", normalised_body(top, formulas, self.place.aliases), _AllNames()))
            self._bodies[variant] = [(label, body, local, body_key(body, local), grams(body, local))
                                     for label, body, local in found if body]
        return self._bodies[variant]

    def runs(self, function, index, size):
        variant = function if function in self.called else None
        if (variant, index, size) not in self._runs:
            _label, body, local, _key, _grams = self.bodies(function)[index]
            dumps = self._dumps
            self._runs[(variant, index, size)] = {
                _renumber("".join(dumps[id(s)] if id(s) in dumps else dumps.setdefault(id(s), _dump(s))
                              for s in run), local)
                for run in windows(body, size)}
        return self._runs[(variant, index, size)]


def _operations_found(answer, prepared):
    """[(weight, the place's code, the answer's code)]: the answer's operations the place performs,
    each expression of the place counted once."""
    hits, used = [], set()
    for op_keys, w, text, essential in sorted(answer.ops, key=lambda op: (-op[3], -op[1])):
        places = [place_text for key in sorted(op_keys & set(prepared.keys))
                  for _w, place_text, names in prepared.keys[key] if answer.function not in names]
        place_text = next((t for t in places if t not in used), None)
        if place_text is not None:
            used.add(place_text)
            hits.append((w, place_text, text, essential))
    return hits


def _holds(answer, hits):
    """Whether the operations found make the answer (see the module's doc)."""
    essential = {op[2] for op in answer.ops if op[3]}
    if essential and essential <= {text for _w, _place, text, _e in hits}:
        return True  # every operation of the answer: the whole function, in runnable form
    new = [(w, text) for w, _place, text, _e in hits if text not in answer.learned]
    if any(w >= WEIGHT_ALONE for w, _ in new):
        return True
    return len(hits) >= 2 and sum(w for w, _, _, _ in hits) >= WEIGHT_TOGETHER and bool(new)


def findings_in(prepared, all_answers):
    """[Finding] for one prepared place."""
    place, found = prepared.place, []
    for answer in all_answers:
        if answer.stage < place.stage:
            continue
        how = None
        for index, (label, body, _local, whole, place_grams) in enumerate(prepared.bodies(answer.function)):
            # a def's globals keep their names, as the answer's do; a cell's every name is local
            key, answer_grams = (answer.key, answer.grams) if label else (answer.key_all, answer.grams_all)
            if label and whole == key:
                how = "the whole body"
            elif len(answer.normalised) >= 2 and len(body) >= len(answer.normalised) \
                    and key in prepared.runs(answer.function, index, len(answer.normalised)):
                how = "a run of its statements"
            elif near_copy(answer_grams, place_grams):
                how = "a near copy"
            if how:
                found.append(Finding(f"{place.where} {label}".strip(), answer.assignment, answer.function,
                                     answer.where, how))
                break
        if how:
            continue
        hits = _operations_found(answer, prepared)
        if hits and _holds(answer, hits):
            found.append(Finding(place.where, answer.assignment, answer.function, answer.where,
                                 "its operations", tuple(f"{text}   [the answer's {op}]"
                                                         for _w, text, op, _e in hits)))
    return _one_per_function(found)


def _one_per_function(found):
    """A place names each graded function once (the solution's finding before the reference's)."""
    seen, kept = set(), []
    for f in found:
        key = (f.where.split(" def ")[0], f.assignment, f.function)
        if key not in seen:
            seen.add(key)
            kept.append(f)
    return kept


def scan(root, places=None):
    """[Finding] for everything a learner reads under root (see the module's doc); places:
    other places to scan instead (the self-test plants cells)."""
    root = Path(root)
    all_answers = answers(root)
    formulas, written_out = _formulas(all_answers), _formulas(all_answers, only_once=False)
    graded = {a.function for a in all_answers}
    found = []
    for place in learner_places(root) if places is None else places:
        if any(a.stage >= place.stage for a in all_answers):
            found += findings_in(_Prepared(place, formulas, written_out, graded), all_answers)
    return found


# ------------------------------------------------------------------ grading: copies handed back

class _HandedOut:
    """A function or cell the course hands out, normalised once. near: whether a near copy of
    it counts (code does; code read out of prose and comments counts only whole)."""

    def __init__(self, where, body, local, near=True):
        self.where, self.body, self.local, self.near = where, body, local, near
        self.key, self.grams = body_key(body, local), grams(body, local)
        self._runs = {}

    def has_run(self, key, size):
        if size not in self._runs:
            self._runs[size] = {body_key(run, self.local) for run in windows(self.body, size)}
        return key in self._runs[size]


def _handed_out(root):
    """[_HandedOut] for every function, code cell and code in prose the course hands out under
    root (the exercises' answer cells left out: a blank answer is no copy)."""
    formulas = {}  # calls stay calls: calling a function hands nothing out
    found = []
    for place in learner_places(root):
        for name, body, local in place.functions:
            body = normalised_body(body, formulas, place.aliases)
            if _substantial(body):
                found.append(_HandedOut(f"{place.where.split(' def ')[0]} def {name}", body, local))
        code = place.statements if place.code is None else place.code
        written = {id(s) for s in code}
        for near, part in ((True, code), (False, [s for s in place.statements if id(s) not in written])):
            body = normalised_body([s for s in part if isinstance(s, ast.stmt)
                                    and not isinstance(s, (ast.FunctionDef, ast.ClassDef))], formulas, place.aliases)
            if _substantial(body):
                found.append(_HandedOut(place.where if near else f"{place.where} (prose)", body, _AllNames(), near))
    return found


def _substantial(body):
    """Code worth calling a copy: two statements or more, or one of weight WEIGHT_ALONE or more."""
    return len(body) >= 2 or (len(body) == 1 and sum(weight(v) for v in _values_of(body[0])) >= WEIGHT_ALONE)


@lru_cache(maxsize=4)
def handed_out_index(root):
    return _handed_out(Path(root))


def handed_out_copies(notebook, graded_names, root):
    """[(graded function, where the course hands it out, how)] for each graded function the
    notebook (a path, or a notebook as a dict) defines whose body is a function or code cell the
    course hands out under root: the whole body (names normalised as the scan does), a run of
    statements there, or a near copy. A body of one statement is never called a copy: a one-line
    formula is what a lesson teaches, and everyone who learned it writes it the same way."""
    if isinstance(notebook, (str, Path)):
        notebook = json.loads(Path(notebook).read_text())
    index = handed_out_index(str(Path(root).resolve()))
    found = []
    for cell in notebook.get("cells", []):
        source = cell.get("source", "")
        tree = parse_cell("".join(source) if isinstance(source, list) else source) \
            if cell.get("cell_type") == "code" else None
        for fn in tree.body if tree else []:
            if not isinstance(fn, ast.FunctionDef) or fn.name not in graded_names:
                continue
            body = normalised_body(fn.body, {})
            if len(body) < 2 or not _substantial(body):
                continue
            mine = {True: (body_key(body, local_names(fn)), grams(body, local_names(fn))),
                    False: (body_key(body, _AllNames()), grams(body, _AllNames()))}
            for other in index:
                key, my_grams = mine[not isinstance(other.local, _AllNames)]
                if key == other.key:
                    how = "the whole body"
                elif len(body) >= 2 and len(other.body) > len(body) and other.has_run(key, len(body)):
                    how = "a run of statements there"
                elif other.near and near_copy(my_grams, other.grams) and (
                        not isinstance(other.local, _AllNames) or len(other.grams) <= CELL_SPAN * len(my_grams)):
                    how = "a near copy"  # of a def, or of a cell not much longer than the function
                else:
                    continue
                if (fn.name, other.where) not in [(n, w) for n, w, _h in found]:
                    found.append((fn.name, other.where, how))
                break
    return found


def main(argv=None):
    """python -m autograder.copies [ROOT...]: every finding of the scan under each checkout
    (default this one), one per place, with the matching lines; exit 1 if any."""
    import sys

    roots = (sys.argv[1:] if argv is None else argv) or [str(Path(__file__).resolve().parent.parent)]
    found = 0
    for root in roots:
        for finding in scan(Path(root).resolve()):
            print(finding)
            found += 1
    print(f"{found} graded answer(s) a learner reads before solving them", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
