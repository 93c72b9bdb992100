"""The learner edition: what an instructor hands out, built from this repository.

    python -m autograder release OUT

writes OUT/ with the lessons, the exercises (the student versions nbgrader generates, as in
exercises/), the `course` package with its stored data, a learner README, a Makefile whose
`make lab` sets everything up, and the install files (requirements.txt without the instructor's
tools, constraints.txt, pyproject.toml for the `course` package alone). It holds nothing of
solutions/, the reference, the specs and their hidden cases, or the grading command: the
learner's checks run from stored results (course/data/). tests/test_release.py builds it,
installs it into a fresh virtual environment, runs every lesson there under nbval, runs each
exercise's checks on a right and a wrong answer, and scans it for the answer key.
"""

import shutil
from pathlib import Path

from autograder import notebooks
from course.syllabus import LESSONS

ROOT = notebooks.ROOT
TEMPLATES = Path(__file__).resolve().parent / "edition"


def learner_pins():
    """The learner's set: pyproject.toml's `dependencies` (the extras are the instructor's)."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return {line.split("==")[0].strip().lower() for line in project["dependencies"]}


def learner_requirements(text):
    """requirements.txt's pins of the learner's set (pyproject.toml's dependencies), under a
    learner's header: what the learner edition installs."""
    kept = ["# What the course needs to run (pinned; constraints.txt pins what these pull in)."]
    learner = learner_pins()
    for line in text.splitlines():
        name = line.split("==")[0].strip().lower()
        if line.strip() and not line.lstrip().startswith("#") and name in learner:
            kept.append(line)
    return "\n".join(kept) + "\n"


def _course_table():
    rows = []
    for lesson in LESSONS:
        rows.append(f"| {lesson.number} | [{lesson.title}]({lesson.lesson_path}) | "
                    f"[exercise {lesson.number}]({lesson.exercise_path}) |")
    return "\n".join(rows)


def _ignore_caches(_folder, names):
    return [n for n in names if n == "__pycache__" or n.endswith((".pyc", ".pyo"))
            or n == ".ipynb_checkpoints"]


def build(out, check_drift=True):
    """Write the learner edition into the folder out (which must not exist or be empty).
    check_drift: refuse when exercises/ is not what nbgrader generates from solutions/ now (a
    test that checks drift on its own passes False: generating takes a minute)."""
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise SystemExit(f"release: {out} is not empty; give a new folder")
    out.mkdir(parents=True, exist_ok=True)
    stale = notebooks.drift() if check_drift else []
    if stale:
        raise SystemExit("release: exercises/ differs from a fresh generation for "
                         f"{', '.join(stale)}; run `python -m autograder generate` first")
    shutil.copytree(ROOT / "lessons", out / "lessons", ignore=_ignore_caches)
    shutil.copytree(ROOT / "exercises", out / "exercises", ignore=_ignore_caches)
    shutil.copytree(ROOT / "course", out / "course", ignore=_ignore_caches)
    (out / "requirements.txt").write_text(
        learner_requirements((ROOT / "requirements.txt").read_text()))
    shutil.copy(ROOT / "constraints.txt", out / "constraints.txt")
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy(TEMPLATES / name, out / name)
    readme = (TEMPLATES / "README.md").read_text().replace("{table}", _course_table())
    (out / "README.md").write_text(readme)
    return out


def add_arguments(parser):
    parser.add_argument("out", help="a new folder for the learner edition")


def run(args):
    out = build(args.out)
    print(f"learner edition written to {out}: hand out this folder (or a zip of it)")
    return 0
