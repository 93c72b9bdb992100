"""nbgrader configuration for the course (loaded by ../nbgrader_config.py).

nbgrader's own layout, mapped onto the repository: the instructor versions in
solutions/ are nbgrader's source, the generated student versions in exercises/
are its release.
"""

from pathlib import Path

from autograder.grading.feedback_html import FeedbackExporter, exporter_settings
from autograder.grading.pipelines import feedback_preprocessors

c = get_config()  # noqa: F821 (provided by traitlets when nbgrader loads this file)

ROOT = Path(__file__).resolve().parent.parent

c.CourseDirectory.course_id = "backprop-by-hand"
c.CourseDirectory.root = str(ROOT)
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", ".*"]

# What a learner sees in place of each solution block.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# A learner's cell that runs forever is interrupted after this many seconds
# and its grade cell scores zero.
c.Execute.timeout = 30

# nbgrader's own feedback (`nbgrader generate_feedback`, the formgrader's Generate Feedback) goes
# through the course's steps, as the grade command's does: no hidden test reaches a learner.
c.GenerateFeedback.preprocessors = feedback_preprocessors()

# The learner's feedback page (GenerateFeedback's exporter, its own config section so that the
# formgrader's pages keep nbgrader's templates): the markdown's maths as MathML with
# no MathJax from the web, messages that wrap, lesson links as text (autograder/grading/feedback_html.py).
c.GenerateFeedback.exporter_class = FeedbackExporter
c.FeedbackExporter.update(exporter_settings())
