"""The nbgrader round trip on every assignment: the solution scores full marks,
the untouched release scores zero without crashing, a tampered test is restored."""

import json
import shutil
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from conftest import BIN, REPO, run

ASSIGNMENTS = sorted(p.name for p in (REPO / "exercises" / "source").iterdir() if p.is_dir())
pytestmark = pytest.mark.slow


def nbgrader(course: Path, *args: str):
    return run([str(BIN / "nbgrader"), *args], cwd=course)


@pytest.fixture(scope="module", params=ASSIGNMENTS)
def graded(request, tmp_path_factory):
    """Copy exercises/, release the assignment, submit three students, autograde them."""
    name = request.param
    course = tmp_path_factory.mktemp(name) / "exercises"
    shutil.copytree(REPO / "exercises", course, ignore=shutil.ignore_patterns(
        "release", "submitted", "autograded", "feedback", "grading", "gradebook.db", ".ipynb_checkpoints"))
    nbgrader(course, "generate_assignment", name, "--force")
    source = course / "source" / name / f"{name}.ipynb"
    release = course / "release" / name / f"{name}.ipynb"

    tampered = json.loads(release.read_text())
    for cell in tampered["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade") and cell["cell_type"] == "code":
            cell["source"] = "pass  # the student replaced the test"
    submissions = {"solution": json.loads(source.read_text()), "blank": json.loads(release.read_text()), "tamper": tampered}
    for student, nb in submissions.items():
        nbgrader(course, "db", "student", "add", student)
        target = course / "submitted" / student / name / f"{name}.ipynb"
        target.parent.mkdir(parents=True)
        target.write_text(json.dumps(nb))
    proc = nbgrader(course, "autograde", name, "--force")
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        assignment = gb.find_assignment(name)
        auto_max = sum(c.max_score for nb in assignment.notebooks for c in nb.grade_cells if c.cell_type == "code")
        scores = {}
        for student in submissions:
            nb = gb.find_submission_notebook(name, name, student)
            scores[student] = sum(g.auto_score or 0 for g in nb.grades if g.auto_score is not None)
    return {"name": name, "course": course, "scores": scores, "auto_max": auto_max, "log": proc.stdout + proc.stderr}


def test_solution_scores_full_autograded_marks(graded):
    assert graded["auto_max"] >= 8
    assert graded["scores"]["solution"] == graded["auto_max"], graded["log"][-3000:]


def test_blank_release_scores_zero_without_crashing(graded):
    assert graded["scores"]["blank"] == 0
    assert (graded["course"] / "autograded" / "blank" / graded["name"]).exists()


def test_tampered_tests_are_restored(graded):
    assert graded["scores"]["tamper"] == 0  # 'pass' would have scored full marks
    restored = json.loads((graded["course"] / "autograded" / "tamper" / graded["name"] / f"{graded['name']}.ipynb").read_text())
    sources = ["".join(c["source"]) for c in restored["cells"]]
    assert not any("the student replaced the test" in s for s in sources)


def test_release_has_no_solutions_or_hidden_tests(graded):
    text = (graded["course"] / "release" / graded["name"] / f"{graded['name']}.ipynb").read_text()
    for marker in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "Rubric for graders"):
        assert marker not in text
