"""A class hub on this machine (run as root: it creates the class's system users).

    python -m autograder.hub start --roster roster.csv [--state DIR] [--port 8000]
    python -m autograder.hub install-proxy     configurable-http-proxy into .venv/hub-proxy/
    python -m autograder.hub remove-users --state DIR   archive the course folder and exchange
                                                 (STATE/archive/, root only), then delete the
                                                 users a start created (and their homes)

`start` sets the class up (see autograder/hub/__init__.py) and then runs JupyterHub in the
foreground; run it again with the same --state to restart the class: users, passwords, the
exchange and the hub's database are kept.
"""

import argparse
import json
import os
import pwd
import sys
from pathlib import Path

from autograder import hub


def cmd_start(args):
    ip = hub.check_address(args.ip, args.allow_remote)
    state = Path(args.state).resolve()
    roster = hub.read_roster(args.roster)
    learners_listed = hub.class_list(args.roster, args.prefix)  # with emails: for lms export
    if args.instructor in {learner for learner, _ in roster}:
        raise hub.HubError(f"hub: the instructor's id {args.instructor!r} is also on the roster")
    prefix = args.prefix
    edition = Path(args.edition).resolve() if args.edition else state / "edition"
    exchange = Path(args.exchange).resolve() if args.exchange else state / "exchange"
    homes = Path(args.homes).resolve()
    venv = Path(args.learner_venv).resolve() if args.learner_venv else state / "learner-venv"
    teacher_venv = (Path(args.instructor_venv).resolve() if args.instructor_venv
                    else state / "instructor-venv")
    # Everything the servers run or read must be within the class's users' reach: refuse now,
    # before anything is made, rather than let a learner's server fail to start.
    for path, option in ((state, "--state"), (venv, "--learner-venv"), (teacher_venv, "--instructor-venv"),
                         (exchange, "--exchange"), (homes, "--homes"), (edition, "--edition")):
        if hub.within(path, hub.ROOT):  # the checkout holds the answer key: it is closed to them below
            raise hub.HubError(f"hub: {path} is inside this checkout ({hub.ROOT}), which holds the answer key "
                               f"and is closed to the class's users: give {option} a folder outside it")
    hub.check_reach([
        (state, "pass --state a folder outside {folder} (the default is /var/lib/backprop-hub)", False),
        *((path, f"leave {option} out (it then goes in the state folder) or name a folder outside {{folder}}",
           False) for path, option in ((venv, "--learner-venv"), (teacher_venv, "--instructor-venv"),
                                       (exchange, "--exchange"))),
        (homes, "pass --homes a folder they can reach (the default is /home)", True)])
    umask = os.umask(0o022)  # what is made below is for the class's users to read
    state.mkdir(parents=True, exist_ok=True)
    os.chmod(state, 0o711)  # users may pass through (to the exchange, the venv), not list it
    if not (edition / "requirements.txt").exists():
        print(f"building the learner edition in {edition} ...", flush=True)
        hub.build_edition(edition)
    exchange.mkdir(parents=True, exist_ok=True)
    os.chown(exchange, 0, 0)
    os.chmod(exchange, 0o1777)  # nbgrader: a shared exchange everyone writes (sticky: own files only)

    record = state / "users.json"
    created = json.loads(record.read_text())["created"] if record.exists() else []
    homes.mkdir(parents=True, exist_ok=True)
    try:
        teacher = hub.ensure_user(prefix + args.instructor, "instructor", homes, created)
        instructors = hub.ensure_group_member(teacher.pw_name)
        course = hub.prepare_instructor_home(teacher, exchange, teacher_venv, args.late_penalty)
        hub.exchange_folders(exchange, teacher)
        learners = []
        for learner, name in roster:
            user = hub.ensure_user(prefix + learner, name, homes, created)
            hub.prepare_learner_home(user, edition, exchange, venv)
            learners.append(user.pw_name)
    finally:
        record.write_text(json.dumps({"created": created}))
    accounts = [(args.instructor, "instructor", "instructor")] + [(i, n, "learner") for i, n in roster]
    passwords = hub.ensure_passwords(state, accounts)

    with hub.locked(venv):  # two classes may share an environment
        print(f"learners' environment: {venv} ...", flush=True)
        hub.ensure_learner_venv(venv, edition)
    with hub.locked(teacher_venv):
        print(f"instructor's environment: {teacher_venv} ...", flush=True)
        hub.ensure_instructor_venv(teacher_venv, instructors)
    with hub.locked(hub.PROXY_DIR):
        proxy = hub.ensure_proxy()
    hub.names_into_gradebook(teacher, course, teacher_venv / "bin", roster, prefix, learners_listed)
    ports = {"port": args.port, "hub_port": args.hub_port or hub.free_port(),
             "proxy_api_port": args.proxy_api_port or hub.free_port()}
    (state / "class.json").write_text(json.dumps({
        "ip": ip, **ports, "prefix": prefix, "instructor": teacher.pw_name,
        "learners": learners, "learner_bin": str(venv / "bin"),
        "instructor_bin": str(teacher_venv / "bin"), "proxy": str(proxy),
        "exchange": str(exchange), "course": str(course), "course_id": hub.COURSE_ID,
        "late_penalty": args.late_penalty}, indent=1))
    # The answer key (this checkout, the instructor's environment and course folder) and the hub's
    # own files (its database, passwords, class.json) out of every learner's reach: closed here
    # when the bits for others open them, or the command stops, saying why.
    hub.say_closed(hub.close_state(state, [exchange, venv, teacher_venv]))
    private = [p for p in sorted(state.iterdir()) if p.resolve() not in {exchange, venv}]
    hub.say_closed(hub.lock_answer_key([hub.ROOT, teacher_venv, course, *private],
                                       [pwd.getpwnam(name) for name in learners]))

    shown = "localhost" if ip == "127.0.0.1" else (f"[{ip}]" if ":" in ip else ip)
    print(f"""
class hub: http://{shown}:{args.port}/
  log in with an id from {args.roster} (or '{args.instructor}' for the instructor) and its password;
  the passwords ({len(passwords)} accounts) are in {state / 'passwords.csv'} (root only):
      cat {state / 'passwords.csv'}
  the instructor's course folder: {course} (Formgrader's too); grade in the instructor's terminal with
      {hub.GRADE_COMMAND}
  late penalty: {args.late_penalty}: {hub.LATE_PENALTIES[args.late_penalty]} (the default is
      {hub.DEFAULT_LATE_PENALTY}; choose with --late-penalty {"|".join(hub.LATE_PENALTIES)})
  nbgrader exchange: {exchange}
  stop with Ctrl-C; start again with the same --state to resume the class
""", flush=True)
    os.chdir(state)
    os.umask(umask)
    env = dict(os.environ, BACKPROP_HUB_STATE=str(state),
               PATH=f"{Path(sys.executable).parent}:{os.environ.get('PATH', '/usr/bin:/bin')}")
    argv = [sys.executable, "-m", "jupyterhub", "-f", str(hub.HERE / "jupyterhub_config.py")]
    if args.dry_run:
        print("dry run: would run " + " ".join(argv))
        return 0
    os.execve(sys.executable, argv, env)


def cmd_install_proxy(_args):
    print(hub.ensure_proxy(quiet=False))
    return 0


def cmd_remove_users(args):
    names, archive = hub.remove_users(Path(args.state).resolve())
    if archive:
        print(f"archived the course folder (gradebook, grades.csv, feedback, submissions) and the exchange "
              f"in {archive} (root only)")
    for name in names:
        print(f"removed user {name} and its home")
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m autograder.hub", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    start = sub.add_parser("start", help="set the class up and run the hub")
    start.add_argument("--roster", required=True, help="CSV with the header id,name (one learner a row); with "
                       "an email column (and optionally lms_id, sis_id, login, section) it also becomes the "
                       "course's roster.csv for `lms export`")
    start.add_argument("--state", default="/var/lib/backprop-hub",
                       help="the class's folder: database, passwords, exchange, both environments "
                            "(made where every class member may pass)")
    start.add_argument("--homes", default="/home", help="where the users' homes go")
    start.add_argument("--instructor", default="instructor", help="the instructor's login id")
    start.add_argument("--prefix", default="bp-", help="system user name = prefix + id")
    start.add_argument("--ip", default="127.0.0.1", help="address to listen on (loopback unless --allow-remote)")
    start.add_argument("--port", type=int, default=8000)
    start.add_argument("--hub-port", type=int, default=0, help="the hub's internal port (default: a free one)")
    start.add_argument("--proxy-api-port", type=int, default=0, help="the proxy's API port (default: a free one)")
    start.add_argument("--allow-remote", action="store_true",
                       help="listen on a non-loopback address (put HTTPS in front first)")
    start.add_argument("--edition", help="a learner edition built by `python -m autograder release` "
                                         "(default: built into STATE/edition)")
    start.add_argument("--learner-venv", help="the learners' environment (default STATE/learner-venv); "
                                               "the class's users must be able to reach it")
    start.add_argument("--instructor-venv", help="the instructor's environment, with its copy of this "
                                                  "repository (default STATE/instructor-venv)")
    start.add_argument("--exchange", help="nbgrader's exchange (default STATE/exchange)")
    start.add_argument("--late-penalty", choices=sorted(hub.LATE_PENALTIES), default=hub.DEFAULT_LATE_PENALTY,
                       help="work handed in after its due date: " + "; ".join(
                           f"{k}: {v}" for k, v in hub.LATE_PENALTIES.items()) + " (default: %(default)s)")
    start.add_argument("--dry-run", action="store_true", help="set everything up but do not run the hub")
    start.set_defaults(fn=cmd_start)
    sub.add_parser("install-proxy", help="install configurable-http-proxy from npm into .venv/hub-proxy/"
                   ).set_defaults(fn=cmd_install_proxy)
    rm = sub.add_parser("remove-users", help="archive the course folder and the exchange in STATE/archive/ "
                        "(root only), then delete the system users (and homes) a start created")
    rm.add_argument("--state", default="/var/lib/backprop-hub")
    rm.set_defaults(fn=cmd_remove_users)
    args = parser.parse_args(argv)
    return args.fn(args)


if __name__ == "__main__":
    sys.exit(main())
