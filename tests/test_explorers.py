"""Explorers draw what a student needs to see (issue 24, item 6). The render functions of the assignment
explorers, run on the model answers in this process (no kernel, no widget)."""

import ast
import contextlib
import io

import nbformat

from conftest import REPO


def assignment_namespace(name: str) -> dict:
    """The source notebook's setup and answer cells run, and the explorer cell's functions defined."""
    nb = nbformat.read(str(REPO / "exercises" / "source" / name / f"{name}.ipynb"), as_version=4)
    namespace: dict = {}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code":
            continue
        if meta.get("grade_id") == "explorer":
            tree = ast.parse(cell.source)
            tree.body = [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.Import, ast.ImportFrom))]
            exec(compile(tree, "explorer", "exec"), namespace)
        elif meta.get("grade_id") == "setup" or meta.get("solution"):
            with contextlib.redirect_stdout(io.StringIO()):
                exec(cell.source, namespace)
    return namespace


def test_ch03_crossover_in_the_first_year_is_drawn_inside_the_plot():
    """Uzbekistan's own side has China ahead from 2000, the first year of the data: the rule must not sit on
    the y axis, where it cannot be seen."""
    ns = assignment_namespace("ch03_russia_recalibration")
    assert ns["crossover_year"](ns["flows"], "UZB", "state") == 2000
    spec = ns["trade_view"]("UZB", "state").to_dict()
    rule = next(layer for layer in spec["layer"] if layer["mark"] == "rule" or layer["mark"].get("type") == "rule")
    lines = next(layer for layer in spec["layer"] if layer is not rule)
    domain = lines["encoding"]["x"]["scale"]["domain"]
    assert domain[0] < 2000 <= domain[1], domain
