"""The instructor's grading command: autograde a whole class through nbgrader, in parallel.

    python -m autograder grade SUBMISSIONS [--out DIR] [--jobs N] [--timeout S]
                                           [--engine {judge,kernel}] [--force] [--keep-manual]
                                           [--cluster ADDRESS] [--db URL] [--dry-run]
    python -m autograder feedback OUT [--student S] [--assignment A]

SUBMISSIONS is nbgrader's `submitted/` folder (`submitted/<student>/<assignment>/<notebook>.ipynb`)
or a course folder that holds one. The output course folder (--out, default: the folder that
holds `submitted/`) receives what `nbgrader autograde` and `nbgrader generate_feedback` would
write there (`gradebook.db`, `autograded/`, `feedback/`, plus the sources in `solutions/` and the
release in `exercises/` that nbgrader needs), and the command's own reports: `grades.csv` (one
row per student and assignment: student, assignment, score, max_score, status, then
submitted_at, late_by_seconds, penalty, score_before_penalty), `summary.csv` (one row per student, a column per
assignment), `summary/<student>.md` (scores, statuses, the cells that lost points with their
named mistakes, earlier gradings, links to the feedback), what the class got wrong
(`summary/class.md`, `questions.csv`, `mistakes.csv`) and `grading/` (ledger, logs). `feedback`
makes the feedback and the reports again from the gradebook (after grading by hand in the
formgrader) without grading anything.

Everything is nbgrader's own machinery: the assignments are registered with its
GenerateAssignment converter, every submission goes through its Autograde converter (sanitising
preprocessors, then the autograding ones, with `OverwriteCells.add_missing_cells` on) and its
GenerateFeedback converter, and the grades live in its Gradebook. Only the execution step is
swapped (`pipelines.autograde_preprocessors`): the judge or nbgrader's stock `Execute` in a
kernel (`engines`).

The parts, in the order a run meets them:

- `command`: the command line, the process's set-up, the lock on OUT.
- `batch`: one run over a class (`GradeRun`), in the main process.
- `submissions`: finding the submissions and what can be graded of each.
- `gradebook`: grades as data, and the master gradebook the main process alone writes.
- `pool` (main process) and `worker` (worker processes): grading in parallel.
- `pipelines`: nbgrader's converters and preprocessor lists; `engines`: the two execution steps;
  `nbgrader_patches`: the one place nbgrader is changed at run time; `logs`: nbgrader's log.
- `outcomes`: what happened to a submission, as data; `ledger`: what is already graded;
  `reports`: the CSV files, the per-student pages and the summary table; `class_report`: what
  the class got wrong.
- `feedback`: the feedback-only command; `course_folder`: the block of OUT/nbgrader_config.py
  that makes nbgrader's own entry points there (formgrader, generate_feedback, export) safe;
  `feedback_html`: the learner's feedback page (MathML, wrapping, the named mistake on top).
- `cluster` and `database`: grading on a Dask cluster, the gradebook in PostgreSQL.

Parallel gradebook writes
-------------------------
SQLite does not take concurrent writers and nbgrader has no parallel autograde, so:

- The main process is the only writer of the master gradebook (`OUT/gradebook.db`). It registers
  the assignments and students first, then copies the master to one gradebook per worker
  (`OUT/gradebook.worker-N.db`) before the worker's first job.
- N long-lived worker processes (forked from the main process once nbgrader and the judge are
  imported, and started before the registration so that they warm up meanwhile) each take one
  submission at a time and run nbgrader's Autograde and GenerateFeedback converters in-process
  against their own gradebook copy: no `nbgrader` process per submission.
- A worker sends back the submission's grades, late penalty and outcomes as plain data; the main
  process writes them into the master with nbgrader's Gradebook API (one commit per submission:
  auto scores and auto comments), then appends the submission to the ledger. Scores and
  comments an instructor gave by hand stay when the same files are graded again (`--force`);
  when the learner's files changed they are cleared before the workers copy the master (the
  status says `manual score cleared`), unless `--keep-manual`. The master is therefore what
  `nbgrader formgrader` / `nbgrader export` read.
- The worker copies live directly in OUT because the judge protects the folder holding the
  gradebook it is given (the sources and the class's submissions are there) from learner code.

Resume: `OUT/grading/ledger.jsonl` has one line per finished submission (see `ledger`); a
changed submission (or solution) is regraded, `--force` regrades all. A lock file keeps two
runs off the same output folder.
"""
