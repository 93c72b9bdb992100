"""The learner edition (`python -m autograder release OUT`) holds no answer key and runs alone.

The scan: no file of the edition imports `autograder`; none contains the body of any graded
function's solution (compared by syntax tree, with every name normalised, as a run of
statements anywhere: a function's body, a notebook cell, a module); none holds a hidden test or
a solution block; the stored data holds no hidden case's inputs. Then the edition is installed
into a fresh virtual environment (not editable, so the package data must ship), every lesson
runs under nbval there, and every exercise runs with right answers (each check passes) and with
one function wrong (its check fails and says why).
"""

import ast
import copy
import json
import os
import subprocess
import sys

import nbformat
import numpy as np
import pytest
from IPython.core.inputtransformer2 import TransformerManager

from autograder import notebooks, release
from autograder.copies import without_docstring
from autograder.specs import all_specs
from course.checking import hidden_cases

ROOT = notebooks.ROOT


@pytest.fixture(scope="module")
def edition(tmp_path_factory):
    # exercises/ against a fresh generation: tests/test_nbgrader.py (drift), not again here
    return release.build(tmp_path_factory.mktemp("learner") / "edition", check_drift=False)


# ------------------------------------------------------------------ reading code

def _python_of_cell(source):
    try:
        return ast.parse(source)
    except SyntaxError:
        return ast.parse(TransformerManager().transform_cell(source))


def code_units(folder):
    """(where, syntax tree) for every Python file and notebook code cell under folder."""
    units = []
    for path in sorted(folder.rglob("*.py")):
        units.append((str(path.relative_to(folder)), ast.parse(path.read_text())))
    for path in sorted(folder.rglob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for i, cell in enumerate(nb.cells):
            if cell.cell_type == "code":
                units.append((f"{path.relative_to(folder)} cell {i}", _python_of_cell(cell.source)))
    return units


class _Names(ast.NodeTransformer):
    """Renames every variable and argument to v0, v1, ... in order of first appearance."""

    def __init__(self):
        self.names = {}

    def _name(self, name):
        return self.names.setdefault(name, f"v{len(self.names)}")

    def visit_Name(self, node):
        return ast.copy_location(ast.Name(id=self._name(node.id), ctx=node.ctx), node)

    def visit_arg(self, node):
        node.arg = self._name(node.arg)
        node.annotation = None
        return node


def normalised(statements):
    """The statements' syntax tree as text, names normalised (docstrings are not statements
    here: callers drop them)."""
    module = ast.Module(body=[copy.deepcopy(s) for s in statements], type_ignores=[])
    return ast.dump(_Names().visit(module), annotate_fields=False, include_attributes=False)


def statement_lists(tree):
    """Every list of statements in tree: a module's, a function's or class's body, a loop's..."""
    found = []
    for node in ast.walk(tree):
        for field in ("body", "orelse", "finalbody"):
            body = getattr(node, field, None)
            if isinstance(body, list) and body and isinstance(body[0], ast.stmt):
                found.append(without_docstring(body) if field == "body" else body)
    return found


def solution_bodies():
    """{function name: normalised body} for every graded function's solution, from the
    solution notebooks' answer cells."""
    graded = {name for fns in all_specs().values() for name in fns}
    bodies = {}
    for path in notebooks.solution_notebooks():
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if cell.cell_type != "code" or not meta.get("solution"):
                continue
            for node in ast.walk(_python_of_cell(cell.source)):
                if isinstance(node, ast.FunctionDef) and node.name in graded:
                    body = without_docstring(node.body)
                    bodies[f"{path.parent.name}.{node.name}"] = (len(body), normalised(body))
    return bodies


def test_solution_bodies_are_found_for_every_graded_function():
    found = {key.split(".", 1)[1] for key in solution_bodies()}
    graded = {name for fns in all_specs().values() for name in fns}
    assert found == graded


def test_the_scan_finds_a_pasted_solution(tmp_path):
    """The scan is not blind: a solution pasted into a lesson module, renamed, is found."""
    path = next(notebooks.solution_notebooks().__iter__())
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")
                and "def " in c.source)
    tree = _python_of_cell(cell.source)
    fn = next(n for n in tree.body if isinstance(n, ast.FunctionDef))
    pasted = ast.unparse(fn).replace(fn.name, "helper").replace(fn.args.args[0].arg, "value")
    (tmp_path / "module.py").write_text("import numpy as np\n\n\n" + pasted + "\n")
    assert scan_for_solutions(tmp_path)


def scan_for_solutions(folder):
    """Where under folder a graded function's solution body appears, as a run of statements."""
    wanted = {}  # (length, type of the first statement) -> {normalised body: [keys]}
    for key, (length, body) in solution_bodies().items():
        first = body.split("(", 2)[1].split("[", 1)[-1]  # the dump's first statement type
        wanted.setdefault((length, first), {}).setdefault(body, []).append(key)
    hits = []
    for where, tree in code_units(folder):
        for statements in statement_lists(tree):
            for start, statement in enumerate(statements):
                for (length, first), bodies in wanted.items():
                    if type(statement).__name__ != first or start + length > len(statements):
                        continue
                    found = bodies.get(normalised(statements[start:start + length]))
                    hits += [f"{where}: the solution of {key}" for key in found or ()]
    return hits


# ------------------------------------------------------------------ the scan

def test_the_edition_has_no_solution_bodies(edition):
    assert scan_for_solutions(edition) == []


def written_answers():
    """{assignment.grade_id: model answer} of the solutions' written (markdown) answer cells."""
    found = {}
    for path in notebooks.solution_notebooks():
        for cell in nbformat.read(path, as_version=4).cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("solution") and cell.cell_type == "markdown":
                found[f"{path.parent.name}.{meta['grade_id']}"] = cell.source
    return found


def scan_for_written_answers(folder):
    """Where under folder a line of a written answer's model answer appears (lines of 40
    characters or more, blanks squeezed: long enough to be the answer's own words)."""
    lines = {" ".join(line.split()): key for key, answer in written_answers().items()
             for line in answer.splitlines() if len(line.strip()) >= 40}
    hits = []
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".ipynb", ".md", ".txt", ".json", ".html"):
            text = path.read_text()
            if path.suffix == ".ipynb":
                text = "\n".join(c.source for c in nbformat.reads(text, as_version=4).cells)
            text = " ".join(text.split())
            hits += [f"{path.relative_to(folder)}: the model answer of {key}" for line, key in lines.items()
                     if line in text]
    return sorted(set(hits))


def test_the_edition_has_no_written_model_answers(edition, tmp_path):
    assert "09_chain_rule.explanation" in written_answers()
    assert scan_for_written_answers(edition) == []
    (tmp_path / "notes.md").write_text(written_answers()["09_chain_rule.explanation"])  # the scan is not blind
    assert scan_for_written_answers(tmp_path) == ["notes.md: the model answer of 09_chain_rule.explanation"]


def test_nothing_in_the_edition_imports_the_grader(edition):
    imports = []
    for where, tree in code_units(edition):
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
                func = ast.unparse(node.func)
                if func.endswith(("import_module", "__import__")):
                    names = [str(node.args[0].value)]
            imports += [f"{where}: {n}" for n in names if n.split(".")[0] == "autograder"]
    assert imports == []


def test_the_edition_holds_only_the_learners_folders(edition):
    assert sorted(p.name for p in edition.iterdir()) == [
        "Makefile", "README.md", "constraints.txt", "course", "exercises", "lessons",
        "pyproject.toml", "requirements.txt"]
    assert not list(edition.rglob("*solution*")) and not list(edition.rglob("autograder"))
    for path in edition.rglob("*"):
        if path.is_file() and path.suffix in (".py", ".ipynb", ".md", ".txt", ".json"):
            text = path.read_text()
            for marker in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "HiddenTests"):
                assert marker not in text, f"{path.relative_to(edition)} holds {marker!r}"


def _arrays(value):
    if isinstance(value, np.ndarray):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _arrays(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _arrays(v)
    elif hasattr(value, "stored_args"):
        yield from _arrays(value.stored_args())


def test_the_stored_data_holds_no_hidden_case(edition):
    from course import stored
    shipped = set()
    for path in (edition / "course" / "data").glob("*.json"):
        for array in _arrays(stored.decode(json.loads(path.read_text()))):
            shipped.add(array.astype(float).tobytes() if array.dtype.kind == "f" else array.tobytes())
    checked = 0
    for assignment, fns in all_specs().items():
        for name, graded in fns.items():
            # an edge case the wording announces is a visible case too: it is no secret
            visible = {a.tobytes() for c in graded.visible_cases() for a in _arrays(c.args)}
            for case in hidden_cases(graded):
                for array in _arrays(case.args):
                    if array.dtype.kind == "f" and len(np.unique(array)) >= 4 \
                            and array.tobytes() not in visible:
                        checked += 1
                        assert array.tobytes() not in shipped, (
                            f"{assignment}.{name}: a hidden case's input ({case.label}) is shipped")
    assert checked > 100


# ------------------------------------------------------------------ it runs alone

PINNED = {line.split("==")[0]: line for line in (ROOT / "requirements.txt").read_text().splitlines()
          if "==" in line and not line.startswith("#")}


@pytest.fixture(scope="module")
def fresh_python(edition, tmp_path_factory):
    """A new virtual environment with the edition installed from its own files (plus nbval and
    pytest, the tools this test runs it with)."""
    venv = tmp_path_factory.mktemp("venv") / "env"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run(pip + ["-r", "requirements.txt", "-c", "constraints.txt",
                          PINNED["nbval"], PINNED["pytest"]], cwd=edition, check=True)
    subprocess.run(pip + ["--no-deps", "."], cwd=edition, check=True)
    return python


def _env(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env["BACKPROP_PROGRESS_FILE"] = str(tmp_path / "progress.json")
    return env


@pytest.mark.slow
def test_the_course_package_comes_from_the_edition(fresh_python, edition, tmp_path):
    found = subprocess.run([str(fresh_python), "-c", "import course, importlib.util as u; "
                            "print(course.__file__); print(u.find_spec('autograder'))"],
                           cwd=tmp_path, env=_env(tmp_path), capture_output=True, text=True,
                           check=True).stdout.split("\n")
    assert "site-packages" in found[0] and found[1] == "None"


@pytest.mark.slow
def test_every_lesson_runs_under_nbval_in_the_edition(fresh_python, edition, tmp_path):
    result = subprocess.run(
        [str(fresh_python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval",
         "--nbval-current-env", "--nbval-sanitize-with", str(ROOT / "tests" / "nbval_sanitize.cfg"),
         "lessons"], cwd=edition, env=_env(tmp_path), capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "passed" in result.stdout


RUNNER = """
import sys, nbformat
from nbclient import NotebookClient
path, out = sys.argv[1], sys.argv[2]
nb = nbformat.read(path, as_version=4)
NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True,
               resources={"metadata": {"path": sys.argv[3]}}).execute()
nbformat.write(nb, out)
"""

FLIP = '''

def _flipped(value):
    """The value with its sign flipped (arrays, numbers, and tuples, lists, dicts of them)."""
    if isinstance(value, dict):
        return {k: _flipped(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_flipped(v) for v in value)
    return -value if not isinstance(value, (bool, str)) and value is not None else value


_right_{name} = {name}


def {name}(*args):
    return _flipped(_right_{name}(*args))
'''


def filled(assignment, wrong=None):
    """The released exercise with every answer cell filled from the solution (the solution
    block's code, which the edition does not have), and, if wrong names a function, that
    function's result sign-flipped."""
    released = nbformat.read(notebooks.EXERCISES / assignment / f"{assignment}_exercise.ipynb",
                             as_version=4)
    solution = nbformat.read(notebooks.SOLUTIONS / assignment / f"{assignment}_exercise.ipynb",
                             as_version=4)
    answers = {c.metadata["nbgrader"]["grade_id"]: c.source for c in solution.cells
               if c.metadata.get("nbgrader", {}).get("solution")}
    for cell in released.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if cell.metadata.get("nbgrader", {}).get("solution") and grade_id in answers:
            source = "\n".join(line for line in answers[grade_id].splitlines()
                               if line.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION"))
            if wrong and f"def {wrong}(" in source:
                source += FLIP.replace("{name}", wrong)
            cell.source = source
    return released


def _run(fresh_python, edition, tmp_path, nb, name):
    folder = edition / "exercises" / name.split("__")[0]
    path = tmp_path / f"{name}.ipynb"
    out = tmp_path / f"{name}.out.ipynb"
    nbformat.write(nb, path)
    subprocess.run([str(fresh_python), "-c", RUNNER, str(path), str(out), str(folder)],
                   cwd=edition, env=_env(tmp_path), check=True, capture_output=True)
    return nbformat.read(out, as_version=4)


def _check_cells(nb):
    """{function name: (passed, text)} for every check cell of an executed exercise."""
    found = {}
    for cell in nb.cells:
        source = cell.source.strip() if cell.cell_type == "code" else ""
        line = next((text for text in source.splitlines() if text.startswith("check(\"")), None)
        if line is None:
            continue
        name = line.split('"')[1]
        text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
        errors = [o for o in cell.outputs if o.output_type == "error"]
        error_text = "\n".join(f"{o.ename}: {o.evalue}" for o in errors)
        found[name] = (not errors and f"PASS {name}:" in text, text + error_text)
    return found


@pytest.mark.slow
@pytest.mark.parametrize("assignment", notebooks.assignments())
def test_an_exercise_checks_right_and_wrong_answers_in_the_edition(fresh_python, edition,
                                                                   tmp_path, assignment):
    names = list(all_specs()[assignment])
    right = _check_cells(_run(fresh_python, edition, tmp_path, filled(assignment),
                              f"{assignment}__right"))
    assert set(right) == set(names)
    assert all(passed for passed, _ in right.values()), {n: t for n, (p, t) in right.items() if not p}
    wrong_name = names[0]
    wrong = _check_cells(_run(fresh_python, edition, tmp_path, filled(assignment, wrong_name),
                              f"{assignment}__wrong"))
    passed, text = wrong[wrong_name]
    assert not passed and "CheckFailed" in text and f"{wrong_name}" in text, text


def test_learners_install_no_instructor_tool(edition):
    pinned = {line.split("==")[0] for line in (edition / "requirements.txt").read_text().splitlines()
              if "==" in line}
    assert pinned == release.learner_pins()
    assert not pinned & {"nbgrader", "nbval", "pytest", "jupyterhub", "distributed", "playwright"}
    assert {"numpy", "matplotlib", "jupyterlab", "ipywidgets"} <= pinned
