"""The hub's two pieces for a class: who may log in (the roster, with generated passwords) and
how their server starts (as their own system user, from the learners' or the instructor's
environment)."""

import json
from pathlib import Path

from jupyterhub.auth import Authenticator
from jupyterhub.spawner import LocalProcessSpawner
from traitlets import Unicode

from autograder.hub import check_password


class RosterAuthenticator(Authenticator):
    """Log in with a roster id (or the instructor's) and its generated password. The hub user is
    the system user: prefix + id."""

    hashes_file = Unicode(help="JSON {login: 'scrypt$salt$hash'}, readable by root only").tag(config=True)
    prefix = Unicode("bp-", help="system user name = prefix + login").tag(config=True)

    def login_of(self, name):
        name = (name or "").strip().lower()
        return name[len(self.prefix):] if self.prefix and name.startswith(self.prefix) else name

    async def authenticate(self, handler, data):
        login = self.login_of(data.get("username"))
        stored = json.loads(Path(self.hashes_file).read_text()).get(login)
        if stored is None or not check_password(data.get("password") or "", stored):
            self.log.warning("failed login for %r", login)
            return None
        return self.prefix + login


class ClassSpawner(LocalProcessSpawner):
    """LocalProcessSpawner (the server runs as the user's own uid) whose jupyterhub-singleuser
    comes from the learners' environment, or from the instructor's for the instructor."""

    learner_bin = Unicode(help="bin/ of the learners' virtual environment").tag(config=True)
    instructor_bin = Unicode(help="bin/ of the instructor's environment").tag(config=True)
    instructor = Unicode(help="the instructor's hub user name").tag(config=True)

    async def start(self):
        where = self.instructor_bin if self.user.name == self.instructor else self.learner_bin
        self.cmd = [str(Path(where) / "jupyterhub-singleuser")]
        self.environment = dict(self.environment, PATH=f"{where}:/usr/local/bin:/usr/bin:/bin")
        return await super().start()
