"""The pip path and the conda path install the same pinned set."""

import re
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
