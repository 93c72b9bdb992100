"""`make lab` serves JupyterLab with lesson 1 (checked with requests to the running server)."""

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # starts a JupyterLab server

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "course-test-token"


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url):
    request = urllib.request.Request(url, headers={"Authorization": f"token {TOKEN}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.read().decode()


@pytest.fixture(scope="module")
def lab():
    port = _free_port()
    args = f"--no-browser --allow-root --ip=127.0.0.1 --IdentityProvider.token={TOKEN}"
    proc = subprocess.Popen(["make", "--no-print-directory", "lab", f"PORT={port}", f"LAB_ARGS={args}"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                _get(f"{base}/api/status")
                break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail(f"make lab exited: {proc.stdout.read().decode()[-2000:]}")
                time.sleep(0.5)
        else:
            pytest.fail("JupyterLab did not answer within 60 s")
        yield base
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


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
