"""Instructor side of the course: reference implementation, checks, nbgrader glue.

- `autograder.reference`: the numpy reference for every graded function.
- `autograder.specs`: one module per exercise describing its graded functions
  (cases, tolerances, the catalogue of known mistakes).
- `course.checking`: the engine that runs a function against its spec.
- `autograder.hidden`: what the hidden test cells call.
- `python -m autograder ...`: generate student versions, re-execute notebooks.
"""
