"""A Jupyter server for tests: started on a free loopback port with a token, ready once its
/api/status answers, stopped with its whole process group."""

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from contextlib import contextmanager

import pytest


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def isolated_env(tmp):
    """The environment for a test's Jupyter server: its own empty config dir (no user settings or
    workspaces in or out, no announcements feed fetched), runtime dir and IPython dir under tmp."""
    config_dir = tmp / "jupyter-config"
    config_dir.mkdir()
    (config_dir / "jupyter_server_config.json").write_text(json.dumps({"LabApp": {"news_url": None}}))
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(config_dir), JUPYTER_RUNTIME_DIR=str(tmp / "runtime"),
               IPYTHONDIR=str(tmp / "ipython"))
    env.pop("JUPYTER_PLATFORM_DIRS", None)
    return env


def get(url, token, timeout=10):
    """(HTTP status, body bytes) of a GET with the server's token."""
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.status, response.read()


@contextmanager
def serving(command, port, token, log_path, wait=60, **popen):
    """Run `command` (a server on `port`), its output in log_path; yield its base URL once it
    answers, fail the test with the log's end if it exits or does not answer within `wait` s."""
    base = f"http://127.0.0.1:{port}"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                                **popen)
        try:
            deadline = time.monotonic() + wait
            while True:
                try:
                    get(f"{base}/api/status", token, timeout=5)
                    break
                except OSError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        pytest.fail(f"the server did not start within {wait} s:\n"
                                    + log_path.read_text(errors="replace")[-3000:])
                    time.sleep(0.3)
            yield base
        finally:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=20)
            except ProcessLookupError:
                pass
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
