"""The class hub's safety pieces, each on its own (the whole class, as each learner would attack
it: tests/test_hub.py):

- the answer key out of learners' reach: `exposed` says why a user could read a path (owner,
  group or the bits for others, every folder above it passed), `lock_answer_key` closes what the
  bits for others open and refuses what an owner or a group opens, `close_state` shuts the
  state folder's private entries (the hub's database before JupyterHub makes it);
- the instructor's settings: the course folder's config keeps the instructor's lines and the
  grade command's block around the hub's, the late penalty is the flag's, the class's software is
  first on PATH in login and interactive shells;
- one learner, one owner: nbgrader's collect with the hub's OwnerCheckedCollect takes a
  learner's own entry, never one another account handed in under their name (a forged
  `nbgrader submit --student=`), quarantines and reports it, and the grade command's dry run
  lists it;
- remove-users keeps the course: `archive_class` copies it and the exchange to a root-only
  folder before the accounts go.
"""

import csv
import grp
import json
import os
import pwd
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder import hub, notebooks
from autograder.grading import course_folder
from autograder.hub import collect
from support.scratch_tmp import open_folder
from support.synthetic import correct_notebook

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT, NOTEBOOK = "01_neuron", "01_neuron_exercise.ipynb"


def fake_user(uid, gid, name="bp-nobody-here"):
    """A pwd entry for an account that does not exist (its groups: only its own gid)."""
    return pwd.struct_passwd((name, "x", uid, gid, "", "/", "/bin/sh"))


@pytest.fixture
def open_tmp():
    """A scratch folder every user may pass through, in /tmp (pytest's own lie in a 0700 one)."""
    with open_folder("bp-lock-") as folder:
        yield folder


def checkout(where):
    """A checkout-like folder: solutions/ with the answer key, world-readable as git leaves it."""
    key = where / "repo" / "solutions" / ASSIGNMENT / NOTEBOOK
    key.parent.mkdir(parents=True)
    key.write_text("### BEGIN SOLUTION\n")
    for folder in (where / "repo", where / "repo" / "solutions", key.parent):
        os.chmod(folder, 0o755)
    os.chmod(key, 0o644)
    return where / "repo", key


# ------------------------------------------------------------------ who may read what

def test_exposed_says_through_which_bits_a_user_reads_and_none_when_a_folder_above_is_shut(open_tmp):
    me = pwd.getpwuid(os.getuid())
    repo, key = checkout(open_tmp)
    stranger = fake_user(me.pw_uid + 4242, me.pw_gid + 4242)
    groupmate = fake_user(me.pw_uid + 4242, me.pw_gid)
    owner = fake_user(me.pw_uid, me.pw_gid + 4242)
    if me.pw_uid == 0:  # root reads anything: the owner's case needs another uid
        os.chown(key, 4243, me.pw_gid)
        owner = fake_user(4243, me.pw_gid + 4242)
    assert "anyone" in hub.exposed(key, stranger) and "0644" in hub.exposed(key, stranger)
    assert "its group" in hub.exposed(key, groupmate)
    assert "its owner" in hub.exposed(key, owner)
    os.chmod(repo, 0o750)  # the group and the owner pass, others stop at the checkout
    assert hub.exposed(key, stranger) is None and hub.exposed(repo, stranger) is None
    assert hub.exposed(key, groupmate) is not None
    os.chmod(repo, 0o751)  # others may pass without listing: the names are known, so still open
    assert hub.exposed(repo, stranger) is not None and hub.exposed(key, stranger) is not None
    os.chmod(key, 0o640)
    assert hub.exposed(key, stranger) is None  # a file only its owner and group read
    assert hub.exposed(open_tmp / "not-there", stranger) is None


def test_the_answer_key_is_closed_to_others_and_the_command_says_so(open_tmp):
    me = pwd.getpwuid(os.getuid())
    repo, key = checkout(open_tmp)
    learners = [fake_user(me.pw_uid + 4242, me.pw_gid + 4242), fake_user(me.pw_uid + 4243, me.pw_gid + 4243)]
    closed = hub.lock_answer_key([repo], learners)
    assert closed == [(repo, 0o755, 0o750)]
    assert stat.S_IMODE(repo.stat().st_mode) == 0o750
    assert all(hub.exposed(p, u) is None for p in (repo, key) for u in learners)
    assert hub.lock_answer_key([repo], learners) == []  # nothing more to do on the next start


def test_a_learner_in_the_answer_keys_group_stops_the_command(open_tmp):
    me = pwd.getpwuid(os.getuid())
    repo, key = checkout(open_tmp)
    os.chmod(repo, 0o750)
    in_group = fake_user(me.pw_uid + 4242, me.pw_gid)
    with pytest.raises(SystemExit) as refused:
        hub.lock_answer_key([repo], [in_group])
    assert "could read the answer key" in str(refused.value) and "gpasswd -d" in str(refused.value)
    assert str(repo) in str(refused.value) and stat.S_IMODE(repo.stat().st_mode) == 0o750  # untouched


def test_the_state_folders_private_entries_are_shut_and_the_database_made_private(tmp_path):
    state = tmp_path / "state"
    for name in ("exchange", "learner-venv", "instructor-venv", "edition"):
        (state / name).mkdir(parents=True)
        os.chmod(state / name, 0o755)
    os.chmod(state / "exchange", 0o1777)
    os.chmod(state / "instructor-venv", 0o750)
    for name in ("class.json", "users.json", "jupyterhub.pid"):
        (state / name).write_text("{}")
        os.chmod(state / name, 0o644)
    changed = hub.close_state(state, [state / "exchange", state / "learner-venv", state / "instructor-venv"])
    mode = {p.name: stat.S_IMODE(p.stat().st_mode) for p in state.iterdir()}
    assert mode["jupyterhub.sqlite"] == 0o600 and (state / "jupyterhub.sqlite").stat().st_size == 0
    assert mode["class.json"] == mode["users.json"] == mode["jupyterhub.pid"] == 0o600
    assert mode["edition"] == 0o700
    assert mode["exchange"] == 0o1777 and mode["learner-venv"] == 0o755 and mode["instructor-venv"] == 0o750
    assert sorted(p.name for p, _old, _new in changed) == ["class.json", "edition", "jupyterhub.pid", "users.json"]


def test_a_state_folder_or_environment_inside_the_checkout_is_refused(tmp_path):
    (tmp_path / "roster.csv").write_text("id,name\nann,Ann\n")
    inside = ROOT / "test-artifacts" / "hub-state-inside"
    result = subprocess.run([sys.executable, "-m", "autograder.hub", "start", "--roster", str(tmp_path / "roster.csv"),
                             "--state", str(inside)], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode != 0 and "inside this checkout" in result.stderr and "--state" in result.stderr
    assert not inside.exists()


# ------------------------------------------------------------------ the instructor's settings

def test_the_course_folders_config_keeps_the_instructors_lines_and_takes_the_flags_penalty(tmp_path):
    teacher = pwd.getpwuid(os.getuid())
    home = tmp_path / "home"
    (home / "course").mkdir(parents=True)
    user = pwd.struct_passwd((teacher.pw_name, "x", teacher.pw_uid, teacher.pw_gid, "", str(home), "/bin/bash"))
    old = ('# Written by `python -m autograder.hub`: the class\'s course and exchange.\nc = get_config()\n'
           'c.LateSubmissionPlugin.penalty_method = "zero"\n\n'
           + course_folder.block("backprop-by-hand", regrade="python -m autograder grade submitted --out ."))
    (home / "course" / "nbgrader_config.py").write_text(old)  # what an earlier version wrote
    hub.prepare_instructor_home(user, tmp_path / "exchange", tmp_path / "venv", "none")
    config = home / "course" / "nbgrader_config.py"
    text = config.read_text()
    assert text.startswith(hub.BEGIN) and text.count(course_folder.BEGIN) == 1
    assert "penalty_method = 'none'" in text and "Written by" not in text
    config.write_text(text + 'c.ZipCollectApp.archive_directory = "archive"\n')  # the instructor's own
    hub.prepare_instructor_home(user, tmp_path / "exchange", tmp_path / "venv", "zero")
    text = config.read_text()
    assert text.count(hub.BEGIN) == 1 and "penalty_method = 'zero'" in text and "'none'" not in text
    assert text.endswith('c.ZipCollectApp.archive_directory = "archive"\n')
    assert text.count(course_folder.BEGIN) == 1
    from traitlets.config.loader import PyFileConfigLoader
    cfg = PyFileConfigLoader("nbgrader_config.py", path=str(home / "course")).load_config()
    assert cfg.LateSubmissionPlugin.penalty_method == "zero"
    jupyter = (home / ".jupyter" / "nbgrader_config.py").read_text()
    assert hub.COLLECT_CLASS in jupyter and hub.GRADE_COMMAND in jupyter and "configure(c" in jupyter
    with pytest.raises(SystemExit, match="late-penalty"):
        hub.prepare_instructor_home(user, tmp_path / "exchange", tmp_path / "venv", "half")


def test_the_instructors_config_applies_the_course_settings_wherever_nbgrader_starts(tmp_path):
    """~/.jupyter/nbgrader_config.py as the hub writes it, loaded as nbgrader's Formgrader loads
    it from a server started in the home folder: the course's feedback steps, the owner-checked
    collect, stock Autograde refused with the grade command."""
    from nbgrader.apps import api, autogradeapp
    from traitlets.config.loader import PyFileConfigLoader
    saved = api.NbGraderAPI.autograde, autogradeapp.AutogradeApp.start
    try:
        (tmp_path / "nbgrader_config.py").write_text(hub.nbgrader_config(tmp_path / "exchange", tmp_path / "course"))
        cfg = PyFileConfigLoader("nbgrader_config.py", path=str(tmp_path)).load_config()
        assert "HideHiddenTests" in [p.__name__ for p in cfg.GenerateFeedback.preprocessors]
        assert cfg.ExchangeFactory.collect == hub.COLLECT_CLASS
        answer = api.NbGraderAPI.autograde(type("API", (), {"log": __import__("logging").getLogger()})(),
                                           ASSIGNMENT, "ann")
        assert answer["success"] is False and hub.GRADE_COMMAND in answer["error"]
    finally:
        api.NbGraderAPI.autograde, autogradeapp.AutogradeApp.start = saved


def test_the_class_software_is_first_on_path_in_login_and_interactive_shells(tmp_path):
    me = pwd.getpwuid(os.getuid())
    home = tmp_path / "home"
    home.mkdir()
    (home / ".profile").write_text('# from /etc/skel\nPATH="$HOME/bin:$PATH"\n')
    (home / ".bashrc").write_text("case $- in *i*) ;; *) return;; esac\nalias ll='ls -l'\n")
    user = pwd.struct_passwd((me.pw_name, "x", me.pw_uid, me.pw_gid, "", str(home), "/bin/bash"))
    bin_dir = tmp_path / "venv" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "nbgrader").write_text("#!/bin/sh\necho class-nbgrader\n")
    os.chmod(bin_dir / "nbgrader", 0o755)
    hub.put_on_path(user, bin_dir)
    hub.put_on_path(user, bin_dir)  # every start: the block once
    assert (home / ".profile").read_text().count(hub.PATH_BEGIN) == 1
    assert (home / ".profile").read_text().endswith('PATH="$HOME/bin:$PATH"\n')  # the rest kept
    assert not (home / ".bash_profile").exists()
    env = {"HOME": str(home), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
    # a login shell (Debian's /etc/profile resets PATH first) and an interactive one
    for flags in (["-l", "-c"], ["-i", "-c"]):
        out = subprocess.run(["bash", *flags, "nbgrader"], env=env, capture_output=True, text=True, cwd=home)
        assert out.stdout.strip().endswith("class-nbgrader"), (flags, out.stdout, out.stderr)
    (home / ".bash_profile").write_text("echo mine\n")  # bash now skips ~/.profile: the block goes here too
    hub.put_on_path(user, bin_dir)
    out = subprocess.run(["bash", "-l", "-c", "nbgrader"], env=env, capture_output=True, text=True, cwd=home)
    assert out.stdout.strip().endswith("class-nbgrader"), out.stdout + out.stderr


# ------------------------------------------------------------------ one learner, one owner

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="gives exchange entries to other accounts: run as root")


def _entry(inbound, claimed, owner, when, text):
    """An exchange entry as `nbgrader submit --student=claimed` makes it, run by the account owner."""
    folder = inbound / f"{claimed}+{ASSIGNMENT}+2026-12-07 {when}.000000 UTC+{os.urandom(4).hex()}"
    folder.mkdir()
    nb = correct_notebook(ASSIGNMENT)
    nb.cells[0].source = text
    nbformat.write(nb, folder / NOTEBOOK)
    (folder / "timestamp.txt").write_text(f"2026-12-07 {when}.000000 UTC")
    account = pwd.getpwnam(owner)
    for path in (folder, folder / NOTEBOOK, folder / "timestamp.txt"):
        os.chown(path, account.pw_uid, account.pw_gid)
    return folder


@needs_root
def test_collect_takes_a_learners_own_work_and_quarantines_work_handed_in_in_their_name(tmp_path):
    """'nobody' and 'daemon' stand for two learners (accounts every Debian machine has): daemon
    submits as nobody (newer than nobody's own entry) and as 'bin', who handed in nothing."""
    exchange, course = tmp_path / "exchange", tmp_path / "course"
    inbound = exchange / "backprop-by-hand" / "inbound"
    inbound.mkdir(parents=True)
    _entry(inbound, "nobody", "nobody", "10:00:00", "nobody's own work")
    forged = _entry(inbound, "nobody", "daemon", "11:00:00", "daemon's blank, in nobody's name")
    _entry(inbound, "bin", "daemon", "11:30:00", "daemon's, in bin's name")
    course.mkdir()
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\nc.CourseDirectory.course_id = 'backprop-by-hand'\n"
        f"c.Exchange.root = {str(exchange)!r}\nc.Exchange.path_includes_course = False\n"
        f"c.ExchangeFactory.collect = {hub.COLLECT_CLASS!r}\n")
    run = subprocess.run([str(Path(sys.executable).parent / "nbgrader"), "collect", ASSIGNMENT], cwd=course,
                         capture_output=True, text=True, env=notebooks.nbgrader_env(), timeout=300)
    said = run.stdout + run.stderr
    assert run.returncode == 0, said
    got = nbformat.read(course / "submitted" / "nobody" / ASSIGNMENT / NOTEBOOK, as_version=4)
    assert got.cells[0].source == "nobody's own work"  # not the newer forged one
    assert not (course / "submitted" / "bin").exists()
    assert f"not collected: {forged.name} names nobody but the account daemon handed it in" in said
    found = collect.quarantined(course)
    assert sorted((c, a, o) for c, a, o, _ in found) == [("bin", ASSIGNMENT, "daemon"),
                                                         ("nobody", ASSIGNMENT, "daemon")]
    assert all((folder / NOTEBOOK).exists() for *_, folder in found)

    dry = subprocess.run([sys.executable, "-m", "autograder", "grade", str(course / "submitted"), "--dry-run"],
                         cwd=ROOT, capture_output=True, text=True, env=notebooks.nbgrader_env(), timeout=300)
    assert dry.returncode == 0, dry.stderr
    for claimed in ("nobody", "bin"):
        assert f"{claimed}/{ASSIGNMENT}" in dry.stdout
    lines = [line for line in dry.stdout.splitlines() if "handed in by the account daemon" in line]
    assert len(lines) == 2 and all("not graded" in line and "quarantined" in line for line in lines), dry.stdout


# ------------------------------------------------------------------ nothing lost on clean-up

@needs_root
def test_the_archive_keeps_the_course_and_the_exchange_root_only(tmp_path):
    state, course, exchange = tmp_path / "state", tmp_path / "home" / "course", tmp_path / "state" / "exchange"
    (course / "feedback").mkdir(parents=True)
    (course / "grades.csv").write_text("student,assignment,score\nbp-ann,01_neuron,12\n")
    (exchange / "backprop-by-hand" / "inbound" / "bp-ann+01_neuron+t+r").mkdir(parents=True)
    os.chown(course / "grades.csv", 4242, 4242)  # an account about to be deleted
    (state / "class.json").write_text(json.dumps({"course": str(course), "exchange": str(exchange)}))
    for name in ("passwords.csv", "password-hashes.json"):
        (state / name).write_text("secret")
    archive = hub.archive_class(state)
    assert archive.parent == state / "archive" and stat.S_IMODE((state / "archive").stat().st_mode) == 0o700
    with open(archive / "course" / "grades.csv", newline="") as f:
        assert list(csv.DictReader(f))[0]["score"] == "12"
    assert (archive / "exchange" / "backprop-by-hand" / "inbound" / "bp-ann+01_neuron+t+r").is_dir()
    assert all(p.stat().st_uid == 0 for p in archive.rglob("*"))
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o700 for p in archive.rglob("*") if p.is_dir())
    assert list(exchange.iterdir()) == []  # emptied: its files' owners are gone
    assert not (state / "passwords.csv").exists() and not (state / "password-hashes.json").exists()


@needs_root
def test_the_exchanges_inbound_is_the_instructors_sticky_and_setgid(tmp_path):
    teacher = pwd.getpwnam("nobody")
    hub.exchange_folders(tmp_path, teacher)
    hub.exchange_folders(tmp_path, teacher)  # every start
    course = tmp_path / "backprop-by-hand"
    for folder, mode in ((course, 0o755), (course / "outbound", 0o755), (course / "inbound", 0o3733)):
        st = folder.stat()
        assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (teacher.pw_uid, teacher.pw_gid, mode), folder


@needs_root
def test_a_submission_keeps_the_inbounds_group_for_the_files_written_after_the_copy(tmp_path):
    """PrivateSubmit's copy into a setgid inbound (group: 'nogroup', standing for the
    instructor's): the entry keeps the setgid bit, so a file written in it afterwards (nbgrader
    writes timestamp.txt and submission_secret.txt then) has that group too."""
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config

    cfg = Config()
    exec(compile(hub.nbgrader_config(tmp_path / "exchange"), "nbgrader_config.py", "exec"), {"get_config": lambda: cfg})
    group = grp.getgrnam("nogroup").gr_gid
    inbound = tmp_path / "inbound"
    inbound.mkdir()
    os.chown(inbound, 0, group)
    os.chmod(inbound, 0o2733)
    source = tmp_path / "01_neuron"
    source.mkdir()
    (source / NOTEBOOK).write_text("{}")
    submit = cfg.ExchangeFactory.submit(coursedir=CourseDirectory(), authenticator=Authenticator())
    submit.do_copy(str(source), str(inbound / "entry"))
    (inbound / "entry" / "timestamp.txt").write_text("later")
    assert (inbound / "entry").stat().st_mode & stat.S_ISGID
    assert {p.stat().st_gid for p in [inbound / "entry", *(inbound / "entry").iterdir()]} == {group}
    assert shutil.copystat.__module__ == "shutil"  # put back


def test_a_learners_submission_is_closed_to_other_learners(tmp_path):
    """The learners' config's PrivateSubmit, run on an entry as nbgrader's submit leaves it
    (folder 0777, files 0644): the folder 0750, its files 0640."""
    from traitlets.config import Config

    cfg = Config()
    exec(compile(hub.nbgrader_config(tmp_path / "exchange"), "nbgrader_config.py", "exec"), {"get_config": lambda: cfg})
    private = cfg.ExchangeFactory.submit
    entry = tmp_path / "inbound" / "bp-ann+01_neuron+t+r"
    entry.mkdir(parents=True)
    for name in (NOTEBOOK, "submission_secret.txt"):
        (entry / name).write_text("x")
        os.chmod(entry / name, 0o644)
    os.chmod(entry, 0o777)
    submit = private.__new__(private)
    submit.inbound_path, submit.assignment_filename = str(tmp_path / "inbound"), entry.name
    base = private.__mro__[1]
    saved = base.copy_files
    base.copy_files = lambda self: None  # nbgrader's own copying: done above
    try:
        submit.copy_files()
    finally:
        base.copy_files = saved
    assert stat.S_IMODE(entry.stat().st_mode) == 0o750
    assert {stat.S_IMODE(p.stat().st_mode) for p in entry.iterdir()} == {0o640}


# ------------------------------------------------------------------ one learner id

def test_a_roster_with_emails_becomes_the_course_roster_under_the_hubs_ids(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name,email,lms_id\nAnn,Ann Lee,ann@example.org,4711\nben,Ben Ng,ben@example.org,\n")
    learners = hub.class_list(roster, "bp-")
    assert [(x.id, x.name, x.email, x.lms_id, x.login) for x in learners] == [
        ("bp-ann", "Ann Lee", "ann@example.org", "4711", "ann"), ("bp-ben", "Ben Ng", "ben@example.org", "", "ben")]
    roster.write_text("id,name\nann,Ann Lee\n")
    assert hub.class_list(roster, "bp-") is None  # no emails: no course roster, the names still go in
    roster.write_text("id,name,email\nann,Ann Lee,not-an-address\n")
    with pytest.raises(SystemExit, match="not an email address"):
        hub.class_list(roster, "bp-")
