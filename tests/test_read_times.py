"""Read times come from the lessons' own length: every header states what course.syllabus
computes from the lesson's words at its stated pace, and the course map states that pace."""

import re

import nbformat
import pytest

from autograder import notebooks
from course.syllabus import WORDS_PER_MINUTE, read_minutes, word_count


@pytest.mark.parametrize("path", notebooks.lesson_notebooks(), ids=lambda p: p.name)
def test_header_read_time_is_the_word_count_at_the_stated_pace(path):
    nb = nbformat.read(path, as_version=4)
    stated = re.search(r"\*\*Read time\*\* \| about (\d+) minutes? \|", nb.cells[0].source)
    assert stated, "the header states no 'Read time | about N minutes'"
    assert int(stated.group(1)) == read_minutes(nb.cells), (
        f"{path.name}: {word_count(nb.cells)} words at {WORDS_PER_MINUTE} a minute is about "
        f"{read_minutes(nb.cells)} minutes; the header says {stated.group(1)}")


def test_the_course_map_states_the_pace():
    text = "\n".join(c.source for c in nbformat.read(notebooks.COURSE_MAP, as_version=4).cells)
    assert f"{WORDS_PER_MINUTE} words a minute" in text


def test_word_count_counts_prose_and_code():
    cells = [nbformat.v4.new_markdown_cell("Two words"), nbformat.v4.new_code_cell("x = np.sum(y)")]
    assert word_count(cells) == 6
    assert read_minutes(cells) == 1
