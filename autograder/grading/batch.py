"""One run of the grade command over a class (`GradeRun`), in the main process.

Finds the submissions, registers the assignments and students in the master gradebook, grades
what the ledger does not already hold on the worker pool, writes each result into the master
and the ledger as it comes back, and writes the reports (and grading/last_run.json, from which
`python -m autograder feedback` rewrites them after a manual grade).

Manual scores and a regraded submission (`GradeRun.manual_policy`): the formgrader's hand-given
scores, extra credit and comments belong to the version of the learner's files they were given
to. When a submission is regraded because its files changed (a resubmission), they are cleared
from the master before the workers copy it (so the new feedback does not show them either), and
the status says so (`manual score cleared: <cells, old scores, comments>`; the ledger line keeps
what was cleared). `grade --keep-manual` keeps them instead (`manual score kept: ...`; the
feedback shows them). A regrade of unchanged files (`--force`, a changed assignment source)
keeps them without a word: the work they judged is the work graded.

A timeout costs points only if it comes again alone: a submission with a cell (or a graded
function's checks) stopped at the time limit is graded once more when the others are done, with
nothing graded beside it (`GradeRun.on_retried`). Its status says which way it went: `ran past
30 s (again when graded alone)`, or a grader note that every cell finished in time alone. (The
limit itself already leaves out the time a cell waits for a processor, `autograder.cell_time`.)
"""

from __future__ import annotations

import contextlib
import errno
import gc
import json
import shlex
import shutil
import signal
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

from nbgrader.utils import rmtree

from autograder import confine, confined_kernel, notebooks
from autograder.grading import course_folder
from autograder.grading.database import DB_WAIT, lost, lost_reason
from autograder.grading.gradebook import GRADING, Master
from autograder.grading.ledger import Ledger, write_json
from autograder.grading.nbgrader_patches import patch_nbgrader
from autograder.grading.outcomes import (
    AWAITING_MANUAL,
    CHANGED,
    GRADER_ERROR,
    GRADER_NOTE,
    MANUAL_CLEARED,
    MANUAL_KEPT,
    TIMEOUT,
    Outcome,
    plural,
    status_text,
)
from autograder.grading.pipelines import course_config
from autograder.grading.pool import RunStopped, make_pool
from autograder.grading.reports import fmt, report_rows, write_reports
from autograder.grading.submissions import Submission, changed_files, digest, discover, file_digests, plan
from autograder.grading.worker import STAGING, Job, Settings
from autograder.hub.collect import quarantined

LEDGER = f"{GRADING}/ledger.jsonl"
LAST_RUN = f"{GRADING}/last_run.json"  # what the reports of the last run were made of


class GradeRun:
    """One run of the command over a class."""

    def __init__(self, submitted, out, engine, jobs, timeout, force, cluster=None, db=None, keep_manual=False,
                 db_wait=DB_WAIT):
        self.submitted, self.out, self.engine = submitted, out, engine
        self.jobs, self.timeout, self.force, self.cluster, self.db = jobs, timeout, force, cluster, db
        self.keep_manual, self.db_wait = keep_manual, db_wait
        self.begin = time.perf_counter()
        self.outcomes, self.grader_errors, self.done, self.total = {}, [], 0, 0
        self.manual_outcomes, self.files = {}, {}
        self.ledger = Ledger(out / LEDGER)
        self.regenerator = None  # made when a --db run first meets a submission graded by hand

    def say(self, text):
        print(text, file=sys.stderr, flush=True)

    def __call__(self):
        out = self.out
        subs, unknown = discover(self.submitted, set(notebooks.assignments()))
        for student, folder in unknown:
            self.say(f"grade: skipping {student}/{folder}: not one of this course's assignments")
        for claimed, assignment, owner, folder in quarantined(self.submitted.parent):
            self.say(f"grade: not graded: {claimed}/{assignment} handed in by the account {owner} "
                     f"(quarantined by collect: {folder})")
        if not subs:
            self.say(f"grade: no submissions of this course's assignments under {self.submitted}")
        assignments = sorted({s.assignment for s in subs})
        source = {a: digest(notebooks.SOLUTIONS / a) for a in assignments}
        for sub in subs:
            sub.hash = digest(sub.folder, source[sub.assignment]) if sub.folder else ""
            sub.digests = file_digests(sub.folder) if sub.folder else {}
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
        self.master = master = Master(out, cfg.CourseDirectory.course_id, self.db, self.db_wait, self.say)
        regrade = shlex.join(["python", "-m", "autograder", "grade", str(self.submitted), "--out", str(out)]
                             + (["--db", self.db] if self.db else []))
        course_folder.ensure(out, master.course_id, self.db, regrade)
        pool = make_pool(Settings(out, self.engine, self.timeout), master.copy_to, self.cluster, self.say)
        pool.grow(min(self.jobs, len(likely)))  # warming up while the assignments are registered
        interrupted = False
        try:
            master.register(cfg, assignments, sorted({s.student for s in subs}), source)
            expected = {a: master.expected(a) for a in assignments}
            todo, skipped = [], 0
            with master.gradebook() as gb:
                for sub in subs:
                    plan(sub, expected[sub.assignment])
                    done = None if self.force else self.ledger.done(sub, self.engine)
                    if sub.folder is None:
                        self.outcomes[sub.key] = sub.outcomes
                    elif (done is not None and master.graded(gb, sub.student, sub.assignment)
                          and self.files_kept(sub, expected[sub.assignment])):
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
                     f"{self.engine} engine on {plural(len(pool.workers) if work else 0, 'worker')}")
            self.say(f"grade: {protection(self.engine)}")
            given = master.manual_keys() if todo else set()
            for sub in todo:  # before the workers copy the master
                self.manual_policy(sub, sub.key in given)
            for sub in todo:
                if sub.problem:
                    self.zero(sub)
            self.by_key = {sub.key: sub for sub in work}
            if work:
                again = []  # submissions with a cell stopped at the limit: graded again alone
                pool.run([Job(s.student, s.assignment, s.folder, dict(s.files)) for s in work],
                         lambda job, result: again.append(job) if timed_out(result) else self.on_result(job, result))
                if again:
                    self.say(f"grade: {plural(len(again), 'submission')} had a cell stopped at the time "
                             f"limit; grading {'it' if len(again) == 1 else 'each'} again alone before "
                             f"it costs points")
                for job in again:
                    pool.run([job], self.on_retried)
        except KeyboardInterrupt:
            interrupted = True
            self.say("grade: interrupted; the grades written so far are kept: run the command again to go on")
        except Exception as exc:
            if lost(exc):  # the gradebook's database went away (nbgrader's own calls included)
                exc = RunStopped(f"the gradebook database went away ({lost_reason(exc)})")
            elif unwritable(exc):  # the ledger or the gradebook on a full (or read-only) disk
                exc = RunStopped(f"could not write {exc.filename or 'the ledger or the gradebook'} "
                                 f"({exc.strerror})")
            if not isinstance(exc, RunStopped):
                raise
            interrupted = exc
            self.say(f"grade: {exc}; the grades written so far are kept: run the command again to go on")
        finally:
            self.ledger.close()
            pool.close()
            shutil.rmtree(out / STAGING, ignore_errors=True)

        try:
            rows, table = write_all_reports(out, master, subs, self.outcomes, self.grader_errors, unknown,
                                            self.ledger)
            save_run(out, subs, self.outcomes, self.grader_errors, unknown, self.db)
        except Exception as exc:
            if lost(exc):  # the reports are made from the master's scores, read first
                why = f"the gradebook database went away ({lost_reason(exc)}); no reports written"
            elif unwritable(exc):
                why = (f"could not write {exc.filename or 'the reports'} ({exc.strerror}); the reports were "
                       f"not all written")
            else:
                raise
            self.say(f"grade: {why}: run the command again to go on")
            return 2
        print(table)
        print(f"\n{len(rows)} rows in {out / 'grades.csv'}; per student: {out / 'summary.csv'}, "
              f"{out / 'summary'}/; feedback: {out / 'feedback'}/ ({time.perf_counter() - self.begin:.1f} s)")
        if isinstance(interrupted, RunStopped):
            return 2
        if interrupted:
            return 130
        return 1 if self.grader_errors else 0

    def files_kept(self, sub, expected):
        """Whether a graded submission's autograded notebooks and feedback pages are still there
        (nbgrader's stock Autograde deletes the autograded copy when it fails; an instructor may
        delete folders): if not, it is graded again. One nbgrader cannot take has none."""
        if sub.problem:
            return True
        return all((self.out / step / sub.student / sub.assignment / f"{name}{ext}").is_file()
                   for name in expected for step, ext in (("autograded", ".ipynb"), ("feedback", ".html")))

    def manual_policy(self, sub, given=True):
        """What happens to the hand-given scores and comments of a submission about to be graded
        (see the module): cleared from the master (files changed), kept with a word (files
        changed, --keep-manual; or no ledger line says which files they were given to), kept
        silently (files unchanged). Its outcomes go with the submission's when it is finished.
        given: whether the master holds anything given by hand for it (`Master.manual_keys`)."""
        held = self.ledger.held_outcomes(sub.key)  # cleared by an earlier run that did not finish it
        # the learner's work: a new timestamp.txt alone (the same notebook handed in again) is
        # graded again (its lateness may differ) but keeps what was given by hand
        self.files[sub.key] = digest(sub.folder, ignore={"timestamp.txt"})
        changed = self.ledger.changed(sub, self.files[sub.key])
        clear = bool(changed) and not self.keep_manual
        manual = self.master.manual(sub.student, sub.assignment, clear=clear) if given else None
        found = []
        if manual and clear:
            found.append(Outcome(MANUAL_CLEARED, f"{manual.describe()} (given to an earlier version of the "
                                                 f"files; grade --keep-manual keeps them)"))
            self.ledger.hold(sub.key, found, manual.to_json())
        elif manual and changed:
            found.append(Outcome(MANUAL_KEPT, f"{manual.describe()} (given to an earlier version of the files)"))
        elif manual and changed is None:
            found.append(Outcome(MANUAL_KEPT, f"{manual.describe()} (no ledger line says which version of "
                                              f"the files they were given to)"))
        self.manual_outcomes[sub.key] = held + found

    def finish(self, sub, outcomes, score=None, seconds=None, waiting=None):
        """A submission is done: its outcomes kept for the reports, its progress line printed
        (waiting: the manual grades it awaits, in words)."""
        self.done += 1
        self.outcomes[sub.key] = outcomes
        score = f"{fmt(score[0])}/{fmt(score[1])}" if score else "-"
        took = f" ({seconds:.1f} s)" if seconds is not None else ""
        status = "; ".join(filter(None, [status_text(outcomes) if outcomes or not waiting else "", waiting]))
        self.say(f"[{self.done:>{len(str(self.total))}}/{self.total}] "
                 f"{time.perf_counter() - self.begin:7.1f}s  {sub.key}  {score}  {status}{took}")

    def zero(self, sub):
        """A submission nbgrader cannot take (missing or unreadable notebook): zero, no feedback."""
        score = self.master.merge(sub.student, sub.assignment, None)
        for step in ("autograded", "feedback"):
            if (self.out / step / sub.student / sub.assignment).exists():
                rmtree(str(self.out / step / sub.student / sub.assignment))
        outcomes = sub.outcomes + self.manual_outcomes.get(sub.key, [])
        self.ledger.record(sub, self.engine, outcomes, score, self.files.get(sub.key))
        self.finish(sub, outcomes, score)

    def changed_since_planned(self, sub, result):
        """What changed in the submitted files since the run planned this submission: in the copy
        the worker graded, or in the originals now (none: the grade is the planned files')."""
        found = changed_files(sub.digests, result.staged) if result.staged is not None else []
        try:
            now = file_digests(sub.folder)
        except OSError as exc:
            return found + [f"{sub.folder.name}/ could not be read again ({type(exc).__name__})"]
        return found + [change for change in changed_files(sub.digests, now) if change not in found]

    def on_result(self, job, result):
        """Record a finished job: the gradebook, the ledger and the outcomes the reports read are
        written together, a Ctrl-C or SIGTERM arriving meanwhile taking effect just after (else
        the ledger could hold a grade the interrupted run's grades.csv does not show)."""
        with _signals_deferred():
            self._record(job, result)

    def on_retried(self, job, result):
        """Record a submission graded again alone after a cell of it was stopped at the time
        limit: its timeouts count only if they came again."""
        if timed_out(result):
            result.outcomes = [replace(o, detail=f"{o.detail} (again when graded alone)") if o.kind == TIMEOUT
                               else o for o in result.outcomes]
        elif not result.error:
            result.outcomes.append(Outcome(GRADER_NOTE, f"a cell was stopped at the {self.timeout} s limit; "
                                                        f"graded again alone, every cell finished in time"))
        self.on_result(job, result)

    def _record(self, job, result):
        sub = self.by_key[job.key]
        outcomes = sub.outcomes + result.outcomes + self.manual_outcomes.get(sub.key, [])
        if not sub.folder.is_dir():  # moved or deleted while the class was graded
            self.grader_errors.append(sub.key)
            self.finish(sub, sub.outcomes + self.manual_outcomes.get(sub.key, []) + [Outcome(
                CHANGED, f"the folder {sub.folder} disappeared while the class was graded; not graded (an "
                         f"earlier grade, if any, is kept; run the command again once the folder is back)")],
                None, result.seconds)
            return
        changed = self.changed_since_planned(sub, result) if not (result.error or result.grades is None) else []
        if changed:
            # the files graded may not be the files handed in: no grade, no ledger line (the next
            # run grades it again), and no feedback made from them
            self.grader_errors.append(sub.key)
            for step in ("autograded", "feedback"):
                if (self.out / step / sub.student / sub.assignment).exists():
                    rmtree(str(self.out / step / sub.student / sub.assignment))
            self.finish(sub, outcomes + [Outcome(CHANGED, f"{', '.join(changed)}; not graded, the next run "
                                                          f"grades the files as they are then")],
                        None, result.seconds)
            return
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
        if self.db and score.by_hand:
            # the workers' gradebook copies of a database server hold no grades: the feedback
            # of a submission with kept manual scores is made again from the master
            from autograder.grading.feedback import Regenerator

            if self.regenerator is None:
                self.regenerator = Regenerator(self.out, self.db)
            error = self.regenerator(sub.student, sub.assignment)
            if error:
                outcomes = outcomes + [Outcome(GRADER_ERROR, f"feedback with the manual scores: {error}")]
        self.ledger.record(sub, self.engine, outcomes, score, self.files.get(sub.key))
        # said on the progress line as grades.csv will say it; not an outcome kept in the ledger,
        # since a grade given by hand later ends the wait
        self.finish(sub, outcomes, score, result.seconds,
                    f"{AWAITING_MANUAL}: {', '.join(score.awaiting)}" if score.awaiting else None)


DISK_ERRORS = (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EIO, errno.EFBIG)


def unwritable(exc):
    """Whether exc is the disk refusing a write (full, over quota, read-only, failing)."""
    return isinstance(exc, OSError) and exc.errno in DISK_ERRORS


def timed_out(result):
    """Whether a worker's result has a cell (or a graded function's checks) stopped at the limit."""
    return any(o.kind == TIMEOUT for o in result.outcomes)


@contextlib.contextmanager
def _signals_deferred(signums=(signal.SIGINT, signal.SIGTERM)):
    """Hold SIGINT and SIGTERM while the block runs, then act on any that came, with the handler
    that was in place (the main thread only: elsewhere Python delivers no signals)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    arrived = []
    before = {signum: signal.signal(signum, lambda signum, _frame: arrived.append(signum))
              for signum in signums}
    try:
        yield
    finally:
        for signum, handler in before.items():
            signal.signal(signum, handler)
        for signum in dict.fromkeys(arrived):
            handler = before[signum]
            if callable(handler):
                handler(signum, None)
            elif handler == signal.SIG_DFL:
                signal.raise_signal(signum)


def protection(engine):
    """What keeps learner code away from the originals under `engine`, in one line."""
    if engine == "kernel":
        return confined_kernel.describe()
    return (f"{confine.describe()}; learner code may write only in its sandbox's temporary folder: "
            f"submitted/, autograded/, feedback/, the gradebook, the ledger and the reports are out "
            f"of its reach")


def write_all_reports(out, master, subs, outcomes, grader_errors, unknown, ledger):
    """The reports from the master's scores, the outcomes and the ledger's history: (rows, the
    summary table's text)."""
    scores, maxima = master.scores()
    rows = report_rows(out, subs, outcomes, scores, maxima, grader_errors, history=ledger.histories())
    return rows, write_reports(out, rows, maxima, unknown)


def save_run(out, subs, outcomes, grader_errors, unknown, db):
    """grading/last_run.json: the submissions, outcomes and grader errors the reports were made of."""
    data = {"subs": [[s.student, s.assignment, str(s.folder) if s.folder else None] for s in subs],
            "outcomes": {key: [o.to_json() for o in found] for key, found in outcomes.items()},
            "grader_errors": list(grader_errors), "unknown": [list(u) for u in unknown], "db": db}
    write_json(out / LAST_RUN, data)


def load_run(out):
    """(subs, outcomes, grader_errors, unknown, db) as `save_run` kept them; None without a run."""
    path = Path(out) / LAST_RUN
    if not path.exists():
        return None
    data = json.loads(path.read_text())
    subs = [Submission(student, assignment, Path(folder) if folder else None)
            for student, assignment, folder in data["subs"]]
    outcomes = {key: [Outcome.from_json(o) for o in found] for key, found in data["outcomes"].items()}
    return subs, outcomes, data["grader_errors"], [tuple(u) for u in data["unknown"]], data.get("db")
