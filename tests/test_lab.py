"""`make lab` serves JupyterLab with lesson 1 (checked with requests to the running server)."""

import json
from pathlib import Path

import pytest

from support.lab_server import free_port, get, serving

pytestmark = pytest.mark.slow  # starts a JupyterLab server

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "course-test-token"


def _get(url):
    status, body = get(url, TOKEN)
    return status, body.decode()


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    port = free_port()
    args = f"--no-browser --allow-root --ip=127.0.0.1 --IdentityProvider.token={TOKEN}"
    command = ["make", "--no-print-directory", "lab", f"PORT={port}", f"LAB_ARGS={args}"]
    with serving(command, port, TOKEN, tmp_path_factory.mktemp("lab") / "lab.log", cwd=ROOT) as base:
        yield base


def test_lab_serves_lesson_1(lab):
    status, page = _get(f"{lab}/lab/tree/lessons/01_neuron.ipynb")
    assert status == 200 and "JupyterLab" in page
    status, body = _get(f"{lab}/api/contents/lessons/01_neuron.ipynb")
    notebook = json.loads(body)
    assert notebook["type"] == "notebook"
    assert notebook["content"]["cells"][0]["source"].startswith("# Lesson 1: The neuron")


def test_lab_has_the_widget_extension_and_a_python_kernel(lab):
    _, body = _get(f"{lab}/api/kernelspecs")
    assert "python3" in json.loads(body)["kernelspecs"]
    _, body = _get(f"{lab}/lab/api/extensions")
    names = {ext["name"] for ext in json.loads(body)}
    assert "jupyter-widgets-jupyterlab-manager" in names  # ipywidgets renders in the lab
    assert "jupyter-nbgrader" in names
