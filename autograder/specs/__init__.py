"""Exercise specs, one module per exercise, found by their ASSIGNMENT attribute.

A spec module defines ASSIGNMENT (the nbgrader assignment id, e.g. "01_neuron")
and GRADED, a dict from function name to `course.checking.GradedFunction`.
"""

import importlib
import pkgutil
from functools import lru_cache


@lru_cache(maxsize=None)
def all_specs():
    """{assignment id: {function name: GradedFunction}} for every spec module."""
    found = {}
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        if hasattr(module, "ASSIGNMENT"):
            found[module.ASSIGNMENT] = module.GRADED
    return found


def graded_function(assignment, name):
    """Look up one graded function, with a clear error for an unknown name."""
    specs = all_specs()
    if assignment not in specs:
        raise KeyError(f"unknown assignment {assignment!r}; known: {sorted(specs)}")
    if name not in specs[assignment]:
        raise KeyError(f"{assignment} has no graded function {name!r}; "
                       f"known: {sorted(specs[assignment])}")
    return specs[assignment][name]


def sections(assignment):
    """For a spec module: title -> where a mistake's explanation sends the learner to reread,
    'lesson N (lessons/<assignment>.ipynb), section "<title>"'."""
    lesson = f"lesson {int(assignment[:2])} (lessons/{assignment}.ipynb)"

    def section(title):
        return f'{lesson}, section "{title}"'

    return section
