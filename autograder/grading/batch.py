"""One run of the grade command over a class (`GradeRun`), in the main process.

Finds the submissions, registers the assignments and students in the master gradebook, grades
what the ledger does not already hold on the worker pool, writes each result into the master
and the ledger as it comes back, and writes the reports.
"""

from __future__ import annotations

import gc
import shutil
import sys
import time

from nbgrader.utils import rmtree

from autograder import confine, notebooks
from autograder.grading.database import lost, lost_reason
from autograder.grading.gradebook import GRADING, Master
from autograder.grading.ledger import Ledger
from autograder.grading.nbgrader_patches import patch_nbgrader
from autograder.grading.outcomes import GRADER_ERROR, Outcome, status_text
from autograder.grading.pipelines import course_config
from autograder.grading.pool import RunStopped, make_pool
from autograder.grading.reports import fmt, report_rows, write_reports
from autograder.grading.submissions import digest, discover, plan
from autograder.grading.worker import STAGING, Job, Settings

LEDGER = f"{GRADING}/ledger.jsonl"

NBGRADER_CONFIG = '''\
# Written by `python -m autograder grade` so that nbgrader (formgrader, export) works in this folder.
c = get_config()  # noqa: F821 (provided by traitlets when nbgrader loads this file)
c.CourseDirectory.course_id = "{course_id}"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"
# `nbgrader export` writes grades.csv by default; that name is the grade command's report.
c.CsvExportPlugin.to = "nbgrader_export.csv"
'''


class GradeRun:
    """One run of the command over a class."""

    def __init__(self, submitted, out, engine, jobs, timeout, force, cluster=None, db=None):
        self.submitted, self.out, self.engine = submitted, out, engine
        self.jobs, self.timeout, self.force, self.cluster, self.db = jobs, timeout, force, cluster, db
        self.begin = time.perf_counter()
        self.outcomes, self.grader_errors, self.done, self.total = {}, [], 0, 0
        self.ledger = Ledger(out / LEDGER)

    def say(self, text):
        print(text, file=sys.stderr, flush=True)

    def __call__(self):
        out = self.out
        subs, unknown = discover(self.submitted, set(notebooks.assignments()))
        for student, folder in unknown:
            self.say(f"grade: skipping {student}/{folder}: not one of this course's assignments")
        if not subs:
            self.say(f"grade: no submissions of this course's assignments under {self.submitted}")
        assignments = sorted({s.assignment for s in subs})
        source = {a: digest(notebooks.SOLUTIONS / a) for a in assignments}
        for sub in subs:
            sub.hash = digest(sub.folder, source[sub.assignment]) if sub.folder else ""
        likely = [s for s in subs if s.folder and (self.force or self.ledger.done(s, self.engine) is None)]

        patch_nbgrader()
        gc.freeze()  # what is imported stays shared with the forked workers; exit is quick
        for stale in out.glob("gradebook.worker-*.db"):
            stale.unlink()
        shutil.rmtree(out / STAGING, ignore_errors=True)
        (out / GRADING / "logs").mkdir(parents=True, exist_ok=True)
        cfg = course_config(out, out / "gradebook.db")
        if self.db:
            cfg.CourseDirectory.db_url = self.db
        self.master = master = Master(out, cfg.CourseDirectory.course_id, self.db)
        pool = make_pool(Settings(out, self.engine, self.timeout), master.copy_to, self.cluster, self.say)
        pool.grow(min(self.jobs, len(likely)))  # warming up while the assignments are registered
        interrupted = False
        try:
            master.register(cfg, assignments, sorted({s.student for s in subs}), source)
            if not (out / "nbgrader_config.py").exists():
                (out / "nbgrader_config.py").write_text(NBGRADER_CONFIG.format(course_id=master.course_id) + (
                    f'c.CourseDirectory.db_url = "{self.db}"\n' if self.db else ""))
            expected = {a: master.expected(a) for a in assignments}
            todo, skipped = [], 0
            with master.gradebook() as gb:
                for sub in subs:
                    plan(sub, expected[sub.assignment])
                    done = None if self.force else self.ledger.done(sub, self.engine)
                    if sub.folder is None:
                        self.outcomes[sub.key] = sub.outcomes
                    elif done is not None and master.graded(gb, sub.student, sub.assignment):
                        self.outcomes[sub.key] = done
                        skipped += 1
                    else:
                        todo.append(sub)
            work = [s for s in todo if not s.problem]
            if work and not pool.workers:
                pool.grow(min(self.jobs, len(work)))
            self.total = len(todo)
            self.say(f"grade: {sum(s.folder is not None for s in subs)} submissions "
                     f"({len({s.student for s in subs})} students x {len(assignments)} assignments) in "
                     f"{self.submitted}; {skipped} already graded (ledger), {len(todo)} to grade with the "
                     f"{self.engine} engine on {len(pool.workers) if work else 0} workers")
            if self.engine == "judge":
                self.say(f"grade: {confine.describe()}")
            for sub in todo:
                if sub.problem:
                    self.zero(sub)
            self.by_key = {sub.key: sub for sub in work}
            if work:
                pool.run([Job(s.student, s.assignment, s.folder, dict(s.files)) for s in work],
                         self.on_result)
        except KeyboardInterrupt:
            interrupted = True
            self.say("grade: interrupted; the grades written so far are kept: run the command again to go on")
        except Exception as exc:
            if lost(exc):  # the gradebook's database went away (nbgrader's own calls included)
                exc = RunStopped(f"the gradebook database went away ({lost_reason(exc)})")
            if not isinstance(exc, RunStopped):
                raise
            interrupted = exc
            self.say(f"grade: {exc}; the grades written so far are kept: run the command again to go on")
        finally:
            self.ledger.close()
            pool.close()
            shutil.rmtree(out / STAGING, ignore_errors=True)

        try:
            scores, maxima = master.scores()
        except Exception as exc:
            if not lost(exc):
                raise
            self.say(f"grade: the gradebook database went away ({lost_reason(exc)}); no reports written: "
                     f"run the command again to go on")
            return 2
        rows = report_rows(out, subs, self.outcomes, scores, maxima, self.grader_errors)
        print(write_reports(out, rows, maxima, unknown))
        print(f"\n{len(rows)} rows in {out / 'grades.csv'}; per student: {out / 'summary.csv'}, "
              f"{out / 'summary'}/; feedback: {out / 'feedback'}/ ({time.perf_counter() - self.begin:.1f} s)")
        if isinstance(interrupted, RunStopped):
            return 2
        if interrupted:
            return 130
        return 1 if self.grader_errors else 0

    def finish(self, sub, outcomes, score=None, seconds=None):
        """A submission is done: its outcomes kept for the reports, its progress line printed."""
        self.done += 1
        self.outcomes[sub.key] = outcomes
        score = f"{fmt(score[0])}/{fmt(score[1])}" if score else "-"
        took = f" ({seconds:.1f} s)" if seconds is not None else ""
        self.say(f"[{self.done:>{len(str(self.total))}}/{self.total}] "
                 f"{time.perf_counter() - self.begin:7.1f}s  {sub.key}  {score}  {status_text(outcomes)}{took}")

    def zero(self, sub):
        """A submission nbgrader cannot take (missing or unreadable notebook): zero, no feedback."""
        score = self.master.merge(sub.student, sub.assignment, None)
        for step in ("autograded", "feedback"):
            if (self.out / step / sub.student / sub.assignment).exists():
                rmtree(str(self.out / step / sub.student / sub.assignment))
        self.ledger.record(sub, self.engine, sub.outcomes)
        self.finish(sub, sub.outcomes, score)

    def on_result(self, job, result):
        sub = self.by_key[job.key]
        outcomes = sub.outcomes + result.outcomes
        if result.error or result.grades is None:
            self.grader_errors.append(sub.key)
            self.finish(sub, outcomes + [Outcome(GRADER_ERROR, f"{result.error or 'no grades'} "
                                                 f"(log: {GRADING}/logs/{sub.student}/{sub.assignment}.log)")],
                        None, result.seconds)
            return
        try:
            score = self.master.merge(sub.student, sub.assignment, result.grades)
        except Exception as exc:  # the gradebook refused it: report, go on with the class
            if lost(exc):  # ... unless its database went away: nothing more can be written
                raise RunStopped(f"the gradebook database went away while writing {sub.key} "
                                 f"(not written: {lost_reason(exc)})") from None
            self.grader_errors.append(sub.key)
            self.finish(sub, outcomes + [Outcome(GRADER_ERROR, f"writing the gradebook failed: "
                                                 f"{type(exc).__name__}: {exc}")])
            return
        self.ledger.record(sub, self.engine, outcomes)
        self.finish(sub, outcomes, score, result.seconds)
