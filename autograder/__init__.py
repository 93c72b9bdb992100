"""Instructor side of the course: reference implementation, checks, grading.

- `autograder.reference`: the numpy reference for every graded function.
- `autograder.specs`: one module per exercise describing its graded functions
  (cases, tolerances, the catalogue of known mistakes).
- `course.checking`: the engine that runs a function against its spec.
- `autograder.hidden`: what the hidden test cells call.
- `autograder.judge`, `autograder.sandbox`, `autograder.sandbox_process`,
  `autograder.wire`, `autograder.confine`: the judge, which grades a notebook
  with the learner's code confined to a sandbox process.
- `autograder.grading`: the grading command, nbgrader over worker processes.
- `autograder.notebooks`: the repository's notebooks and nbgrader runs over them.
- `python -m autograder ...`: generate student versions, re-execute notebooks,
  check for drift, grade a class.
"""
