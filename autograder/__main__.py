"""Instructor commands.

    python -m autograder generate [ASSIGNMENT...]   write the solutions' answers from autograder/reference/,
                                                    then regenerate exercises/ from solutions/ (nbgrader)
    python -m autograder execute    re-run lessons/ and solutions/, storing outputs
    python -m autograder store [NAME...]   rewrite course/data/ (stored results) from the reference
    python -m autograder drift      list answers that differ from the reference, and student versions
                                    and stored data that differ from fresh
    python -m autograder release OUT   build the learner edition (no solutions, no grader) in OUT
    python -m autograder grade SUBMISSIONS   autograde a class through nbgrader (see autograder/grading/)
    python -m autograder feedback OUT   the learners' feedback and the reports again from the gradebook
                                    (after manual grading in the formgrader; nothing is regraded)
    python -m autograder hub start --roster CSV   a class hub on this machine (see autograder/hub/)
    python -m autograder lms roster|collect|export|bundles ...   the round trip through Canvas or Moodle
                                    (see autograder/lms/, docs/lms.md)
"""

import argparse
import shutil
import sys
import tempfile

from autograder import grading, lms, notebooks, release, single_source, stored
from autograder.grading import command as grade_command
from autograder.grading import feedback as grade_feedback


def cmd_generate(args):
    chosen = args.assignments or notebooks.assignments()
    for path, names in single_source.write(chosen):
        where = path.relative_to(notebooks.ROOT)
        print(f"wrote {', '.join(names)} into {where} from autograder/reference/ "
              f"(store its outputs: python -m autograder execute {where})")
    with tempfile.TemporaryDirectory() as tmp:
        fresh = notebooks.generate_into(tmp, chosen)
        for assignment in chosen:
            target = notebooks.EXERCISES / assignment
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(fresh / assignment, target)
            print(f"generated exercises/{assignment}")
    if not args.assignments:
        cmd_store(args)
    return 0


def cmd_store(args):
    for name in stored.build(getattr(args, "names", None) or None):
        print(f"stored course/data/{name}.json")
    return 0


def cmd_execute(args):
    paths = args.paths or [notebooks.COURSE_MAP, *notebooks.lesson_notebooks(),
                           *notebooks.solution_notebooks()]
    for path in paths:
        notebooks.execute(path)
        print(f"executed {path}")
    return 0


def cmd_drift(_args):
    answers = single_source.problems()
    for problem in answers:
        print(f"drift: {problem}")
    differ = notebooks.drift()
    for name in differ:
        print(f"drift: exercises/{name}")
    data = stored.drift()
    for found in data:
        where = "course/data/SHA256SUMS" if found.name == "SHA256SUMS" else f"course/data/{found.name}.json"
        print(f"drift: {where}: {found.reason}")
    return 1 if answers or differ or data else 0


def cmd_hub(args):
    from autograder.hub.__main__ import main as hub_main  # jupyterhub is needed only here
    return hub_main(args.hub_args)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["hub"]:  # its own options and --help
        return cmd_hub(argparse.Namespace(hub_args=argv[1:]))
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate", help="write the solutions' answers from the reference, then regenerate "
                                          "exercises/ from solutions/ (all, or the ones named)")
    gen.add_argument("assignments", nargs="*", help="assignment ids such as 05_numerical_gradient")
    gen.set_defaults(fn=cmd_generate)
    ex = sub.add_parser("execute", help="re-run notebooks and store their outputs")
    ex.add_argument("paths", nargs="*")
    ex.set_defaults(fn=cmd_execute)
    st = sub.add_parser("store", help="rewrite course/data/ from the reference (all, or the named)")
    st.add_argument("names", nargs="*")
    st.set_defaults(fn=cmd_store)
    sub.add_parser("drift", help="check the solutions' answers against the reference, exercises/ against "
                                 "a fresh generation").set_defaults(fn=cmd_drift)
    rel = sub.add_parser("release", help="build the learner edition in a new folder",
                         description=release.__doc__.split("\n\n")[0])
    release.add_arguments(rel)
    rel.set_defaults(fn=release.run)
    gr = sub.add_parser("grade", help="autograde a class: gradebook, feedback, grades.csv",
                        description=grading.__doc__.split("\n\n")[0])
    grade_command.add_arguments(gr)
    gr.set_defaults(fn=grade_command.run)
    fb = sub.add_parser("feedback", help="make every learner's feedback, grades.csv and the summaries again "
                                         "from the gradebook (manual scores and comments included), no regrading",
                        description=grade_feedback.__doc__.split("\n\n")[0])
    grade_feedback.add_arguments(fb)
    fb.set_defaults(fn=grade_feedback.run)
    lms_parser = sub.add_parser("lms", help="the round trip through Canvas or Moodle: roster, collect, export, "
                                            "bundles (docs/lms.md)", description=lms.__doc__.split("\n\n")[0])
    lms.add_arguments(lms_parser)  # each of its subcommands sets fn
    hub = sub.add_parser("hub", help="a class hub on JupyterHub: start, install-proxy, remove-users "
                                     "(python -m autograder hub start --help)", add_help=False)
    hub.add_argument("hub_args", nargs=argparse.REMAINDER)
    hub.set_defaults(fn=cmd_hub)
    args = parser.parse_args(argv)
    return args.fn(args)


if __name__ == "__main__":
    sys.exit(main())
