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
