"""The checking engine: run a learner's function on cases, compare with the reference.

Every graded function of the course is described once, as a `GradedFunction`
(in `autograder/specs/`): its reference implementation, the fixed cases the
learner's visible check uses, the randomised cases the hidden tests use, and
the catalogue of known mistakes. The same engine serves the visible checks
(`course.checks`), the hidden tests (`autograder.hidden`) and the mutation
tests (`tests/`), so a message a learner sees is the message the grader gives.

A failed check raises `CheckFailed` (an AssertionError) whose message names
the function, what went wrong, the first wrong entry (input, learner's value,
expected value), the tolerance, and, where the wrong answer matches a known
mistake, that mistake and the lesson section that explains it.

Results may be arrays, numbers, sequences of them, or dicts of arrays (a gradient per
parameter name): a dict (or a subclass: OrderedDict, defaultdict) is checked for the
reference's keys, then compared key by key, and a message names the key, e.g.
numerical_gradient['W1']. A function with several outputs may return them as a tuple or a
list (or a subclass of either, a namedtuple), unless its spec says `tuple_only`: nothing in
the exercises' wording asks for one kind of sequence rather than the other.
"""

from __future__ import annotations

import copy
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

# Captured at import so later rebinding of these names in numpy's namespace
# does not change how results are judged inside this module.
_asarray = np.asarray
_isfinite = np.isfinite
_isclose = np.isclose
_array_equal = np.array_equal
_abs = np.abs
_argwhere = np.argwhere
_ndarray = np.ndarray
_float64 = np.float64

RTOL = 1e-6
ATOL = 1e-9


class CheckFailed(AssertionError):
    """A learner's function gave a wrong answer; the message says which and why.

    IPython shows an exception through its `_render_traceback_` when it has one: a failed
    check then shows the learner its message once, with none of the checker's frames or file
    paths (in JupyterLab, and in the error output nbgrader copies into the feedback).
    """

    def _render_traceback_(self) -> list[str]:
        return [f"{type(self).__name__}: {line}" if i == 0 else line
                for i, line in enumerate(str(self).splitlines() or [""])]


@dataclass(frozen=True)
class Mistake:
    """A known wrong variant of a graded function, with what to tell the learner."""

    name: str
    explanation: str
    lesson: str
    implementation: Callable[..., Any]


@dataclass(frozen=True)
class Case:
    """One call of the function under test: positional arguments and a description."""

    args: tuple
    label: str = ""
    names: tuple[str, ...] = ()


@dataclass(frozen=True)
class GradedFunction:
    """Everything the checks need to know about one function the learner writes."""

    name: str
    reference: Callable[..., Any]
    visible_cases: Callable[[], list[Case]]
    hidden_cases: Callable[[np.random.Generator], list[Case]]
    mistakes: Sequence[Mistake] = ()
    outputs: tuple[str, ...] = ("output",)
    rtol: float = RTOL
    atol: float = ATOL
    seed: int = 0
    lesson: str = ""
    extra_checks: Sequence[Callable[[Callable[..., Any]], None]] = field(default=())
    # True only when the exercise's wording demands a tuple: a list of the right values is
    # then refused, with a message that says so. Otherwise any list or tuple will do.
    tuple_only: bool = False


# ---------------------------------------------------------------- helpers

def _describe(value: Any) -> str:
    if isinstance(value, _ndarray):
        return f"array of shape {value.shape}, dtype {value.dtype}"
    if isinstance(value, dict):
        return f"dict with keys {list(value)!r}"[:80]
    return f"{type(value).__name__} {value!r}"[:80]


def _fmt(x: Any) -> str:
    try:
        return f"{float(x):.6g}"
    except (TypeError, ValueError):
        return repr(x)


def _copy_args(args: tuple) -> tuple:
    return tuple(copy.deepcopy(a) for a in args)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, _ndarray) or isinstance(b, _ndarray):
        return (type(a) is type(b) and a.shape == b.shape and a.dtype == b.dtype
                and bool(_array_equal(a, b, equal_nan=True)))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


def call_quietly(fn: Callable[..., Any], args: tuple) -> Any:
    """Call fn(*args) with numpy's floating-point warnings silenced.

    nbgrader scores a test cell zero when it writes anything to stderr, so an
    overflow warning from a correct `1 / (1 + np.exp(-z))` must not escape.
    """
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return fn(*args)


def _as_outputs(result: Any, names: tuple[str, ...], fn_name: str,
                tuple_only: bool = False) -> list[Any]:
    """The outputs of a result: the result itself for one output; for several, the items
    of a tuple or list of that many (a namedtuple is a tuple; only a list when tuple_only)."""
    if len(names) == 1:
        return [result]
    kinds = (tuple,) if tuple_only else (tuple, list)
    if not isinstance(result, kinds) or len(result) != len(names):
        kind = "a tuple" if tuple_only else "a tuple or list"
        raise CheckFailed(
            f"{fn_name} should return {kind} of {len(names)} values "
            f"({', '.join(names)}), but it returned {_describe(result)}."
        )
    return list(result)


# ----------------------------------------------------------- comparisons

def _expect_array(name: str, got: Any, expected: Any) -> str | None:
    """Return a description of the first problem with `got`, or None if it is right."""
    if isinstance(expected, _ndarray):
        if type(got) is not _ndarray:
            if isinstance(got, _ndarray):
                return (f"{name} is a {type(got).__name__} (a subclass of numpy.ndarray); "
                        "return a plain numpy array.")
            return f"{name} should be a numpy array, but it is {_describe(got)}."
        if got.shape != expected.shape:
            hint = ""
            if got.ndim == 2 and got.shape == expected.shape[::-1]:
                hint = " That is the transposed shape: check the order of your matrix product."
            return (f"{name} has shape {got.shape}, expected shape {expected.shape}.{hint}")
        if got.dtype != expected.dtype:
            hint = ""
            if got.dtype.kind in "biu":
                hint = " Integer or boolean arrays lose the fractions: convert with .astype(float)."
            return f"{name} has dtype {got.dtype}, expected {expected.dtype}.{hint}"
        return None
    # A scalar result: any real number will do (Python or numpy, float or int), not a bool.
    if isinstance(got, _ndarray) and got.shape == ():
        return None
    if type(got) not in (float, int) and not isinstance(got, (np.floating, np.integer)):
        return f"{name} should be a number, but it is {_describe(got)}."
    return None


def _first_wrong(got: np.ndarray, expected: np.ndarray, rtol: float, atol: float):
    """Index of the first entry outside tolerance (non-finite mismatches included)."""
    g = _asarray(got, dtype=_float64)
    e = _asarray(expected, dtype=_float64)
    ok = _isclose(g, e, rtol=rtol, atol=atol, equal_nan=True)
    bad = _argwhere(~ok)
    if bad.shape[0] == 0:
        return None
    return tuple(int(i) for i in bad[0])


def _values_match(got: Any, expected: Any, rtol: float, atol: float) -> bool:
    if isinstance(expected, dict) or isinstance(got, dict):
        return (isinstance(got, dict) and isinstance(expected, dict) and got.keys() == expected.keys()
                and all(_values_match(got[k], expected[k], rtol, atol) for k in expected))
    try:
        g = _asarray(got, dtype=_float64)
        e = _asarray(expected, dtype=_float64)
    except (TypeError, ValueError):
        return False
    return g.shape == e.shape and _first_wrong(g, e, rtol, atol) is None


def _input_at(case: Case, index: tuple, key: Any = None) -> str:
    """Describe the input entries that produced output[index], where that makes sense.

    For an entry of a dict output (key given), an input dict with the same key is
    looked up too: the gradient's ["W1"][0, 1] sits beside the parameter's ["W1"][0, 1].
    """
    parts = []
    for pos, arg in enumerate(case.args):
        argname = case.names[pos] if pos < len(case.names) else f"argument {pos + 1}"
        if key is not None and isinstance(arg, dict) and isinstance(arg.get(key), _ndarray):
            entry = arg[key]
            if entry.ndim == len(index) and entry.shape and all(i < s for i, s in zip(index, entry.shape)):
                parts.append(f"{argname}[{key!r}]{list(index)} = {_fmt(entry[index])}")
            continue
        if isinstance(arg, _ndarray) and arg.ndim == len(index) and all(
            i < s for i, s in zip(index, arg.shape)
        ) and arg.shape:
            parts.append(f"{argname}{list(index)} = {_fmt(arg[index])}")
    return ", ".join(parts)


# ------------------------------------------------------------- the check

def _matching_mistakes(graded: GradedFunction, case: Case, outputs: list[Any]) -> list[Mistake]:
    found = []
    for mistake in graded.mistakes:
        try:
            wrong = _as_outputs(call_quietly(mistake.implementation, _copy_args(case.args)),
                                graded.outputs, graded.name)
        except Exception:  # a mistake that cannot run on this input does not match
            continue
        if all(_values_match(o, w, graded.rtol, graded.atol) for o, w in zip(outputs, wrong)):
            found.append(mistake)
    return found


def _expect_dict(name: str, got: Any, expected: dict) -> str | None:
    """Describe what is wrong with the keys of a dict result, or None if they are right."""
    keys = ", ".join(repr(k) for k in expected)
    if not isinstance(got, dict):
        return f"{name} should be a dict with keys {keys}, but it is {_describe(got)}."
    missing = [k for k in expected if k not in got]
    if missing:
        return f"{name} has no entry for key {missing[0]!r} (expected keys: {keys})."
    extra = [k for k in got if k not in expected]
    if extra:
        return f"{name} has an unexpected key {extra[0]!r} (expected keys: {keys})."
    return None


def _leaves(label: str, got: Any, expected: Any) -> list[tuple[str, Any, Any, Any]]:
    """(label, dict key or None, got, expected) for each value to compare.

    An array or number is one leaf; a dict result (a gradient per parameter name)
    is one leaf per key, in the reference's key order, labelled name['key'].
    """
    if not isinstance(expected, dict):
        return [(label, None, got, expected)]
    return [(f"{label}[{key!r}]", key, got[key], expected[key]) for key in expected]


def _mistake_text(mistakes: list[Mistake]) -> str:
    if not mistakes:
        return ""
    m = mistakes[0]
    return f"\n  This looks like a known mistake: {m.name}. {m.explanation}\n  See {m.lesson}."


def check_case(graded: GradedFunction, learner_fn: Callable[..., Any], case: Case) -> None:
    """Run one case; raise CheckFailed with a named reason if anything is wrong."""
    __tracebackhide__ = True  # IPython then shows the learner the message, not our frames
    name = graded.name
    where = f" on {case.label}" if case.label else ""
    expected = _as_outputs(call_quietly(graded.reference, _copy_args(case.args)),
                           graded.outputs, name)
    args = _copy_args(case.args)
    try:
        result = call_quietly(learner_fn, args)
    except NotImplementedError:
        raise CheckFailed(f"{name} is not written yet: it still raises NotImplementedError. "
                          "Replace that line with your code.") from None
    except CheckFailed:  # a watched input (e.g. a loss that sees un-restored knobs) said why
        raise
    except Exception as exc:  # the learner's code crashed: say how, on what input
        raise CheckFailed(f"{name} raised {type(exc).__name__}: {exc}{where}.") from None

    for pos, (before, after) in enumerate(zip(case.args, args)):
        if not _same(before, after):
            argname = case.names[pos] if pos < len(case.names) else f"argument {pos + 1}"
            raise CheckFailed(f"{name} changed its input {argname} in place{where}. "
                              "Compute a new array instead of writing into the input.")

    outputs = _as_outputs(result, graded.outputs, name, graded.tuple_only)
    for out_name, got_out, exp_out in zip(graded.outputs, outputs, expected):
        out_label = name if len(graded.outputs) == 1 else f"{name}'s {out_name}"
        if isinstance(exp_out, dict):
            problem = _expect_dict(out_label, got_out, exp_out)
            if problem:
                raise CheckFailed(f"{problem} (Checked{where}.)"
                                  + _mistake_text(_matching_mistakes(graded, case, outputs)))
        for label, key, got, exp in _leaves(out_label, got_out, exp_out):
            _compare_leaf(graded, case, outputs, where, label, key, got, exp)


def _compare_leaf(graded: GradedFunction, case: Case, outputs: list[Any], where: str,
                  label: str, key: Any, got: Any, exp: Any) -> None:
    """Compare one array or number of a result; raise CheckFailed at the first problem."""
    __tracebackhide__ = True
    problem = _expect_array(label, got, exp)
    if problem:
        raise CheckFailed(f"{problem} (Checked{where}.)"
                          + _mistake_text(_matching_mistakes(graded, case, outputs)))
    g = _asarray(got, dtype=_float64)
    e = _asarray(exp, dtype=_float64)
    index = _first_wrong(g, e, graded.rtol, graded.atol)
    if index is None:
        return
    mistakes = _matching_mistakes(graded, case, outputs)
    at = _input_at(case, index, key)
    lines = [f"{label} is wrong{where}."]
    if not np.all(_isfinite(g[index])) and np.all(_isfinite(e[index])):
        lines.append(f"  It returned {_fmt(g[index])} where the answer is finite: "
                     "a value overflowed or divided by zero.")
    lines.append(f"  First wrong entry: index {list(index)}" + (f" ({at})" if at else "")
                 if index else ("  Input: " + at if at else "  Scalar result:"))
    lines.append(f"  yours: {_fmt(g[index])}   expected: {_fmt(e[index])}   "
                 f"(tolerance: |yours - expected| <= {graded.rtol:g} * |expected| + {graded.atol:g})")
    raise CheckFailed("\n".join(lines) + _mistake_text(mistakes))


def run_checks(graded: GradedFunction, learner_fn: Callable[..., Any], cases: list[Case]) -> int:
    """Check every case, then any extra checks; return the number of cases checked."""
    __tracebackhide__ = True
    if not callable(learner_fn):
        raise CheckFailed(f"{graded.name} should be a function, but it is {_describe(learner_fn)}.")
    for case in cases:
        check_case(graded, learner_fn, case)
    for extra in graded.extra_checks:
        extra(learner_fn)
    return len(cases)


def hidden_cases(graded: GradedFunction) -> list[Case]:
    """The hidden tests' randomised cases: seeded, so a grade is reproducible."""
    return graded.hidden_cases(np.random.default_rng(graded.seed))
