"""The course package stands without the autograder.

The learner edition ships course/ and not autograder/ (the answer key, the hidden cases, the
grading). Every course module must therefore import with `autograder` unimportable, and no
lesson's module may hand out its own exercise's graded functions under their graded names.
"""

import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import course
from autograder.specs import all_specs

ROOT = Path(__file__).resolve().parents[1]
MODULES = sorted(info.name for info in pkgutil.iter_modules(course.__path__))

# A fresh interpreter in which any import of autograder (or a submodule) raises ImportError.
REFUSE_AUTOGRADER = """
import importlib, sys

class RefuseAutograder:
    def find_spec(self, name, path=None, target=None):
        if name == "autograder" or name.startswith("autograder."):
            raise ImportError(f"{name} is not part of the learner edition")
        return None

sys.meta_path.insert(0, RefuseAutograder())
importlib.import_module(sys.argv[1])
leaked = sorted(name for name in sys.modules if name.split(".")[0] == "autograder")
assert not leaked, leaked
"""

# The course module of each lesson, and the exercise that grades that lesson.
LESSON_MODULES = {
    "plots": "01_neuron", "widgets": "01_neuron", "layers": "02_layers", "loss": "03_loss",
    "nudging": "04_nudging", "numerical_gradient": "05_numerical_gradient",
    "descent": "06_descent", "training": "07_training", "wishes": "08_wishes",
    "chain_rule": "09_chain_rule", "whole_picture": "10_whole_picture",
}


def import_without_autograder(module):
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run([sys.executable, "-c", REFUSE_AUTOGRADER, module], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_the_refusal_works():
    """The check itself: a module that imports autograder fails in that interpreter."""
    result = import_without_autograder("autograder.specs")
    assert result.returncode != 0 and "not part of the learner edition" in result.stderr


@pytest.mark.slow  # a fresh interpreter per module
@pytest.mark.parametrize("name", MODULES)
def test_course_module_imports_without_autograder(name):
    result = import_without_autograder(f"course.{name}")
    assert result.returncode == 0, f"course.{name} needs autograder:\n{result.stderr[-3000:]}"


def test_every_lesson_module_is_mapped_to_its_exercise():
    assert set(LESSON_MODULES) <= set(MODULES), sorted(set(LESSON_MODULES) - set(MODULES))
    assert set(LESSON_MODULES.values()) == set(all_specs())


@pytest.mark.parametrize("name", sorted(LESSON_MODULES))
def test_lesson_module_hands_out_none_of_its_exercises_graded_functions(name):
    module = __import__(f"course.{name}", fromlist=["_"])
    graded = set(all_specs()[LESSON_MODULES[name]])
    exported = sorted(graded & set(vars(module)))
    assert not exported, (f"course.{name} has exercise {LESSON_MODULES[name]}'s graded "
                          f"{', '.join(exported)}: give it from course.given once a later exercise "
                          "needs it, or store the results the lesson shows")
