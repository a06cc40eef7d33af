"""Guidance before grading (issue 18): in the student version, a test or an explorer run before
its part is written says which part to do, and the cell still fails (nbgrader scores unchanged:
tests/test_nbgrader.py)."""

import json

import nbformat
import pytest
from nbclient import NotebookClient

from coursekit import guidance
from coursekit.student import student_version

from conftest import REPO

SOURCE = REPO / "exercises" / "source" / "ch06_visa_bonds" / "ch06_visa_bonds.ipynb"


def test_parts_file_is_up_to_date():
    assert json.loads(guidance.PARTS_FILE.read_text()) == guidance.build_parts(REPO / "exercises"), \
        "src/coursekit/parts.json is stale: run `coursekit student-versions`"


def test_parts_file_holds_no_solution_lines():
    text = guidance.PARTS_FILE.read_text()
    assert "BEGIN SOLUTION" not in text and "HIDDEN" not in text


def _text(cell) -> str:
    out = []
    for o in cell.get("outputs", []):
        if o["output_type"] == "error":
            out += o["traceback"]
        elif o["output_type"] == "stream":
            out.append(o["text"])
    return "\n".join(out)


@pytest.mark.slow
def test_release_says_which_part_to_do_first():
    """One kernel: the setup cell, then Part 3's visible test before and after running its stub,
    and Part 5's test (its answer never run)."""
    nb = student_version(SOURCE)
    ids = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in nb.cells}
    cells = [ids[k].source for k in ("setup", "test_years_of_income", "years_of_income", "test_years_of_income", "test_rate_chart")]
    run = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells], metadata=nb.metadata)
    NotebookClient(run, timeout=120, allow_errors=True, kernel_name="python3", resources={"metadata": {"path": str(SOURCE.parent)}}).execute()
    setup, before, stub, after, chart = run.cells
    assert not any(o["output_type"] == "error" for o in setup.outputs)
    line = "Part 3 is not done yet: write `years_of_income` in the cell above and run it, then run this test again."
    for cell in (before, after):  # NameError before the stub ran, NotImplementedError after
        errors = [o for o in cell.outputs if o["output_type"] == "error"]
        assert errors, "the test cell must still fail"
        assert line in _text(cell), _text(cell)
        assert "Traceback" not in _text(cell) and "----" not in _text(cell)
    assert [o["ename"] for o in before.outputs if o["output_type"] == "error"] == ["NameError"]
    assert [o["ename"] for o in after.outputs if o["output_type"] == "error"] == ["NotImplementedError"]
    assert "Part 5 is not done yet: set `rate_chart` in the cell above" in _text(chart)


def test_explorer_says_which_part_to_finish_first():
    """The ch06 explorer's render function, run before Part 3 (its globals are the assignment's)."""
    import ipywidgets as w

    from coursekit import widgets

    namespace = {name: None for name in guidance._parts()["ch06_visa_bonds"]["setup"]}
    exec("def bond_in_years(country, bond_usd):\n    return years_of_income(bond_usd, 1000)", namespace)
    box = widgets.explorer(namespace["bond_in_years"], country=widgets.country_dropdown(["TJK"]),
                           bond_usd=w.IntSlider(value=5))
    out = box.children[1].outputs[0]["text"]
    assert "Finish Part 3 first (a bond in years of income): write `years_of_income` in its answer cell and run it" in out
    assert "Cannot show this" not in out


def test_other_errors_keep_their_traceback():
    try:
        {}["x"]
    except KeyError as err:
        assert guidance.message(err) is None
    try:
        undefined_name_in_no_assignment  # noqa: F821
    except NameError as err:
        assert guidance.message(err) is None
