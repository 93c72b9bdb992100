"""Learners read the course, not the workshop: nothing they open (lessons, exercises, the
`course` package they import) names the source documents the course grew from ("seed 001")
or the issue tracker."""

import re
from pathlib import Path

import pytest

from autograder import notebooks

WORKSHOP = re.compile(r"\bseed[ _]?0\d\d|\bissue\s*#?\d+", re.I)


def learner_files():
    return [*notebooks.LESSONS.glob("*.ipynb"), *notebooks.EXERCISES.rglob("*.ipynb"),
            *(notebooks.ROOT / "course").glob("*.py")]


@pytest.mark.parametrize("path", learner_files(), ids=lambda p: str(p.relative_to(notebooks.ROOT)))
def test_no_workshop_labels(path):
    hits = [line.strip()[:120] for line in Path(path).read_text().splitlines() if WORKSHOP.search(line)]
    assert hits == []


def test_the_pattern_finds_the_labels_it_is_for():
    for text in ["Seed 001's worked example", "def seed001_step(", "see issue 12", "issue #3"]:
        assert WORKSHOP.search(text), text
    for text in ["np.random.default_rng(seed)", "seed=5", "a seeded generator"]:
        assert not WORKSHOP.search(text), text
