"""A class on JupyterHub, end to end: `python -m autograder.hub start` on loopback with a roster
of four learners, real JupyterHub, its configurable-http-proxy and LocalProcessSpawner (each
server runs as its learner's system user), nbgrader's exchange.

The round trip: the instructor releases exercise 1; alice fetches it from the Assignments tab in
Chromium (screenshots in test-artifacts/hub/), bob, carol and dave through the hub's REST API and
their own servers; alice submits a mistake and then a correct notebook (the later one is graded),
bob the sigmoid with a sign flip, carol the notebook untouched; the hub is stopped and started
again (the submissions and logins survive); dave submits after the deadline, which the instructor
sets afterwards (his regraded score is zero, nbgrader's "zero" late penalty). The instructor
collects, grades with `python -m autograder grade`, releases the feedback that command wrote;
each learner fetches their own feedback and reads their score and named mistake there, and cannot
reach anyone else's.

The hub runs from a copy of this working tree inside a folder only root may enter (mode 0700, as
`mktemp -d` makes it): the class's servers must run nothing from the clone itself.

Needs root (useradd), Node/npm or an installed proxy, a Python 3.11 every user may run. Users are
named bp-XXXX-*, homes and state live in a temporary folder, and all of it is removed at the end. The
learners' and instructor's environments are cached in /var/cache/backprop-hub-tests/
(BACKPROP_HUB_TEST_CACHE; outside the clone, where the class's users can reach them; the first run
builds them: about two minutes each).
"""

import csv
import datetime
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import pytest

requests = pytest.importorskip("requests")
pytest.importorskip("jupyterhub")

from autograder import hub  # noqa: E402 (after the skips above)
from support.browser import launch  # noqa: E402 (after the skips above)
from support.grading import hidden_in  # noqa: E402 (after the skips above)
from support.scratch_tmp import open_folder  # noqa: E402 (after the skips above)
from tests.hub_client import HubError, Member  # noqa: E402 (after the skips above)

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = Path(os.environ.get("E2E_ARTIFACTS", ROOT / "test-artifacts")) / "hub"
CACHE = Path(os.environ.get("BACKPROP_HUB_TEST_CACHE", "/var/cache/backprop-hub-tests"))
ASSIGNMENT = "01_neuron"
NOTEBOOK = f"{ASSIGNMENT}_exercise.ipynb"
FETCHED = f"exercises/{ASSIGNMENT}"  # where a learner's fetched exercise lands, from their home
PREFIX = f"bp-{secrets.token_hex(2)}-"  # this run's users: bp-1a2b-alice, ... (runs may overlap)
LEARNERS = {"alice": "Alice Ada", "bob": "Bob Babbage", "carol": "Carol Cray", "dave": "Dave Dijkstra"}
INSTRUCTOR = "teach"
WRONG_SIGMOID = "import numpy as np\n\ndef sigmoid(z):\n    return 1.0 / (1.0 + np.exp(z))\n"


def _why_not():
    if os.geteuid() != 0:
        return "creates system users: run as root"
    if not shutil.which("useradd"):
        return "no useradd"
    if not hub.PROXY_BIN.exists() and not shutil.which("npm"):
        return "no configurable-http-proxy and no npm to install it"
    try:
        hub.server_python()
    except SystemExit as e:
        return str(e)
    return None


def _skip_unless_runnable():
    why = _why_not()
    if why:
        if os.environ.get("BACKPROP_REQUIRE_HUB"):  # CI (.ci/run) installs what the hub needs
            pytest.fail(f"the hub test cannot run: {why}")
        pytest.skip(why)


def _as(user, *cmd, cwd=None, check=True):
    """Run cmd as the system user (its groups too), with a clean environment: the instructor's
    environment first on PATH for the instructor, the learners' for a learner."""
    home = f"{STATE['homes']}/{user}"
    where = STATE["instructor_bin"] if user == f"{PREFIX}{INSTRUCTOR}" else str(CACHE / "learner-venv" / "bin")
    env = ["env", "-i", f"HOME={home}", f"USER={user}", "LANG=C.UTF-8", f"PATH={where}:/usr/bin:/bin"]
    result = subprocess.run(["runuser", "-u", user, "--", *env, *cmd], cwd=cwd or home,
                            capture_output=True, text=True, timeout=600)
    if check and result.returncode:
        raise AssertionError(f"{' '.join(cmd)} as {user} failed:\n{result.stdout}\n{result.stderr}")
    return result


STATE = {}


def _private_clone():
    """This working tree (tracked files and new ones not ignored, as they are now) copied into a
    fresh folder made like `mktemp -d` (mode 0700, root's): where an instructor may well clone it.
    No .venv is copied, as with git clone; the proxy already installed is linked in."""
    private = Path(tempfile.mkdtemp(prefix="bp-clone-"))
    assert stat.S_IMODE(private.stat().st_mode) == 0o700
    clone = private / "repo"
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, capture_output=True, text=True)
    if listed.returncode:
        shutil.copytree(ROOT, clone, ignore=shutil.ignore_patterns(".git", ".venv", "test-artifacts"))
    else:
        for name in filter(None, listed.stdout.split("\0")):
            if (ROOT / name).is_file():
                (clone / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(ROOT / name, clone / name)
    with hub.locked(hub.PROXY_DIR):
        proxy = hub.ensure_proxy()
    (clone / ".venv").mkdir()
    (clone / ".venv" / "hub-proxy").symlink_to(proxy.parents[2])
    return private, clone


def _start_hub(tmp, log_name):
    log = open(tmp / log_name, "w")
    STATE["log"] = tmp / log_name
    cmd = [sys.executable, "-m", "autograder.hub", "start", "--roster", str(tmp / "roster.csv"),
           "--state", str(tmp / "state"), "--homes", str(tmp / "homes"), "--instructor", INSTRUCTOR,
           "--prefix", PREFIX, "--port", str(STATE["port"]), "--edition", str(tmp / "edition"),
           "--learner-venv", str(CACHE / "learner-venv"), "--instructor-venv", str(CACHE / "instructor-venv")]
    clone = STATE["clone"]  # the hub's code, and the repository it sets up, are the clone's
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(clone), os.environ.get("PYTHONPATH")])))
    process = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, cwd=clone,
                               env=env)
    STATE["process"] = process  # stopped at teardown even if it never answers
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the hub stopped:\n{(tmp / log_name).read_text()[-3000:]}")
        try:
            if requests.get(f"{STATE['url']}/hub/api", timeout=2).status_code == 200:
                return process
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise AssertionError(f"the hub did not answer:\n{(tmp / log_name).read_text()[-3000:]}")


def _stop_hub(process):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)  # the command exec'd jupyterhub: it stops proxy and servers
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(process.pid, signal.SIGKILL)  # anything of its session left (pip, the proxy)
    except ProcessLookupError:
        pass
    process.wait(10)


@pytest.fixture(scope="module")
def classroom():
    from autograder import release
    _skip_unless_runnable()
    tmp = Path(tempfile.mkdtemp(prefix="bp-hub-", dir="/tmp"))
    os.chmod(tmp, 0o755)  # the users' homes live below
    CACHE.mkdir(mode=0o755, parents=True, exist_ok=True)
    private, clone = _private_clone()
    STATE.update(tmp=tmp, homes=str(tmp / "homes"), port=hub.free_port(), clone=clone,
                 instructor_bin=str(CACHE / "instructor-venv" / "bin"))
    STATE["url"] = f"http://127.0.0.1:{STATE['port']}"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (tmp / "roster.csv").write_text("id,name,email\n" + "".join(f"{i},{n},{i}@example.org\n"
                                                                for i, n in LEARNERS.items()))
    release.build(tmp / "edition", check_drift=False)
    try:
        _start_hub(tmp, "hub.log")
        with open(tmp / "state" / "passwords.csv", newline="") as f:
            STATE["passwords"] = {row["login"]: row["password"] for row in csv.DictReader(f)}
        yield STATE
    finally:
        if STATE.get("process"):
            _stop_hub(STATE["process"])
        subprocess.run([sys.executable, "-m", "autograder.hub", "remove-users", "--state", str(tmp / "state")],
                       cwd=ROOT, capture_output=True)
        for log in tmp.glob("*.log"):  # hub.log, hub-restarted.log
            shutil.copy(log, ARTIFACTS / log.name)
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(private, ignore_errors=True)


DOCS = ROOT / "docs" / "classroom.md"


def _documented_steps():
    """The instructor's commands in docs/classroom.md's "A class, step by step" (its first bash
    block), comments left out: [command]."""
    text = DOCS.read_text().split("### A class, step by step", 1)[1]
    block = text.split("```bash\n", 1)[1].split("```", 1)[0]
    return [line.split("  #", 1)[0].strip() for line in block.splitlines() if line.strip()
            and not line.lstrip().startswith("#")]


def _in_terminal(m, commands):
    """commands run in a JupyterLab terminal of m's server, each asserted to succeed; the output."""
    results = m.terminal(commands)
    assert len(results) == len(commands) and not results[-1][0], \
        f"{m.name}'s terminal: {commands[len(results) - 1]!r} failed:\n{results[-1][1][-3000:]}"
    return "".join(out for _status, out in results)


def _attempts(classroom, learner, classmate):
    """What a learner could try from their terminal to reach the answer key, the grades, the
    hub's own files and a classmate's work: [(what, command)]. Every path exists (checked as
    root), so a refusal is a refusal, not a missing file."""
    state, clone = classroom["tmp"] / "state", classroom["clone"]
    venv, course = CACHE / "instructor-venv", Path(classroom["homes"]) / f"{PREFIX}{INSTRUCTOR}" / "course"
    inbound = state / "exchange" / "backprop-by-hand" / "inbound"
    theirs = sorted(p for p in inbound.iterdir() if p.stat().st_uid == pwd.getpwnam(classmate).pw_uid)[-1]
    key = f"solutions/{ASSIGNMENT}/{NOTEBOOK}"
    reads = {
        "the checkout": clone, "the checkout's solutions": clone / key,
        "the checkout's reference": clone / "autograder" / "reference" / "neuron.py",
        "the instructor's environment": venv, "its copy of the solutions": venv / "repo" / key,
        "its copy of the reference": venv / "repo" / "autograder" / "reference" / "neuron.py",
        "the course folder's solutions": course / key, "the gradebook": course / "gradebook.db",
        "grades.csv": course / "grades.csv", "the hub's database": state / "jupyterhub.sqlite",
        "the passwords": state / "passwords.csv", "the password hashes": state / "password-hashes.json",
        "the hub's cookie secret": state / "jupyterhub_cookie_secret", "class.json": state / "class.json",
        "the state folder": state, "a classmate's home": Path(classroom["homes"]) / classmate,
        "a classmate's notebook": Path(classroom["homes"]) / classmate / FETCHED / NOTEBOOK,
        "the exchange's inbound": inbound, "the exchange's feedback": inbound.parent / "feedback",
        "a classmate's submission, by its name": theirs / NOTEBOOK,
        "a classmate's submission secret, by its name": theirs / "submission_secret.txt"}
    for what, path in reads.items():
        assert path.exists(), f"{what}: {path} is not there to try"
    attempts = [(what, ["ls", "-A", str(path)] if path.is_dir() else ["cat", str(path)])
                for what, path in reads.items()]
    attempts += [
        ("the reference through the instructor's Python",
         [str(venv / "bin" / "python"), "-c", "import autograder.reference.neuron"]),
        ("the reference through the learners' Python, the instructor's copy on sys.path",
         [str(CACHE / "learner-venv" / "bin" / "python"), "-c",
          f"import sys; sys.path.insert(0, {str(venv / 'repo')!r}); import autograder.reference.neuron"]),
        ("a classmate's submission, renamed away", ["mv", str(theirs), f"{theirs}.gone"]),
        ("a classmate's submission, a file put in it", ["touch", str(theirs / "extra.ipynb")])]
    return attempts


def member(login):
    return Member(STATE["url"], login, STATE["passwords"][login], prefix=PREFIX)


def _started(m):
    """m's server, ready; when it is not, the failure carries the end of the hub's log."""
    try:
        return m.start_server()
    except HubError as e:
        raise HubError(f"{e}\nthe hub's log ends:\n{STATE['log'].read_text()[-6000:]}") from None


def _joined(login):
    m = member(login)
    assert m.log_in(), f"{login} could not log in with the generated password"
    m.get_token()
    _started(m)
    return m


def _solution_sources():
    """grade_id -> the instructor's solution cell, markers removed (a learner's right answer)."""
    nb = nbformat.read(ROOT / "solutions" / ASSIGNMENT / NOTEBOOK, as_version=4)
    return {c.metadata["nbgrader"]["grade_id"]: "\n".join(
        line for line in c.source.splitlines() if "SOLUTION" not in line)
        for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")}


def _answered(learner, mistakes=()):
    """The learner's fetched notebook with every solution cell answered, except the mistakes."""
    reply = learner.read(f"{FETCHED}/{NOTEBOOK}")
    assert reply.status_code == 200, f"{learner.name} has no fetched notebook: {reply.status_code}"
    nb = reply.json()["content"]
    answers = _solution_sources()
    for cell in nb["cells"]:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell["source"] = WRONG_SIGMOID if grade_id in mistakes else answers[grade_id]
    return nb


def _feedback(learner):
    """The feedback HTML files the learner fetched, {timestamp folder: text}."""
    listing = learner.read(f"{FETCHED}/feedback")
    assert listing.status_code == 200, f"{learner.name}: no feedback folder ({listing.status_code})"
    found = {}
    for entry in listing.json()["content"]:
        page = learner.read(f"{entry['path']}/{ASSIGNMENT}_exercise.html", content_format="text")
        if page.status_code == 200:
            found[entry["name"]] = page.json()["content"]
    return found


def _browser_log_in(browser, login):
    from playwright.sync_api import expect
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.goto(f"{STATE['url']}/hub/login")
    page.fill("#username_input", login)
    page.fill("#password_input", STATE["passwords"][login])
    page.click("#login_submit")
    expect(page.locator("#jp-main-dock-panel")).to_be_visible(timeout=150_000)  # JupyterLab is up
    return context, page


def _formgrader_buttons(classroom, student, course):
    """The instructor, in Chromium, on the hub's Formgrader: Autograde on student's submission is
    refused with the grade command (the autograded copy untouched); Generate Feedback writes a
    page through the course's steps (no hidden test in it)."""
    from playwright.sync_api import expect, sync_playwright
    autograded = Path(course) / "autograded" / student / ASSIGNMENT / NOTEBOOK
    kept = autograded.read_bytes()
    page_file = Path(course) / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}_exercise.html"
    page_file.unlink()  # the grade command's: Generate Feedback must write its own
    with sync_playwright() as p:
        browser = launch(p)
        try:
            context, page = _browser_log_in(browser, INSTRUCTOR)
            page.goto(f"{classroom['url']}/user/{PREFIX}{INSTRUCTOR}/formgrader/manage_submissions/{ASSIGNMENT}")
            row = page.locator("#main-table tr", has_text=student)
            expect(row).to_contain_text("Babbage, Bob", timeout=60_000)  # the roster's name
            row.locator("td.autograde a").click()
            refusal = page.locator("#error-modal")
            expect(refusal).to_contain_text(hub.GRADE_COMMAND, timeout=120_000)
            expect(refusal).to_have_class(re.compile(r"\b(in|show)\b"))  # faded in: for the screenshot
            page.screenshot(path=str(ARTIFACTS / "formgrader-autograde-refused.png"))
            refusal.locator("button.close").first.click()
            expect(refusal).to_have_count(0, timeout=30_000)
            row.locator("td.generate-feedback a").click()
            done = page.locator("#success-modal")
            expect(done).to_contain_text("Successfully generated feedback", timeout=180_000)
            expect(done).to_have_class(re.compile(r"\b(in|show)\b"))
            page.screenshot(path=str(ARTIFACTS / "formgrader-feedback-generated.png"))
            context.close()
        finally:
            browser.close()
    assert autograded.read_bytes() == kept
    text = page_file.read_text()
    assert "sign flip in the exponent" in text  # the course's step naming the mistake
    assert not hidden_in(text), hidden_in(text)


# ------------------------------------------------------------------ set-up pieces (no root needed)

def test_roster_ids_become_user_names_or_are_refused(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text('id,name\nAlice,"Lovelace, Ada"\nbob_2,Bob\n')
    assert hub.read_roster(roster) == [("alice", "Lovelace, Ada"), ("bob_2", "Bob")]
    for bad in ("id,name\n2pac,Two\n", "id,name\na b,Space\n", "id,name\nroot;rm,X\n",
                "id,name\nann,A\nANN,B\n", "login,full\nann,A\n", "id,name\n" + "a" * 25 + ",Long\n"):
        roster.write_text(bad)
        with pytest.raises(SystemExit):
            hub.read_roster(roster)


def test_passwords_are_generated_once_kept_private_and_hashed(tmp_path):
    accounts = [("teach", "instructor", "instructor"), ("ann", "Ann, A", "learner"), ("ben", "Ben", "learner")]
    first = {r["login"]: r["password"] for r in hub.ensure_passwords(tmp_path, accounts)}
    again = {r["login"]: r["password"] for r in hub.ensure_passwords(tmp_path, accounts)}
    assert first == again and len(set(first.values())) == 3  # a restart keeps them
    for name in ("passwords.csv", "password-hashes.json"):
        assert (tmp_path / name).stat().st_mode & 0o777 == 0o600
    hashes = json.loads((tmp_path / "password-hashes.json").read_text())
    assert all(first[login] not in stored for login, stored in hashes.items())
    assert hub.check_password(first["ann"], hashes["ann"])
    assert not hub.check_password(first["ben"], hashes["ann"]) and not hub.check_password("", hashes["ann"])
    with open(tmp_path / "passwords.csv", newline="") as f:
        assert {r["login"]: r["name"] for r in csv.DictReader(f)}["ann"] == "Ann, A"


def test_the_authenticator_lets_in_roster_members_with_their_password_only(tmp_path):
    import asyncio

    from autograder.hub.auth import RosterAuthenticator
    rows = hub.ensure_passwords(tmp_path, [("ann", "Ann", "learner"), ("ben", "Ben", "learner")])
    words = {r["login"]: r["password"] for r in rows}
    auth = RosterAuthenticator(hashes_file=str(tmp_path / "password-hashes.json"), prefix="bp-")

    def log_in(name, password):
        return asyncio.run(auth.authenticate(None, {"username": name, "password": password}))
    assert log_in("ann", words["ann"]) == "bp-ann"
    assert log_in(" Ann ", words["ann"]) == "bp-ann" and log_in("bp-ann", words["ann"]) == "bp-ann"
    assert log_in("ann", words["ben"]) is None and log_in("ann", "") is None
    assert log_in("mallory", words["ann"]) is None


def test_only_loopback_addresses_without_the_flag():
    assert hub.check_address("127.0.0.1", False) == "127.0.0.1"
    assert hub.check_address("::1", False) == "::1"
    for address in ("0.0.0.0", "192.168.1.20", "::"):
        with pytest.raises(SystemExit):
            hub.check_address(address, False)
    assert hub.check_address("0.0.0.0", True) == "0.0.0.0"
    with pytest.raises(SystemExit):
        hub.check_address("localhost.example", True)


@pytest.fixture
def open_tmp():
    """A scratch folder every user may pass through, in /tmp (pytest's own lie in a 0700 one)."""
    with open_folder("bp-reach-") as folder:
        yield folder


def _hub_start(tmp_path, *args):
    (tmp_path / "roster.csv").write_text("id,name\nann,Ann\n")
    return subprocess.run([sys.executable, "-m", "autograder.hub", "start", "--roster", str(tmp_path / "roster.csv"),
                           *map(str, args)], cwd=ROOT, capture_output=True, text=True)


@pytest.mark.parametrize("option", ["--state", "--learner-venv", "--instructor-venv", "--exchange", "--homes"])
def test_a_folder_the_users_cannot_reach_is_refused_at_once_naming_it_and_the_fix(open_tmp, option):
    private = open_tmp / "tmp.abc"  # as `mktemp -d` makes it: only its owner may pass
    private.mkdir(mode=0o700)
    os.chmod(private, 0o700)
    inside = private / "repo" / ".venv" / "hub-cache" / "x"
    state = inside if option == "--state" else open_tmp / "state"
    args = ["--state", state] + ([option, inside] if option != "--state" else [])
    result = _hub_start(open_tmp, *args)
    assert result.returncode != 0, result.stdout
    message = result.stderr.strip().splitlines()[-1]
    assert str(inside) in message and f"{private} is mode 0700" in message, message
    assert option in message, message  # what to change
    assert "Traceback" not in result.stderr
    assert not state.exists() and not (private / "repo").exists()  # refused before making anything


def test_homes_that_are_closed_to_others_are_refused(open_tmp):
    homes = open_tmp / "homes"
    homes.mkdir(mode=0o700)
    os.chmod(homes, 0o700)
    result = _hub_start(open_tmp, "--state", open_tmp / "state", "--homes", homes)
    assert result.returncode != 0 and f"{homes} is out of the class's users' reach (it is mode 0700" in result.stderr
    assert "--homes" in result.stderr and not (open_tmp / "state").exists()


def test_what_a_user_may_pass_goes_by_owner_group_and_others(open_tmp):
    me = pwd.getpwuid(os.getuid())
    folder = open_tmp / "a" / "b"
    folder.mkdir(parents=True)
    stranger = pwd.struct_passwd(("bp-nobody-here", "x", me.pw_uid + 4242, me.pw_gid + 4242, "", "/", "/bin/sh"))
    groupmate = pwd.struct_passwd(("bp-nobody-here", "x", me.pw_uid + 4242, me.pw_gid, "", "/", "/bin/sh"))
    os.chmod(open_tmp / "a", 0o750)  # the owner and the group pass, others not
    assert hub.blocked_by(folder / "c", groupmate) is None
    assert hub.blocked_by(folder / "c") == (open_tmp / "a", 0o750)  # any class member: others' bits
    assert hub.blocked_by(folder / "c", stranger) == (open_tmp / "a", 0o750)
    os.chmod(open_tmp / "a", 0o711)
    assert hub.blocked_by(folder / "not" / "made" / "yet") is None  # made 0755 by the command
    os.chmod(folder, 0o700)
    assert hub.blocked_by(folder) is None and hub.blocked_by(folder, itself=True) == (folder, 0o700)
    assert hub.blocked_by(folder, pwd.getpwnam("root"), itself=True) is None  # root passes anything


def test_a_server_that_could_not_start_says_so_plainly_not_500(open_tmp):
    import asyncio
    from types import SimpleNamespace

    from jupyterhub.spawner import SpawnException

    from autograder.hub.auth import ClassSpawner
    try:
        learner = pwd.getpwnam("nobody")
    except KeyError:
        pytest.skip("no user 'nobody' on this machine")
    (open_tmp / "closed" / "bin").mkdir(parents=True)
    os.chmod(open_tmp / "closed", 0o700)  # closed after `hub start` checked it
    spawner = ClassSpawner(user=SimpleNamespace(name=learner.pw_name, url=f"/user/{learner.pw_name}/"),
                           learner_bin=str(open_tmp / "closed" / "bin"), instructor="teach")
    with pytest.raises(SpawnException) as refused:
        asyncio.run(spawner.start())
    assert refused.value.status_code == 503 and "tell your instructor" in refused.value.message
    assert str(open_tmp / "closed") in refused.value.log_message  # the hub's log names the folder
    assert str(open_tmp) not in refused.value.message  # the learner is not shown the machine's paths
    assert "PYTHONPATH" not in spawner.env_keep and "VIRTUAL_ENV" not in spawner.env_keep


def test_the_instructors_copy_of_the_repository_leaves_out_history_environments_and_caches(tmp_path):
    copy = hub.copy_repository(tmp_path / "repo")
    for kept in ("autograder/grading/batch.py", "autograder/reference", "solutions", "course/given.py",
                 "autograder/nbgrader_config.py", "pyproject.toml", "requirements.txt", "constraints.txt"):
        assert (copy / kept).exists(), kept
    for left_out in (".git", ".venv", "test-artifacts"):
        assert not (copy / left_out).exists(), left_out
    assert not list(copy.rglob("__pycache__")) and not list(copy.rglob(".ipynb_checkpoints"))
    (copy / "stale.txt").write_text("from the last start")
    assert not (hub.copy_repository(tmp_path / "repo") / "stale.txt").exists()  # replaced whole
    assert sorted(p.name for p in tmp_path.iterdir()) == ["repo"]


# ------------------------------------------------------------------ the class

def test_refuses_a_non_loopback_address_without_the_flag(tmp_path):
    result = subprocess.run([sys.executable, "-m", "autograder.hub", "start", "--ip", "0.0.0.0",
                             "--roster", str(tmp_path / "none.csv"), "--state", str(tmp_path / "s")],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode != 0 and "--allow-remote" in result.stderr
    assert not (tmp_path / "s").exists()  # refused before setting anything up


@pytest.mark.slow  # a class hub on this machine
def test_passwords_are_generated_private_and_checked(classroom):
    listing = classroom["tmp"] / "state" / "passwords.csv"
    assert oct(listing.stat().st_mode & 0o777) == "0o600" and listing.stat().st_uid == 0
    words = classroom["passwords"]
    assert set(words) == set(LEARNERS) | {INSTRUCTOR}
    assert len(set(words.values())) == len(words) and all(len(w) >= 16 for w in words.values())
    assert all(w not in (ROOT / "autograder" / "hub" / "__init__.py").read_text() for w in words.values())
    wrong = Member(classroom["url"], "alice", words["bob"], prefix=PREFIX)
    assert not wrong.log_in(), "alice logged in with bob's password"
    stranger = Member(classroom["url"], "mallory", words["alice"], prefix=PREFIX)
    assert not stranger.log_in(), "someone not on the roster logged in"
    assert not Member(classroom["url"], "mallory", "", prefix=PREFIX).log_in()


@pytest.mark.slow  # a class hub on this machine
def test_a_class_round_trip(classroom):
    from playwright.sync_api import expect, sync_playwright
    course = f"{classroom['homes']}/{PREFIX}{INSTRUCTOR}/course"
    teacher = f"{PREFIX}{INSTRUCTOR}"

    # The instructor's server has Formgrader; a learner's has the Assignments tab and no Formgrader.
    instructor = _joined(INSTRUCTOR)
    assert instructor.server("GET", "/formgrader").status_code == 200

    # The instructor's terminal (a login shell: /etc/profile resets PATH) has the instructor's
    # environment first; the documented steps run in it as written, up to the learners' turn.
    steps = _documented_steps()
    assert steps[0] == "cd ~/course" and any(s.startswith("nbgrader collect") for s in steps), steps
    turn = next(i for i, s in enumerate(steps) if s.startswith("nbgrader collect"))
    found = _in_terminal(instructor, ["command -v python nbgrader"])
    assert f"{CACHE}/instructor-venv/bin/python" in found and f"{CACHE}/instructor-venv/bin/nbgrader" in found, found
    assert "sudo" not in DOCS.read_text().split("### A class, step by step")[1].split("## What was tried")[0]
    later = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=2)).strftime("%Y-%m-%d %H:%M:%S")
    opening = [re.sub(r'--duedate="[^"]*"', f'--duedate="{later} UTC"', s) for s in steps[:turn]]  # not past
    _in_terminal(instructor, opening)

    # alice fetches from the Assignments tab in Chromium.
    with sync_playwright() as p:
        browser = launch(p)
        try:
            context, page = _browser_log_in(browser, "alice")
            listing = page.locator(".jp-DirListing-content")
            expect(listing).to_contain_text("lessons", timeout=30_000)  # the edition's lessons, at home
            page.locator(".lm-MenuBar-item", has_text="Nbgrader").click()
            page.locator(".lm-Menu-item", has_text="Assignment List").click()
            released = page.locator("#released_assignments_list")
            expect(released).to_contain_text(ASSIGNMENT, timeout=60_000)
            page.screenshot(path=str(ARTIFACTS / "assignments-released.png"))
            released.get_by_role("button", name="Fetch").click()
            expect(page.locator("#fetched_assignments_list")).to_contain_text(ASSIGNMENT, timeout=60_000)
            expect(listing).to_contain_text("exercises", timeout=30_000)  # the file browser shows it
            page.screenshot(path=str(ARTIFACTS / "assignments-fetched.png"))
            context.close()
        finally:
            browser.close()

    alice = _joined("alice")
    # Her server runs as her own user: the fetched notebook is hers.
    fetched = Path(classroom["homes"]) / alice.name / FETCHED / NOTEBOOK
    assert fetched.stat().st_uid == pwd.getpwnam(alice.name).pw_uid
    # Its links to lessons open: each one, resolved from the notebook's folder, stays within her
    # server's root and names a notebook she has.
    cells = alice.read(f"{FETCHED}/{NOTEBOOK}").json()["content"]["cells"]
    links = [t for c in cells if c["cell_type"] == "markdown" for t in re.findall(r"\]\(([^)#]+\.ipynb)", c["source"])]
    assert links, "the exercise links to no lesson"
    for target in links:
        where = os.path.normpath(f"{FETCHED}/{target}")
        assert not where.startswith(".."), f"{target} points above the server's root"
        assert alice.read(where).status_code == 200, f"{target} ({where}) does not open"
    # Learners' servers have the learner edition (no answer key); the instructor's has the grader.
    learner_python = str(CACHE / "learner-venv" / "bin" / "python")
    assert _as(alice.name, learner_python, "-c", "import course.checking", check=False).returncode == 0
    assert _as(alice.name, learner_python, "-c", "import autograder", check=False).returncode != 0
    assert _as(teacher, "python", "-c", "import autograder.grading.batch", check=False).returncode == 0
    # The hub ran from a clone no class member may enter; the instructor's grader is its own copy,
    # in an environment the learners cannot open (it holds the answer key).
    where = _as(teacher, "python", "-c", "import autograder; print(autograder.__file__)").stdout.strip()
    assert where.startswith(str(CACHE / "instructor-venv" / "repo") + "/"), where
    assert _as(alice.name, "ls", str(CACHE / "instructor-venv"), check=False).returncode != 0
    assert _as(alice.name, "cat", f"{where}", check=False).returncode != 0
    assert hub.blocked_by(classroom["clone"], itself=True)  # nobody but root reaches the clone
    assert alice.server("GET", "/formgrader").status_code == 404  # no Formgrader for learners
    assert [a for a in alice.assignments() if a["assignment_id"] == ASSIGNMENT and a["status"] == "fetched"]
    bob, carol, dave = (_joined(x) for x in ("bob", "carol", "dave"))
    for learner in (bob, carol, dave):
        learner.nbgrader("fetch", ASSIGNMENT)

    # alice submits twice (a mistake, then the right answers): the later one is graded.
    alice.write_notebook(f"{FETCHED}/{NOTEBOOK}", _answered(alice, mistakes={"sigmoid"}))
    alice.nbgrader("submit", ASSIGNMENT)
    time.sleep(1.1)  # nbgrader names submissions by the second
    alice.write_notebook(f"{FETCHED}/{NOTEBOOK}", _answered(alice))
    alice.nbgrader("submit", ASSIGNMENT)
    bob.write_notebook(f"{FETCHED}/{NOTEBOOK}", _answered(bob, mistakes={"sigmoid"}))
    bob.nbgrader("submit", ASSIGNMENT)
    carol.nbgrader("submit", ASSIGNMENT)  # the notebook as fetched: nothing answered
    # carol then hands in her blank notebook in bob's name, from her terminal (newer than his)
    time.sleep(1.1)
    _in_terminal(carol, [f"cd ~ && nbgrader submit {ASSIGNMENT} --student={bob.name}"])
    dave.write_notebook(f"{FETCHED}/{NOTEBOOK}", _answered(dave))

    inbound = Path(classroom["tmp"]) / "state" / "exchange" / "backprop-by-hand" / "inbound"
    before = sorted(p.name for p in inbound.iterdir())
    assert len(before) == 5, before  # alice twice, bob, carol, carol as bob
    assert sorted(name.split("+")[0] for name in before) == [alice.name, alice.name, bob.name, bob.name, carol.name]
    assert {pwd.getpwuid((inbound / name).stat().st_uid).pw_name for name in before} == \
        {alice.name, bob.name, carol.name}  # the exchange records who submitted

    # The hub is restarted in the middle of the class: nothing submitted is lost, logins hold.
    _stop_hub(classroom["process"])
    classroom["process"] = _start_hub(classroom["tmp"], "hub-restarted.log")
    assert sorted(p.name for p in inbound.iterdir()) == before
    assert alice.api("GET", f"/hub/api/users/{alice.name}").status_code == 200  # token kept
    for m in (alice, bob, carol, dave, instructor):
        _started(m)

    # The deadline passes; dave submits after it (his answers were saved before the restart).
    deadline = datetime.datetime.now(datetime.timezone.utc)
    classroom["deadline"] = deadline.strftime("%Y-%m-%d %H:%M:%S UTC")
    time.sleep(1.1)
    dave.nbgrader("submit", ASSIGNMENT)

    # The rest of the documented steps, in the instructor's terminal; then the banner's command.
    said = _in_terminal(instructor, [steps[0], *steps[turn:]])  # a new terminal: cd ~/course first
    (ARTIFACTS / "grade-output.txt").write_text(said)
    assert f"names {bob.name} but the account {carol.name} handed it in" in said, said[-3000:]  # collect
    assert f"not graded: {bob.name}/{ASSIGNMENT} handed in by the account {carol.name}" in said, said[-3000:]
    banner = classroom["log"].read_text()
    assert f"      {hub.GRADE_COMMAND}\n" in banner and "late penalty: zero" in banner
    assert "sudo" not in banner
    _in_terminal(instructor, [hub.GRADE_COMMAND])
    with open(f"{course}/grades.csv", newline="") as f:
        grades = {row["student"]: row for row in csv.DictReader(f)}
    # One learner id from the hub to the LMS: the roster's emails made COURSE/roster.csv under the
    # hub's ids, so `lms export` needs no mapping by hand.
    _in_terminal(instructor, ["cd ~/course && python -m autograder lms export --lms canvas --out ."])
    with open(f"{course}/lms/canvas_grades.csv", newline="") as f:
        exported = {row["SIS Login ID"]: row for row in csv.DictReader(f) if row["Student"] != "Points Possible"}
    assert set(exported) == set(LEARNERS), exported
    assert float(exported["alice"][ASSIGNMENT]) == float(grades[alice.name]["score"])
    assert exported["bob"]["Student"] == "Babbage, Bob"

    full = float(grades[alice.name]["max_score"])
    assert float(grades[alice.name]["score"]) == full, grades[alice.name]
    assert 0 < float(grades[bob.name]["score"]) < full, grades[bob.name]
    assert float(grades[carol.name]["score"]) == 0, grades[carol.name]
    assert float(grades[dave.name]["score"]) == full, grades[dave.name]  # no due date set yet

    seen = {}
    classroom["members"] = {m.login: m for m in (alice, bob, carol, dave)}
    for learner in (alice, bob, carol, dave):
        learner.nbgrader("fetch_feedback", ASSIGNMENT)
        pages = _feedback(learner)
        assert pages, f"{learner.name} got no feedback"
        seen[learner.login] = pages
    # alice's graded submission is her later one; her feedback names no mistake.
    (alice_page,) = seen["alice"].values()
    assert f"{full:g} / {full:g}" in alice_page or f"Score: {full:g}" in alice_page
    assert "sign flip in the exponent" not in alice_page
    (bob_page,) = seen["bob"].values()
    assert "sign flip in the exponent" in bob_page
    assert grades[bob.name]["score"].rstrip("0").rstrip(".") in bob_page
    for login, pages in seen.items():
        for page in pages.values():  # the grade command's feedback, not stock generate_feedback's
            assert "HiddenTests" not in page and "autograder" not in page, f"{login}'s feedback shows hidden tests"
        for other in set(LEARNERS) - {login}:
            assert all(f"{PREFIX}{other}" not in page for page in pages.values())

    # Nobody reaches another's server, home, or feedback.
    assert alice.api("GET", f"/user/{bob.name}/api/contents/{ASSIGNMENT}").status_code in (403, 404)
    assert alice.api("GET", f"/hub/api/users/{bob.name}").status_code in (403, 404)
    feedback_dir = Path(course) / "feedback" / bob.name
    refused = _as(alice.name, "ls", str(feedback_dir), check=False)
    assert refused.returncode != 0
    outbound = inbound.parent / "feedback"
    assert _as(alice.name, "ls", str(outbound), check=False).returncode != 0  # 0711: names only by hash
    bob_home = f"{classroom['homes']}/{bob.name}"
    assert _as(alice.name, "ls", bob_home, check=False).returncode != 0  # homes are 0700

    # Each learner, as an attacker would: every attempt on the answer key, the grades, the hub's
    # files and a classmate's work is refused by the system.
    tried = 0
    for learner, classmate in ((alice, bob), (bob, carol), (carol, dave), (dave, alice)):
        for what, cmd in _attempts(classroom, learner.name, classmate.name):
            attempt = _as(learner.name, *cmd, check=False)
            assert attempt.returncode != 0, f"{learner.name} reached {what}: {cmd}\n{attempt.stdout[:500]}"
            assert any(why in attempt.stderr for why in ("Permission denied", "PermissionError", "Operation not "
                                                         "permitted", "No module named 'autograder'")), \
                (what, attempt.stderr[-500:])
            tried += 1
    assert f"{tried // 4} attempts each" in " ".join(DOCS.read_text().split())  # as the docs say

    # Formgrader on the hub is the course's: names from the roster; its buttons, clicked.
    students = instructor.server("GET", "/formgrader/api/students").json()
    assert {(x["id"], x["first_name"], x["last_name"]) for x in students} >= {
        (f"{PREFIX}bob", "Bob", "Babbage"), (f"{PREFIX}alice", "Alice", "Ada")}, students
    _formgrader_buttons(classroom, bob.name, course)

    # bob's feedback, in the browser.
    with sync_playwright() as p:
        browser = launch(p)
        try:
            context, page = _browser_log_in(browser, "bob")
            (stamp,) = seen["bob"]
            page.goto(f"{classroom['url']}/user/{bob.name}/files/{FETCHED}/feedback/{stamp}/"
                      f"{ASSIGNMENT}_exercise.html")
            expect(page.get_by_text("sign flip in the exponent").first).to_be_visible(timeout=30_000)
            page.get_by_text("sign flip in the exponent").first.scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS / "feedback.png"))
            context.close()
        finally:
            browser.close()


@pytest.mark.slow  # a class hub on this machine
def test_a_submission_after_the_deadline_scores_zero(classroom):
    """The instructor sets the due date between the others' submissions and dave's, regrades:
    the course's nbgrader_config.py says LateSubmissionPlugin.penalty_method = "zero"."""
    if "deadline" not in classroom:
        pytest.skip("the round trip did not get that far")
    course = f"{classroom['homes']}/{PREFIX}{INSTRUCTOR}/course"
    teacher = f"{PREFIX}{INSTRUCTOR}"
    _as(teacher, "nbgrader", "db", "assignment", "add", ASSIGNMENT, f"--duedate={classroom['deadline']}",
        cwd=course)
    graded = _as(teacher, "python", "-m", "autograder", "grade", "submitted", "--out", ".", "--force",
                 cwd=course, check=False)
    assert "grader error" not in graded.stdout + graded.stderr, graded.stdout[-1500:]
    assert graded.returncode == 0, graded.stderr[-1500:]
    assert "late" in graded.stdout + graded.stderr  # the status says why dave lost his points
    with open(f"{course}/grades.csv", newline="") as f:
        grades = {row["student"]: row for row in csv.DictReader(f)}
    assert float(grades[f"{PREFIX}dave"]["score"]) == 0, grades[f"{PREFIX}dave"]
    assert float(grades[f"{PREFIX}alice"]["score"]) == float(grades[f"{PREFIX}alice"]["max_score"])


@pytest.mark.slow  # a class hub on this machine
def test_remove_users_archives_the_course_first_and_the_grades_survive(classroom):
    """The last step of a class: the accounts go (homes with them), the course folder and the
    exchange stay in a root-only archive, and the command says where."""
    if "deadline" not in classroom:
        pytest.skip("the round trip did not get that far")
    course = Path(classroom["homes"]) / f"{PREFIX}{INSTRUCTOR}" / "course"
    grades = (course / "grades.csv").read_text()
    _stop_hub(classroom["process"])
    done = subprocess.run([sys.executable, "-m", "autograder.hub", "remove-users", "--state",
                           str(classroom["tmp"] / "state")], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    found = re.search(r"and the exchange in (\S+) \(root only\)", done.stdout)
    assert found, done.stdout
    archive = Path(found.group(1))
    assert archive.parent == classroom["tmp"] / "state" / "archive"
    assert (archive / "course" / "grades.csv").read_text() == grades  # every learner's grade kept
    assert (archive / "course" / "gradebook.db").exists() and (archive / "course" / "feedback").is_dir()
    assert any((archive / "exchange" / "backprop-by-hand" / "inbound").iterdir())
    assert stat.S_IMODE(archive.stat().st_mode) == 0o700 and all(p.stat().st_uid == 0 for p in archive.rglob("*"))
    for login in (*LEARNERS, INSTRUCTOR):
        assert not hub.user_exists(f"{PREFIX}{login}") and f"removed user {PREFIX}{login}" in done.stdout
    assert not course.exists() and not (classroom["tmp"] / "state" / "passwords.csv").exists()
