"""The LMS round trip: a class that hands in through Canvas or Moodle, graded by the course's
grade command, its grades and feedback returned through the LMS (docs/lms.md walks through it).

    python -m autograder lms roster CSV --out COURSE            learners (id,name,email) into the gradebook
    python -m autograder lms collect DOWNLOAD --lms canvas|moodle --out COURSE
                                                                the LMS's download into COURSE/submitted/
    python -m autograder grade COURSE --dry-run                 what grading would do; then grade COURSE
    python -m autograder lms export --lms canvas|moodle --out COURSE   a grade file the LMS imports
    python -m autograder lms bundles --out COURSE               one feedback zip per learner

The parts: `roster` (the class list), `collect` (nbgrader's zip_collect with the LMS's file
names), `dryrun` (grade --dry-run), `export` (grade files), `bundles` (feedback zips).
"""

from __future__ import annotations

import sys
from pathlib import Path

LMSES = ("canvas", "moodle")


def add_arguments(parser):
    sub = parser.add_subparsers(dest="lms_command", required=True, metavar="{roster,collect,export,bundles}")
    ro = sub.add_parser("roster", help="import the class list (CSV: id,name,email) into COURSE's gradebook")
    ro.add_argument("csv", type=Path, metavar="CSV", help="header id,name,email (optional: lms_id, sis_id, "
                                                          "login, section)")
    ro.add_argument("--out", type=Path, required=True, metavar="COURSE", help="the course folder to grade in")
    ro.set_defaults(fn=run_roster)
    co = sub.add_parser("collect", help="an LMS's submission download (zip or folder) into COURSE/submitted/ "
                                        "through nbgrader's zip_collect")
    co.add_argument("download", type=Path, metavar="DOWNLOAD")
    co.add_argument("--lms", required=True, choices=LMSES)
    co.add_argument("--out", type=Path, required=True, metavar="COURSE")
    co.add_argument("--assignment", default=None, help="the assignment id (default: told by the notebook names)")
    co.add_argument("--worksheet", type=Path, default=None, metavar="CSV",
                    help="Moodle: the assignment's grading worksheet; each learner's submission time becomes "
                         "their timestamp.txt (nbgrader's late penalty applies), its email matches the roster")
    co.add_argument("--timezone", default="", metavar="TZ",
                    help="the worksheet's time zone, e.g. Europe/Berlin (default: this machine's)")
    co.set_defaults(fn=run_collect)
    ex = sub.add_parser("export", help="COURSE/grades.csv as a grade file the LMS imports (COURSE/lms/)")
    ex.add_argument("--lms", required=True, choices=LMSES)
    ex.add_argument("--out", type=Path, required=True, metavar="COURSE")
    ex.add_argument("--zero-missing", action="store_true",
                    help="0 for an assignment not handed in (default: blank, the LMS's grade left as it is)")
    ex.add_argument("--title", action="append", default=[], metavar="ASSIGNMENT=TITLE",
                    help="the LMS's name for an assignment's column, e.g. 01_neuron=\"Exercise 1 (4567)\" as "
                         "Canvas's own export heads it (repeat for each; default: the assignment id)")
    ex.set_defaults(fn=run_export)
    bu = sub.add_parser("bundles", help="COURSE/bundles/<student>.zip: each learner's feedback and summary")
    bu.add_argument("--out", type=Path, required=True, metavar="COURSE")
    bu.set_defaults(fn=run_bundles)


def run_roster(args):
    from autograder.lms.roster import ROSTER, import_roster

    learners = import_roster(args.csv, args.out)
    print(f"lms roster: {len(learners)} learners in {args.out / 'gradebook.db'} and {args.out / ROSTER}")
    return 0


def run_collect(args):
    from autograder.lms.collect import collect, report

    manifest = collect(args.download, args.lms, args.out, args.assignment, args.worksheet, args.timezone)
    print(report(manifest, args.out))
    print(f"next: python -m autograder grade {args.out} --dry-run")
    return 0


def run_export(args):
    from autograder.lms.export import export

    path, strangers, waiting = export(args.out, args.lms, args.zero_missing, args.title)
    print(f"lms export: {path}")
    if strangers:
        print(f"lms export: graded but not on the roster, left out: {', '.join(strangers)}", file=sys.stderr)
    if waiting:
        print(f"lms export: still waiting for a grade given by hand, counted as 0 until then: "
              f"{', '.join(waiting)} (grade in the formgrader, run python -m autograder feedback, "
              f"then export again)", file=sys.stderr)
    return 0


def run_bundles(args):
    from autograder.lms.bundles import write_bundles

    written, empty, uploads = write_bundles(args.out)
    print(f"lms bundles: {len(written)} zips in {args.out / 'bundles'}/ (one per learner)")
    for path in uploads:
        print(f"lms bundles: {path} (the LMS's bulk upload of feedback files, see docs/lms.md)")
    if empty:
        print(f"lms bundles: no feedback or summary yet, no zip: {', '.join(empty)}", file=sys.stderr)
    return 0


def run(args):
    return args.fn(args)
