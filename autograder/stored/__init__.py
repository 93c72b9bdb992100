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

import importlib
import pkgutil
from dataclasses import dataclass
from typing import Any, Callable

from course import stored

_PRODUCERS: dict[str, Callable[[], Any]] = {}


def produces(name: str) -> Callable[[Callable[[], Any]], Callable[[], Any]]:
    """Register the decorated function as the producer of the stored value `name`."""
    def register(fn: Callable[[], Any]) -> Callable[[], Any]:
        if name in _PRODUCERS and _PRODUCERS[name] is not fn:
            raise ValueError(f"two producers for stored value {name!r}")
        _PRODUCERS[name] = fn
        return fn
    return register


def producers() -> dict[str, Callable[[], Any]]:
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
    """Write the stored values named (default: all), removing files nothing produces; returns
    the names written."""
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
    stored._load_text.cache_clear()
    return chosen


def drift() -> list[Drift]:
    """The stored values that differ from what their producers give now."""
    found = producers()
    problems = []
    for name in found:
        path = stored.path_of(name)
        if not path.exists():
            problems.append(Drift(name, "missing: run `python -m autograder store`"))
        elif path.read_text() != fresh_text(name):
            problems.append(Drift(name, "differs from a fresh production"))
    for orphan in sorted(set(stored.names()) - set(found)):
        problems.append(Drift(orphan, "stored, but nothing produces it"))
    return problems
