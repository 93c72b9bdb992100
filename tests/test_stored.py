"""course.stored: values round-trip bit for bit; what cannot be stored is refused."""

import json

import numpy as np
import pytest

from autograder import stored as producers
from course import stored


def _roundtrip(value):
    return stored.decode(json.loads(stored.dumps(value)))


def test_arrays_and_numbers_come_back_bit_for_bit():
    rng = np.random.default_rng(0)
    value = {"W": rng.normal(size=(3, 4)), "b": rng.normal(size=4).astype(np.float32),
             "steps": np.arange(5), "flags": np.array([True, False]),
             "odd": np.array([np.nan, np.inf, -np.inf, -0.0, 5e-324, 1.7976931348623157e308]),
             "scalar": np.float64(0.1), "count": np.int64(7), 2: (1, 2.5, float("-inf"))}
    back = _roundtrip(value)
    assert list(back) == list(value)
    for key, was in value.items():
        now = back[key]
        assert type(now) is type(was)
        if isinstance(was, np.ndarray):
            assert now.dtype == was.dtype and now.shape == was.shape
            assert was.tobytes() == now.tobytes()
    assert back[2][2] == float("-inf") and back["scalar"] == np.float64(0.1)


def test_containers_keep_their_kind():
    back = _roundtrip([(1, [2, (3,)]), {"a": None, "b": "text", "c": True}])
    assert back == [(1, [2, (3,)]), {"a": None, "b": "text", "c": True}]
    assert isinstance(back[0], tuple) and isinstance(back[0][1], list)


def test_functions_are_stored_by_name_and_only_from_numpy_or_the_course():
    from course import given
    assert _roundtrip([np.sin, np.maximum, given.sigmoid]) == [np.sin, np.maximum, given.sigmoid]
    with pytest.raises(TypeError, match="only functions and classes of numpy or of the course"):
        stored.dumps(lambda z: z)
    with pytest.raises(TypeError, match="only functions"):
        stored.dumps(json.dumps)
    with pytest.raises(ValueError, match="refusing"):
        stored.decode({"callable": "os:system"})


def test_unknown_objects_are_refused():
    with pytest.raises(TypeError):
        stored.dumps({"x": object()})
    with pytest.raises(TypeError):
        stored.dumps(np.array(["a", "b"]))


def test_every_stored_file_has_a_producer_and_loads():
    produced = set(producers.producers())
    assert set(stored.names()) == produced
    for name in produced:
        stored.load(name)


@pytest.mark.slow  # produces every stored data set again
def test_stored_data_matches_a_fresh_production():
    assert producers.drift() == []


# ------------------------------------------------ drift: judged to a tolerance, not bit for bit

def test_differences_allow_round_off_of_each_arrays_scale_and_no_more():
    old = {"W": np.array([[1.0, -2.0], [0.5, 1e-12]]), "steps": np.arange(3), "name": "run"}
    near = {"W": old["W"] + 1e-10, "steps": np.arange(3), "name": "run"}
    assert producers.differences(old, near, rtol=1e-9) == []
    far = {"W": old["W"] * (1 + 1e-6), "steps": np.arange(3), "name": "run"}
    found = producers.differences(old, far, rtol=1e-9, where="x")
    assert len(found) == 1 and found[0].startswith("x['W'] at [0, 1]")
    assert producers.differences(old, far, rtol=1e-9, slack={"W": np.full((2, 2), 1e-5)}) == []


@pytest.mark.parametrize("fresh, says", [
    ({"W": np.zeros((2, 2)), "n": 3}, "array float64 (2, 2), stored array float64 (2,)"),
    ({"W": np.zeros(2, dtype=np.float32), "n": 3}, "float32"),
    ({"W": np.zeros(2), "n": 4}, "4, stored 3"),
    ({"W": np.zeros(2), "m": 3}, "keys ['W', 'm']"),
    ({"W": np.array([0.0, np.nan]), "n": 3}, "NaN or infinity"),
    ({"W": [0.0, 0.0], "n": 3}, "list"),
])
def test_differences_want_everything_but_float_values_exactly(fresh, says):
    found = producers.differences({"W": np.zeros(2), "n": 3}, fresh)
    assert len(found) == 1 and says in found[0]


def test_drift_reports_a_formula_changed_by_one_part_in_a_million(monkeypatch):
    """The tolerance forgives another processor, not a changed formula: scale the output error
    of the chain rule's last step by 1 + 1e-6 and lesson 5's stored gradient has drifted."""
    from autograder.reference import chain_rule
    assert producers.check("lesson05_toy_gradient") is None
    right = chain_rule.output_delta
    monkeypatch.setattr(chain_rule, "output_delta", lambda A2, Y: right(A2, Y) * (1 + 1e-6))
    reason = producers.check("lesson05_toy_gradient")
    assert reason and reason.startswith("differs from a fresh production beyond its tolerance")
    assert "python -m autograder store" in reason


@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    """course/data/ copied to tmp_path, and course.stored reading from there."""
    import shutil
    copy = tmp_path / "data"
    shutil.copytree(stored.DATA, copy)
    monkeypatch.setattr(stored, "DATA", copy)
    monkeypatch.setattr(stored, "DIGESTS", copy / "SHA256SUMS")
    stored._load_text.cache_clear()
    stored.shipped_digests.cache_clear()
    yield copy
    stored._load_text.cache_clear()
    stored.shipped_digests.cache_clear()


@pytest.mark.parametrize("damage", ["truncated", "edited", "missing"])
def test_a_damaged_stored_file_is_refused_by_name_with_the_fix(data_copy, damage):
    path = data_copy / "visible_04_nudging.json"
    text = path.read_text()
    if damage == "truncated":
        path.write_text(text[: len(text) // 2])
    elif damage == "edited":  # a plausible hand edit: one expected digit changed, still valid JSON
        at = text.index("0.", 200)
        path.write_text(text[:at + 2] + ("1" if text[at + 2] != "1" else "2") + text[at + 3:])
        json.loads(path.read_text())
    else:
        path.unlink()
    with pytest.raises((stored.StoredDataError, FileNotFoundError)) as refused:
        stored.load("visible_04_nudging")
    assert str(path) in str(refused.value) and "python -m autograder store" in str(refused.value)
    reason = producers.check("visible_04_nudging")
    assert reason and "python -m autograder store" in reason
    assert stored.load("visible_03_loss")  # the other files still load


def test_the_digests_file_itself_missing_or_garbled_is_refused(data_copy):
    (data_copy / "SHA256SUMS").write_text("not a digest line\n")
    with pytest.raises(stored.StoredDataError, match="line 1"):
        stored.load("visible_03_loss")
    (data_copy / "SHA256SUMS").unlink()
    stored.shipped_digests.cache_clear()
    with pytest.raises(stored.StoredDataError, match="SHA256SUMS is missing"):
        stored.load("visible_03_loss")
    assert [d.name for d in producers.drift()] == ["SHA256SUMS"]


def test_the_digests_are_those_of_the_files_shipped():
    files = {p.name: p.read_text() for p in stored.DATA.glob("*.json")}
    assert stored.DIGESTS.read_text() == stored.digests_text(files)
