"""The grader's sheet (issue 18): every cell graded by hand, with its rubric and model answer, from
exercises/source; written outside the book. Cheap: reads notebooks, runs nothing."""

import re

import nbformat
import pytest
import yaml

from coursekit import rubric
from coursekit.cli import main

from conftest import REPO

ASSIGNMENTS = sorted(p.name for p in (REPO / "exercises" / "source").iterdir() if p.is_dir())
SOLUTION = re.compile(r"### BEGIN SOLUTION(.*?)### END SOLUTION", re.S)


def words(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_sheet_has_every_manual_cell_with_rubric_and_model_answer(assignment, tmp_path):
    assert main(["rubric", assignment, "--out", str(tmp_path)]) == 0
    sheet_md = words((tmp_path / "rubric.md").read_text())
    sheet_html = (tmp_path / "rubric.html").read_text()
    nb = nbformat.read(REPO / "exercises" / "source" / assignment / f"{assignment}.ipynb", as_version=4)
    manual = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")
              and (c.metadata["nbgrader"].get("solution") or c.metadata["nbgrader"].get("task"))]
    assert manual, f"{assignment} has no cell graded by hand"
    for cell in manual:
        meta = cell.metadata["nbgrader"]
        assert f"`{meta['grade_id']}` ({meta['points']:g} points" in sheet_md
        assert f"<h2><code>{meta['grade_id']}</code>" in sheet_html
        for body in SOLUTION.findall(cell.source):  # the model answer and the rubric, word for word
            for piece in re.split(r"(?=\*\*Rubric for graders)", body):
                assert words(piece) in sheet_md, piece[:80]
        assert "Rubric" in sheet_md and "1" in sheet_md
    cells = rubric.manual_cells(REPO / "exercises" / "source" / assignment / f"{assignment}.ipynb")
    assert all(c.rubric and c.model_answer for c in cells), "every written answer needs a rubric and a model answer"
    assert sum(c.points for c in cells) == sum(c.metadata["nbgrader"]["points"] for c in manual)


def test_default_sheet_goes_to_the_grading_folder_never_the_book(tmp_path, monkeypatch):
    course = tmp_path / "exercises"
    (course / "source" / "ch06_visa_bonds").mkdir(parents=True)
    src = REPO / "exercises" / "source" / "ch06_visa_bonds" / "ch06_visa_bonds.ipynb"
    (course / "source" / "ch06_visa_bonds" / src.name).write_bytes(src.read_bytes())
    assert main(["rubric", "ch06_visa_bonds", "--exercises", str(course)]) == 0
    assert (course / "grading" / "ch06_visa_bonds" / "rubric.html").exists()
    config = yaml.safe_load((REPO / "_config.yml").read_text())
    assert "exercises" in config["exclude_patterns"]  # the book never reads exercises/
    assert "exercises/grading/" in (REPO / ".gitignore").read_text()


def test_unknown_assignment_fails_with_the_list(capsys):
    assert main(["rubric", "ch99_nothing"]) == 2
    assert "ch06_visa_bonds" in capsys.readouterr().err
