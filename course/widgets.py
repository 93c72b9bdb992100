"""Interactive widgets for the lessons. Each widget has a static twin in
course.plots that draws the same picture, so a static viewer and nbval see it too."""

import io

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from course import plots


def figure_png(fig):
    """Render a figure to PNG bytes and close it.

    Widgets show pictures through an Image widget fed with these bytes rather
    than an Output widget: the picture then lives in the widget's own state,
    which every front end (JupyterLab, nbclient, nbval) handles the same way.
    """
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=80)
    plt.close(fig)
    return buffer.getvalue()


def explorer(controls, draw, rows=None, readout=True):
    """The lessons' explorers: controls, then a read-out and a picture that follow them.

    controls: {name: widget}. draw(values) -> (read-out HTML, figure), values being {name: the
    control's value}; called now and again on every change (with readout=False, draw returns
    the figure alone and no read-out is shown). rows: the controls' layout, a list of rows of
    names (default: all on one row); a row of one control stands on its own."""
    text, picture = widgets.HTML(), widgets.Image(format="png")

    def redraw(_change=None):
        drawn = draw({name: control.value for name, control in controls.items()})
        if readout:
            text.value, drawn = drawn
        picture.value = figure_png(drawn)

    for control in controls.values():
        control.observe(redraw, names="value")
    redraw()
    lines = [[controls[name] for name in row] for row in (rows or [list(controls)])]
    boxes = [line[0] if len(line) == 1 else widgets.HBox(line) for line in lines]
    return widgets.VBox(boxes + ([text] if readout else []) + [picture])


def neuron_explorer(w1=0.2, w2=0.2, b=0.0, activation="sigmoid"):
    """Sliders for a two-input neuron's weights and bias, a choice of activation,
    a live read-out of z and a at x = (0.35, 0.7), and the picture over the input plane."""
    style = {"description_width": "initial"}
    controls = {
        "w1": widgets.FloatSlider(value=w1, min=-3, max=3, step=0.1, description="weight w1", style=style),
        "w2": widgets.FloatSlider(value=w2, min=-3, max=3, step=0.1, description="weight w2", style=style),
        "b": widgets.FloatSlider(value=b, min=-3, max=3, step=0.1, description="bias b", style=style),
        "activation": widgets.Dropdown(options=list(plots.ACTIVATIONS), value=activation,
                                       description="activation", style=style),
    }

    def draw(values):
        w = np.array([values["w1"], values["w2"]])
        z, a = plots.neuron_output(plots.POINT, w, values["b"], values["activation"])
        return ((f"<b>x = (0.35, 0.7)</b>: z = {values['w1']:.1f} &times; 0.35 + "
                 f"{values['w2']:.1f} &times; 0.7 + {values['b']:.1f} = <b>{z:.4f}</b>, "
                 f"a = {values['activation']}(z) = <b class='neuron-output'>{a:.4f}</b>"),
                plots.plot_neuron(values["w1"], values["w2"], values["b"], values["activation"]))

    return explorer(controls, draw, rows=[["w1", "w2"], ["b", "activation"]])
