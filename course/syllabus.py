"""The course's ten lessons, in order: the one list the course map and progress view use."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Lesson:
    number: int
    slug: str
    title: str
    phase: str

    @property
    def assignment(self):
        return f"{self.number:02d}_{self.slug}"

    @property
    def lesson_path(self):
        return f"lessons/{self.assignment}.ipynb"

    @property
    def exercise_path(self):
        return f"exercises/{self.assignment}/{self.assignment}_exercise.ipynb"


PHASES = ("What a network computes", "The learning loop", "How the gradient gets computed")

LESSONS = (
    Lesson(1, "neuron", "The neuron", PHASES[0]),
    Lesson(2, "layers", "Layers and the forward pass", PHASES[0]),
    Lesson(3, "loss", "Loss: how wrong is the network?", PHASES[0]),
    Lesson(4, "nudging", "Slopes by nudging", PHASES[1]),
    Lesson(5, "numerical_gradient", "The gradient by nudging every knob", PHASES[1]),
    Lesson(6, "descent", "Descending the hill", PHASES[1]),
    Lesson(7, "training", "Gradient descent step by step", PHASES[1]),
    Lesson(8, "wishes", "What backpropagation is really doing", PHASES[2]),
    Lesson(9, "chain_rule", "The chain rule", PHASES[2]),
    Lesson(10, "whole_picture", "The whole picture", PHASES[2]),
)


# Read times: a lesson's words (prose and code, every cell) at this pace, the pace of reading
# technical text with attention and running the cells. Each lesson's header states the result;
# tests/test_read_times.py keeps the two in step.
WORDS_PER_MINUTE = 130


def word_count(cells):
    """Words in a notebook's cells (markdown and code): runs of letters, digits and underscores."""
    import re

    return sum(len(re.findall(r"\w+", cell.source)) for cell in cells)


def read_minutes(cells):
    """The read time a lesson's header should state, in whole minutes."""
    return max(1, round(word_count(cells) / WORDS_PER_MINUTE))
