"""Test helpers: run an assignment's code cells up to one function's grade cell, every answer
written as the instructor did except the ones a test replaces, under the judge (as JudgeCells
does) or in one namespace (as a kernel does, with the hidden tests in it: stock nbgrader)."""

import linecache

import nbformat

from autograder.hidden import HiddenTests
from autograder.judge import JudgeSession, protected_paths
from autograder.notebooks import SOLUTIONS
from support.synthetic import learner_source


def solution_cells(assignment):
    nb = nbformat.read(SOLUTIONS / assignment / f"{assignment}_exercise.ipynb", as_version=4)
    return [c for c in nb.cells if c.cell_type == "code"]


def cells_before(assignment, function, codes):
    """(index, source, trusted, grade_id of a grade cell else None) of the code cells up to
    `function`'s grade cell; an answer cell named in `codes` ({grade_id: source}) holds that
    source, the others the learner's form of the instructor's answer."""
    out = []
    for index, cell in enumerate(solution_cells(assignment)):
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade"):
            if meta["grade_id"] == f"test_{function}":
                out.append((index, cell.source, True, meta["grade_id"]))
                return out
            continue
        source = cell.source
        if meta.get("solution"):
            source = codes.get(meta["grade_id"], learner_source(source))
        out.append((index, source, bool(not meta.get("solution") and meta.get("locked", False)), None))
    raise AssertionError(f"no grade cell for {function}")


def graded_by_judge(assignment, function, codes, timeout=60):
    """The outputs JudgeCells gives `function`'s grade cell."""
    session = JudgeSession(assignment, timeout=timeout, protected=protected_paths())
    try:
        for index, source, trusted, grade_id in cells_before(assignment, function, codes):
            if grade_id:
                return session.judge(grade_id)
            session.run_cell(index, source, trusted)
    finally:
        session.close()


def graded_in_process(assignment, function, codes):
    """Run the cells in one namespace, then `function`'s hidden tests there (raises on a failure)."""
    namespace = {"__name__": "__main__"}
    for index, source, _trusted, grade_id in cells_before(assignment, function, codes):
        if not grade_id:
            name = f"<cell {index}>"  # kept in linecache, as IPython keeps a cell's source
            linecache.cache[name] = (len(source), None, source.splitlines(True), name)
            exec(compile(source, name, "exec"), namespace)
    HiddenTests(assignment).check(function, namespace[function])
