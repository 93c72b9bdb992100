"""The pip path and the conda path install the same pinned set, and pyproject.toml's groups
split that set: the learner's dependencies, the instructor's extras."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _pins(lines):
    pins = {}
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        match = re.fullmatch(r"([A-Za-z0-9_.\-]+)==([A-Za-z0-9_.\-]+)", line)
        assert match, f"not an exact pin: {line!r}"
        pins[match.group(1).lower()] = match.group(2)
    return pins


def test_requirements_and_environment_yml_pin_the_same_set():
    pip_pins = _pins((ROOT / "requirements.txt").read_text().splitlines())
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda_pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert _pins(conda_pip) == pip_pins
    assert "python=3.11" in env["dependencies"]


def test_named_dependencies_are_pinned():
    pins = _pins((ROOT / "requirements.txt").read_text().splitlines())
    for name in ["numpy", "jupyterlab", "ipywidgets", "matplotlib", "nbgrader", "nbval", "pytest"]:
        assert name in pins
    assert pins["jupyterlab"].startswith("4.") and pins["ipywidgets"].startswith("8.")
    assert pins["nbgrader"].startswith("0.9.")


def test_constraints_agree_with_requirements():
    pins = _pins((ROOT / "requirements.txt").read_text().splitlines())
    locked = _pins((ROOT / "constraints.txt").read_text().splitlines())
    for name, version in pins.items():
        assert locked.get(name) == version, f"{name}: requirements {version}, constraints {locked.get(name)}"


def test_installed_versions_match_the_pins():
    from importlib.metadata import version
    pins = _pins((ROOT / "requirements.txt").read_text().splitlines())
    for name, pinned in pins.items():
        assert version(name) == pinned, name


def _groups():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    own = project["name"]
    groups = {"learner": project["dependencies"], **project["optional-dependencies"]}
    return {name: ([d for d in deps if not d.startswith(own)], [d for d in deps if d.startswith(own)])
            for name, deps in groups.items()}


def test_pyproject_groups_pin_exactly_the_requirements():
    """Every pin of requirements.txt is in exactly one group, with the same version; the extras
    that name the course itself name only its own groups."""
    pins = _pins((ROOT / "requirements.txt").read_text().splitlines())
    groups = _groups()
    seen = {}
    for name, (deps, own) in groups.items():
        for dep_name, version in _pins(deps).items():
            assert dep_name not in seen, f"{dep_name} in both {seen[dep_name]} and {name}"
            seen[dep_name] = name
            assert pins.get(dep_name) == version, f"{dep_name}: pyproject {version}, requirements {pins.get(dep_name)}"
        for ref in own:
            extras = re.fullmatch(r"[a-z\-]+\[([a-z,]+)\]", ref).group(1).split(",")
            assert set(extras) <= set(groups) - {"learner", name}, ref
    assert set(seen) == set(pins)


def test_a_learner_gets_no_instructor_tool():
    learner = set(_pins(_groups()["learner"][0]))
    assert {"numpy", "matplotlib", "jupyterlab", "ipywidgets", "ipykernel"} <= learner
    assert not learner & {"nbgrader", "nbval", "pytest", "jupyterhub", "distributed", "psycopg2-binary",
                          "playwright", "ruff", "latex2mathml"}
    groups = _groups()
    assert "nbgrader" in _pins(groups["instructor"][0]) and "jupyterhub" in _pins(groups["hub"][0])
    assert "distributed" in _pins(groups["cluster"][0]) and "pytest" in _pins(groups["dev"][0])
    assert groups["all"][1] == ["backprop-course[instructor,hub,cluster,dev]"]
