"""Honest work scores the same under every engine: the honest corpus, graded twice.

tests/honest/corpus.py holds correct submissions written the way learners write them
(IPython magics and `display` in answer cells, chatter, cells of their own, loops, other
formulas, numpy scalars, dict and tuple subclasses). `python -m autograder grade` grades them
as one class with the judge (the default engine) and again with `--engine kernel` (nbgrader's
Execute in a real kernel, as stock nbgrader grades). Every case must get full marks from the
kernel (else it is not honest work), and the judge must give every grade cell the score the
kernel gives it; no learner cell may fail under one engine and not the other.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from adversarial.corpus import full_marks
from autograder import notebooks
from honest.corpus import CASES, build
from support.synthetic import written_answers

ROOT = Path(__file__).resolve().parent.parent
ENGINES = ("judge", "kernel")


def grade(submitted, out, engine):
    run = subprocess.run([sys.executable, "-m", "autograder", "grade", str(submitted), "--out", str(out),
                          "--engine", engine, "--jobs", "2", "--timeout", "20"],
                         cwd=ROOT, capture_output=True, text=True, timeout=900, env=notebooks.nbgrader_env())
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]


def cell_scores(out, case):
    """{grade_id: score} of one submission's autograded cells, from the run's gradebook; a
    written answer (exercise 9's explanation) must wait for the instructor instead."""
    from nbgrader.api import Gradebook

    written = written_answers(case.assignment)
    with Gradebook(f"sqlite:///{out / 'gradebook.db'}") as gb:
        submission = gb.find_submission(case.assignment, case.student)
        grades = [g for nb in submission.notebooks for g in nb.grades]
        waiting = {g.name for g in grades if g.needs_manual_grade and g.auto_score is None}
        assert waiting == set(written), f"{case.student}: {waiting} await a manual grade, not {set(written)}"
        return {g.name: g.score for g in grades if g.name not in written}


def deserved(assignment):
    """{grade_id: points} of the autograded cells: full marks before any manual grading."""
    written = written_answers(assignment)
    return {name: points for name, points in full_marks(assignment, notebooks.EXERCISES).items()
            if name not in written}


def failing_cells(out, case):
    """Indexes of the autograded notebook's non-grade cells that show an error."""
    (path,) = (out / "autograded" / case.student / case.assignment).glob("*.ipynb")
    cells = json.loads(path.read_text())["cells"]
    return [i for i, c in enumerate(cells) if c["cell_type"] == "code"
            and not c["metadata"].get("nbgrader", {}).get("grade")
            and any(o.get("output_type") == "error" for o in c.get("outputs", []))]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """{engine: output folder} of the corpus graded by each engine; prints the scores table
    (docs/grading.md quotes it: run with -s to see it)."""
    course = tmp_path_factory.mktemp("honest")
    for case in CASES:
        folder = course / "submitted" / case.student / case.assignment
        folder.mkdir(parents=True)
        for name, data in build(case, notebooks.EXERCISES).items():
            (folder / name).write_bytes(data)
    outs = {engine: course / f"out-{engine}" for engine in ENGINES}
    for engine, out in outs.items():
        grade(course / "submitted", out, engine)
    print("\n| case | assignment | judge | kernel engine |\n|---|---|---|---|")
    for case in CASES:
        maximum = sum(deserved(case.assignment).values())
        scores = [sum(cell_scores(outs[e], case).values()) for e in ENGINES]
        print(f"| {case.student} | {case.assignment} | " + " | ".join(f"{s:g} / {maximum:g}" for s in scores) + " |")
    return outs


@pytest.mark.slow  # grades the corpus under both engines
@pytest.mark.parametrize("case", CASES, ids=[f"{c.student}-{c.assignment}" for c in CASES])
def test_honest_submission_scores_the_same_under_both_engines(graded, case):
    kernel = cell_scores(graded["kernel"], case)
    assert kernel == deserved(case.assignment), f"not honest work: the kernel engine takes points ({case.what})"
    judge = cell_scores(graded["judge"], case)
    differ = {cell: (judge.get(cell), kernel[cell]) for cell in kernel if judge.get(cell) != kernel[cell]}
    assert not differ, f"judge vs kernel engine, (judge, kernel) per grade cell: {differ}"
    assert failing_cells(graded["judge"], case) == failing_cells(graded["kernel"], case)


def test_the_corpus_covers_every_assignment_and_the_features_it_claims():
    assignments = {c.assignment for c in CASES}
    assert assignments == set(notebooks.assignments())
    sources = "\n".join(data.decode() for c in CASES for data in build(c, notebooks.EXERCISES).values())
    for feature in ("%%time", "%%capture", "%%timeit -n1 -r1", "display(", "%matplotlib inline",
                    "plt.savefig(", "!ls", "!pip list", "%time ", "OrderedDict", "defaultdict",
                    "namedtuple", "np.array(0.5", "np.tanh(z / 2)", "np.where("):
        assert feature in sources, feature
