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
    assert "Part 5 is not done yet: set `recomputed` in the cell above" in _text(chart)


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


@pytest.mark.slow
def test_failures_read_like_a_tutor():
    """Issue 24, one kernel on ch04's student version: the first Run All stops at Part 1's answer cell with a sentence
    that says which part to write; a test whose own code cannot use an answer (`holds` an int) says which answer;
    a failed check shows its message and hint, not a traceback through coursekit/checks.py. Every cell still fails."""
    source = REPO / "exercises" / "source" / "ch04_world_order" / "ch04_world_order.ipynb"
    nb = student_version(source)
    ids = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in nb.cells}
    cells = [ids["setup"].source, ids["rank_listed"].source, "holds = 5", ids["test_where_rank_holds"].source,
             "ranks = minerals.copy()\ngold_2026 = 10", ids["test_rank_listed"].source]
    run = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells], metadata=nb.metadata)
    NotebookClient(run, timeout=120, allow_errors=True, kernel_name="python3", resources={"metadata": {"path": str(source.parent)}}).execute()
    setup, stub, _, holds_test, _, rank_test = run.cells
    assert not any(o["output_type"] == "error" for o in setup.outputs)

    def error(cell):
        errors = [o for o in cell.outputs if o["output_type"] == "error"]
        assert len(errors) == 1, "the cell must still fail"
        text = "\n".join(errors[0]["traceback"])
        assert "Traceback" not in text and "----" not in text and "checks.py" not in text and "site-packages" not in text, text
        assert not any(o.get("name") == "stderr" for o in cell.outputs)
        return errors[0]["ename"], text

    ename, text = error(stub)
    assert ename == "NotImplementedError"
    assert "Part 1 (ranks with ties) is not written yet: in this cell, replace `raise NotImplementedError()` with your code" in text
    ename, text = error(holds_test)
    assert ename == "TypeError" and "Part 3's test could not use `holds`" in text, text
    ename, text = error(rank_test)
    assert ename == "CheckFailed"
    assert text.startswith("'Other countries' in ranks: expected False, got True.\nHint: keep only rows with row_kind == 'country'"), text


def test_every_assignment_opens_with_the_same_how_it_works():
    """Issue 24: one text (coursekit.student.HOW_IT_WORKS), in the intro cell of every source notebook (so in every
    student version too); write it into a new assignment with coursekit.student.how_it_works()."""
    from coursekit.student import has_how_it_works

    sources = sorted((REPO / "exercises" / "source").glob("*/*.ipynb"))
    assert len(sources) >= 7
    for path in sources:
        intro = nbformat.read(str(path), as_version=4).cells[0]
        assert intro.metadata.get("nbgrader", {}).get("grade_id") == "intro", path.name
        assert has_how_it_works(intro.source), f"{path.name}: the intro lacks coursekit.student.HOW_IT_WORKS"
