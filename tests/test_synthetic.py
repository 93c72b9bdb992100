"""The synthetic class generator (tests/support/synthetic.py): no grading, only the files it writes."""

import collections
import json

import nbformat
import pytest

from autograder import notebooks
from support import synthetic

ASSIGNMENTS = ["01_neuron", "09_chain_rule"]


@pytest.fixture(scope="module")
def small_class(tmp_path_factory):
    root = tmp_path_factory.mktemp("class")
    return root, synthetic.make_class(root, students=20, assignments=ASSIGNMENTS, seed=3)


def _files(root):
    return {p.relative_to(root): p.read_bytes() for p in sorted((root / "submitted").rglob("*")) if p.is_file()}


def test_counts_and_layout(small_class):
    root, subs = small_class
    assert len(subs) == 20 * len(ASSIGNMENTS)
    assert {(s.student, s.assignment) for s in subs} == {
        (f"student{i:03d}", a) for i in range(1, 21) for a in ASSIGNMENTS}
    counts = collections.Counter(s.kind for s in subs)
    assert counts == {"correct": 22, "buggy": 10, "blank": 4, "broken": 4}  # 55/25/10/10 of 40
    assert sorted(s.detail for s in subs if s.kind == "broken") == sorted(synthetic.BROKEN)
    for s in subs:
        path = root / s.path
        assert path.is_file()
        assert path.parts[-4:-1] == ("submitted", s.student, s.assignment)
    assert synthetic.load_manifest(root) == subs
    assert len(_files(root)) == len(subs)


def test_same_seed_same_files_other_seed_other_mix(small_class, tmp_path):
    root, subs = small_class
    again = synthetic.make_class(tmp_path / "again", students=20, assignments=ASSIGNMENTS, seed=3)
    assert again == subs
    assert _files(tmp_path / "again") == _files(root)
    other = synthetic.make_class(tmp_path / "other", students=20, assignments=ASSIGNMENTS, seed=4)
    assert [(s.kind, s.detail) for s in other] != [(s.kind, s.detail) for s in subs]


def test_small_class_still_has_every_kind(tmp_path):
    subs = synthetic.make_class(tmp_path, students=4, assignments=["01_neuron"])
    assert {s.kind for s in subs} == set(synthetic.KINDS)


def _code(nb):
    return "\n".join(c.source for c in nb.cells if c.cell_type == "code")


def test_correct_notebooks_hold_the_solution_code(small_class):
    root, subs = small_class
    for s in (s for s in subs if s.kind == "correct"):
        nb = nbformat.read(root / s.path, as_version=4)
        code = _code(nb)
        assert "raise NotImplementedError" not in code
        assert "### BEGIN SOLUTION" not in code
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("solution"):
                solution = synthetic.solution_sources(s.assignment)[meta["grade_id"]]
                assert cell.source == synthetic.learner_source(solution)
                if cell.cell_type == "markdown":  # a written answer: the model answer, whole
                    assert cell.source.strip() == solution.strip()
                    continue
                body = solution.split("### BEGIN SOLUTION\n")[1].split("### END SOLUTION")[0]
                assert body.strip() and body.strip() in cell.source


def test_blank_is_the_released_notebook(small_class):
    root, subs = small_class
    for s in (s for s in subs if s.kind == "blank"):
        released = next((notebooks.EXERCISES / s.assignment).glob("*.ipynb"))
        assert (root / s.path).read_bytes() == released.read_bytes()


def test_buggy_notebooks_differ_from_correct_in_named_functions_only(small_class):
    root, subs = small_class
    for s in (s for s in subs if s.kind == "buggy"):
        assert 1 <= len(s.functions) <= 2
        nb = nbformat.read(root / s.path, as_version=4)
        correct = synthetic.correct_notebook(s.assignment)
        differ = {c.metadata["nbgrader"]["grade_id"] for c, ok in zip(nb.cells, correct.cells)
                  if c.source != ok.source}
        assert differ == set(s.functions)


def test_broken_notebooks(small_class):
    root, subs = small_class
    broken = {s.detail: s for s in subs if s.kind == "broken"}
    with pytest.raises(json.JSONDecodeError):
        json.loads((root / broken["malformed_json"].path).read_text())
    renamed = root / broken["renamed"].path
    released = next((notebooks.EXERCISES / broken["renamed"].assignment).glob("*.ipynb"))
    assert renamed.name != released.name and renamed.name.endswith(".ipynb")
    assert "while True:\n    pass" in _code(nbformat.read(root / broken["infinite_loop"].path, as_version=4))
    assert "os._exit(1)" in _code(nbformat.read(root / broken["os_exit"].path, as_version=4))


@pytest.mark.parametrize("assignment", notebooks.assignments())
def test_every_mutation_fails_the_hidden_checks(assignment):
    for name in synthetic.graded_functions(assignment):
        found = synthetic.mutants(assignment, name)
        assert found, f"{assignment}:{name} has no mutation"
        for mutation, source in found.items():
            assert synthetic.mutant_fails(assignment, name, source), f"{assignment}:{name}:{mutation} passes"
