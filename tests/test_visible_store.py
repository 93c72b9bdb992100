"""The visible checks run from stored results (course/data/visible_*.json) and say exactly what
the same checks say when they call the reference: the same verdict and the same message, for the
right answer, every catalogued mistake and the generic mutants of tests/test_specs.py."""

import sys
import types
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from autograder.specs import all_specs
from course.checking import CheckFailed, run_checks
from course.checks import VisibleChecks, visible_specs
from test_visible_cases import generic_mutants

ASSIGNMENTS = sorted(all_specs())


def _verdict(graded, fn):
    """'PASS n' or the failure's message, from the visible cases of graded."""
    try:
        return f"PASS {run_checks(graded, fn, graded.visible_cases())}"
    except CheckFailed as failed:
        return str(failed)
    except Exception as exc:  # a mutant that crashes outside the engine: compare the crash
        return f"{type(exc).__name__}: {exc}"


def _learner(fn):
    """fn as the learner's own function (not a course or reference object), defined beside the
    functions fn's module defines, as a notebook's are (exercise 10's train is scored with the
    same notebook's mlp_forward)."""
    def learner_fn(*args):
        return fn(*args)
    namespace = {**getattr(fn, "__globals__", {}), "__name__": "__main__"}
    return types.FunctionType(learner_fn.__code__, namespace, "learner_fn", None, learner_fn.__closure__)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_stored_checks_say_what_the_live_checks_say(assignment):
    live, stored = all_specs()[assignment], visible_specs(assignment)
    assert list(stored) == list(live)
    compared = 0
    for name, graded in live.items():
        replay = stored[name]
        assert [c.label for c in replay.visible_cases()] == [c.label for c in graded.visible_cases()]
        assert [m.name for m in replay.mistakes] == [m.name for m in graded.mistakes]
        candidates = {"reference": graded.reference}
        candidates.update({f"mistake {m.name}": m.implementation for m in graded.mistakes})
        candidates.update({f"mutant {k}": fn for k, fn in generic_mutants(graded).items()})
        for label, fn in candidates.items():
            want = _verdict(graded, _learner(fn))
            got = _verdict(replay, _learner(fn))
            assert got == want, f"{assignment}.{name}, {label}"
            compared += 1
        assert _verdict(replay, _learner(graded.reference)).startswith("PASS")
    assert compared > len(live)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_a_visible_check_passes_the_right_answer_and_names_a_mistake(assignment, tmp_path,
                                                                     monkeypatch, capsys):
    monkeypatch.setenv("BACKPROP_PROGRESS_FILE", str(tmp_path / "progress.json"))
    check = VisibleChecks(assignment)
    for name, graded in all_specs()[assignment].items():
        check(name, _learner(graded.reference))
        assert f"PASS {name}:" in capsys.readouterr().out
        named = [m for m in graded.mistakes if m.name in _verdict(graded, _learner(m.implementation))]
        for mistake in named[:1]:
            with pytest.raises(CheckFailed) as failed:
                check(name, _learner(mistake.implementation))
            assert mistake.name in str(failed.value)
