"""The judge: the wire format, and the hidden checks run against code in a sandbox.

The mutants here are learner code (source text) run in the sandbox process and
judged from outside it, the path `python -m autograder grade` takes; the
catalogue of mistakes itself is covered in-process by test_specs.py.
"""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from autograder import wire
from autograder.grading.outcomes import MISTAKE, Outcome
from autograder.judge import JudgeSession, protected_paths
from autograder.specs import all_specs
from judging import cells_before, graded_by_judge, solution_cells
from support.synthetic import learner_source

ROOT = Path(__file__).resolve().parent.parent


# ------------------------------------------------------------------ wire

def roundtrip(value):
    return wire.decode(wire.encode(value))


@pytest.mark.parametrize("dtype", ["float64", "float32", "int64", "int8", "uint16", "bool", "complex128"])
def test_arrays_cross_with_shape_dtype_and_bits(dtype):
    a = (np.arange(24).reshape(2, 3, 4) % 3).astype(dtype)
    b = roundtrip(a)
    assert type(b) is np.ndarray and b.dtype == a.dtype and b.shape == a.shape
    assert a.tobytes() == b.tobytes()


def test_plain_values_cross_exactly():
    value = {"W1": np.eye(2), 3: (1, 2.5, None, True, "x"), "nested": [np.float64(0.1), np.int64(7)]}
    back = roundtrip(value)
    assert back.keys() == value.keys() and type(back[3]) is tuple and back[3] == value[3]
    assert type(back["nested"][0]) is np.float64 and back["nested"][0] == np.float64(0.1)
    assert type(back["nested"][1]) is np.int64
    x = roundtrip(float("nan"))
    assert x != x and roundtrip(-0.0).hex() == (-0.0).hex() and roundtrip(1e-310) == 1e-310


def test_objects_and_subclasses_arrive_as_stand_ins_that_equal_nothing():
    class AlwaysEqual:
        def __eq__(self, other):
            return True

    class Lying(np.ndarray):
        pass

    back = roundtrip(AlwaysEqual())
    assert isinstance(back, wire.Opaque) and type(back).__name__ == "AlwaysEqual"
    assert not back == back and back != 1
    sub = roundtrip(np.zeros(3).view(Lying))
    assert isinstance(sub, np.ndarray) and type(sub) is not np.ndarray and type(sub).__name__ == "Lying"
    assert isinstance(roundtrip(np.array([object()])), wire.Opaque)
    assert isinstance(roundtrip(lambda: 1), wire.Opaque)


@pytest.mark.parametrize("payload", [
    b"", b"\x00\x00\x00\x05{bad}", wire.pack({"t": "nd", "dtype": "|O", "shape": [1], "b": 0}, [b"12345678"]),
    wire.pack({"t": "nd", "dtype": "<f8", "shape": [3], "b": 0}, [b"\x00" * 16]),
    wire.pack({"t": "nd", "dtype": "<f8", "shape": [-1], "b": 0}, [b""]),
    wire.pack({"t": "cb", "id": 0}, []), wire.pack({"t": "pickle", "v": "cos\nsystem"}, []),
    wire.pack({"t": "nd", "dtype": "<f8", "shape": [1], "b": 5}, [b"\x00" * 8]),
])
def test_malformed_payloads_are_refused(payload):
    with pytest.raises(wire.WireError):
        wire.decode(payload)


# ----------------------------------------------------------- sandboxed judging

def judge(assignment, function, learner_code, timeout=20):
    """Run the assignment's cells with `learner_code` in place of `function`'s cell;
    return the outputs of `function`'s grade cell."""
    return graded_by_judge(assignment, function, {function: learner_code}, timeout)


def verdict(outputs):
    errors = [o for o in outputs if o.output_type == "error"]
    return ("FAIL", errors[0].evalue) if errors else ("PASS", "".join(o.text for o in outputs))


MUTANTS = [
    ("01_neuron", "sigmoid", "def sigmoid(z):\n    return 1 / (1 + np.exp(z))", "sign flip in the exponent"),
    ("09_chain_rule", "sigmoid_backward", "def sigmoid_backward(dA, Z):\n    return dA", "missing sigma'"),
    ("09_chain_rule", "dense_backward",
     "def dense_backward(dZ, X, W):\n    return dZ @ W.T, dZ.T @ X, dZ.sum(axis=0)", "transposed dW"),
    ("09_chain_rule", "dense_backward",
     "def dense_backward(dZ, X, W):\n    return dZ @ W.T, X.T @ dZ, dZ", "bias gradient not summed"),
    ("07_training", "mean_gradient",
     "def mean_gradient(gradients):\n    out = {}\n    for g in gradients:\n        for k, v in g.items():\n"
     "            out[k] = out.get(k, 0) + v\n    return out", "summed instead of averaged"),
    ("04_nudging", "central_difference",
     "def central_difference(f, x, h):\n    return (f(x + h) - f(x)) / h", "forward difference used"),
    ("05_numerical_gradient", "numerical_gradient",
     "def numerical_gradient(loss_fn, params, h):\n    grads = {}\n    for name, p in params.items():\n"
     "        g = np.zeros(p.shape)\n        for index in np.ndindex(p.shape):\n"
     "            p[index] += h\n            plus = loss_fn(params)\n            p[index] -= 2 * h\n"
     "            minus = loss_fn(params)\n            p[index] += h\n"
     "            g[index] = (plus - minus) / (2 * h)\n        grads[name] = g\n    return grads",
     "off-by-one in the nudge restore"),
]


@pytest.mark.parametrize("assignment, function, code, mistake", MUTANTS,
                         ids=[f"{m[1]}-{m[3][:20]}" for m in MUTANTS])
def test_sandboxed_mutants_fail_with_the_mistake_named(assignment, function, code, mistake):
    outcome, message = verdict(judge(assignment, function, code))
    assert outcome == "FAIL" and mistake in message, message


def test_a_named_mistake_becomes_an_outcome_with_its_name():
    """The judge leaves a failed check's matched mistakes as data, for the reports; a pass or a
    failure that matches no catalogued mistake leaves none."""
    codes = {"sigmoid": "def sigmoid(z):\n    return 1 / (1 + np.exp(z))",
             "relu": "def relu(z):\n    return z + 7"}
    session = JudgeSession("01_neuron", timeout=20, protected=protected_paths())
    try:
        for index, source, trusted, grade_id in cells_before("01_neuron", "sigmoid_prime", codes):
            if grade_id is None:
                session.run_cell(index, source, trusted)
        for grade_id in ("test_sigmoid", "test_relu", "test_sigmoid_prime"):
            session.judge(grade_id)
    finally:
        session.close()
    assert session.outcomes == [Outcome(MISTAKE, cell="test_sigmoid", function="sigmoid",
                                        mistake=("sign flip in the exponent",))]


def test_solution_code_passes_in_the_sandbox_including_watched_callbacks():
    cells = {c.metadata["nbgrader"]["grade_id"]: c.source for c in solution_cells("05_numerical_gradient")
             if c.metadata.get("nbgrader", {}).get("solution")}
    outcome, message = verdict(judge("05_numerical_gradient", "numerical_gradient",
                                     learner_source(cells["numerical_gradient"])))
    assert outcome == "PASS" and "passed all" in message and "extra checks" in message


def test_a_function_that_mutates_its_input_is_caught_across_the_process_boundary():
    code = "def relu(z):\n    np.maximum(z, 0.0, out=z)\n    return z.copy()"
    outcome, message = verdict(judge("01_neuron", "relu", code))
    assert outcome == "FAIL" and "changed its input z in place" in message


def test_learner_code_cannot_open_the_reference_or_write_outside_its_folder():
    code = ("def relu(z):\n    try:\n        open(%r).read()\n    except PermissionError as e:\n"
            "        raise ValueError(str(e))\n    return np.maximum(z, 0.0)"
            % str(ROOT / "autograder" / "reference" / "neuron.py"))
    outcome, message = verdict(judge("01_neuron", "relu", code))
    assert outcome == "FAIL" and "not allowed while grading" in message
    code = "def relu(z):\n    open(%r, 'w').write('x')\n    return np.maximum(z, 0.0)" % str(ROOT / "pwned.txt")
    outcome, message = verdict(judge("01_neuron", "relu", code))
    assert outcome == "FAIL" and "not allowed while grading" in message and not (ROOT / "pwned.txt").exists()


LOADED = """
import json, sys
from autograder import sandbox
sandbox.warm_imports()
sandbox._stub_visible_checks()
exec(sys.stdin.read(), {"__name__": "__main__"})
print(json.dumps(sorted(m for m in sys.modules if m.startswith(("autograder.reference",
                                                                "autograder.specs")))))
"""


@pytest.mark.slow  # a sandbox per exercise, running its set-up cells
@pytest.mark.parametrize("assignment", sorted(all_specs()))
def test_the_set_up_cell_loads_no_reference_function(assignment):
    """After the set-up cell (and the warm imports the sandbox makes), no module that defines a
    graded reference function is loaded: learner code has no reference to reach, so the
    sandbox needs no rewriting of references, only course.given's stand-ins."""
    setup = [c.source for c in solution_cells(assignment)
             if c.metadata.get("nbgrader", {}).get("grade_id") == "setup"][0]
    run = subprocess.run([sys.executable, "-c", LOADED], input=setup, capture_output=True,
                         text=True, cwd=ROOT, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    assert json.loads(run.stdout.strip().splitlines()[-1]) == []
