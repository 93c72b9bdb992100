"""A synthetic class: nbgrader submissions of known kinds, for tests and the grading benchmark.

    from support.synthetic import make_class
    subs = make_class(root, students=8)      # root/submitted/<student>/<assignment>/<notebook>.ipynb

Every submission starts from a released student version (exercises/, the
committed generation, unless another release folder is given) and is one of:

- correct: every solution cell filled with the instructor's code from
  solutions/ (the `### BEGIN/END SOLUTION` marker lines dropped);
- buggy: correct except one or two graded functions, each with a realistic
  wrong body made by a textual mutation of the solution code (a sign flipped,
  a constant factor or a division dropped, or the first input returned);
  every mutation the generator can choose fails that function's hidden checks
  (`mutant_fails` runs them in this process; tests/test_synthetic.py checks a
  sample);
- blank: the untouched released notebook;
- broken: one of `malformed_json` (the correct notebook's JSON cut short),
  `infinite_loop` (a correct notebook plus a cell `while True: pass`),
  `os_exit` (a correct notebook plus a cell calling `os._exit(1)`), or
  `renamed` (a correct notebook saved as `<name>-Copy1.ipynb`).

The kinds are spread over (student, assignment) pairs in the proportions of
`mix` (largest remainders; every kind with a positive share appears once the
class has enough submissions), shuffled by `seed`: the same arguments always
write the same files. The list of submissions is also written to
root/manifest.json (`load_manifest` reads it back).
"""

from __future__ import annotations

import contextlib
import io
import json
import random
import re
from dataclasses import asdict, dataclass
from pathlib import Path

import nbformat

from autograder import notebooks

KINDS = ("correct", "buggy", "blank", "broken")
BROKEN = ("malformed_json", "infinite_loop", "os_exit", "renamed")
DEFAULT_MIX = {"correct": 0.55, "buggy": 0.25, "blank": 0.10, "broken": 0.10}
MUTATIONS = ("sign", "factor", "identity")
MANIFEST = "manifest.json"

_MARKER = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$")
_BODY = re.compile(r"(?P<head>.*?### BEGIN SOLUTION\n)(?P<body>.*?)(?P<tail>[ \t]*### END SOLUTION.*)", re.S)
_DEF = re.compile(r"def\s+\w+\((?P<params>[^)]*)\)")
# A constant factor (`2.0 * `, `0.5 * `) or a trailing division (`/ n`, `/ Y.shape[0]`, `/ (2 * h)`).
_FACTOR = re.compile(r"\b\d+(\.\d+)? \* |\s/ (\(2 \* \w+\)|\w+(\.shape\[0\])?)(?![\w.(\[])")


@dataclass(frozen=True)
class PlantedSubmission:
    """One file of the synthetic class and what it is."""

    student: str
    assignment: str
    kind: str       # one of KINDS
    detail: str     # broken: its BROKEN kind; buggy: "function:mutation, ..."; else ""
    path: str       # relative to the class root

    @property
    def functions(self):
        """The graded functions a buggy submission got wrong."""
        return [item.split(":")[0] for item in self.detail.split(", ")] if self.kind == "buggy" else []


# ------------------------------------------------------------------ notebooks

def released_notebook(assignment, release=None):
    (path,) = sorted((Path(release or notebooks.EXERCISES) / assignment).glob("*.ipynb"))
    return path


def _grade_id(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def written_answers(assignment, release=None):
    """{grade id: points} of an assignment's manually graded answers (nbgrader grade and
    solution cells: exercise 9's written explanation), which no engine scores."""
    nb = nbformat.read(released_notebook(assignment, release), as_version=4)
    return {_grade_id(c): c.metadata["nbgrader"]["points"] for c in nb.cells
            if c.metadata.get("nbgrader", {}).get("grade") and c.metadata["nbgrader"].get("solution")}


def solution_sources(assignment):
    """{grade id: source as in solutions/} for the solution cells of an assignment."""
    (path,) = sorted((notebooks.SOLUTIONS / assignment).glob("*.ipynb"))
    nb = nbformat.read(path, as_version=4)
    return {_grade_id(c): c.source for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")}


def learner_source(solution_source):
    """What a learner who wrote the instructor's code has in the cell: no marker lines."""
    return "\n".join(line for line in solution_source.split("\n") if not _MARKER.match(line)).rstrip() + "\n"


def correct_notebook(assignment, release=None):
    """The released notebook with every solution cell filled with the solution code."""
    nb = nbformat.read(released_notebook(assignment, release), as_version=4)
    sources = solution_sources(assignment)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("solution"):
            cell.source = learner_source(sources[_grade_id(cell)])
    return nb


def graded_functions(assignment):
    from autograder.specs import all_specs

    return sorted(all_specs()[assignment])


# ------------------------------------------------------------------ mutations

def mutate(solution_source, mutation):
    """A wrong version of a solution cell's source (markers kept), or None if the
    mutation does not apply to this code.

    sign: the first binary ` - ` becomes ` + ` (else ` + ` becomes ` - `), looked
    for in the return line first; factor: the first constant factor or trailing
    division is dropped; identity: the body returns the first input.
    """
    match = _BODY.match(solution_source)
    head, body, tail = match["head"], match["body"], match["tail"]
    lines = body.split("\n")
    if mutation == "identity":
        first = _DEF.search(head)["params"].split(",")[0].strip()
        indent = re.match(r"\s*", next(line for line in lines if line.strip())).group(0)
        return f"{head}{indent}return {first}\n{tail}"
    returns = [i for i, line in enumerate(lines) if line.strip().startswith("return ")]
    order = returns[-1:] + [i for i in range(len(lines)) if i not in returns[-1:]]
    for i in order:
        line = lines[i]
        if line.lstrip().startswith("#"):
            continue
        if mutation == "sign":
            new = line.replace(" - ", " + ", 1) if " - " in line else line.replace(" + ", " - ", 1)
        elif mutation == "factor":
            new = _FACTOR.sub("", line, count=1)
        else:
            raise ValueError(f"unknown mutation {mutation!r}; known: {MUTATIONS}")
        if new != line:
            lines[i] = new
            return head + "\n".join(lines) + tail
    return None


def mutants(assignment, name):
    """{mutation: mutated solution source} for every mutation that applies to a function."""
    source = solution_sources(assignment)[name]
    found = {m: mutate(source, m) for m in MUTATIONS}
    return {m: s for m, s in found.items() if s is not None}


def mutant_fails(assignment, name, mutated_source):
    """Run a function's hidden checks on a mutated body, in this process.

    The namespace is the released setup cell plus every solution cell (so
    helpers the function calls exist); True if the checks reject it.
    """
    from autograder.hidden import HiddenTests

    nb = correct_notebook(assignment)
    namespace = {"__name__": "__synthetic__"}
    with contextlib.redirect_stdout(io.StringIO()):  # the setup cell says hello
        for cell in nb.cells:
            if cell.cell_type == "code" and (_grade_id(cell) == "setup"
                                             or cell.metadata.get("nbgrader", {}).get("solution")):
                exec(compile(cell.source, f"<{assignment}:{_grade_id(cell)}>", "exec"), namespace)
        exec(compile(learner_source(mutated_source), f"<{assignment}:{name} mutant>", "exec"), namespace)
    try:
        HiddenTests(assignment).check(name, namespace[name])
    except Exception:  # a crash loses the points too
        return True
    return False


# ------------------------------------------------------------------ the class

def _counts(total, mix):
    """How many submissions of each kind: largest remainders, each positive kind at least once."""
    unknown = set(mix) - set(KINDS)
    if unknown:
        raise ValueError(f"unknown kinds in mix: {sorted(unknown)}; known: {KINDS}")
    weight = sum(mix.values())
    exact = {k: total * mix.get(k, 0) / weight for k in KINDS}
    counts = {k: int(v) for k, v in exact.items()}
    for k in sorted(KINDS, key=lambda k: counts[k] - exact[k])[:total - sum(counts.values())]:
        counts[k] += 1
    positive = [k for k in KINDS if mix.get(k, 0) > 0]
    if total >= len(positive):
        for k in positive:
            if counts[k] == 0:
                counts[max(counts, key=counts.get)] -= 1
                counts[k] = 1
    return counts


def _buggy(assignment, rng, release):
    nb = correct_notebook(assignment, release)
    names = rng.sample(graded_functions(assignment), k=min(rng.choice((1, 1, 2)), len(graded_functions(assignment))))
    details = []
    for name in sorted(names):
        found = mutants(assignment, name)
        # A sign flip or a dropped factor where the code has one; returning the input otherwise.
        mutation = rng.choice(sorted(set(found) - {"identity"}) or ["identity"])
        source = found[mutation]
        (cell,) = [c for c in nb.cells if _grade_id(c) == name]
        cell.source = learner_source(source)
        details.append(f"{name}:{mutation}")
    return nb, ", ".join(details)


def _insert_after_first_solution(nb, cell_id, source):
    index = next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("solution"))
    cell = nbformat.v4.new_code_cell(source)
    cell["id"] = cell_id  # fixed, so the file is the same on every run
    nb.cells.insert(index + 1, cell)


def _write_broken(kind, assignment, target, release):
    nb = correct_notebook(assignment, release)
    if kind == "renamed":
        target = target.with_name(f"{target.stem}-Copy1.ipynb")
    elif kind == "infinite_loop":
        _insert_after_first_solution(nb, "synthetic-loop", "while True:\n    pass")
    elif kind == "os_exit":
        _insert_after_first_solution(nb, "synthetic-exit", "import os\nos._exit(1)")
    if kind == "malformed_json":
        text = nbformat.writes(nb)
        target.write_text(text[: len(text) // 2])
    else:
        nbformat.write(nb, target)
    return target


def make_class(root, students=40, assignments=None, seed=0, mix=None, release=None):
    """Write a synthetic class under root/submitted/ and return its `PlantedSubmission`s.

    assignments: assignment ids (default: all of solutions/); mix: {kind: share}
    (default DEFAULT_MIX); release: the folder of released notebooks (default
    exercises/).
    """
    root = Path(root)
    assignments = list(assignments or notebooks.assignments())
    pairs = [(f"student{i + 1:03d}", a) for i in range(students) for a in assignments]
    rng = random.Random(seed)
    kinds = [k for k, n in _counts(len(pairs), mix or DEFAULT_MIX).items() for _ in range(n)]
    rng.shuffle(kinds)
    broken_seen = 0
    result = []
    for (student, assignment), kind in zip(pairs, kinds):
        released = released_notebook(assignment, release)
        target = root / "submitted" / student / assignment / released.name
        target.parent.mkdir(parents=True, exist_ok=True)
        detail = ""
        if kind == "correct":
            nbformat.write(correct_notebook(assignment, release), target)
        elif kind == "blank":
            target.write_bytes(released.read_bytes())
        elif kind == "buggy":
            nb, detail = _buggy(assignment, rng, release)
            nbformat.write(nb, target)
        else:
            detail = BROKEN[broken_seen % len(BROKEN)]
            broken_seen += 1
            target = _write_broken(detail, assignment, target, release)
        result.append(PlantedSubmission(student, assignment, kind, detail, str(target.relative_to(root))))
    (root / MANIFEST).write_text(json.dumps([asdict(s) for s in result], indent=1) + "\n")
    return result


def load_manifest(root):
    return [PlantedSubmission(**record) for record in json.loads((Path(root) / MANIFEST).read_text())]
