"""A class on JupyterHub, on one machine: `python -m autograder.hub start --roster roster.csv`.

The command (run as root: it creates system users) sets up, in a state folder it owns:

- one system user per roster row (CSV with the header `id,name`), named PREFIX + id (`bp-` by
  default), home under HOMES, holding the lessons of the learner edition; and one instructor
  user with the course folder `~/course` (the instructor edition's solutions/ and exercises/,
  an nbgrader_config.py naming the course and the exchange);
- a generated password per account: `passwords.csv` (root only, mode 600) is the list the
  instructor hands out; the hub checks salted scrypt hashes (`password-hashes.json`, root only);
- nbgrader's exchange (a folder root owns, mode 1777, as nbgrader documents for a shared
  exchange), named in every account's ~/.jupyter/nbgrader_config.py;
- a virtual environment for the learners' servers with the learner edition installed, plus
  nbgrader (its Assignments tab only: Formgrader and Create Assignment are disabled there) and
  jupyterhub (for jupyterhub-singleuser), readable by every class member;
- the instructor's server's environment (the instructor edition: Formgrader, the grading command),
  with its own copy of this repository (refreshed on every start) installed in it: the servers
  never run anything from the clone itself, which may sit where the class's users cannot reach
  (a `mktemp -d` folder, /root). That environment holds the answer key, so its folder is mode
  0750, group INSTRUCTORS_GROUP (the class's instructor is added to it): learners cannot enter;
- configurable-http-proxy from npm, installed under .venv/hub-proxy/ on first use (the hub runs
  it as root: it need not be within the users' reach);

then runs JupyterHub (its proxy, LocalProcessSpawner so each server runs as its user) on
loopback. Everything a later start needs (database, cookie secret, passwords, users) stays in the
state folder, so a restart loses nothing.

Before it creates anything, `start` checks that each folder the servers use (the state folder,
the environments, the exchange, the homes) lies where the class's users can pass, and otherwise
refuses, naming the folder in the way and the option to change (check_reach): a learner never
meets a server that cannot start. None of them may lie inside the checkout.

Before JupyterHub runs, the answer key is locked (every learner has a shell: JupyterLab's
Terminal): the state folder's private entries are made root-only (close_state), and the
checkout, the instructor's environment and course folder are checked for each learner by their
permission bits (exposed): closed to others when the bits for others open them, the start
refused when a learner could read them as owner or group member (lock_answer_key). The
instructor's nbgrader config applies the course's settings wherever nbgrader runs and collects
with the owner check (autograder/hub/collect.py); the learners' submits close each exchange entry
to all but its owner and the instructor's group (PRIVATE_SUBMIT, exchange_folders). Each
account's shells have the class's environment first on PATH (put_on_path). `remove-users`
archives the course folder and the exchange first (archive_class).
"""

import contextlib
import csv
import datetime
import fcntl
import grp
import hashlib
import hmac
import ipaddress
import json
import os
import pwd
import re
import secrets
import shutil
import socket
import stat
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
COURSE_ID = "backprop-by-hand"
PROXY_VERSION = "5.3.0"  # configurable-http-proxy from npm
PROXY_DIR = ROOT / ".venv" / "hub-proxy"
PROXY_BIN = PROXY_DIR / "node_modules" / ".bin" / "configurable-http-proxy"
# What the learners' servers need besides the learner edition's own requirements.
LEARNER_SERVER_PACKAGES = ("nbgrader", "jupyterhub")
ID_PATTERN = re.compile(r"^[a-z][a-z0-9_-]{0,23}$")
# The system group that may read the instructor's environment (and the answer key in it); every
# class's instructor on this machine joins it, so classes may share that environment.
INSTRUCTORS_GROUP = "backprop-instructors"


class HubError(SystemExit):
    """A set-up step that cannot go on: the message says what to do."""


# ------------------------------------------------------------------ roster and passwords

def read_roster(path):
    """[(id, name)] from a CSV with the header id,name; ids are checked for use as user names."""
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows or not {"id", "name"} <= set(rows[0]):
        raise HubError(f"hub: {path} needs a header line 'id,name' and one row per learner")
    roster, seen = [], set()
    for number, row in enumerate(rows, start=2):
        learner = row["id"].strip().lower()
        if not ID_PATTERN.match(learner):
            raise HubError(f"hub: {path} line {number}: id {row['id']!r} must be lower-case letters, "
                           "digits, '-' or '_', starting with a letter, at most 24 characters")
        if learner in seen:
            raise HubError(f"hub: {path} line {number}: id {learner!r} appears twice")
        seen.add(learner)
        roster.append((learner, row["name"].strip()))
    return roster


def hash_password(password, salt=None):
    """'scrypt$salt$hash' (hex) for a password."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1)
    return f"scrypt${salt.hex()}${digest.hex()}"


def check_password(password, stored):
    try:
        kind, salt, _digest = stored.split("$")
    except (AttributeError, ValueError):
        return False
    if kind != "scrypt":
        return False
    return hmac.compare_digest(hash_password(password, bytes.fromhex(salt)), stored)


def _write_private(path, text):
    """Write text to a file only its owner (root) may read or write."""
    path = Path(path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.chmod(path, 0o600)


def ensure_passwords(state, accounts):
    """A generated password for each (login, name, role) account without one yet; returns the
    {login: 'scrypt$..'} hashes the hub checks. passwords.csv keeps the clear text for the
    instructor to hand out (root only)."""
    listing = state / "passwords.csv"
    known = {}
    if listing.exists():
        with open(listing, newline="") as f:
            known = {row["login"]: row for row in csv.DictReader(f)}
    hashes_path = state / "password-hashes.json"
    hashes = json.loads(hashes_path.read_text()) if hashes_path.exists() else {}
    rows = []
    for login, name, role in accounts:
        row = known.get(login) or {"login": login, "name": name, "role": role,
                                   "password": secrets.token_urlsafe(12)}
        if login not in hashes or not check_password(row["password"], hashes[login]):
            hashes[login] = hash_password(row["password"])
        rows.append(row)
    lines = ["login,name,role,password"] + [
        ",".join(_csv_field(row[k]) for k in ("login", "name", "role", "password")) for row in rows]
    _write_private(listing, "\n".join(lines) + "\n")
    _write_private(hashes_path, json.dumps({r["login"]: hashes[r["login"]] for r in rows}, indent=1))
    return rows


def _csv_field(value):
    return '"' + value.replace('"', '""') + '"' if any(c in value for c in ',"\n') else value


# ------------------------------------------------------------------ addresses and ports

def check_address(ip, allow_remote):
    """Refuse anything but a loopback address unless the instructor said --allow-remote."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        raise HubError(f"hub: {ip!r} is not an IP address") from None
    if not address.is_loopback and not allow_remote:
        raise HubError(f"hub: {ip} is not a loopback address: learners elsewhere could reach the hub "
                       "over plain HTTP. Put it behind HTTPS first (docs/classroom.md), then pass "
                       "--allow-remote to listen there.")
    return str(address)


def free_port(ip="127.0.0.1"):
    with socket.socket() as s:
        s.bind((ip, 0))
        return s.getsockname()[1]


# ------------------------------------------------------------------ what the users can reach

def _may_pass(st, user):
    """True when user (a pwd entry; None: any class member, by the bits for others) may search
    the folder whose os.stat is st."""
    if user is None:
        return bool(st.st_mode & stat.S_IXOTH)
    if user.pw_uid == 0:
        return True
    if st.st_uid == user.pw_uid:
        return bool(st.st_mode & stat.S_IXUSR)
    if st.st_gid in os.getgrouplist(user.pw_name, user.pw_gid):
        return bool(st.st_mode & stat.S_IXGRP)
    return bool(st.st_mode & stat.S_IXOTH)


def _bits(st, user):
    """The rwx bits (0-7) that apply to user (a pwd entry) for the file whose os.stat is st:
    the owner's, the group's or the others', the first class that matches (as the kernel checks);
    root: all of them."""
    if user.pw_uid == 0:
        return 7
    if st.st_uid == user.pw_uid:
        return (st.st_mode >> 6) & 7
    if st.st_gid in os.getgrouplist(user.pw_name, user.pw_gid):
        return (st.st_mode >> 3) & 7
    return st.st_mode & 7


def _class_of(st, user):
    if st.st_uid == user.pw_uid:
        return "its owner"
    if st.st_gid in os.getgrouplist(user.pw_name, user.pw_gid):
        try:
            return f"a member of its group {grp.getgrgid(st.st_gid).gr_name}"
        except KeyError:
            return f"a member of its group {st.st_gid}"
    return "anyone (the bits for others)"


def exposed(path, user):
    """Why user (a pwd entry) could read path, or None when it cannot: every folder above path
    lets the user pass, and path itself may be read (a file) or listed or passed (a folder: one
    that may only be passed still gives away every file whose name is known, and the answer key's
    names are in the learner edition)."""
    path = Path(path)
    for folder in reversed(path.parents):
        try:
            st = os.stat(folder)
        except FileNotFoundError:
            return None
        if not _bits(st, user) & 1:
            return None
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    bits = _bits(st, user)
    if not (bits & 5 if stat.S_ISDIR(st.st_mode) else bits & 4):
        return None
    return f"{path} is mode {stat.S_IMODE(st.st_mode):04o}: {user.pw_name} may read it as {_class_of(st, user)}"


def blocked_by(path, user=None, itself=False):
    """(folder, mode) of the first folder on the way to path (path too when itself) that user may
    not pass (None: any class member); None when nothing is in the way. Folders that do not exist
    yet are not in the way: the command makes them, mode 0755."""
    path = Path(path).resolve()
    for folder in [*reversed(path.parents), *([path] if itself else [])]:
        try:
            st = os.stat(folder)
        except FileNotFoundError:
            return None
        if not _may_pass(st, user):
            return folder, stat.S_IMODE(st.st_mode)
    return None


def check_reach(places):
    """Refuse at once when a folder the servers use lies where the class's users cannot pass.
    places: (path, fix, itself) for each; fix says what to do instead ({folder}: the one in the
    way)."""
    for path, fix, itself in places:
        blocked = blocked_by(path, itself=itself)
        if blocked:
            folder, mode = blocked
            where = "it is" if Path(folder) == Path(path).resolve() else f"{folder} is"
            raise HubError(f"hub: {path} is out of the class's users' reach ({where} mode {mode:04o}, "
                           f"closed to them): {fix.format(folder=folder)}")


# ------------------------------------------------------------------ the answer key

def within(path, folder):
    """True when path is folder or lies below it."""
    path, folder = Path(path).resolve(), Path(folder).resolve()
    return path == folder or folder in path.parents


def close_state(state, shared):
    """Every entry of the state folder but the shared ones (the exchange, the learners'
    environment, the instructors' environment with its own group) closed to all but root: the
    hub's database (made empty, mode 0600, before JupyterHub first opens it: SQLite gives its
    journal the database's mode), class.json, users.json, the edition, the locks. Returns
    [(path, old mode, new mode)] for what it changed."""
    state = Path(state)
    database = state / "jupyterhub.sqlite"
    if not database.exists():
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT, 0o600))
    shared = {Path(p).resolve() for p in shared}
    changed = []
    for entry in sorted(state.iterdir()):
        if entry.resolve() in shared or entry.is_symlink():
            continue
        mode = stat.S_IMODE(entry.stat().st_mode)
        if mode & 0o077:
            os.chmod(entry, mode & 0o700)
            changed.append((entry, mode, mode & 0o700))
    return changed


def lock_answer_key(keys, learners):
    """Each of keys (the checkout, the instructors' environment, the course folder, the state
    folder's private entries) out of every learner's reach. One a learner could read through the
    bits for others is closed to others (chmod o-rwx); one a learner could read as its owner or
    as a member of its group stops the command, saying why and what to do. Returns
    [(path, old mode, new mode)] for what it closed."""
    closed = []
    for path in keys:
        for user in learners:
            why = exposed(path, user)
            if why and _class_of(os.stat(path), user).startswith("anyone"):
                mode = stat.S_IMODE(os.stat(path).st_mode)
                os.chmod(path, mode & ~0o007)
                closed.append((Path(path), mode, mode & ~0o007))
                why = exposed(path, user)
            if why:
                raise HubError(f"hub: a learner could read the answer key: {why}. Take {user.pw_name} out of "
                               "that group (gpasswd -d USER GROUP) or give the file to another owner, then "
                               "start again")
    return closed


def say_closed(changes):
    for path, old, new in changes:
        print(f"hub: closed {path} to the class's learners (it holds the answer key or the hub's "
              f"state): mode {old:04o} -> {new:04o}", flush=True)


# ------------------------------------------------------------------ system users

def _run(cmd, **kw):
    result = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if result.returncode:
        raise HubError(f"hub: {' '.join(map(str, cmd))} failed:\n{result.stdout}{result.stderr}")
    return result


def user_exists(name):
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def ensure_user(name, comment, homes, created):
    """The system user name (useradd with its own group and a home under homes), unless it
    exists; created (a list) records the ones this command made, for remove-users."""
    if user_exists(name):
        return pwd.getpwnam(name)
    if os.geteuid() != 0:
        raise HubError("hub: creating the class's system users needs root (useradd); "
                       "see docs/classroom.md for running it elsewhere")
    _run(["useradd", "--create-home", "--home-dir", str(Path(homes) / name), "--user-group",
          "--shell", "/bin/bash", "--comment", comment.replace(":", " ") or name, name])
    created.append(name)
    user = pwd.getpwnam(name)
    os.chmod(user.pw_dir, 0o700)  # nobody reads another's notebooks or feedback
    return user


def archive_class(state):
    """The instructor's course folder (gradebook, grades.csv, feedback, submissions) and the
    exchange, copied to STATE/archive/<UTC time>/ before remove-users deletes the accounts that
    own them: the archive folder is root's, mode 0700, and so is every file in it (their owners'
    accounts are about to go). The exchange is then emptied, and passwords.csv and the hashes
    removed (the accounts they open are gone). Returns the archive's path, or None when the
    state folder names no class."""
    state = Path(state)
    record = state / "class.json"
    if not record.exists():
        return None
    info = json.loads(record.read_text())
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H%M%SZ")
    top = state / "archive"
    top.mkdir(mode=0o700, exist_ok=True)
    os.chown(top, 0, 0)
    os.chmod(top, 0o700)
    archive = top / stamp
    archive.mkdir(mode=0o700)
    for name in ("course", "exchange"):
        source = Path(info.get(name, ""))
        if info.get(name) and source.is_dir():
            shutil.copytree(source, archive / name, symlinks=True)
    for folder, dirs, files in os.walk(archive):
        for name in [*dirs, *files]:
            os.chown(os.path.join(folder, name), 0, 0, follow_symlinks=False)
        os.chmod(folder, 0o700)
    exchange = Path(info.get("exchange", ""))
    if info.get("exchange") and exchange.is_dir():
        for entry in exchange.iterdir():
            shutil.rmtree(entry) if entry.is_dir() and not entry.is_symlink() else entry.unlink()
    for name in ("passwords.csv", "password-hashes.json"):
        (state / name).unlink(missing_ok=True)
    return archive


def remove_users(state):
    """userdel --remove each user this state folder's start created, after archive_class kept the
    course folder and the exchange; returns (their names, the archive's path)."""
    record = state / "users.json"
    if not record.exists():
        return [], None
    names = json.loads(record.read_text()).get("created", [])
    archive = archive_class(state) if any(user_exists(n) for n in names) else None
    gone = []
    for name in names:
        if user_exists(name):
            subprocess.run(["pkill", "-KILL", "-u", name], capture_output=True)
            _run(["userdel", "--remove", name])
            gone.append(name)
    record.write_text(json.dumps({"created": []}))
    return gone, archive


def ensure_group_member(name, group=INSTRUCTORS_GROUP):
    """The system group (groupadd, once) with the user name in it; its gid."""
    try:
        entry = grp.getgrnam(group)
    except KeyError:
        _run(["groupadd", "--system", group])
        entry = grp.getgrnam(group)
    if name not in entry.gr_mem and pwd.getpwnam(name).pw_gid != entry.gr_gid:
        _run(["usermod", "--append", "--groups", group, name])
    return entry.gr_gid


def _chown_tree(path, user):
    for folder, _dirs, files in os.walk(path):
        os.chown(folder, user.pw_uid, user.pw_gid)
        for name in files:
            os.chown(os.path.join(folder, name), user.pw_uid, user.pw_gid, follow_symlinks=False)


def _root_owned_file(path, text, mode=0o644):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    os.chown(path, 0, 0)
    os.chmod(path, mode)


BEGIN = "# >>> python -m autograder.hub start: the class's settings (rewritten by every start; edit outside this block)"
END = "# <<< python -m autograder.hub start"
# The late penalty (nbgrader's LateSubmissionPlugin.penalty_method) `start --late-penalty` chooses.
LATE_PENALTIES = {"zero": "a submission after its due date scores zero",
                  "none": "a submission after its due date is marked late and graded as usual"}
DEFAULT_LATE_PENALTY = "zero"
# How the instructor grades, in the instructor's terminal: what the banner, the docs and the
# refusal of nbgrader's stock Autograde say.
GRADE_COMMAND = "cd ~/course && python -m autograder grade submitted --out ."
# nbgrader's collect, on the hub: an exchange entry is taken only from the account it names.
COLLECT_CLASS = "autograder.hub.collect.OwnerCheckedCollect"


def with_block(text, block, begin=BEGIN, end=END):
    """text with the marked block (begin ... end) replaced by block, or put first when it has none;
    everything outside the markers is kept."""
    if begin in text and end in text.split(begin, 1)[1]:
        before, rest = text.split(begin, 1)
        return before + block + rest.split(end, 1)[1].lstrip("\n")
    return block + (("\n" + text) if text.strip() else "")


def _block(lines):
    return "\n".join([BEGIN, *lines, END]) + "\n"


# A learner's nbgrader submit, as nbgrader's, then the entry closed to other learners: nbgrader
# leaves it readable by all and its folder writable by all (0777), hidden only by its name. The
# exchange's inbound folder (made by exchange_folders) gives each entry the instructor's group,
# so the instructor still reads it (mode 0750/0640); the learners' environment has no autograder
# package, so the class is defined here.
PRIVATE_SUBMIT = [
    "import os  # noqa: E402",
    "import shutil  # noqa: E402",
    "",
    "from nbgrader.exchange.default.submit import ExchangeSubmit  # noqa: E402",
    "",
    "",
    "class PrivateSubmit(ExchangeSubmit):",
    "    def do_copy(self, src, dest, log=None):",
    "        # nbgrader's copy, but a folder's mode is not copied: the entry keeps the setgid bit",
    "        # it gets in the inbound, so timestamp.txt and submission_secret.txt, written next,",
    "        # get the instructor's group too",
    "        real = shutil.copystat",
    "",
    "        def copystat(source, target, *, follow_symlinks=True):",
    "            if not os.path.isdir(target):",
    "                real(source, target, follow_symlinks=follow_symlinks)",
    "",
    "        shutil.copystat = copystat",
    "        try:",
    "            super().do_copy(src, dest, log)",
    "        finally:",
    "            shutil.copystat = real",
    "",
    "    def copy_files(self):",
    "        super().copy_files()",
    "        entry = os.path.join(self.inbound_path, self.assignment_filename)",
    "        for folder, _dirs, files in os.walk(entry, topdown=False):",
    "            for name in files:",
    "                os.chmod(os.path.join(folder, name), 0o640)",
    "            os.chmod(folder, 0o750)",
    "",
    "",
    "c.ExchangeFactory.submit = PrivateSubmit"]


LEARNER_EXERCISES = "exercises"  # the folder of a learner's home that fetched exercises go in


def exchange_folders(exchange, teacher):
    """The course's folders in nbgrader's exchange, made before the instructor's first release
    (nbgrader keeps folders that exist and belong to the one releasing): outbound 0755, inbound
    the instructor's, mode 3733 (learners may add an entry, not list, and, sticky, not rename or
    remove another's; setgid: every entry gets the instructor's group, which PRIVATE_SUBMIT
    leaves as the only one to read it)."""
    course = Path(exchange) / COURSE_ID
    for folder, mode in ((course, 0o755), (course / "outbound", 0o755), (course / "inbound", 0o3733)):
        folder.mkdir(exist_ok=True)
        os.chown(folder, teacher.pw_uid, teacher.pw_gid)
        os.chmod(folder, mode)


def nbgrader_config(exchange, course_root=None):
    """The ~/.jupyter/nbgrader_config.py of an account (root's file: the hub rewrites it on every
    start): the course and the exchange. The instructor's also names the course folder, collects
    with the owner check (autograder/hub/collect.py) and applies the course's settings
    (course_folder.configure) wherever nbgrader runs: the Formgrader of a server started in the
    home folder, as much as a command in ~/course, hides the hidden tests in Generate Feedback and
    refuses stock Autograde, naming the grade command."""
    lines = ["# Written by `python -m autograder.hub start` (rewritten on every start): the class's course and",
             "# exchange." + (" Your own settings go in ~/course/nbgrader_config.py." if course_root else ""),
             "c = get_config()  # noqa: F821",
             f"c.CourseDirectory.course_id = {COURSE_ID!r}",
             f"c.Exchange.root = {str(exchange)!r}",
             "c.Exchange.path_includes_course = False"]
    if not course_root:
        lines += PRIVATE_SUBMIT + [
            "# Fetched exercises go in ~/exercises/, beside ~/lessons/ as in the learner edition: an",
            "# exercise's links to its lessons (../../lessons/...) open.",
            f"c.Exchange.assignment_dir = os.path.join(os.path.expanduser('~'), {LEARNER_EXERCISES!r})"]
    if course_root:
        lines += [f"c.CourseDirectory.root = {str(course_root)!r}",
                  f"c.ExchangeFactory.collect = {COLLECT_CLASS!r}",
                  "from autograder.grading.course_folder import configure  # noqa: E402",
                  f"configure(c, {COURSE_ID!r}, regrade={GRADE_COMMAND!r})"]
    return "\n".join(lines) + "\n"


def course_config_block(late_penalty):
    """The hub's block of the course folder's nbgrader_config.py (the grade command reads the late
    penalty there; its own block and the instructor's lines stay below)."""
    return _block([
        "c = get_config()  # noqa: F821",
        'c.CourseDirectory.source_directory = "solutions"',
        'c.CourseDirectory.release_directory = "exercises"',
        'c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", ".*"]',
        'c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\\nraise NotImplementedError()"}',
        'c.ClearSolutions.text_stub = "YOUR ANSWER HERE"',
        "c.Execute.timeout = 30",
        "# After the due date (`nbgrader db assignment add ID --duedate=...`), chosen with",
        f"# `hub start --late-penalty` (zero: {LATE_PENALTIES['zero']}; none: {LATE_PENALTIES['none']}).",
        f"c.LateSubmissionPlugin.penalty_method = {late_penalty!r}",
        'c.NbGraderAPI.timezone = "UTC"'])


PATH_BEGIN = "# >>> python -m autograder.hub start: the class's software first on PATH (rewritten by every start)"
PATH_END = "# <<< python -m autograder.hub start"
# bash, as a login shell, reads the first of these that exists (after /etc/profile, which resets
# PATH on Debian); ~/.profile is also sh's; ~/.bashrc is read by every other interactive bash.
SHELL_FILES = (".bash_profile", ".bash_login", ".profile", ".bashrc")


def put_on_path(user, bin_dir):
    """bin_dir first on PATH in every shell of user's (a JupyterLab terminal is a login shell):
    a marked block at the top of ~/.profile and ~/.bashrc (made if missing), and of
    ~/.bash_profile or ~/.bash_login when one exists (bash then skips ~/.profile)."""
    home = Path(user.pw_dir)
    line = f'case ":$PATH:" in *":{bin_dir}:"*) ;; *) PATH="{bin_dir}:$PATH"; export PATH ;; esac'
    block = "\n".join([PATH_BEGIN, line, PATH_END]) + "\n"
    for name in SHELL_FILES:
        path = home / name
        if not path.exists() and name in (".bash_profile", ".bash_login"):
            continue
        text = path.read_text() if path.exists() else ""
        wanted = with_block(text, block, PATH_BEGIN, PATH_END)
        if wanted != text:
            path.write_text(wanted)
            os.chown(path, user.pw_uid, user.pw_gid)


def prepare_learner_home(user, edition, exchange, venv):
    home = Path(user.pw_dir)
    lessons = home / "lessons"
    if not lessons.exists():
        shutil.copytree(edition / "lessons", lessons)
        _chown_tree(lessons, user)
    exercises = home / LEARNER_EXERCISES
    if not exercises.exists():
        exercises.mkdir()
        os.chown(exercises, user.pw_uid, user.pw_gid)
    _root_owned_file(home / ".jupyter" / "nbgrader_config.py", nbgrader_config(exchange))
    os.chown(home / ".jupyter", user.pw_uid, user.pw_gid)
    put_on_path(user, Path(venv) / "bin")


def prepare_instructor_home(user, exchange, venv, late_penalty=DEFAULT_LATE_PENALTY):
    """The course folder ~/course (solutions/ and exercises/ copied once; its nbgrader_config.py
    with the hub's block first, the rest kept), ~/.jupyter/nbgrader_config.py, the instructor's
    environment on PATH in every shell."""
    if late_penalty not in LATE_PENALTIES:
        raise HubError(f"hub: --late-penalty is one of {', '.join(LATE_PENALTIES)}, not {late_penalty!r}")
    home = Path(user.pw_dir)
    course = home / "course"
    for name in ("solutions", "exercises"):
        if not (course / name).exists():
            shutil.copytree(ROOT / name, course / name,
                            ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    config = course / "nbgrader_config.py"
    text = config.read_text() if config.exists() else ""
    if text.startswith("# Written by `python -m autograder.hub`"):  # all of it an earlier start's
        from autograder.grading import course_folder
        text = text[text.index(course_folder.BEGIN):] if course_folder.BEGIN in text else ""
    config.write_text(with_block(text, course_config_block(late_penalty)))
    _chown_tree(course, user)
    jupyter = home / ".jupyter"
    jupyter.mkdir(exist_ok=True)
    os.chown(jupyter, user.pw_uid, user.pw_gid)
    _root_owned_file(jupyter / "nbgrader_config.py", nbgrader_config(exchange, course))
    put_on_path(user, Path(venv) / "bin")
    return course


def class_list(roster_csv, prefix):
    """The roster as the LMS path keeps it (autograder.lms.roster's Learner), with the hub's ids:
    id = the system user name (the student id of the exchange, the gradebook and grades.csv), login
    = the roster id unless the CSV gives one (Canvas's SIS Login ID), and the columns email,
    lms_id, sis_id, section the CSV may have. None when it has no email column (`lms export`
    needs one)."""
    from autograder.lms.roster import OPTIONAL, Learner

    with open(roster_csv, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    if not rows or "email" not in rows[0]:
        return None
    learners = []
    for row in rows:
        learner = row["id"].strip().lower()
        if "@" not in (row.get("email") or ""):
            raise HubError(f"hub: {roster_csv}: {learner}'s email {row.get('email')!r} is not an email address")
        extra = {k: (row.get(k) or "").strip() for k in OPTIONAL}
        extra["login"] = extra["login"] or learner
        learners.append(Learner(prefix + learner, row["name"].strip(), row["email"].strip(), **extra))
    return learners


def names_into_gradebook(teacher, course, bin_dir, roster, prefix, learners=None):
    """The roster's names (and emails and LMS numbers, when class_list found them) into the
    course's gradebook (`nbgrader db student import`, as the instructor, in the course folder):
    the Formgrader and nbgrader's exports name each learner (student id: the system user name, as
    the exchange and grades.csv have it). With a class list, COURSE/roster.csv too: `lms export`
    then writes the hub's grades for the LMS with no mapping by hand."""
    from autograder.lms.roster import ROSTER, split_name, write

    by_id = {x.id: x for x in learners or []}
    listing = Path(course) / ".hub-roster.csv"
    with open(listing, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "first_name", "last_name", "email", "lms_user_id"])
        for learner, name in roster:
            first, last = split_name(name or learner)
            known = by_id.get(prefix + learner)
            writer.writerow([prefix + learner, first, last, known.email if known else "",
                             known.lms_id if known else ""])
    if learners:
        write(learners, Path(course) / ROSTER)
        os.chown(Path(course) / ROSTER, teacher.pw_uid, teacher.pw_gid)
    os.chown(listing, teacher.pw_uid, teacher.pw_gid)
    try:
        _run(["runuser", "-u", teacher.pw_name, "--", "env", "-i", f"HOME={teacher.pw_dir}",
              f"USER={teacher.pw_name}", "LANG=C.UTF-8", f"PATH={bin_dir}:/usr/bin:/bin",
              "nbgrader", "db", "student", "import", listing.name], cwd=course)
    finally:
        listing.unlink(missing_ok=True)


# ------------------------------------------------------------------ software

@contextlib.contextmanager
def locked(folder):
    """Hold an exclusive lock beside folder while it is installed into."""
    lock = Path(str(folder).rstrip("/") + ".lock")
    lock.parent.mkdir(parents=True, exist_ok=True)
    with open(lock, "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def ensure_proxy(quiet=True):
    """configurable-http-proxy from npm under .venv/hub-proxy/ (not global); its path."""
    if PROXY_BIN.exists():
        return PROXY_BIN
    npm = shutil.which("npm")
    if not npm:
        raise HubError("hub: npm is missing; install Node.js and npm (Debian: apt-get install nodejs npm)")
    PROXY_DIR.mkdir(parents=True, exist_ok=True)
    _run([npm, "install", "--prefix", str(PROXY_DIR), "--no-audit", "--no-fund",
          *(["--silent"] if quiet else []), f"configurable-http-proxy@{PROXY_VERSION}"])
    return PROXY_BIN


def _pins(names):
    wanted = {n.lower() for n in names}
    pins = []
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        name = line.split("==")[0].strip().lower()
        if name in wanted:
            pins.append(line.strip())
    missing = wanted - {p.split("==")[0].lower() for p in pins}
    if missing:
        raise HubError(f"hub: requirements.txt pins no {', '.join(sorted(missing))}")
    return pins


def _usable_by_all(path):
    """True when every user may run the file at path (each folder above it searchable)."""
    path = Path(os.path.realpath(path))
    return path.exists() and all(os.stat(p).st_mode & 0o001 for p in [path, *path.parents])


def server_python():
    """A Python 3.11 every class member may run (a pyenv under /root is not): the servers'
    environments are made from it."""
    for candidate in (sys.executable, getattr(sys, "_base_executable", ""), "/usr/bin/python3.11",
                      shutil.which("python3.11") or ""):
        if candidate and _usable_by_all(candidate):
            return candidate
    raise HubError("hub: no Python 3.11 that the class's users may run (this one lives where they "
                   "cannot reach); install Debian's python3.11 and python3.11-venv")


def _constraints_for(python, venv, constraints):
    """The constraints file for this interpreter: the project's, less any pin that has no build
    for it (soupsieve 4 needs Python >= 3.11.5, Debian 12 has 3.11.2; pip then chooses that
    package), found by asking pip for each pin alone; kept in the venv, with a note on stderr."""
    text = Path(constraints).read_text()
    key = "# from " + hashlib.sha256(text.encode()).hexdigest()
    local = venv / "constraints-this-python.txt"
    if local.exists() and local.read_text().startswith(key):
        return local
    pins = [line for line in text.splitlines() if "==" in line and not line.lstrip().startswith("#")]
    dropped = []
    for _attempt in range(10):
        result = subprocess.run([str(python), "-m", "pip", "install", "--dry-run", "--no-deps",
                                 "--ignore-installed", "--quiet", *pins], capture_output=True, text=True)
        missing = re.findall(r"No matching distribution found for (\S+?)==", result.stderr)
        if not result.returncode or not missing:
            break
        dropped += missing
        pins = [p for p in pins if p.split("==")[0].strip().lower() != missing[0].lower()]
    if dropped:
        print(f"hub: {', '.join(dropped)}: the pinned version has no build for this Python; pip "
              f"chooses it in {venv}", file=sys.stderr)
    local.write_text("\n".join([key, *pins]) + "\n")
    return local


def _ensure_venv(venv, install_args, then=()):
    """A virtual environment made by server_python() with pip install install_args, done once
    (stamped by the arguments and the files they name); then: commands run once after it."""
    venv = Path(venv)
    key = "\n".join(Path(a).read_text() if str(a).endswith(".txt") else str(a)
                    for a in install_args)
    wanted = hashlib.sha256(key.encode()).hexdigest()[:16]
    stamp = venv / ".hub-installed"
    python = venv / "bin" / "python"
    if not (stamp.exists() and stamp.read_text() == wanted):
        if not python.exists():
            _run([server_python(), "-m", "venv", str(venv)])
            _run([str(python), "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
        args = [str(a) for a in install_args]
        if "-c" in args:
            args[args.index("-c") + 1] = str(_constraints_for(python, venv, args[args.index("-c") + 1]))
        _run([str(python), "-m", "pip", "install", "--quiet", "--no-compile", *args])
        for cmd in then:
            _run(cmd)
        stamp.write_text(wanted)
    return python


def _readable_by_all(venv):
    # No "get notified about Jupyter news?" prompt and no update checks: the class has no internet.
    settings = Path(venv) / "share" / "jupyter" / "lab" / "settings"
    settings.mkdir(parents=True, exist_ok=True)
    (settings / "overrides.json").write_text(json.dumps(
        {"@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False}}))
    for folder, _dirs, files in os.walk(venv):
        os.chmod(folder, os.stat(folder).st_mode | 0o755)
        for name in files:  # whatever the umask was when pip wrote them
            path = os.path.join(folder, name)
            if not os.path.islink(path):
                mode = os.stat(path).st_mode
                os.chmod(path, mode | 0o044 | (0o011 if mode & stat.S_IXUSR else 0))


def ensure_learner_venv(venv, edition):
    """The learners' servers' environment: the edition's requirements, nbgrader and jupyterhub,
    then the edition's course package (re-installed on every start)."""
    venv = Path(venv)
    jupyter = str(venv / "bin" / "jupyter")
    # Learners see the Assignments tab; Formgrader, Create Assignment and Courses are the
    # instructor's (nbgrader's documented way to hide them), locked so a learner cannot turn them on.
    hidden = [f"@jupyter/nbgrader:{p}" for p in ("formgrader", "create-assignment", "course-list")]
    python = _ensure_venv(venv, ["-r", edition / "requirements.txt", "-c", ROOT / "constraints.txt",
                                 *_pins(LEARNER_SERVER_PACKAGES)],
                          then=[[jupyter, "labextension", "disable", "--level=sys_prefix", *hidden],
                                [jupyter, "labextension", "lock", "--level=sys_prefix", *hidden],
                                *([jupyter, "server", "extension", "disable", "--sys-prefix",
                                   f"nbgrader.server_extensions.{ext}"]
                                  for ext in ("formgrader", "course_list"))])
    _run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--force-reinstall", str(edition)])
    _readable_by_all(venv)
    return venv


# Not copied into the instructor's environment: version control, environments, caches, and
# what grading in the repository writes (.gitignore).
_NOT_COPIED_AT_TOP = {".git", ".venv", "test-artifacts", ".ruff_cache", "build", ".nbgrader", "submitted",
                      "autograded", "feedback", "grading", "summary", "grades.csv", "summary.csv",
                      "nbgrader_export.csv"}
_NOT_COPIED = {"__pycache__", ".ipynb_checkpoints", ".pytest_cache"}


def _not_copied(folder, names):
    top = Path(folder).resolve() == ROOT
    return {n for n in names if n in _NOT_COPIED or (top and (
        n in _NOT_COPIED_AT_TOP or n.endswith(".egg-info") or (n.startswith("gradebook") and n.endswith(".db"))))}


def copy_repository(dest):
    """This repository, less what _not_copied names, as dest (replaced whole)."""
    dest = Path(dest)
    fresh, old = dest.with_name(dest.name + ".new"), dest.with_name(dest.name + ".old")
    for leftover in (fresh, old):
        shutil.rmtree(leftover, ignore_errors=True)
    shutil.copytree(ROOT, fresh, ignore=_not_copied, symlinks=True)
    if dest.exists():
        dest.rename(old)
    fresh.rename(dest)
    shutil.rmtree(old, ignore_errors=True)
    return dest


def _instructors_only(venv, gid):
    os.chown(venv, 0, gid)
    os.chmod(venv, 0o750)


def ensure_instructor_venv(venv, gid):
    """The instructor's server's environment: this repository's requirements, and a copy of the
    repository (venv/repo, refreshed on every start) installed editable: the grading command,
    the reference, the specs, found where the instructor can read them wherever the clone is.
    The folder is root's, group gid, mode 0750: the instructor reads it, learners cannot."""
    venv = Path(venv)
    python = _ensure_venv(venv, ["-r", ROOT / "requirements.txt", "-c", ROOT / "constraints.txt"])
    _instructors_only(venv, gid)  # before the answer key goes in
    repo = copy_repository(venv / "repo")
    wanted = f"{repo}\n{hashlib.sha256((repo / 'pyproject.toml').read_bytes()).hexdigest()}"
    stamp = venv / ".hub-repo"
    if not (stamp.exists() and stamp.read_text() == wanted):
        _run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", "-e", str(repo)])
        stamp.write_text(wanted)
    _readable_by_all(venv)
    _instructors_only(venv, gid)
    return venv


def build_edition(out):
    """The learner edition, by its own command (python -m autograder release OUT)."""
    _run([sys.executable, "-m", "autograder", "release", str(out)], cwd=ROOT)
    return Path(out)
