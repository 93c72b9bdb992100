"""The data format between the judge and the sandbox that runs a learner's code.

The judge never unpickles anything the learner's process sends: values cross
as a JSON tree plus raw byte blobs, and decoding rebuilds only plain Python
values (None, bool, int, float, str, tuple, list, dict) and numpy arrays and
scalars of numeric or boolean dtype. Anything else the learner's code returns
arrives as an `Opaque` stand-in that carries its type's name and equals
nothing, so an object whose `__eq__` always says yes, or an ndarray subclass
that lies about its contents, cannot fool a comparison: the comparison runs
in the judge, on bytes, with the judge's own numpy.

Values cross exactly, so that a value is judged as what it is: an array keeps
its shape (a 0-d array stays 0-d), dtype and bits; a numpy scalar keeps its
type (np.float32 stays np.float32, np.bool_ stays np.bool_); a Python float
keeps every bit. A subclass of dict, list or tuple (OrderedDict, defaultdict,
a namedtuple, a learner's own dict subclass) crosses as the plain container
it is a kind of, its contents read with the base type's own methods, so an
override in the subclass changes nothing: the judge compares a dict subclass
as a dict and a namedtuple as a tuple, as it would in the learner's kernel.

A frame on a pipe or socket is: 8-byte big-endian length, then the payload; a
payload is 4-byte JSON length, JSON, then each blob as 8-byte length plus bytes.
Every exchange uses it: the judge and a sandbox (control messages, `message`),
and the judge and its fork server (`fork`, `reap`: `autograder.sandbox_process`).
"""

from __future__ import annotations

import json
import os
import select
import struct
import time

import numpy as np

MAX_FRAME = 512 * 1024 * 1024  # a bigger answer than this is refused, not read
MAX_DEPTH = 32
MAX_NODES = 200_000
NUMERIC_KINDS = "biufc"


class WireError(Exception):
    """A frame that is not well formed, too big, or cut short."""


class Opaque:
    """Stand-in for a value that is not plain data; equal to nothing, not even itself."""

    def __eq__(self, other):
        return False

    def __ne__(self, other):
        return True

    __hash__ = None

    def __repr__(self):
        return f"<{type(self).__name__} object>"


def _named(base, name, cache={}):  # noqa: B006 (a deliberate per-process cache)
    """A judge-side class called `name` (the learner's type name) deriving from base."""
    name = str(name)[:60] or "object"
    if not name.isidentifier():
        name = "object"
    key = (base, name)
    if key not in cache:
        cache[key] = type(name, (base,), {"__module__": "learner"})
    return cache[key]


# ----------------------------------------------------------------- encode

class Encoder:
    """Turn a value into (JSON tree, blobs). Callables registered by the caller
    (judge side) become callback references; any other unknown object becomes
    an opaque marker carrying its type's name."""

    def __init__(self, callbacks=None):
        self.blobs = []
        self.callbacks = callbacks  # dict id -> callable, filled while encoding (judge side)
        self.nodes = 0

    def _blob(self, data):
        self.blobs.append(bytes(data))
        return len(self.blobs) - 1

    def encode(self, value, depth=0):
        self.nodes += 1
        if depth > MAX_DEPTH or self.nodes > MAX_NODES:
            return {"t": "obj", "type": "too_deep"}
        kind = type(value)
        if value is None or kind in (bool, int, str):
            if kind is int and abs(value) > 2 ** 63:
                return {"t": "obj", "type": "int"}
            return value
        if kind is float:
            return {"t": "f", "v": value.hex()}
        # Kinds are read from type(value), which an object cannot fake (isinstance can be
        # fooled by a __class__ property).
        if issubclass(kind, (tuple, list)):
            # tuple.__iter__ / list.__iter__, not the value's own: a subclass's override
            # cannot change what crosses (a namedtuple crosses as the tuple it is).
            base = tuple if issubclass(kind, tuple) else list
            return {"t": base.__name__, "v": [self.encode(v, depth + 1) for v in base.__iter__(value)]}
        if issubclass(kind, dict):
            items = list(dict.items(value))  # the stored entries, whatever the subclass overrides
            return {"t": "dict", "k": [self.encode(k, depth + 1) for k, _ in items],
                    "v": [self.encode(v, depth + 1) for _, v in items]}
        if issubclass(kind, np.ndarray):
            # A plain view of the same memory: its shape (a 0-d array's () included) and dtype
            # are the value's own; tobytes() writes C order whatever the strides.
            array = np.ndarray.view(value, np.ndarray)
            if array.dtype.kind not in NUMERIC_KINDS or array.dtype.hasobject:
                return {"t": "obj", "type": f"ndarray of dtype {array.dtype}"}
            node = {"t": "nd", "dtype": array.dtype.str, "shape": list(array.shape),
                    "b": self._blob(array.tobytes())}
            if kind is not np.ndarray:
                node["sub"] = kind.__name__
            return node
        if issubclass(kind, np.generic) and kind.__module__ == "numpy":
            dtype = np.dtype(kind)
            if dtype.kind in NUMERIC_KINDS:
                return {"t": "np", "dtype": dtype.str, "b": self._blob(np.asarray(value).tobytes())}
        if self.callbacks is not None and callable(value):
            key = len(self.callbacks)
            self.callbacks[key] = value
            return {"t": "cb", "id": key, "name": callable_name(value)}
        return {"t": "obj", "type": kind.__name__}


def callable_name(fn):
    """The name a callback's stand-in carries (`sigmoid`, `sin`): a function's own name when it
    is a plain identifier, else "function" (a lambda, a described loss)."""
    name = getattr(fn, "__name__", None)
    return name if type(name) is str and name.isidentifier() and len(name) <= 60 else "function"


def encode(value, callbacks=None):
    """A payload (bytes) for one value."""
    enc = Encoder(callbacks)
    tree = enc.encode(value)
    return pack(tree, enc.blobs)


def pack(tree, blobs):
    head = json.dumps(tree).encode()
    parts = [struct.pack(">I", len(head)), head]
    for blob in blobs:
        parts += [struct.pack(">Q", len(blob)), blob]
    return b"".join(parts)


# ----------------------------------------------------------------- decode

def unpack(payload):
    """(JSON tree, blobs) from a payload; raises WireError when malformed."""
    try:
        (n,) = struct.unpack_from(">I", payload, 0)
        tree = json.loads(payload[4:4 + n].decode())
        pos, blobs = 4 + n, []
        while pos < len(payload):
            (m,) = struct.unpack_from(">Q", payload, pos)
            pos += 8
            if pos + m > len(payload):
                raise WireError("blob cut short")
            blobs.append(payload[pos:pos + m])
            pos += m
    except (struct.error, UnicodeDecodeError, ValueError) as exc:
        raise WireError(f"malformed payload: {exc}") from None
    return tree, blobs


class Decoder:
    """Rebuild a value from (tree, blobs). `make_callback(id, name)` builds the
    stand-in for a callback reference (sandbox side); None refuses them."""

    def __init__(self, blobs, make_callback=None):
        self.blobs = blobs
        self.make_callback = make_callback
        self.nodes = 0

    def _blob(self, index):
        if type(index) is not int or not 0 <= index < len(self.blobs):
            raise WireError("bad blob reference")
        return self.blobs[index]

    @staticmethod
    def _dtype(text):
        try:
            dtype = np.dtype(str(text))
        except TypeError:
            raise WireError(f"bad dtype {text!r}") from None
        if dtype.kind not in NUMERIC_KINDS or dtype.hasobject:
            raise WireError(f"dtype {dtype} is not allowed")
        return dtype

    def decode(self, node, depth=0):
        self.nodes += 1
        if depth > MAX_DEPTH + 1 or self.nodes > MAX_NODES + 1:
            raise WireError("value nested too deeply")
        if node is None or type(node) in (bool, int, str):
            return node
        if type(node) is not dict:
            raise WireError("bad node")
        t = node.get("t")
        if t == "f":
            try:
                return float.fromhex(node["v"])
            except (TypeError, ValueError, KeyError):
                raise WireError("bad float") from None
        if t in ("tuple", "list"):
            values = [self.decode(v, depth + 1) for v in node.get("v", [])]
            return tuple(values) if t == "tuple" else values
        if t == "dict":
            keys = [self.decode(k, depth + 1) for k in node.get("k", [])]
            values = [self.decode(v, depth + 1) for v in node.get("v", [])]
            if len(keys) != len(values):
                raise WireError("dict keys and values differ in number")
            try:
                return dict(zip(keys, values))
            except TypeError:
                raise WireError("unhashable dict key") from None
        if t == "nd":
            dtype = self._dtype(node.get("dtype"))
            shape = node.get("shape")
            if type(shape) is not list or not all(type(s) is int and s >= 0 for s in shape):
                raise WireError("bad shape")
            data = self._blob(node.get("b"))
            count = 1
            for s in shape:
                count *= s
            if count * dtype.itemsize != len(data):
                raise WireError("array data does not match its shape")
            array = np.frombuffer(data, dtype=dtype).reshape(shape).copy()
            if "sub" in node:
                return array.view(_named(np.ndarray, node["sub"]))
            return array
        if t == "np":
            dtype = self._dtype(node.get("dtype"))
            data = self._blob(node.get("b"))
            if len(data) != dtype.itemsize:
                raise WireError("bad scalar")
            return np.frombuffer(data, dtype=dtype)[0]
        if t == "cb":
            if self.make_callback is None:
                raise WireError("unexpected callback")
            name = node.get("name")
            return self.make_callback(node.get("id"), name if type(name) is str else "function")
        if t == "obj":
            return _named(Opaque, node.get("type", "object"))()
        raise WireError(f"unknown node type {t!r}")


def decode(payload, make_callback=None):
    tree, blobs = unpack(payload)
    return Decoder(blobs, make_callback).decode(tree)


# ----------------------------------------------------------------- frames

def frame(payload):
    """A frame: the payload's length (8 bytes, big-endian), then the payload."""
    return struct.pack(">Q", len(payload)) + payload


def write_frame(fd, payload, _write=os.write):
    view = memoryview(frame(payload))
    while view:
        n = _write(fd, view)
        view = view[n:]


def read_exact(fd, n, _read=os.read, deadline=None, start=b""):
    """n bytes from fd (the first ones may already be in `start`). EOFError if the other end
    closes first; with a deadline, TimeoutError once it passes. A deadline is a time.monotonic()
    value, or an object whose left() says how many seconds are left (`cell_time.CellClock`:
    it is asked again when they have gone by)."""
    chunks, got = [start], len(start)
    while got < n:
        while deadline is not None:
            left = deadline - time.monotonic() if isinstance(deadline, (int, float)) else deadline.left()
            if left <= 0:
                raise TimeoutError
            if select.select([fd], [], [], max(left, 0.01))[0]:  # a starved cell near its limit: no busy wait
                break
        chunk = _read(fd, min(n - got, 1 << 20))
        if not chunk:
            raise EOFError("pipe closed")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def read_frame(fd, limit=MAX_FRAME, deadline=None, start=b""):
    """The payload of the next frame on fd (`start`: bytes of it already read)."""
    head = read_exact(fd, 8, deadline=deadline, start=start[:8])
    (n,) = struct.unpack(">Q", head)
    if n > limit:
        raise WireError(f"a message of {n} bytes is over the limit of {limit}")
    return read_exact(fd, n, deadline=deadline, start=start[8:8 + n])


def message(op, **fields):
    """A control message: a dict with an "op"; array fields are encoded as values."""
    return encode({"op": op, **fields})


def read_message(fd, deadline=None, limit=MAX_FRAME, start=b""):
    """The next control message (a dict with a str "op"); raises TimeoutError, EOFError or
    WireError. Callbacks are refused: only the sandbox side decodes them."""
    got = decode(read_frame(fd, limit, deadline, start))
    if type(got) is not dict or type(got.get("op")) is not str:
        raise WireError("a message without an op")
    return got
