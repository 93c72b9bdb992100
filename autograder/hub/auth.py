"""The hub's two pieces for a class: who may log in (the roster, with generated passwords) and
how their server starts (as their own system user, from the learners' or the instructor's
environment)."""

import json
import pwd
from pathlib import Path

from jupyterhub.auth import Authenticator
from jupyterhub.spawner import LocalProcessSpawner, SpawnException
from traitlets import Unicode, default

from autograder.hub import blocked_by, check_password


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

    @default("env_keep")
    def _env_keep_default(self):
        # Not the hub's PATH, PYTHONPATH or VIRTUAL_ENV: they may name the instructor's clone.
        return ["LANG", "LC_ALL", "JUPYTERHUB_SINGLEUSER_APP"]

    async def start(self):
        where = self.instructor_bin if self.user.name == self.instructor else self.learner_bin
        blocked = blocked_by(where, pwd.getpwnam(self.user.name), itself=True)
        if blocked:  # `hub start` checks this before the class begins; say so plainly if it changed
            raise SpawnException("Your server cannot start: the class's software is out of this "
                                 "account's reach. Please tell your instructor.", reason="unreachable",
                                 status_code=503, log_message=f"{where} is out of {self.user.name}'s reach "
                                 f"({blocked[0]} is mode {blocked[1]:04o})")
        self.cmd = [str(Path(where) / "jupyterhub-singleuser")]
        self.environment = dict(self.environment, PATH=f"{where}:/usr/local/bin:/usr/bin:/bin",
                                VIRTUAL_ENV=str(Path(where).parent))
        return await super().start()
