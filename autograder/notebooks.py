"""Notebook housekeeping: list, execute and normalise the course's notebooks,
and generate the student versions with nbgrader."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
LESSONS = ROOT / "lessons"
SOLUTIONS = ROOT / "solutions"
EXERCISES = ROOT / "exercises"


COURSE_MAP = LESSONS / "00_course_map.ipynb"


def lesson_notebooks():
    """The numbered lessons (01_..., 02_...); the course map 00_ is not a lesson."""
    return sorted(p for p in LESSONS.glob("[0-9][0-9]_*.ipynb") if not p.name.startswith("00_"))


def assignments():
    """nbgrader assignment ids: the folders of solutions/ ("01_neuron", ...)."""
    return sorted(p.name for p in SOLUTIONS.iterdir() if p.is_dir() and p.name[:2].isdigit())


def solution_notebooks():
    return sorted(p for a in assignments() for p in (SOLUTIONS / a).glob("*.ipynb"))


def released_names(assignment):
    """The notebook names the learners were handed for an assignment, without ".ipynb", sorted."""
    return sorted(p.stem for p in (EXERCISES / assignment).glob("*.ipynb"))


def normalise(nb):
    """Drop what changes from run to run without changing the content.

    Execution counts become 1, 2, 3, ... over the code cells: nbval skips a
    cell whose count is empty, and a fixed numbering keeps diffs quiet. Consecutive pieces of
    one stream are joined (the kernel splits printed text wherever its buffer flushes, in a
    different place each run; nbval joins them too before comparing).
    """
    nb.metadata.pop("widgets", None)
    count = 0
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs = _join_streams(cell.get("outputs", []))
            count += 1
            cell.execution_count = count
            for output in cell.get("outputs", []):
                if "execution_count" in output:
                    output["execution_count"] = count
    return nb


def _join_streams(outputs):
    joined = []
    for output in outputs:
        if (output.get("output_type") == "stream" and joined
                and joined[-1].get("output_type") == "stream" and joined[-1].get("name") == output.get("name")):
            joined[-1]["text"] += output["text"]
        else:
            joined.append(output)
    return joined


def execute(path, timeout=120):
    """Run a notebook top to bottom in its own folder and store the outputs.

    The kernel keeps learner progress (course.progress) in an empty scratch file, so the stored
    outputs never show the progress of whoever ran this, and running solutions leaves theirs alone.
    """
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(Path(path).parent)}},
                            store_widget_state=True)  # required for Output widgets; dropped by normalise()
    saved = os.environ.get("BACKPROP_PROGRESS_FILE")
    with tempfile.TemporaryDirectory() as scratch:
        os.environ["BACKPROP_PROGRESS_FILE"] = str(Path(scratch) / "progress.json")
        try:
            client.execute()  # the kernel inherits this process's environment
        finally:
            if saved is None:
                os.environ.pop("BACKPROP_PROGRESS_FILE", None)
            else:
                os.environ["BACKPROP_PROGRESS_FILE"] = saved
    nbformat.write(normalise(nb), path)


def nbgrader_env():
    """The environment for nbgrader subprocesses: it runs `alembic` from PATH."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


def generate(course_root=ROOT, assignment_ids=None):
    """Run nbgrader generate_assignment for each assignment under course_root."""
    for assignment in assignment_ids or assignments():
        cmd = [sys.executable, "-m", "nbgrader", "generate_assignment", assignment,
               "--force", "--create", "--log-level=WARN",
               f"--CourseDirectory.root={course_root}",
               f"--CourseDirectory.db_url=sqlite:///{Path(course_root) / 'gradebook.db'}"]
        subprocess.run(cmd, check=True, cwd=ROOT, env=nbgrader_env())


def generate_into(scratch, assignment_ids=None):
    """Copy solutions/ into a scratch course and generate its release there (all assignments,
    or the ones named)."""
    scratch = Path(scratch)
    shutil.copytree(SOLUTIONS, scratch / "solutions", ignore=shutil.ignore_patterns(
        ".ipynb_checkpoints", "__pycache__"))
    generate(scratch, assignment_ids)
    return scratch / "exercises"


def canonical(path):
    """A notebook's JSON in a canonical form, for comparing generated files."""
    return json.dumps(json.loads(Path(path).read_text()), sort_keys=True, indent=1)


def drift(exercises_dir=EXERCISES):
    """Files whose committed student version differs from a fresh generation."""
    with tempfile.TemporaryDirectory() as tmp:
        fresh = generate_into(tmp)
        fresh_files = {p.relative_to(fresh) for p in fresh.rglob("*") if p.is_file()}
        committed = {p.relative_to(exercises_dir) for p in Path(exercises_dir).rglob("*")
                     if p.is_file() and "__pycache__" not in p.parts}
        differ = sorted(str(p) for p in fresh_files | committed
                        if p not in fresh_files or p not in committed
                        or (p.suffix == ".ipynb" and canonical(fresh / p) != canonical(exercises_dir / p))
                        or (p.suffix != ".ipynb" and (fresh / p).read_bytes() != (exercises_dir / p).read_bytes()))
    return differ
