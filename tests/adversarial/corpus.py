"""The adversarial corpus: submissions that try to break, fool or game the grader.

Each case starts from a correct submission (the released notebook with the
solution code in the learner's cells) or the released notebook itself, changes
it the way a confused or dishonest learner might, and states what a fair grader
must give it: the points each grade cell deserves (cells not named keep full
marks) and a phrase the submission's status or feedback must contain.

`build(case, release_dir)` returns the submission's files as {file name: bytes};
the test writes them as one student's submission and grades the whole corpus
as one class.
"""

from __future__ import annotations

import copy
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import nbformat

from notebook_edits import append, cell, replace, several
from notebook_edits import grade_id as _grade_id
from support.synthetic import correct_notebook

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = ROOT / "solutions"


@dataclass(frozen=True)
class Link:
    """A file-level case's notebook as a link: "symbolic" to the instructor's solution, or
    "hard" to a copy of it outside the submission (a classmate's file, say)."""

    kind: str


@dataclass(frozen=True)
class Case:
    student: str
    assignment: str
    what: str
    change: Callable | None  # (notebook) -> None, edits in place; None: file-level case
    scores: dict = field(default_factory=dict)  # grade_id -> points deserved (others: full)
    total: float | None = None  # when set, the whole submission's expected score
    says: str = ""  # a phrase expected in the status column or the feedback
    raw: bytes | None = None  # file-level cases: the submitted bytes
    filename: str | None = None  # file-level cases: a different notebook name
    link: Link | None = None  # file-level cases: the notebook is a link, not a file


REWRITER = "a_rewrites_classmates"  # sorts first: graded before the classmates it attacks
# An answer cell's extra code that looks for the course folder (walking up from its working
# folder, and at the path `_course_root` names) and, everywhere it can, rewrites the classmates'
# answer cells in submitted/ and autograded/, plants files, and deletes the gradebook, the
# ledger, the reports and the feedback pages. Every attempt that fails is passed over quietly.
REWRITE_CLASSMATES = """\
import glob as _glob, json as _json, os as _os

def _sabotage(root):
    for pattern in ('submitted/*/*/*.ipynb', 'autograded/*/*/*.ipynb'):
        for path in _glob.glob(_os.path.join(root, pattern)):
            if '%s' in path:
                continue
            try:
                with open(path) as fh:
                    nb = _json.load(fh)
                for c in nb['cells']:
                    if c.get('metadata', {}).get('nbgrader', {}).get('solution'):
                        c['source'] = 'pass'
                with open(path, 'w') as fh:
                    _json.dump(nb, fh)
            except Exception:
                pass
    for pattern in ('feedback/*/*/*.html', 'gradebook.db', 'grading/ledger.jsonl', 'grades.csv',
                    'summary.csv', 'summary/*'):
        for path in _glob.glob(_os.path.join(root, pattern)):
            try:
                _os.remove(path)
            except Exception:
                pass
    for folder in ('submitted', 'autograded', 'feedback', 'submitted/control_1/01_neuron'):
        try:
            with open(_os.path.join(root, folder, 'planted.txt'), 'w') as fh:
                fh.write('planted')
        except Exception:
            pass

_roots, _here = {_course_root}, _os.getcwd()
while True:
    _roots.add(_here)
    if _os.path.dirname(_here) == _here:
        break
    _here = _os.path.dirname(_here)
for _root in sorted(_roots):
    try:
        _sabotage(_root)
    except Exception:
        pass
""" % REWRITER

WRONG_SIGMOID = "def sigmoid(z):\n    return 1.0 / (1.0 + np.exp(z))\n"

CASES = [
    # --- code that never finishes or kills its process
    Case("loop_cell", "01_neuron", "a cell that loops forever (after defining relu)",
         append("relu", "while True:\n    pass"), {"test_relu": 0}, says="ran past"),
    Case("loop_call", "01_neuron", "a graded function that loops forever",
         replace("tanh", "def tanh(z):\n    while True:\n        pass"),
         {"test_tanh": 0, "test_tanh_prime": 0},  # the solution's tanh_prime calls tanh
         says="did not return within"),
    Case("exit_cell", "01_neuron", "a cell that calls os._exit",
         append("relu_prime", "import os\nos._exit(3)"), {"test_relu_prime": 0},
         says="crashed the sandbox"),
    Case("exit_call", "01_neuron", "a graded function that calls os._exit",
         replace("weighted_sum", "def weighted_sum(X, w, b):\n    import os\n    os._exit(1)"),
         {"test_weighted_sum": 0, "test_neuron": 0},  # the solution's neuron calls weighted_sum
         says="stopped the Python process"),
    Case("memory_call", "01_neuron", "a graded function that asks for 8 TB",
         replace("sigmoid_prime", "def sigmoid_prime(z):\n    big = np.ones((10**6, 10**6))\n"
                 "    return big[0, 0] * z"), {"test_sigmoid_prime": 0}, says="MemoryError"),
    Case("memory_cell", "01_neuron", "a cell that grows a list until memory runs out",
         append("tanh_prime", "hog = []\nwhile True:\n    hog.append(np.empty(2 * 10**8))"),
         total=12, says="MemoryError"),  # tanh_prime was defined before the cell failed, as in a kernel
    Case("close_pipes", "01_neuron", "a cell that closes the grader's pipes",
         append("neuron", "import os\nos.closerange(3, 4096)"), {"test_neuron": 0},
         says="crashed the sandbox"),
    # --- the notebook file itself
    Case("malformed_json", "01_neuron", "a notebook file that is not JSON", None, total=0,
         says="unreadable", raw=b'{"cells": [ this is not json'),
    Case("renamed", "01_neuron", "a correct notebook saved under another name", None,
         total=12, says="renamed", filename="my_exercise_final.ipynb"),
    Case("symlink", "01_neuron", "the notebook is a symbolic link to the instructor's solution",
         None, total=0, says="symbolic link", link=Link("symbolic")),
    Case("hardlink", "01_neuron", "the notebook is a hard link to a correct notebook elsewhere",
         None, total=0, says="hard link", link=Link("hard")),
    # --- test cells and metadata
    Case("deleted_tests", "01_neuron", "grade cells deleted",
         lambda nb: nb.cells.__setitem__(slice(None), [c for c in nb.cells if _grade_id(c) not in (
             "test_sigmoid", "test_relu")]), total=12),
    Case("edited_test", "01_neuron", "a wrong sigmoid with its test cell replaced by a print",
         several(replace("sigmoid", WRONG_SIGMOID),
                 replace("test_sigmoid", "print('PASS: sigmoid')")), {"test_sigmoid": 0},
         says="sign flip in the exponent"),
    Case("reordered_tests", "01_neuron", "the relu test cell moved above the set-up cell",
         lambda nb: nb.cells.insert(0, nb.cells.pop(nb.cells.index(cell(nb, "test_relu")))),
         {"test_relu": 0}, says="not defined when this test runs"),
    Case("points_metadata", "01_neuron", "a wrong sigmoid, its grade cell's points raised to 100",
         several(replace("sigmoid", WRONG_SIGMOID),
                 lambda nb: cell(nb, "test_sigmoid").metadata["nbgrader"].update(points=100)),
         {"test_sigmoid": 0}, total=11),
    Case("forged_locked_cell", "01_neuron", "a learner cell dressed up as a locked instructor cell",
         several(replace("sigmoid", WRONG_SIGMOID),
                 lambda nb: cell(nb, "sigmoid").metadata["nbgrader"].update(
                     solution=False, locked=True, grade_id="setup_extra")),
         {"test_sigmoid": 0}),
    Case("forged_grade_cell", "01_neuron", "an answer cell dressed up as a grade cell worth 5 points",
         lambda nb: cell(nb, "sigmoid").metadata["nbgrader"].update(grade=True, points=5),
         total=12, says="forged cell metadata"),
    Case("forged_answer_cell", "01_neuron", "a wrong sigmoid, its grade cell passed off as an "
         "answer cell and emptied", several(
             replace("sigmoid", WRONG_SIGMOID), replace("test_sigmoid", "pass"),
             lambda nb: cell(nb, "test_sigmoid").metadata["nbgrader"].update(
                 grade=False, solution=True, locked=False)),
         {"test_sigmoid": 0}, says="forged cell metadata"),
    # --- fooling the comparison
    Case("no_tracebacks", "01_neuron", "a wrong sigmoid with traceback display switched off",
         several(replace("sigmoid", WRONG_SIGMOID), append(
             "setup", "import sys\nsys.excepthook = lambda *a: None\n"
             "get_ipython().showtraceback = lambda *a, **k: None")),
         {"test_sigmoid": 0}),
    Case("always_equal", "01_neuron", "relu returns an object equal to everything",
         replace("relu", "class Yes:\n    def __eq__(self, other):\n        return True\n"
                 "    __ne__ = lambda self, other: False\n    __lt__ = __le__ = __gt__ = __ge__ = __eq__\n"
                 "def relu(z):\n    return Yes()"), {"test_relu": 0}, says="should be a numpy array"),
    Case("lying_subclass", "01_neuron", "tanh returns an ndarray subclass that claims to match",
         replace("tanh", "class Liar(np.ndarray):\n    def __eq__(self, other):\n"
                 "        return np.ones(np.shape(other), dtype=bool)\n"
                 "    def __array_ufunc__(self, *a, **k):\n        return True\n"
                 "def tanh(z):\n    return np.zeros_like(z).view(Liar)"),
         {"test_tanh": 0, "test_tanh_prime": 0},  # the solution's tanh_prime calls tanh
         says="subclass of numpy.ndarray"),
    Case("patched_numpy", "01_neuron", "a wrong sigmoid with numpy's comparisons patched to agree",
         several(replace("sigmoid", WRONG_SIGMOID), append(
             "setup", "np.allclose = lambda *a, **k: True\nnp.isclose = lambda a, b, **k: "
             "np.ones(np.shape(a), dtype=bool)\nnp.array_equal = lambda *a, **k: True\n"
             "np.testing.assert_allclose = lambda *a, **k: None")), {"test_sigmoid": 0},
         says="sign flip in the exponent"),
    Case("patched_checker", "01_neuron", "a wrong sigmoid with the checker module replaced",
         several(replace("sigmoid", WRONG_SIGMOID), append(
             "setup", "import sys, types\nfake = types.ModuleType('course.checking')\n"
             "fake.run_checks = lambda *a, **k: 0\nsys.modules['course.checking'] = fake\n"
             "sys.modules['autograder.hidden'] = fake")), {"test_sigmoid": 0}),
    # --- taking the answer instead of writing it
    Case("import_reference", "01_neuron", "sigmoid imported from the reference implementation",
         replace("sigmoid", "from autograder.reference.neuron import sigmoid"),
         {"test_sigmoid": 0, "test_sigmoid_prime": 0},  # sigmoid_prime calls sigmoid
         says="not allowed while grading"),
    Case("loaded_reference", "10_whole_picture", "mlp_forward looked for among the loaded modules",
         replace("mlp_forward", "import sys\n"
                 "mlp_forward = sys.modules['autograder.reference.mlp'].mlp_forward"),
         {"test_mlp_forward": 0}, says="KeyError: 'autograder.reference.mlp'"),
    Case("read_solution", "01_neuron", "relu's code read from the solutions notebook and run",
         replace("relu", "import json\n"
                 f"src = json.load(open({str(SOLUTIONS / '01_neuron' / '01_neuron_exercise.ipynb')!r}))\n"
                 "exec(''.join(''.join(c['source']) for c in src['cells'] "
                 "if c['cell_type'] == 'code' and 'def relu(' in ''.join(c['source'])))"),
         {"test_relu": 0}, says="not allowed while grading"),
    Case("read_copy", "01_neuron", "relu's code read from a copy of the course in another folder",
         replace("relu", "exec(open('@ELSEWHERE@/course-copy/autograder/reference/neuron.py').read())"),
         {"test_relu": 0}, says="not allowed while grading"),
    Case("read_classmate", "01_neuron", "relu's code read from a classmate's submission",
         replace("relu", "import json\n"
                 "src = json.load(open('@SUBMITTED@/renamed/01_neuron/my_exercise_final.ipynb'))\n"
                 "exec(''.join(''.join(c['source']) for c in src['cells'] "
                 "if c['cell_type'] == 'code' and 'def relu(' in ''.join(c['source'])))"),
         {"test_relu": 0}, says="not allowed while grading"),
    Case("shell_out", "01_neuron", "relu's code fetched by a subprocess",
         replace("relu", "import subprocess\nsrc = subprocess.run(['cat', "
                 f"{str(ROOT / 'autograder' / 'reference' / 'neuron.py')!r}], capture_output=True,"
                 " text=True).stdout\nexec(src)"), {"test_relu": 0}, says="not allowed while grading"),
    Case(REWRITER, "01_neuron", "a cell that rewrites every classmate's answer cells with `pass` "
         "and deletes the gradebook, the ledger and the reports",
         append("relu", "\n".join(["_course_root = '@SUBMITTED@/..'", *REWRITE_CLASSMATES.splitlines()])),
         total=12),
    Case("kill_grader", "01_neuron", "a cell that tries to kill the grading process",
         append("setup", "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)"), total=12),
    # --- noise
    Case("huge_output", "01_neuron", "a cell that prints 30 MB", append(
        "weighted_sum", "for _ in range(3000):\n    print('x' * 10000)"), total=12),
]


def build(case, release_dir):
    """{file name: bytes, or a Link} for the case's submission folder."""
    name = case.filename or f"{case.assignment}_exercise.ipynb"
    if case.link is not None:
        return {name: case.link}
    if case.raw is not None:
        return {name: case.raw}
    nb = correct_notebook(case.assignment, release_dir)
    if callable(case.change):
        nb = copy.deepcopy(nb)
        case.change(nb)
    return {name: nbformat.writes(nb).encode()}


def full_marks(assignment, release_dir):
    """{grade_id: points} of an assignment's released notebook."""
    nb = nbformat.read(Path(release_dir) / assignment / f"{assignment}_exercise.ipynb", as_version=4)
    return {_grade_id(c): float(c.metadata["nbgrader"]["points"]) for c in nb.cells
            if c.metadata.get("nbgrader", {}).get("grade")}


def write(case, folder, release_dir, elsewhere):
    """Write the case's submission into folder; `elsewhere` is a folder outside every submission
    (holding a copy of the course's reference, for the cases that look for one there). In cell
    sources, @ELSEWHERE@ and @SUBMITTED@ become those folders' paths."""
    folder.mkdir(parents=True, exist_ok=True)
    copy_of_course = Path(elsewhere) / "course-copy" / "autograder"
    if not copy_of_course.exists():
        shutil.copytree(ROOT / "autograder", copy_of_course, ignore=shutil.ignore_patterns("__pycache__"))
    places = {"@ELSEWHERE@": str(elsewhere), "@SUBMITTED@": str(folder.parent.parent)}
    for name, data in build(case, release_dir).items():
        if isinstance(data, bytes):
            text = data.decode()
            for marker, path in places.items():
                text = text.replace(marker, path)
            data = text.encode()
        if isinstance(data, Link) and data.kind == "symbolic":
            (folder / name).symlink_to(SOLUTIONS / case.assignment / f"{case.assignment}_exercise.ipynb")
        elif isinstance(data, Link):
            original = Path(elsewhere) / f"{case.student}-{name}"
            original.write_text(nbformat.writes(correct_notebook(case.assignment, release_dir)))
            os.link(original, folder / name)
        else:
            (folder / name).write_bytes(data)


if __name__ == "__main__":  # list the corpus
    for c in CASES:
        print(f"{c.student:20} {c.assignment:12} {c.what}")
