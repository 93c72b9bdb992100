"""Each graded function is written once, in autograder/reference/; the solution notebooks'
answer cells are generated from it.

An answer cell of solutions/NN_name/*.ipynb keeps its own `def` line and the docstring the
learner reads; the lines between `### BEGIN SOLUTION` and `### END SOLUTION` are the body of
the graded function's reference (the `reference` of its GradedFunction in autograder/specs/),
without the reference's docstring, indented as the cell needs. `write` puts them there
(`python -m autograder generate` runs it before nbgrader), `problems` lists every answer cell
that differs from its reference (`python -m autograder drift` prints them):

- the solution block is not the reference's body;
- the cell's parameter names are not the reference's;
- the reference's body uses a name the notebook does not have: numpy, builtins, what the
  set-up cell defines or imports, and the answer functions of earlier cells are all it may use
  (a helper private to a reference module would be undefined in the learner's notebook).
"""

import ast
import builtins
import inspect
import symtable
import textwrap
from dataclasses import dataclass
from pathlib import Path

import nbformat

from autograder.notebooks import ROOT, SOLUTIONS

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"


@dataclass(frozen=True)
class Answer:
    """One answer cell: the graded function `name`, defined by cell `index` of a notebook."""

    name: str
    index: int


def reference_body(fn):
    """The statements of fn's body as source text (its docstring left out), dedented."""
    lines, _ = inspect.getsourcelines(fn)
    source = textwrap.dedent("".join(lines))
    node = ast.parse(source).body[0]
    body = node.body
    start = body[0].lineno
    if _is_docstring(body[0]):
        if len(body) == 1:
            raise ValueError(f"{fn.__qualname__} has a docstring and no body")
        start = body[0].end_lineno + 1
    text = "\n".join(source.splitlines()[start - 1:body[-1].end_lineno])
    return textwrap.dedent(text).strip("\n")


def _is_docstring(stmt):
    return (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)
            and isinstance(stmt.value.value, str))


def _function(source, name):
    """The top-level `def name` of a cell's source, or None."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    return next((node for node in tree.body
                 if isinstance(node, ast.FunctionDef) and node.name == name), None)


def parameter_names(fn_or_node):
    """A function's parameter names in order (positional, *args, keyword-only, **kwargs)."""
    if isinstance(fn_or_node, ast.FunctionDef):
        args = fn_or_node.args
        names = [a.arg for a in args.posonlyargs + args.args]
        names += [args.vararg.arg] if args.vararg else []
        names += [a.arg for a in args.kwonlyargs]
        names += [args.kwarg.arg] if args.kwarg else []
        return names
    return list(inspect.signature(fn_or_node).parameters)


def split_solution(source):
    """(lines before the block, lines of the block, lines after it, the BEGIN line's indent)."""
    lines = source.split("\n")
    begins = [i for i, line in enumerate(lines) if line.strip() == BEGIN]
    ends = [i for i, line in enumerate(lines) if line.strip() == END]
    if len(begins) != 1 or len(ends) != 1 or ends[0] < begins[0]:
        raise ValueError("an answer cell needs exactly one BEGIN SOLUTION / END SOLUTION pair")
    b, e = begins[0], ends[0]
    indent = lines[b][:len(lines[b]) - len(lines[b].lstrip())]
    return lines[:b + 1], lines[b + 1:e], lines[e:], indent


def with_body(source, body):
    """source with its solution block replaced by body, indented like the BEGIN line."""
    before, _, after, indent = split_solution(source)
    block = [indent + line if line.strip() else "" for line in body.split("\n")]
    return "\n".join(before + block + after)


def free_names(body, parameters):
    """Names the body reads that neither it nor its parameters define (globals and builtins)."""
    wrapped = "def _answer({}):\n{}\n".format(", ".join(parameters), textwrap.indent(body, "    "))
    table = symtable.symtable(wrapped, "<answer>", "exec").get_children()[0]
    found, pending = set(), [table]
    while pending:
        scope = pending.pop()
        found |= {name for name in scope.get_identifiers()
                  if scope.lookup(name).is_global() and scope.lookup(name).is_referenced()}
        pending += scope.get_children()
    return found


def _bound_names(source):
    """Names a cell binds at top level: imports, assignments, defs, classes."""
    names = set()
    for node in ast.parse(source).body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                names |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
    return names


def setup_names(nb):
    """What the notebook's set-up cell (grade_id "setup") defines or imports."""
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("grade_id") == "setup":
            return _bound_names(cell.source)
    return set()


def answer_cells(nb, names):
    """{name: Answer} for each graded name that a solution cell of nb defines."""
    found = {}
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or not cell.metadata.get("nbgrader", {}).get("solution"):
            continue
        for name in names:
            if _function(cell.source, name) is not None:
                found[name] = Answer(name, index)
    return found


def check_notebook(nb, graded, label):
    """Problems of one solution notebook against its graded functions {name: GradedFunction}."""
    problems = []
    cells = answer_cells(nb, graded)
    available = set(dir(builtins)) | setup_names(nb)
    for name in sorted(graded, key=lambda n: cells[n].index if n in cells else -1):
        reference = graded[name].reference
        where = f"{_relative(inspect.getsourcefile(reference))} ({reference.__name__})"
        if name not in cells:
            problems.append(f"{label}: no answer cell defines {name}")
            continue
        source = nb.cells[cells[name].index].source
        mine, theirs = parameter_names(_function(source, name)), parameter_names(reference)
        if mine != theirs:
            problems.append(f"{label}: {name}({', '.join(mine)}) but the reference in {where} "
                            f"takes ({', '.join(theirs)})")
        body = reference_body(reference)
        missing = sorted(free_names(body, theirs) - available)
        if missing:
            problems.append(f"{label}: {name}'s reference body in {where} uses {', '.join(missing)}, "
                            "which the notebook does not define before it (set-up cell or an "
                            "earlier answer)")
        try:
            split_solution(source)
        except ValueError as error:
            problems.append(f"{label}: {name}: {error}")
            continue
        if source != with_body(source, body):
            problems.append(f"{label}: {name}'s solution differs from {where}")
        available.add(name)
    return problems


def write_notebook(nb, graded):
    """Put each reference body into its answer cell; the names whose cell changed."""
    changed = []
    for name, answer in answer_cells(nb, graded).items():
        cell = nb.cells[answer.index]
        new = with_body(cell.source, reference_body(graded[name].reference))
        if new != cell.source:
            cell.source = new
            changed.append(name)
    return changed


def _relative(path):
    try:
        return str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def _notebooks(assignment_ids=None, solutions_dir=SOLUTIONS):
    from autograder.specs import all_specs

    specs = all_specs()
    for assignment in sorted(a for a in (assignment_ids or specs) if a in specs):
        for path in sorted((Path(solutions_dir) / assignment).glob("*.ipynb")):
            yield path, specs[assignment]


def problems(assignment_ids=None, solutions_dir=SOLUTIONS):
    """Every answer cell of solutions/ that differs from its reference, as messages."""
    found = []
    for path, graded in _notebooks(assignment_ids, solutions_dir):
        found += check_notebook(nbformat.read(path, as_version=4), graded, _relative(path))
    return found


def write(assignment_ids=None, solutions_dir=SOLUTIONS):
    """Generate the solution blocks from the references; [(path, changed names)] for each
    notebook that changed. Refuses (ValueError) when a reference's body or parameters do not
    fit its notebook: the notebook would not run."""
    changed = []
    for path, graded in _notebooks(assignment_ids, solutions_dir):
        nb = nbformat.read(path, as_version=4)
        unfit = [p for p in check_notebook(nb, graded, _relative(path)) if "solution differs" not in p]
        if unfit:
            raise ValueError("\n".join(unfit))
        names = write_notebook(nb, graded)
        if names:
            nbformat.write(nb, path)
            changed.append((path, names))
    return changed
