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
import dis
import linecache
import re
import types
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

# Captured at import so later rebinding of these names in numpy's namespace
# does not change how results are judged inside this module.
_asarray = np.asarray
_isfinite = np.isfinite
_isclose = np.isclose
_array_equal = np.array_equal
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

    def __init__(self, message: str = "", hint: str = "", mistakes: Sequence[str] = ()) -> None:
        super().__init__(message + hint)
        self.detail = message  # the failure without a named mistake (see run_checks' callees)
        self.mistakes = tuple(mistakes)  # the names of the catalogued mistakes it matched

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


def _fmt_expected(x: Any, atol: float) -> str:
    """An expected value as the message prints it. One whose size is within the check's absolute
    tolerance is round-off (a correct derivative's relative error, say): its digits change from
    one processor to the next and mean nothing, so it reads as about zero."""
    try:
        size = abs(float(x))
    except (TypeError, ValueError):
        return repr(x)
    if 0 < size <= atol:
        return f"about zero (below {atol:g})"
    return _fmt(x)


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

def _expect_array(name: str, got: Any, expected: Any) -> tuple[str, str] | None:
    """(kind, description) of the first problem with `got`'s type, shape or dtype, or None.

    kind is "type", "shape" or "dtype": a wrong type or dtype alone is said as such (the engine
    then names no mistake when the values are right), a wrong shape may be a known mistake."""
    if isinstance(expected, _ndarray):
        if type(got) is not _ndarray:
            if isinstance(got, _ndarray):
                return "type", (f"{name} is a {type(got).__name__} (a subclass of numpy.ndarray); "
                                "return a plain numpy array.")
            return "type", f"{name} should be a numpy array, but it is {_describe(got)}."
        if got.shape != expected.shape:
            hint = ""
            if got.ndim == 2 and got.shape == expected.shape[::-1]:
                hint = " That is the transposed shape: check the order of your matrix product."
            return "shape", f"{name} has shape {got.shape}, expected shape {expected.shape}.{hint}"
        if got.dtype != expected.dtype:
            hint = ""
            if got.dtype.kind in "biu":
                hint = " Integer or boolean arrays lose the fractions: convert with .astype(float)."
            elif got.dtype.kind == "f" and got.dtype.itemsize < expected.dtype.itemsize:
                hint = (f" {got.dtype} keeps only about {np.finfo(got.dtype).precision} significant "
                        "digits: compute in float64, numpy's default (no dtype=np.float32, no "
                        ".astype(np.float32)).")
            return "dtype", f"{name} has dtype {got.dtype}, expected {expected.dtype}.{hint}"
        return None
    # A scalar result: any real number will do (Python or numpy, float or int), not a bool.
    if isinstance(got, _ndarray) and got.shape == ():
        return None
    if type(got) not in (float, int) and not isinstance(got, (np.floating, np.integer)):
        return "type", f"{name} should be a number, but it is {_describe(got)}."
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


def _input_at(case: Case, index: tuple, key: Any = None, shape: tuple | None = None) -> str:
    """Describe the input entries that produced output[index], where that makes sense.

    An input of the output's own shape (a function applied entry by entry) is cited at the same
    index. Otherwise, for an output with one row per example, an input matrix with as many rows is
    cited by the example's row: output[i, ...] depends on X[i], not on X[i, j]. For an entry of a
    dict output (key given), an input dict with the same key is looked up too: the gradient's
    ["W1"][0, 1] sits beside the parameter's ["W1"][0, 1].
    """
    parts = []
    for pos, arg in enumerate(case.args):
        argname = case.names[pos] if pos < len(case.names) else f"argument {pos + 1}"
        if key is not None and isinstance(arg, dict) and isinstance(arg.get(key), _ndarray):
            entry = arg[key]
            if entry.ndim == len(index) and entry.shape and all(i < s for i, s in zip(index, entry.shape)):
                parts.append(f"{argname}[{key!r}]{list(index)} = {_fmt(entry[index])}")
            continue
        if not isinstance(arg, _ndarray) or not arg.shape or not index:
            continue
        if shape is None or arg.shape == tuple(shape):
            if arg.ndim == len(index) and all(i < s for i, s in zip(index, arg.shape)):
                parts.append(f"{argname}{list(index)} = {_fmt(arg[index])}")
        elif arg.ndim == 2 and len(shape) >= 1 and arg.shape[0] == shape[0] and shape[0] > 1:
            parts.append(f"example {index[0]}: {argname}[{index[0]}] = {_row(arg[index[0]])}")
    return ", ".join(parts)


def _row(row: Any) -> str:
    return "[" + ", ".join(_fmt(x) for x in row[:6]) + (", ..." if len(row) > 6 else "") + "]"


def _fmt_pair(got: Any, expected: Any, atol: float) -> tuple[str, str]:
    """The learner's value and the expected one as a message prints them: six significant
    digits, or as many more as it takes for two different numbers to read differently."""
    yours, want = _fmt(got), _fmt_expected(expected, atol)
    try:
        g, e = float(got), float(expected)
    except (TypeError, ValueError):
        return yours, want
    if yours == want and g != e:
        for digits in range(7, 18):
            yours, want = f"{g:.{digits}g}", f"{e:.{digits}g}"
            if yours != want:
                break
        want += f" (a difference of {abs(g - e):.2g})"
    return yours, want


# ------------------------------------------------------------- the check

def _outputs_of(graded: GradedFunction, fn: Callable[..., Any], case: Case) -> list[Any]:
    """fn's outputs on case (raises whatever fn raises, or CheckFailed for a wrong count)."""
    return _as_outputs(call_quietly(fn, _copy_args(case.args)), graded.outputs, graded.name,
                       graded.tuple_only)


def _same_values(got: Any, wrong: Any, rtol: float, atol: float) -> bool:
    """Whether the learner's output is the mistake's: the same values, where two empty arrays are
    the same whatever their shapes ((0,) from np.array([]) and (0, k) from a mistake that knew k:
    no entry tells them apart, so an edge case with no steps or no examples hides no mistake)."""
    if _is_empty(got) and _is_empty(wrong):
        return True
    return _values_match(got, wrong, rtol, atol)


def _is_empty(x: Any) -> bool:
    try:
        return isinstance(x, (_ndarray, list, tuple)) and np.asarray(x, dtype=float).size == 0
    except (TypeError, ValueError):
        return False


class _Evidence:
    """The learner's outputs and the reference's on every case being checked, gathered once a
    check has failed, so that a diagnosis rests on all of them and not on one entry.

    rows: (case, learner's outputs, which of them have right values). A case on which the
    learner's code raised is left out (it says nothing about values); if the code was stopped
    from outside (the judge's time limit), the cases seen so far are used.
    """

    def __init__(self, graded: GradedFunction, learner_fn: Callable[..., Any], cases: Sequence[Case],
                 failing: Case, failing_outputs: list[Any]):
        self.graded = graded
        self.rows: list[tuple[Case, list[Any], list[bool]]] = []
        others = [c for c in cases if c is not failing]
        for case in [failing] + others:
            if case is failing:
                got = failing_outputs
            else:
                try:
                    got = _outputs_of(graded, learner_fn, case)
                except Exception:
                    continue
                except (KeyboardInterrupt, SystemExit, GeneratorExit):
                    raise
                except BaseException:  # the judge stopped the learner's code: use what was seen
                    break
            try:
                expected = _outputs_of(graded, graded.reference, case)
            except Exception:
                continue
            right = [_values_match(g, e, graded.rtol, graded.atol) for g, e in zip(got, expected)]
            self.rows.append((case, got, right if len(got) == len(expected) else [False] * len(got)))

    def values_right_everywhere(self) -> bool:
        return all(all(right) for _, _, right in self.rows)

    def wrong_outputs(self) -> list[int]:
        """The positions of the outputs the learner has wrong on at least one case."""
        found: set[int] = set()
        for _, _, right in self.rows:
            found |= {k for k, ok in enumerate(right) if not ok}
        return sorted(found)

    def explaining_mistakes(self) -> list[Mistake]:
        """The catalogued mistakes that reproduce, on every case, each output the learner has
        wrong: where the learner is wrong and where the same output is right (a mistake that
        gives a different answer there is not what the learner wrote). Outputs the learner has
        right everywhere are not compared, so a mistake made in one output of several is named
        whichever right way the learner wrote the others. When some of them reproduce every output
        (the right ones too), only those are named: they say more precisely what was written."""
        graded = self.graded
        wrong_outputs = self.wrong_outputs()
        if not wrong_outputs:
            return []
        found, exact = [], []
        for mistake in graded.mistakes:
            explains, everywhere = True, True
            for case, got, right in self.rows:
                try:
                    wrong = _outputs_of(graded, mistake.implementation, case)
                except Exception:  # cannot run here: no evidence where the learner is right
                    if all(right):
                        continue
                    explains = False
                    break
                same = [_same_values(g, w, graded.rtol, graded.atol) for g, w in zip(got, wrong)]
                if len(wrong) != len(got) or not all(same[k] for k in wrong_outputs):
                    explains = False
                    break
                everywhere = everywhere and all(same)
            if explains:
                found.append(mistake)
                if everywhere:
                    exact.append(mistake)
        return exact or found


def _failed(message: str, mistakes: list[Mistake]) -> CheckFailed:
    """A CheckFailed whose text names the matched mistakes (if any), and whose `mistakes` lists
    their names for the grader's reports."""
    return CheckFailed(message, _mistake_text(mistakes), [m.name for m in mistakes])


def _mistake_text(mistakes: list[Mistake]) -> str:
    if not mistakes:
        return ""
    if len(mistakes) == 1:
        m = mistakes[0]
        return f"\n  This looks like a known mistake: {m.name}. {m.explanation}\n  See {m.lesson}."
    lines = ["\n  On every case checked this matches each of these known mistakes:"]
    for m in mistakes[:3]:
        lines.append(f"  - {m.name}. {m.explanation} See {m.lesson}.")
    return "\n".join(lines)


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


# ------------------------------------------------- errors numpy raised

_NUMPY_DIR = str(Path(np.__file__).resolve().parent)
_ENGINE_DIR = str(Path(__file__).resolve().parent)
_GRADER_DIR = str(Path(__file__).resolve().parent.parent / "autograder") + "/"  # the judge: never "your line"
_SHAPE = re.compile(r"\(\s*\d*(?:\s*,\s*\d+)*\s*,?\s*\)")


def _pretty_shape(text: str) -> str:
    sizes = [int(t) for t in re.findall(r"\d+", text)]
    return str(tuple(sizes))


def _input_shapes(case: Case) -> str:
    parts = []
    for pos, arg in enumerate(case.args):
        argname = case.names[pos] if pos < len(case.names) else f"argument {pos + 1}"
        if isinstance(arg, _ndarray):
            parts.append(f"{argname} {arg.shape}")
        elif isinstance(arg, dict) and arg and all(isinstance(v, _ndarray) for v in arg.values()):
            parts.append(f"{argname} " + "{" + ", ".join(f"{k!r}: {v.shape}" for k, v in arg.items())
                         + "}")
    return ", ".join(parts)


def _learner_line(exc: BaseException) -> str:
    """The source line of the learner's code where exc was raised, if Python can still read it
    (in a notebook IPython keeps each cell's source), else ''. The judge, which runs the learner's
    code in another process, passes that line along as the exception's `learner_line`; the
    grader's own files are never quoted."""
    given = getattr(exc, "learner_line", None)
    if isinstance(given, str):
        return given
    tb, line = exc.__traceback__, ""
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if not (filename.startswith(_NUMPY_DIR) or filename.startswith(_ENGINE_DIR)
                or filename.startswith(_GRADER_DIR) or filename.startswith("<__array_function__")):
            text = linecache.getline(filename, tb.tb_lineno).strip()
            if text:
                line = text
        tb = tb.tb_next
    return line


def numpy_error_sentence(exc: BaseException) -> str:
    """A plain sentence for the common errors numpy raises, naming the shapes involved, or ''."""
    text = str(exc)
    if "could not be broadcast" in text and "operands" in text:
        shapes = [_pretty_shape(s) for s in _SHAPE.findall(text.split("->")[0] if "->" in text
                                                          and "remapped" not in text else text)]
        shapes = list(dict.fromkeys(shapes))[:3]
        which = " and ".join(shapes) if shapes else "two shapes"
        return (f"numpy could not combine arrays of shapes {which} entry by entry. It lines "
                "shapes up from the right, and each pair of sizes must be equal or one of them 1. "
                "Look at the line that adds, subtracts, multiplies or compares these arrays: one "
                "may need a transpose (.T), keepdims=True in a sum, or [:, None] to become a column.")
    if "non-broadcastable output operand" in text or "return arrays must be of ArrayType" in text \
            or ("out" in text and "positional" in text):
        return ("A third positional argument to a numpy function such as np.maximum(a, b, ...) is "
                "`out`, the array to write the result into, not a third value to compare. To take "
                "the largest of three, nest the calls: np.maximum(np.maximum(a, b), c).")
    found = re.search(r"mismatch in its core dimension.*\(size (\d+) is different from (\d+)\)", text)
    if found:
        return (f"In a matrix product A @ B, A's last size must equal B's first size, as in "
                f"(n, k) @ (k, m); here one side has {found.group(1)} where the other has "
                f"{found.group(2)}. Check the order of the product and whether one side needs a "
                "transpose (.T).")
    found = re.search(r"shapes (\([\d, ]*\)) and (\([\d, ]*\)) not aligned", text)
    if found:
        return (f"np.dot of shapes {_pretty_shape(found.group(1))} and "
                f"{_pretty_shape(found.group(2))}: the first one's last size must equal the second "
                "one's first size. Check the order of the product and whether one side needs a "
                "transpose (.T).")
    if "setting an array element with a sequence" in text:
        return ("Your code put several numbers (a list or an array) where numpy expected one: for "
                "example g[i] = value where value is an array (a loss that returned an array, not a "
                "number), or np.array of rows of different lengths. Check the shape of the value "
                "you store; float(...) fails loudly if it is not one number.")
    return ""


def _raised_text(name: str, exc: BaseException, case: Case, where: str) -> str:
    lines = [f"{name} raised {type(exc).__name__}: {exc}{where}."]
    sentence = numpy_error_sentence(exc)
    if sentence:
        line = _learner_line(exc)
        lines.append(f"  In your line `{line}`: {sentence}" if line else f"  {sentence}")
        shapes = _input_shapes(case)
        if shapes:
            lines.append(f"  The inputs had shapes: {shapes}.")
    return "\n".join(lines)


# -------------------------------------------------------------- one case

def check_case(graded: GradedFunction, learner_fn: Callable[..., Any], case: Case,
               cases: Sequence[Case] | None = None) -> None:
    """Run one case; raise CheckFailed with a named reason if anything is wrong.

    cases: every case being checked (default: this one). A catalogued mistake is named only
    when it reproduces the learner's outputs on all of them."""
    __tracebackhide__ = True  # IPython then shows the learner the message, not our frames
    name = graded.name
    where = f" on {case.label}" if case.label else ""
    expected = _as_outputs(call_quietly(graded.reference, _copy_args(case.args)),
                           graded.outputs, name)
    args = _copy_args(case.args)
    try:
        result = call_quietly(learner_fn, args)
    except NotImplementedError:
        failed = CheckFailed(f"{name} is not written yet: it still raises NotImplementedError. "
                             "Replace that line with your code.")
        failed.not_written = True
        raise failed from None
    except CheckFailed:  # a watched input (e.g. a loss that sees un-restored knobs) said why
        raise
    except Exception as exc:  # the learner's code crashed: say how, on what input
        raise CheckFailed(_raised_text(name, exc, case, where)) from None

    for pos, (before, after) in enumerate(zip(case.args, args)):
        if not _same(before, after):
            argname = case.names[pos] if pos < len(case.names) else f"argument {pos + 1}"
            raise CheckFailed(f"{name} changed its input {argname} in place{where}. "
                              "Compute a new array instead of writing into the input.")

    outputs = _as_outputs(result, graded.outputs, name, graded.tuple_only)
    evidence = _LazyEvidence(graded, learner_fn, list(cases) if cases else [case], case, outputs)
    for out_name, got_out, exp_out in zip(graded.outputs, outputs, expected):
        out_label = name if len(graded.outputs) == 1 else f"{name}'s {out_name}"
        if isinstance(exp_out, dict):
            problem = _expect_dict(out_label, got_out, exp_out)
            if problem:
                raise _failed(f"{problem} (Checked{where}.)", evidence().explaining_mistakes())
        for label, key, got, exp in _leaves(out_label, got_out, exp_out):
            _compare_leaf(graded, case, evidence, where, label, key, got, exp)


class _LazyEvidence:
    """Gathers the evidence only when a failure needs it (calling it returns an _Evidence)."""

    def __init__(self, *args):
        self.args, self.value = args, None

    def __call__(self) -> _Evidence:
        if self.value is None:
            self.value = _Evidence(*self.args)
        return self.value


def _compare_leaf(graded: GradedFunction, case: Case, evidence: _LazyEvidence, where: str,
                  label: str, key: Any, got: Any, exp: Any) -> None:
    """Compare one array or number of a result; raise CheckFailed at the first problem."""
    __tracebackhide__ = True
    found = _expect_array(label, got, exp)
    if found:
        kind, problem = found
        if kind in ("type", "dtype"):
            if evidence().values_right_everywhere():
                what = "dtype" if kind == "dtype" else "type"
                raise CheckFailed(f"{problem} (Checked{where}.)\n  Its values are right on every "
                                  f"case checked: only the {what} needs fixing.")
        raise _failed(f"{problem} (Checked{where}.)", evidence().explaining_mistakes())
    g = _asarray(got, dtype=_float64)
    e = _asarray(exp, dtype=_float64)
    index = _first_wrong(g, e, graded.rtol, graded.atol)
    if index is None:
        return
    at = _input_at(case, index, key, g.shape)
    lines = [f"{label} is wrong{where}."]
    if not np.all(_isfinite(g[index])) and np.all(_isfinite(e[index])):
        lines.append(f"  It returned {_fmt(g[index])} where the answer is finite: "
                     "a value overflowed or divided by zero.")
    lines.append(f"  First wrong entry: index {list(index)}" + (f" ({at})" if at else "")
                 if index else ("  Input: " + at if at else "  Scalar result:"))
    yours, want = _fmt_pair(g[index], e[index], graded.atol)
    lines.append(f"  yours: {yours}   expected: {want}   "
                 f"(tolerance: |yours - expected| <= {graded.rtol:g} * |expected| + {graded.atol:g})")
    raise _failed("\n".join(lines), evidence().explaining_mistakes())


# ------------------------------------------- functions the learner's code calls

@dataclass(frozen=True)
class Callee:
    """Another graded function of the same exercise that the function under check calls.

    fn is the learner's version (a function, or the judge's proxy for one). hidden: check it on
    its hidden cases too (the hidden tests may; a visible check uses visible cases only).
    callees: its own callees, a sequence or a function returning one (worked out only when
    needed). swap: for the hidden checks, a function taking a replacement for this callee and
    returning the function under check with the replacement called in the callee's place (None:
    the callee cannot be swapped)."""

    graded: GradedFunction
    fn: Callable[..., Any]
    hidden: bool = False
    callees: Any = ()
    swap: Callable[[Callable[..., Any]], Callable[..., Any]] | None = None


def _resolve(callees: Any) -> Sequence[Callee]:
    return callees() if callable(callees) else (callees or ())


def _callee_failure(name: str, callees: Any) -> str | None:
    """Why `name` fails because of a function it calls: the first callee that fails its own
    checks, with its message; None if every callee passes (or there are none)."""
    try:
        found = _resolve(callees)
    except Exception:
        return None
    for callee in found:
        cname = callee.graded.name
        cases = callee.graded.visible_cases() + (hidden_cases(callee.graded) if callee.hidden else [])
        try:
            run_checks(callee.graded, callee.fn, cases, callee.callees)
        except CheckFailed as failed:
            inner = "\n    ".join(str(failed).splitlines())
            return (f"{name} is wrong because {cname}, which it calls, is wrong; fix {cname} "
                    f"first.\n  {cname}'s check says:\n    {inner}")
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException:  # the callee could not be checked: no verdict about it
            continue
    return None


class CalleeNotSwappable(BaseException):
    """Raised by a swapped call that cannot run (the judge cannot hand the reference a function
    that lives in the learner's process): that callee is not swapped, no verdict either way."""


def _checked_on_its_own(graded: GradedFunction, cases: list[Case], callees: Any) -> None:
    """The hidden checks again, with each graded function it calls replaced by the reference's:
    a function must be right on its own, not only beside the learner's version of its callee
    (a wrong callee and a caller that makes up for it would otherwise both keep their points)."""
    __tracebackhide__ = True
    try:
        found = [c for c in _resolve(callees) if c.hidden and c.swap is not None]
    except Exception:
        return
    for callee in found:
        cname = callee.graded.name
        swapped = callee.swap(callee.graded.reference)
        try:
            for case in cases:
                check_case(graded, swapped, case, cases)
        except CalleeNotSwappable:
            continue
        except CheckFailed as failed:
            detail = "\n    ".join(getattr(failed, "detail", str(failed)).splitlines())
            raise CheckFailed(
                f"{graded.name} is right only together with your {cname}: with a correct {cname} in "
                f"its place it is wrong, so the two make up for each other's mistakes. Check "
                f"{cname} and {graded.name} each against the wording.\n"
                f"  What {graded.name}'s check saw with a correct {cname}:\n    {detail}") from None


def called_global_names(fn: Callable[..., Any]) -> list[str]:
    """The global names fn's code reads (LOAD_GLOBAL / LOAD_NAME, nested functions included),
    in order of first use. `np.tanh` reads the global np, not tanh."""
    code = getattr(fn, "__code__", None)
    if not isinstance(code, types.CodeType):
        return []
    names, stack = [], [code]
    while stack:
        current = stack.pop(0)
        for ins in dis.get_instructions(current):
            if ins.opname in ("LOAD_GLOBAL", "LOAD_NAME") and isinstance(ins.argval, str) \
                    and ins.argval not in names:
                names.append(ins.argval)
        stack.extend(c for c in current.co_consts if isinstance(c, types.CodeType))
    return names


def learner_callees(name: str, fn: Callable[..., Any], graded_by_name: dict[str, GradedFunction],
                    hidden: bool = False, _seen: tuple = ()) -> list[Callee]:
    """The other graded functions of the exercise that the learner's fn calls, as found in its
    globals (the notebook's namespace), each with its own callees (worked out lazily)."""
    seen = _seen + (name,)
    namespace = getattr(fn, "__globals__", None)
    if not isinstance(namespace, dict):
        return []
    found = []
    for other in called_global_names(fn):
        if other in seen or other not in graded_by_name:
            continue
        target = namespace.get(other)
        if target is None or not callable(target) or target is fn:
            continue
        found.append(Callee(graded_by_name[other], target, hidden,
                            lambda o=other, t=target: learner_callees(o, t, graded_by_name,
                                                                      hidden, seen),
                            lambda replacement, o=other: _with_global(fn, o, replacement)))
    return found


_ABSENT = object()


def _with_global(fn: Callable[..., Any], name: str, replacement: Callable[..., Any]) -> Callable[..., Any]:
    """fn, calling `replacement` wherever it calls the global `name` (its namespace's entry is
    swapped for the call and put back after it)."""
    namespace = fn.__globals__

    def swapped(*args: Any) -> Any:
        old = namespace.get(name, _ABSENT)
        namespace[name] = replacement
        try:
            return fn(*args)
        finally:
            if old is _ABSENT:
                namespace.pop(name, None)
            else:
                namespace[name] = old
    swapped.__name__ = getattr(fn, "__name__", "function")
    return swapped


def names_called_in_source(source: str, fn_name: str) -> list[str]:
    """The names read inside the last `def fn_name(...)` of source (a notebook cell), in order
    of first use; [] if source does not define it. Attribute names (np.tanh) are not names."""
    import ast

    if source.lstrip().startswith("%%"):  # a cell magic (%%time, %%capture) runs the rest
        source = source.lstrip().split("\n", 1)[-1] if "\n" in source else ""
    try:
        tree = ast.parse(source)
    except SyntaxError:  # line magics or shell escapes: IPython turns them into Python
        try:
            from IPython.core.inputtransformer2 import TransformerManager
            tree = ast.parse(TransformerManager().transform_cell(source))
        except Exception:
            return []
    defs = [node for node in ast.walk(tree)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == fn_name]
    if not defs:
        return []
    names = []
    for node in ast.walk(defs[-1]):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id not in names:
            names.append(node.id)
    return names


# -------------------------------------------------------------- all cases

def run_checks(graded: GradedFunction, learner_fn: Callable[..., Any], cases: list[Case],
               callees: Any = ()) -> int:
    """Check every case, then any extra checks; return the number of cases checked.

    callees: the other graded functions the learner's function calls (`Callee`s, or a function
    returning them). When a check fails and one of them fails its own checks, the message says
    that the failure comes from there, and names no mistake of this function."""
    __tracebackhide__ = True
    if not callable(learner_fn):
        raise CheckFailed(f"{graded.name} should be a function, but it is {_describe(learner_fn)}.")
    try:
        for case in cases:
            check_case(graded, learner_fn, case, cases)
        for extra in graded.extra_checks:
            extra(learner_fn)
        _checked_on_its_own(graded, cases, callees)
    except CheckFailed as failed:
        if getattr(failed, "not_written", False):
            raise
        blame = _callee_failure(graded.name, callees)
        if blame is None:
            raise
        detail = "\n    ".join(getattr(failed, "detail", str(failed)).splitlines())
        raise CheckFailed(f"{blame}\n  What {graded.name}'s own check saw:\n    {detail}") from None
    return len(cases)


def hidden_cases(graded: GradedFunction) -> list[Case]:
    """The hidden tests' randomised cases: seeded, so a grade is reproducible."""
    return graded.hidden_cases(np.random.default_rng(graded.seed))
