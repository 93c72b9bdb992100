"""Instructor commands.

    python -m autograder generate [ASSIGNMENT...]   regenerate exercises/ from solutions/ (nbgrader)
    python -m autograder execute    re-run lessons/ and solutions/, storing outputs
    python -m autograder drift      list student versions that differ from a fresh generation
    python -m autograder grade SUBMISSIONS   autograde a class through nbgrader (see autograder/grading/)
"""

import argparse
import shutil
import sys
import tempfile

from autograder import grading, notebooks
from autograder.grading import command as grade_command


def cmd_generate(args):
    chosen = args.assignments or notebooks.assignments()
    with tempfile.TemporaryDirectory() as tmp:
        fresh = notebooks.generate_into(tmp, chosen)
        for assignment in chosen:
            target = notebooks.EXERCISES / assignment
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(fresh / assignment, target)
            print(f"generated exercises/{assignment}")
    return 0


def cmd_execute(args):
    paths = args.paths or [notebooks.COURSE_MAP, *notebooks.lesson_notebooks(),
                           *notebooks.solution_notebooks()]
    for path in paths:
        notebooks.execute(path)
        print(f"executed {path}")
    return 0


def cmd_drift(_args):
    differ = notebooks.drift()
    for name in differ:
        print(f"drift: exercises/{name}")
    return 1 if differ else 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate", help="regenerate exercises/ from solutions/ (all, or the ones named)")
    gen.add_argument("assignments", nargs="*", help="assignment ids such as 05_numerical_gradient")
    gen.set_defaults(fn=cmd_generate)
    ex = sub.add_parser("execute", help="re-run notebooks and store their outputs")
    ex.add_argument("paths", nargs="*")
    ex.set_defaults(fn=cmd_execute)
    sub.add_parser("drift", help="check exercises/ against a fresh generation").set_defaults(fn=cmd_drift)
    gr = sub.add_parser("grade", help="autograde a class: gradebook, feedback, grades.csv",
                        description=grading.__doc__.split("\n\n")[0])
    grade_command.add_arguments(gr)
    gr.set_defaults(fn=grade_command.run)
    args = parser.parse_args(argv)
    return args.fn(args)


if __name__ == "__main__":
    sys.exit(main())
