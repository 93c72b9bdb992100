"""Data the course ships instead of code: producers, building, and the drift check.

A producer is a function of no arguments, registered under a name, that computes a value from
the reference (the answer key, which the learner edition does not contain):

    from autograder.stored import produces

    @produces("lesson10_digits")
    def digits_demo():
        ...
        return {"theta": theta, "losses": losses}

`python -m autograder store` (and `generate`) writes each value to course/data/<name>.json, where
`course.stored.load(name)` reads it back; `python -m autograder drift` names the stored values
that differ from a fresh production (CI runs it). Producers live in this package's modules, one
per lesson or topic; every module here is imported to find them.
"""

import functools
import importlib
import json
import pkgutil
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from course import stored

# How far a fresh production may stray from the stored value before `drift` calls it changed.
# Every float array (or float) is compared to its own scale, the largest magnitude stored in it:
# |fresh - stored| <= rtol * scale + atol + slack, entry by entry. The default rtol is a float64
# computation of a few thousand operations, each rounding at 1.1e-16 of the scale, with room to
# spare: another processor (its SIMD exp and log, its BLAS kernel's order of summation) moves the
# stored results here by up to 3e-11 of their scale (measured: docs/portability.md), and a
# formula changed by one part in a million moves them by 1e-6. A producer whose computation is
# less stable states its own (a tolerance, or slack: per-entry allowances computed alongside).
RTOL = 1e-9


@dataclass(frozen=True)
class Producer:
    """How a stored value is made and how closely a fresh production must match it."""

    fn: Callable[[], Any]
    rtol: float = RTOL
    atol: float = 0.0
    # slack(fresh) -> a value shaped like fresh whose float entries are extra allowed
    # differences, for entries whose precision the computation itself limits (round-off
    # amplified by a small step h, a chaotic training run); None entries allow nothing extra.
    slack: Callable[[Any], Any] | None = None

    def __call__(self):
        return self.fn()


_PRODUCERS: dict[str, Producer] = {}


def produces(name: str, rtol: float = RTOL, atol: float = 0.0,
             slack: Callable[[Any], Any] | None = None) -> Callable[[Callable[[], Any]], Callable[[], Any]]:
    """Register the decorated function as the producer of the stored value `name`, with the
    tolerance `drift` judges it by (see RTOL)."""
    def register(fn: Callable[[], Any]) -> Callable[[], Any]:
        if name in _PRODUCERS and _PRODUCERS[name].fn is not fn:
            raise ValueError(f"two producers for stored value {name!r}")
        _PRODUCERS[name] = Producer(fn, rtol, atol, slack)
        return fn
    return register


def producers() -> dict[str, Producer]:
    """Every registered producer by name (imports this package's modules to find them)."""
    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")
    return dict(sorted(_PRODUCERS.items()))


@dataclass(frozen=True)
class Drift:
    """A stored value that differs from a fresh production (or is missing, or is not produced)."""

    name: str
    reason: str


def fresh_text(name: str) -> str:
    return stored.dumps(producers()[name]())


def build(names: list[str] | None = None) -> list[str]:
    """Write the stored values named (default: all), removing files nothing produces, and the
    digests of every stored file (course/data/SHA256SUMS); returns the names written."""
    found = producers()
    chosen = names or list(found)
    unknown = [n for n in chosen if n not in found]
    if unknown:
        raise KeyError(f"no producer for {', '.join(unknown)}")
    stored.DATA.mkdir(exist_ok=True)
    for name in chosen:
        stored.path_of(name).write_text(fresh_text(name))
    if names is None:
        for orphan in set(stored.names()) - set(found):
            stored.path_of(orphan).unlink()
    stored.DIGESTS.write_text(stored.digests_text(
        {stored.path_of(n).name: stored.path_of(n).read_text() for n in stored.names()}))
    stored._load_text.cache_clear()
    stored.shipped_digests.cache_clear()
    return chosen


def map_floats(value: Any, fn: Callable[[np.ndarray], np.ndarray]) -> Any:
    """value with every float array (and float) x replaced by fn(x) (as an array), the rest None:
    the shape of a slack function's answer."""
    if isinstance(value, dict):
        return {k: map_floats(v, fn) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [map_floats(v, fn) for v in value]
    if isinstance(value, (float, np.floating)) or (isinstance(value, np.ndarray) and value.dtype.kind == "f"):
        return np.asarray(fn(np.asarray(value, dtype=float)), dtype=float)
    return None


def _part(slack: Any, key: Any) -> Any:
    if slack is None:
        return None
    try:
        return slack[key]
    except (KeyError, IndexError, TypeError):
        return None


def differences(stored_value: Any, fresh: Any, rtol: float = RTOL, atol: float = 0.0,
                slack: Any = None, where: str = "") -> list[str]:
    """Where fresh differs from stored_value beyond the tolerance (see RTOL), one line each.

    Everything but floats must be equal: the structure (containers, keys, lengths), types,
    dtypes and shapes, integers, strings, functions. NaN and infinities must sit where they
    were."""
    label = where or "the value"
    if isinstance(stored_value, dict) or isinstance(fresh, dict):
        if type(stored_value) is not type(fresh) or list(stored_value) != list(fresh):
            return [f"{label}: keys {list(fresh)!r}, stored {list(stored_value)!r}"
                    if isinstance(fresh, dict) and isinstance(stored_value, dict)
                    else f"{label}: a {type(fresh).__name__}, stored a {type(stored_value).__name__}"]
        return [line for k in stored_value for line in
                differences(stored_value[k], fresh[k], rtol, atol, _part(slack, k), f"{label}[{k!r}]")]
    if isinstance(stored_value, (list, tuple)) or isinstance(fresh, (list, tuple)):
        if type(stored_value) is not type(fresh) or len(stored_value) != len(fresh):
            return [f"{label}: a {type(fresh).__name__} of {len(fresh) if hasattr(fresh, '__len__') else '?'}, "
                    f"stored a {type(stored_value).__name__} of "
                    f"{len(stored_value) if hasattr(stored_value, '__len__') else '?'}"]
        return [line for i, (a, b) in enumerate(zip(stored_value, fresh)) for line in
                differences(a, b, rtol, atol, _part(slack, i), f"{label}[{i}]")]
    floating = (float, np.floating)
    if isinstance(stored_value, np.ndarray) or isinstance(fresh, np.ndarray):
        if (type(stored_value) is not type(fresh) or stored_value.dtype != fresh.dtype
                or stored_value.shape != fresh.shape):
            return [f"{label}: {_kind(fresh)}, stored {_kind(stored_value)}"]
        if stored_value.dtype.kind != "f":
            return [] if np.array_equal(stored_value, fresh) else [f"{label}: entries differ"]
        return _float_differences(stored_value, fresh, rtol, atol, slack, label)
    if isinstance(stored_value, floating) or isinstance(fresh, floating):
        if type(stored_value) is not type(fresh):
            return [f"{label}: {_kind(fresh)}, stored {_kind(stored_value)}"]
        return _float_differences(np.asarray(stored_value), np.asarray(fresh), rtol, atol, slack, label)
    if type(stored_value) is not type(fresh):
        return [f"{label}: {_kind(fresh)}, stored {_kind(stored_value)}"]
    if hasattr(type(fresh), "stored_args") and not isinstance(fresh, type):  # a course object
        return differences(list(stored_value.stored_args()), list(fresh.stored_args()), rtol, atol,
                           None, f"{label}'s arguments")
    if isinstance(fresh, functools.partial):
        if fresh.func is not stored_value.func:
            return [f"{label}: {fresh.func!r:.60}, stored {stored_value.func!r:.60}"]
        return differences(list(stored_value.args), list(fresh.args), rtol, atol, None,
                           f"{label}'s arguments")
    if stored_value != fresh:
        return [f"{label}: {fresh!r:.60}, stored {stored_value!r:.60}"]
    return []


def _kind(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"array {value.dtype} {value.shape}"
    return type(value).__name__


def _float_differences(old: np.ndarray, new: np.ndarray, rtol: float, atol: float, slack: Any,
                       label: str) -> list[str]:
    old, new = old.astype(float), new.astype(float)
    if not np.array_equal(np.isnan(old), np.isnan(new)) or not np.array_equal(
            np.where(np.isinf(old), old, 0), np.where(np.isinf(new), new, 0)):
        return [f"{label}: NaN or infinity where the stored value has none (or the other way)"]
    finite = np.isfinite(old)
    if not finite.any():
        return []
    scale = float(np.max(np.abs(old[finite])))
    extra = 0.0 if slack is None else np.nan_to_num(np.asarray(slack, float), nan=0.0, posinf=0.0)
    allowed = np.broadcast_to(rtol * scale + atol + extra, old.shape)
    with np.errstate(invalid="ignore"):
        gap = np.where(finite, np.abs(new - old), 0.0)
    if np.all(gap <= allowed):
        return []
    worst = tuple(int(i) for i in np.unravel_index(np.argmax(gap - allowed), old.shape))
    at = f" at {list(worst)}" if worst else ""
    return [f"{label}{at}: {float(new[worst])!r}, stored {float(old[worst])!r} "
            f"(allowed {float(allowed[worst]):.3g})"]


def check(name: str, producer: Producer | None = None) -> str | None:
    """Why the stored value `name` is not its producer's value now, or None if it is."""
    producer = producer or producers()[name]
    path = stored.path_of(name)
    if not path.exists():
        return "missing: run `python -m autograder store`"
    text = path.read_text()
    problem = stored.problem_with(name, text)
    if problem:
        return problem
    try:
        old = stored.decode(json.loads(text))
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        return f"cannot be read ({exc}): run `python -m autograder store`"
    fresh = producer()
    found = differences(old, fresh, producer.rtol, producer.atol, where=name)
    if found and producer.slack:  # the slack can cost a production again: only when needed
        found = differences(old, fresh, producer.rtol, producer.atol, producer.slack(fresh), name)
    if found:
        more = f" (and {len(found) - 3} more)" if len(found) > 3 else ""
        return ("differs from a fresh production beyond its tolerance: " + "; ".join(found[:3]) + more
                + ": if the change is meant, run `python -m autograder store`")
    return None


def drift() -> list[Drift]:
    """The stored values that differ from what their producers give now, beyond each one's
    tolerance (and files that are missing, damaged or produced by nothing)."""
    found = producers()
    problems = []
    try:
        stored.shipped_digests.cache_clear()
        stored.shipped_digests()
    except stored.StoredDataError as exc:
        return [Drift("SHA256SUMS", str(exc))]
    for name, producer in found.items():
        reason = check(name, producer)
        if reason:
            problems.append(Drift(name, reason))
    for orphan in sorted(set(stored.names()) - set(found)):
        problems.append(Drift(orphan, "stored, but nothing produces it"))
    return problems
