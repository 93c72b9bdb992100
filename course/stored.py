"""Results the course shows or checks against, stored as data rather than computed.

Some lesson figures and every exercise's visible checks need what a finished exercise computes:
lesson 10's trained digit network, the expected output of each visible check. The course ships
those results, not the code that computes them, so that doing an exercise means writing it.
They live as JSON files in course/data/ and load back as the numpy arrays, numbers and
containers they were:

    from course.stored import load
    demo = load("lesson10_digits")

The JSON form of a value: numbers, strings, true/false/null and lists as themselves; a tuple as
{"tuple": [...]}, a dict as {"dict": [[key, value], ...]} (keys keep their type and order), a
numpy array as {"array": dtype, "shape": [...], "data": [...]} (floats written with Python's
repr, so they read back bit for bit; NaN and infinities as the strings "nan", "inf", "-inf"),
a numpy scalar as {"scalar": dtype, "value": ...}, and a function or class of numpy or of this
package as {"callable": "module:qualified.name"} (with arguments bound by functools.partial:
{"partial": function, "args": [...]}), and an object of a course class that has a
`stored_args()` method as {"object": class, "args": [...]}, built again by calling the class.
"""

import functools
import hashlib
import importlib
import json
import math
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parent / "data"
CALLABLE_HOMES = ("numpy", "course")


def _float_out(x):
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x


def _float_in(x):
    return float(x) if isinstance(x, str) else x


def _home(obj):
    module = getattr(obj, "__module__", None) or ""
    if getattr(obj, "__name__", None) and isinstance(obj, np.ufunc):
        module = "numpy"
    return module


def encode(value):
    """The JSON-ready form of value (see the module's docstring); TypeError for anything else."""
    if isinstance(value, (np.floating, np.integer, np.bool_)):
        return {"scalar": value.dtype.str, "value": encode(value.item())}
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int) and not isinstance(value, np.integer):
        return value
    if isinstance(value, float):
        return {"float": _float_out(value)} if not math.isfinite(value) else value
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "f":
            data = [_float_out(x) for x in value.ravel()]
        elif value.dtype.kind in "biu":
            data = value.ravel().tolist()
        else:
            raise TypeError(f"cannot store an array of dtype {value.dtype}")
        return {"array": value.dtype.str, "shape": list(value.shape), "data": data}
    if isinstance(value, tuple) and not hasattr(value, "_fields"):
        return {"tuple": [encode(v) for v in value]}
    if type(value) is list:
        return [encode(v) for v in value]
    if type(value) is dict:
        return {"dict": [[encode(k), encode(v)] for k, v in value.items()]}
    if hasattr(type(value), "stored_args") and not isinstance(value, type):
        return {"object": encode(type(value)), "args": [encode(a) for a in value.stored_args()]}
    if isinstance(value, functools.partial) and not value.keywords:
        return {"partial": encode(value.func), "args": [encode(a) for a in value.args]}
    if callable(value):
        home = _home(value)
        name = getattr(value, "__qualname__", None) or getattr(value, "__name__", None)
        if home.split(".")[0] not in CALLABLE_HOMES or not name or "<" in name:
            raise TypeError(f"cannot store {value!r}: only functions and classes of numpy or of "
                            "the course package can be stored, by name")
        found = _resolve(f"{home}:{name}")
        if found is not value:
            raise TypeError(f"{home}:{name} does not name {value!r}")
        return {"callable": f"{home}:{name}"}
    raise TypeError(f"cannot store a {type(value).__name__}")


def _resolve(path):
    module, _, name = path.partition(":")
    if module.split(".")[0] not in CALLABLE_HOMES:
        raise ValueError(f"refusing to load {path}: not numpy or the course package")
    obj = importlib.import_module(module)
    for part in name.split("."):
        obj = getattr(obj, part)
    return obj


def decode(tree):
    """The value whose JSON form is tree (the inverse of encode)."""
    if isinstance(tree, list):
        return [decode(v) for v in tree]
    if not isinstance(tree, dict):
        return tree
    if "float" in tree:
        return _float_in(tree["float"])
    if "array" in tree:
        dtype = np.dtype(tree["array"])
        data = [_float_in(x) for x in tree["data"]] if dtype.kind == "f" else tree["data"]
        return np.array(data, dtype=dtype).reshape(tree["shape"])
    if "scalar" in tree:
        return np.dtype(tree["scalar"]).type(decode(tree["value"]))
    if "tuple" in tree:
        return tuple(decode(v) for v in tree["tuple"])
    if "dict" in tree:
        return {decode(k): decode(v) for k, v in tree["dict"]}
    if "callable" in tree:
        return _resolve(tree["callable"])
    if "object" in tree:
        return decode(tree["object"])(*[decode(a) for a in tree["args"]])
    if "partial" in tree:
        return functools.partial(decode(tree["partial"]), *[decode(a) for a in tree["args"]])
    raise ValueError(f"not a stored value: keys {sorted(tree)}")


def dumps(value):
    """The stored text of value: JSON, with each entry of a top-level dict on a line of its own
    (so a change shows in a diff as the entries it touched)."""
    tree = encode(value)
    compact = functools.partial(json.dumps, separators=(",", ":"), allow_nan=False)
    if isinstance(tree, dict) and "dict" in tree:
        rows = ",\n".join(compact(row) for row in tree["dict"])
        return '{"dict":[\n' + rows + "\n]}\n"
    return compact(tree) + "\n"


DIGESTS = DATA / "SHA256SUMS"  # one line per stored file, `sha256sum`'s format: "<hex>  <file>"
REPAIR = ("get the course's own copy of the file back (in the instructor edition: "
          "python -m autograder store)")


class StoredDataError(RuntimeError):
    """A stored data file is missing, unreadable, or not the file the course shipped."""


def path_of(name):
    return DATA / f"{name}.json"


def digest(text):
    return hashlib.sha256(text.encode()).hexdigest()


def digests_text(texts):
    """The SHA256SUMS text for {file name: text}."""
    return "".join(f"{digest(text)}  {file}\n" for file, text in sorted(texts.items()))


@functools.lru_cache(maxsize=None)
def shipped_digests():
    """{file name: sha256} as written by the course's own build of course/data/."""
    if not DIGESTS.exists():
        raise StoredDataError(f"{DIGESTS} is missing, so no stored result can be trusted: {REPAIR}")
    found = {}
    for number, line in enumerate(DIGESTS.read_text().splitlines(), start=1):
        hexdigest, sep, file = line.partition("  ")
        if not sep or len(hexdigest) != 64:
            raise StoredDataError(f"{DIGESTS}, line {number}, is not '<sha256>  <file>': {REPAIR}")
        found[file] = hexdigest
    return found


def problem_with(name, text=None):
    """Why the stored file of name cannot be used (missing, truncated, edited by hand), or None."""
    path = path_of(name)
    if text is None:
        if not path.exists():
            return f"{path} is missing: {REPAIR}"
        text = path.read_text()
    want = shipped_digests().get(path.name)
    if want is None:
        return f"{path} is not one of the course's stored files (it is not in {DIGESTS.name}): {REPAIR}"
    if digest(text) != want:
        return (f"{path} is not the file the course shipped (truncated, or edited by hand: its "
                f"SHA-256 is not the one in {DIGESTS.name}): {REPAIR}")
    return None


@functools.lru_cache(maxsize=None)
def _load_text(name):
    path = path_of(name)
    if not path.exists():
        raise FileNotFoundError(f"no stored data named {name!r} (looked for {path}): {REPAIR}")
    text = path.read_text()
    problem = problem_with(name, text)
    if problem:
        raise StoredDataError(problem)
    return text


def load(name):
    """The stored value called name (a fresh copy on every call: change it freely).

    A file that is not byte for byte the one the course shipped (see SHA256SUMS) raises
    StoredDataError naming it, rather than checking work against a damaged expected value."""
    return decode(json.loads(_load_text(name)))


def names():
    """The names of every stored value shipped with the course."""
    return sorted(p.stem for p in DATA.glob("*.json"))
