"""Lessons 1-4 and the course map: stored outputs that must stay current, figures that must show
what their prose says, and lesson 4 stating the course's one gradient check from course.gradcheck."""

import re
import shutil
from pathlib import Path

import matplotlib
import nbformat
import numpy as np
import pytest

matplotlib.use("Agg")

from autograder import notebooks
from course import gradcheck, layers, loss, nudging, progress

ROOT = Path(__file__).resolve().parent.parent
COURSE_MAP = ROOT / "lessons" / "00_course_map.ipynb"
LESSON_4 = ROOT / "lessons" / "04_nudging.ipynb"


@pytest.fixture
def empty_progress(tmp_path, monkeypatch):
    monkeypatch.setenv("BACKPROP_PROGRESS_FILE", str(tmp_path / "progress.json"))


def progress_cell(nb):
    cells = [c for c in nb.cells if c.cell_type == "code" and "progress.show()" in c.source]
    assert len(cells) == 1, "the course map has one progress cell"
    return cells[0]


def stored_output(cell):
    results = [o for o in cell.outputs if o.output_type == "execute_result"]
    assert len(results) == 1, "the progress cell stores its table"
    return results[0].data


def test_course_map_stored_progress_is_a_fresh_empty_rendering(empty_progress):
    """nbval ignores this cell's output (a learner's progress differs), so nbval cannot notice it
    going stale; this test does: the stored table is what course.progress shows with no records."""
    data = stored_output(progress_cell(nbformat.read(COURSE_MAP, as_version=4)))
    table = progress.show()
    assert data["text/plain"] == repr(table)
    assert data["text/html"] == table._repr_html_()
    total = sum(row[3] for row in progress.summary())
    assert f"total: 0 of {total} functions" in data["text/plain"]
    assert all(row[3] > 0 for row in progress.summary()), "every exercise has graded functions"


def test_executing_the_course_map_ignores_the_runners_own_progress(tmp_path, monkeypatch):
    """`python -m autograder execute` runs the kernel with an empty progress store, so whoever
    re-executes the course map cannot leak their own check results into its stored output."""
    mine = tmp_path / "mine.json"
    monkeypatch.setenv("BACKPROP_PROGRESS_FILE", str(mine))
    progress.record("01_neuron", "sigmoid", True)
    assert progress.load() == {"01_neuron": {"sigmoid": True}}
    copy = tmp_path / "lessons" / COURSE_MAP.name
    copy.parent.mkdir()
    shutil.copy(COURSE_MAP, copy)
    notebooks.execute(copy)
    text = stored_output(progress_cell(nbformat.read(copy, as_version=4)))["text/plain"]
    assert "total: 0 of" in text and " 1. The neuron" in text
    assert progress.load() == {"01_neuron": {"sigmoid": True}}, "the runner's own record is untouched"


# ------------------------------------------------------------------ lesson 4

def markdown(path):
    return "\n".join(c.source for c in nbformat.read(path, as_version=4).cells
                     if c.cell_type == "markdown")


def code(path):
    return "\n".join(c.source for c in nbformat.read(path, as_version=4).cells
                     if c.cell_type == "code")


def test_lesson_4_states_the_pass_line_of_course_gradcheck():
    prose = markdown(LESSON_4)

    def stated(before):
        values = [float(v) for v in re.findall(re.escape(before) + r"`([0-9.e+-]+)`", prose)]
        assert values, before
        return set(values)

    assert stated("below the pass line, ") == {gradcheck.PASS_LINE}
    assert stated("above the wrong line, ") == {gradcheck.WRONG_LINE}
    assert stated("The `tiny` (this course uses ") == {gradcheck.TINY}
    assert stated("(this course uses ") == {gradcheck.TINY, gradcheck.H}
    assert "1e-7`: the formula" not in prose and "below `1e-7`" not in prose
    source = code(LESSON_4)
    assert "from course.gradcheck import TINY, number_relative_error" in source
    assert "TINY = 1e" not in source and "def relative_error" not in source


def test_exercise_4_takes_its_numbers_from_course_gradcheck():
    for path in (ROOT / "solutions/04_nudging/04_nudging_exercise.ipynb",
                 ROOT / "exercises/04_nudging/04_nudging_exercise.ipynb"):
        assert "from course.gradcheck import TINY, H, verdict" in code(path)
        assert "1e-7" not in markdown(path)


def log_slope(line):
    x, y = (np.asarray(v, dtype=float) for v in line.get_data())
    return float(np.diff(np.log10(y))[0] / np.diff(np.log10(x))[0])


@pytest.mark.parametrize("h", [0.8, 0.5, *(10.0 ** np.arange(-2.0, 0.31, 0.05))])
def test_secant_slopes_are_exercise_4s_differences(h):
    """The chords the figure and the explorer draw have the slopes exercise 4's forward and
    central differences compute, to the digits they print."""
    from autograder.reference import neuron
    from autograder.reference import nudging as ref
    x0 = np.array(nudging.X0)
    forward = float(ref.forward_difference(neuron.sigmoid, x0, h))
    central = float(ref.central_difference(neuron.sigmoid, x0, h))
    mine_forward = nudging.chord_slope(nudging.sigmoid, nudging.X0, nudging.X0 + h)
    mine_central = nudging.chord_slope(nudging.sigmoid, nudging.X0 - h, nudging.X0 + h)
    assert mine_forward == pytest.approx(forward, rel=1e-13)
    assert mine_central == pytest.approx(central, rel=1e-13)
    labels = [t.get_text() for t in nudging.plot_secants(h).axes[0].get_legend().get_texts()]
    assert labels[2].endswith(f"{forward:.6f}") and labels[3].endswith(f"{central:.6f}"), labels
    matplotlib.pyplot.close("all")


def test_error_vs_h_draws_exercise_4s_errors():
    """The curves are exercise 4's errors, computed again here to within their round-off (the
    stored figure comes from one machine; the errors at tiny h are mostly round-off, which moves
    with the processor's exp: lesson04.roundoff_slack says by how much)."""
    from autograder.stored import lesson04
    fig = nudging.plot_error_vs_h()
    fresh = lesson04.error_vs_h()
    slack = lesson04.roundoff_slack(fresh)
    curves = [line for line in fig.axes[0].get_lines() if len(line.get_xdata()) > 2]
    assert len(curves) == 2
    for line, key in zip(curves, ("forward_errors", "central_errors")):
        assert np.all(np.abs(line.get_xdata() - fresh["hs"]) <= slack["hs"])
        assert np.all(np.abs(line.get_ydata() - np.maximum(fresh[key], 1e-18)) <= slack[key])
    matplotlib.pyplot.close(fig)


def test_error_vs_h_reads_left_to_right_and_each_label_names_its_guides_slope():
    fig = nudging.plot_error_vs_h()
    ax = fig.axes[0]
    assert not ax.xaxis_inverted() and ax.get_xscale() == "log"
    curves = [line for line in ax.get_lines() if len(line.get_xdata()) > 2]
    assert all(np.all(np.diff(line.get_xdata()) > 0) for line in curves), "h grows left to right"
    guides = [line for line in ax.get_lines() if len(line.get_xdata()) == 2]
    labels = [t.get_text() for t in ax.texts]
    for text in labels:
        p = float(re.search(r"slope (-?\d+)", text).group(1))
        assert any(abs(log_slope(g) - p) < 1e-9 for g in guides), (text, [log_slope(g) for g in guides])
    assert {float(re.search(r"slope (-?\d+)", t).group(1)) for t in labels} == {1.0, 2.0, -1.0}
    # The data bear the labels out: truncation on the right, round-off on the left.
    from autograder.reference import neuron
    from autograder.reference import nudging as ref
    right, left = np.logspace(-4, -1, 7), np.logspace(-14, -9, 21)
    fwd, cen = ref.nudging_errors(neuron.sigmoid, neuron.sigmoid_prime, nudging.X0, right)
    assert np.polyfit(np.log10(right), np.log10(fwd), 1)[0] == pytest.approx(1, abs=0.05)
    assert np.polyfit(np.log10(right), np.log10(cen), 1)[0] == pytest.approx(2, abs=0.05)
    fwd, cen = ref.nudging_errors(neuron.sigmoid, neuron.sigmoid_prime, nudging.X0, left)
    for errors in (fwd, cen):
        assert np.polyfit(np.log10(left), np.log10(errors), 1)[0] == pytest.approx(-1, abs=0.15)
    matplotlib.pyplot.close(fig)


# --------------------------------------------------------------- lessons 2, 3

def test_toy_network_weight_labels_sit_on_their_own_links_apart():
    fig = layers.plot_toy_network()
    ax = fig.axes[0]
    positions = layers._node_positions([2, 3, 1])
    weight_labels = [t for t in ax.texts if re.fullmatch(r"[+-]\d\.\d", t.get_text())]
    assert len(weight_labels) == 6 + 3
    first = weight_labels[:6]
    for t, (i, j) in zip(first, [(i, j) for i in range(2) for j in range(3)]):
        (x0, y0), (x1, y1) = positions[0][i], positions[1][j]
        px, py = t.get_position()
        assert t.get_text() == f"{layers.TOY_W1[i, j]:+.1f}"
        # on the segment from input i to hidden neuron j
        cross = (x1 - x0) * (py - y0) - (y1 - y0) * (px - x0)
        assert abs(cross) < 1e-9 and min(x0, x1) < px < max(x0, x1)
    points = np.array([t.get_position() for t in first])
    gaps = [np.linalg.norm(a - b) for k, a in enumerate(points) for b in points[k + 1:]]
    assert min(gaps) > 0.4, "no two first-layer labels crowd each other"
    matplotlib.pyplot.close(fig)


def test_landscape_legend_markers_are_visible_on_the_legend():
    fig = loss.plot_landscape(w=0.0, b=1.0)
    legend = fig.axes[1].get_legend()
    background = matplotlib.colors.to_rgb(legend.get_frame().get_facecolor())
    for handle in legend.legend_handles:
        edge = matplotlib.colors.to_rgb(handle.get_markeredgecolor())
        face = matplotlib.colors.to_rgb(handle.get_markerfacecolor())
        assert edge != background or face != background, handle.get_label()
        assert edge != background, f"{handle.get_label()}: its outline vanishes into the legend"
    matplotlib.pyplot.close(fig)
