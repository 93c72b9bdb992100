"""JupyterHub's configuration for a class; `python -m autograder.hub start` runs
`jupyterhub -f` this file with BACKPROP_HUB_STATE naming the state folder, whose class.json
holds what the command set up (addresses, users, environments)."""

import json
import os
import secrets
from pathlib import Path

c = get_config()  # noqa: F821 (provided by traitlets when jupyterhub loads this file)

STATE = Path(os.environ["BACKPROP_HUB_STATE"])
CLASS = json.loads((STATE / "class.json").read_text())

c.JupyterHub.bind_url = f"http://{CLASS['ip']}:{CLASS['port']}"
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{CLASS['hub_port']}"
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(STATE / "jupyterhub.pid")
c.JupyterHub.template_vars = {
    "announcement_login": "Log in with your id from the class list and the password your "
                          "instructor gave you."}

c.ConfigurableHTTPProxy.command = [CLASS["proxy"]]
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{CLASS['proxy_api_port']}"
c.ConfigurableHTTPProxy.auth_token = secrets.token_hex(32)  # new on every start, with the proxy
c.ConfigurableHTTPProxy.pid_file = str(STATE / "proxy.pid")

c.JupyterHub.authenticator_class = "autograder.hub.auth.RosterAuthenticator"
c.RosterAuthenticator.hashes_file = str(STATE / "password-hashes.json")
c.RosterAuthenticator.prefix = CLASS["prefix"]
c.Authenticator.allowed_users = set(CLASS["learners"]) | {CLASS["instructor"]}
c.Authenticator.admin_users = {CLASS["instructor"]}

c.JupyterHub.spawner_class = "autograder.hub.auth.ClassSpawner"
c.ClassSpawner.learner_bin = CLASS["learner_bin"]
c.ClassSpawner.instructor_bin = CLASS["instructor_bin"]
c.ClassSpawner.instructor = CLASS["instructor"]
c.Spawner.default_url = "/lab"
c.Spawner.args = ["--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
