"""Feedback keeps hidden tests hidden, and honest submissions are not reported as tampering.

One assignment (ch06_visa_bonds) through nbgrader with the course's nbgrader_config.py:
an honest student (the student version with the model answers typed in) and a student who edited
a test cell. The feedback HTML of the honest student shows scores and the visible tests but no line of
hidden test code; autograde prints no "Attribute 'checksum' ... has changed!" for the honest student
and still reports the edited test cell of the other, in nbgrader's log and in coursekit grade's summary."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import BIN, REPO, env_with_venv, run

NAME = "ch06_visa_bonds"
pytestmark = pytest.mark.slow


def nbgrader(course: Path, *args: str):
    return run([str(BIN / "nbgrader"), *args], cwd=course)


def hidden_lines(source_nb: dict) -> list[str]:
    lines, inside = [], False
    for cell in source_nb["cells"]:
        for line in "".join(cell["source"]).split("\n"):
            if "BEGIN HIDDEN TESTS" in line:
                inside = True
            elif "END HIDDEN TESTS" in line:
                inside = False
            elif inside and line.strip() and not line.strip().startswith("#") and len(line.strip()) > 8:
                lines.append(line.strip())
    return lines


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = tmp_path_factory.mktemp("feedback") / "exercises"
    shutil.copytree(REPO / "exercises", course, ignore=shutil.ignore_patterns(
        "release", "submitted", "autograded", "feedback", "grading", "gradebook.db", ".ipynb_checkpoints"))
    shutil.copytree(REPO / "deploy" / "nbgrader_templates", course.parent / "deploy" / "nbgrader_templates")
    nbgrader(course, "generate_assignment", NAME, "--force")
    source = json.loads((course / "source" / NAME / f"{NAME}.ipynb").read_text())
    release = json.loads((course / "release" / NAME / f"{NAME}.ipynb").read_text())
    answers = {c["metadata"]["nbgrader"]["grade_id"]: c["source"] for c in source["cells"]
               if c.get("metadata", {}).get("nbgrader", {}).get("solution")}
    honest = json.loads(json.dumps(release))
    for cell in honest["cells"]:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if gid in answers:
            cell["source"] = answers[gid]
    tampered = json.loads(json.dumps(honest))
    edited = None
    for cell in tampered["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade") and not meta.get("solution") and cell["cell_type"] == "code":
            cell["source"] = "pass  # the student replaced the test"
            edited = meta["grade_id"]
            break
    for student, nb in {"honest": honest, "tamper": tampered}.items():
        nbgrader(course, "db", "student", "add", student)
        target = course / "submitted" / student / NAME / f"{NAME}.ipynb"
        target.parent.mkdir(parents=True)
        target.write_text(json.dumps(nb))
    log = {s: (lambda p: p.stdout + p.stderr)(nbgrader(course, "autograde", NAME, "--student", s, "--force"))
           for s in ("honest", "tamper")}
    fb = nbgrader(course, "generate_feedback", NAME, "--student", "honest", "--force")
    return {"course": course, "source": source, "log": log, "edited": edited, "feedback_log": fb.stdout + fb.stderr}


def test_honest_submission_has_no_checksum_warning(course):
    assert "Attribute 'checksum'" not in course["log"]["honest"], course["log"]["honest"][-3000:]
    assert "has changed" not in course["log"]["honest"]


def test_edited_test_cell_is_still_reported_and_restored(course):
    log = course["log"]["tamper"]
    assert f"Test cell {course['edited']} was edited" in log, log[-3000:]
    assert "Attribute 'checksum'" in log
    nb = json.loads((course["course"] / "autograded" / "tamper" / NAME / f"{NAME}.ipynb").read_text())
    assert not any("the student replaced the test" in "".join(c["source"]) for c in nb["cells"])


def test_feedback_shows_scores_and_visible_tests_but_no_hidden_test(course):
    html = (course["course"] / "feedback" / "honest" / NAME / f"{NAME}.html").read_text()
    text = BeautifulSoup(html, "html.parser").get_text()
    hidden = hidden_lines(course["source"])
    assert len(hidden) >= 5
    leaked = [line for line in hidden if line in text]
    assert not leaked, f"hidden test lines in the feedback: {leaked[:5]}"
    assert "hidden tests: run when your work was graded" in text
    assert re.search(r"Score:\s*[\d.]+\s*/\s*[\d.]+", text), "no score in the feedback"
    # visible tests (the ones outside the hidden region of a test cell) are still shown
    visible = [l.strip() for c in course["source"]["cells"] if c.get("metadata", {}).get("nbgrader", {}).get("grade")
               and c["cell_type"] == "code" and not c["metadata"]["nbgrader"].get("solution")
               for l in "".join(c["source"]).split("BEGIN HIDDEN TESTS")[0].split("\n") if l.strip().startswith("check")]
    assert visible and all(v in text for v in visible[:5])


def test_feedback_loads_mathjax_from_the_jupyter_server(course):
    html = (course["course"] / "feedback" / "honest" / NAME / f"{NAME}.html").read_text()
    assert "/static/mathjax/MathJax.js" in html
    assert "course override, deploy/nbgrader_templates" in html


def test_coursekit_grade_summary_names_the_edited_test_cell(course):
    proc = subprocess.run([str(BIN / "coursekit"), "grade", NAME, "--student", "tamper", "--workers", "1",
                           "--no-isolation", "--no-progress"], cwd=course["course"], env=env_with_venv() | {"COLUMNS": "250"},
                          capture_output=True, text=True, timeout=900)
    out = " ".join((proc.stdout + proc.stderr).split())
    assert f"test cell {course['edited']!r} edited" in out, out[-3000:]
