"""The adversarial corpus graded as one class by `python -m autograder grade`.

Every submission in tests/adversarial/corpus.py must get exactly the points its
honest parts deserve, a status or feedback that says what happened, and must
not stop the rest of the class from being graded. See docs/grading.md.
"""

import csv
import html
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from adversarial.corpus import CASES, build, full_marks, write
from autograder import notebooks

pytestmark = pytest.mark.slow  # grades the adversarial corpus end to end

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def graded_corpus(tmp_path_factory):
    course = tmp_path_factory.mktemp("corpus")
    release = notebooks.EXERCISES
    elsewhere = course / "elsewhere"
    elsewhere.mkdir()
    for case in CASES:
        write(case, course / "submitted" / case.student / case.assignment, release, elsewhere)
    out = tmp_path_factory.mktemp("graded")  # away from submitted/: classmates stay closed all the same
    run = subprocess.run([sys.executable, "-m", "autograder", "grade", str(course / "submitted"),
                          "--jobs", "2", "--timeout", "4", "--out", str(out)],
                         cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    with open(out / "grades.csv", newline="") as f:
        rows = {(r["student"], r["assignment"]): r for r in csv.DictReader(f)}
    return out, rows, run


def cell_scores(course, student, assignment):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        submission = gb.find_submission(assignment, student)
        return {g.name: g.score for nb in submission.notebooks for g in nb.grades}


def evidence(course, row, case):
    """Everything the instructor and the learner get to read about one submission."""
    texts = [row["status"]]
    for path in (course / "feedback" / case.student / case.assignment).glob("*.html"):
        texts.append(path.read_text(errors="replace"))
    for path in (course / "autograded" / case.student / case.assignment).glob("*.ipynb"):
        nb = json.loads(path.read_text())
        texts += [str(o.get("ename", "")) + ": " + str(o.get("evalue", "")) + "".join(o.get("text", ""))
                  for c in nb["cells"]
                  for o in c.get("outputs", [])]
    return "\n".join(texts)


@pytest.mark.parametrize("case", CASES, ids=[c.student for c in CASES])
def test_each_adversarial_submission_gets_what_it_deserves(graded_corpus, case):
    course, rows, _ = graded_corpus
    row = rows[(case.student, case.assignment)]
    deserved = full_marks(case.assignment, notebooks.EXERCISES)
    if case.total == 0:
        assert float(row["score"]) == 0.0, row
    else:
        deserved.update(case.scores)
        assert cell_scores(course, case.student, case.assignment) == deserved, row
        assert float(row["score"]) == sum(deserved.values()), row
    if case.total is not None:
        assert float(row["score"]) == case.total, row
    assert float(row["max_score"]) == sum(full_marks(case.assignment, notebooks.EXERCISES).values())
    assert case.says in evidence(course, row, case), (case.says, row["status"])


def test_nothing_was_written_outside_the_sandboxes(graded_corpus):
    assert not (ROOT / "pwned.txt").exists()
    assert not list(ROOT.glob("*.tmp"))


def solution_lines(assignment):
    """The lines of the instructor's solution code (between the SOLUTION markers)."""
    nb = json.loads((ROOT / "solutions" / assignment / f"{assignment}_exercise.ipynb").read_text())
    lines, inside = set(), False
    for cell in nb["cells"]:
        for line in "".join(cell["source"]).splitlines():
            if line.strip() == "### BEGIN SOLUTION":
                inside = True
            elif line.strip() == "### END SOLUTION":
                inside = False
            elif inside and len(line.strip()) > 15:
                lines.add(line.strip())
    return lines


@pytest.mark.parametrize("case", CASES, ids=[c.student for c in CASES])
def test_feedback_shows_neither_hidden_tests_nor_solution_code(graded_corpus, case):
    course, _, _ = graded_corpus
    submitted = "\n".join(data.decode(errors="replace") for data in build(case, notebooks.EXERCISES).values()
                          if isinstance(data, bytes))
    secrets = {line for line in solution_lines(case.assignment) if line not in submitted}
    secrets |= {"HiddenTests", "BEGIN HIDDEN TESTS"}
    for page in (course / "feedback" / case.student / case.assignment).glob("*.html"):
        text = page.read_text(errors="replace")
        text = html.unescape(re.sub(r"<[^>]+>", "", text))  # highlighting splits code into spans
        leaked = [s for s in secrets if s in text]
        assert not leaked, (page, leaked[:3])
