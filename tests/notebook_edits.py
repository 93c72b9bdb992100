"""Test helpers: the edits the corpora (tests/adversarial, tests/honest) make to a correct
submission, each a function `change(nb)` that edits the notebook in place."""


def grade_id(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def cell(nb, wanted):
    """The one cell whose nbgrader grade_id is `wanted`."""
    (found,) = [c for c in nb.cells if grade_id(c) == wanted]
    return found


def append(wanted, code):
    def change(nb):
        cell(nb, wanted).source += "\n" + code
    return change


def replace(wanted, code):
    def change(nb):
        cell(nb, wanted).source = code
    return change


def several(*changes):
    def change(nb):
        for c in changes:
            c(nb)
    return change
