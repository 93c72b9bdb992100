"""`python -m autograder feedback OUT [--student S] [--assignment A]`: every learner's feedback
made again from the master gradebook, without grading anything, then the reports rewritten.

After a manual grade in the formgrader (a score, extra credit, a comment) the gradebook holds
the new total; this command makes the feedback pages (`OUT/feedback/`, from the autograded
notebooks in `OUT/autograded/`, through the course's feedback steps: hidden tests hidden, the
named mistakes, the late penalty), `grades.csv`, `summary.csv` and `summary/` agree with it.
The reports are rewritten whole, from the last grade run's submissions and outcomes
(grading/last_run.json) and the scores the gradebook holds now; --student and --assignment
choose only whose feedback is made again.
"""

from __future__ import annotations

import sys
from pathlib import Path

# nbgrader and the course's pipelines are imported in the functions: `python -m autograder`
# loads this module for its arguments, before `command.prepare_environment` has run.


def add_arguments(parser):
    parser.add_argument("out", type=Path, metavar="OUT",
                        help="the course folder the grade command wrote (gradebook.db, autograded/, feedback/)")
    parser.add_argument("--student", action="append", default=None, metavar="S",
                        help="only this learner's feedback (may be repeated)")
    parser.add_argument("--assignment", action="append", default=None, metavar="A",
                        help="only this assignment's feedback (may be repeated)")


class Regenerator:
    """nbgrader's GenerateFeedback as the grade command's workers run it, against the master."""

    def __init__(self, out, db=None):
        from nbgrader.coursedir import CourseDirectory

        from autograder.grading.pipelines import FeedbackOne, course_config, feedback_preprocessors

        self.out = Path(out)
        cfg = course_config(self.out, self.out / "gradebook.db")
        if db:
            cfg.CourseDirectory.db_url = db
        cfg.BaseConverter.force = True
        cfg.GenerateFeedback.preprocessors = feedback_preprocessors()
        self.coursedir = CourseDirectory(config=cfg)
        self.converter = FeedbackOne(coursedir=self.coursedir, config=cfg).prepare()
        self.course_id, self.url = self.coursedir.course_id, self.coursedir.db_url

    def __call__(self, student, assignment):
        """Make one submission's feedback again; None, or what went wrong in one line."""
        from autograder.grading.logs import captured_log, error_summary

        self.coursedir.student_id, self.coursedir.assignment_id = student, assignment
        with captured_log() as records:
            try:
                self.converter.start()
            except Exception as exc:
                return error_summary(records, exc)
        return None


def submissions(out, master, students=None, assignments=None):
    """(student, assignment) of every submission the master holds an autograded copy of."""
    found = []
    with master.gradebook() as gb:
        for assignment in gb.assignments:
            if assignments and assignment.name not in assignments:
                continue
            for sub in gb.assignment_submissions(assignment.name):
                student = sub.student.id
                if students and student not in students:
                    continue
                if any((out / "autograded" / student / assignment.name).glob("*.ipynb")):
                    found.append((student, assignment.name))
    return sorted(found)


def run(args):
    from autograder.grading.command import LOCK, locked, prepare_environment

    prepare_environment()
    from autograder.grading.batch import LEDGER, load_run, write_all_reports
    from autograder.grading.course_folder import db_url
    from autograder.grading.gradebook import GRADING, Master
    from autograder.grading.ledger import Ledger
    from autograder.grading.nbgrader_patches import patch_nbgrader

    out = args.out.resolve()
    last = load_run(out)
    db = db_url(out) or (last[4] if last else None)
    if not db and not (out / "gradebook.db").exists():
        raise SystemExit(f"feedback: {out} has no gradebook.db: grade the class first "
                         f"(python -m autograder grade SUBMISSIONS --out {out})")
    patch_nbgrader()
    with locked(out / LOCK):
        regenerate = Regenerator(out, db)
        master = Master(out, regenerate.course_id, db)
        todo = submissions(out, master, args.student, args.assignment)
        failed = []
        for student, assignment in todo:
            error = regenerate(student, assignment)
            if error:
                failed.append(f"{student}/{assignment}")
                print(f"feedback: {student}/{assignment}: {error}", file=sys.stderr)
        print(f"feedback: {len(todo) - len(failed)} of {len(todo)} submissions' feedback made again from the "
              f"gradebook in {out / 'feedback'}/", file=sys.stderr)
        if last is None:
            print(f"feedback: no {GRADING}/last_run.json in {out}: grades.csv and the summaries are not "
                  f"rewritten (a grade run writes it)", file=sys.stderr)
        else:
            subs, outcomes, grader_errors, unknown, _ = last
            ledger = Ledger(out / LEDGER)
            _, table = write_all_reports(out, master, subs, outcomes, grader_errors, unknown, ledger)
            print(table)
            print(f"\nrewritten from the gradebook: {out / 'grades.csv'}, {out / 'summary.csv'}, {out / 'summary'}/")
    return 1 if failed else 0
