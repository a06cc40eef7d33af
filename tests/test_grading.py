"""coursekit grade: every assignment grades in parallel with the same scores as serial
nbgrader, and each crafted bad submission gets the behaviour an instructor wants while
the class run goes on (one class run of ch06_visa_bonds, per-student assertions)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

from conftest import BIN, REPO, env_with_venv, run

ASSIGNMENTS = sorted(p.name for p in (REPO / "exercises" / "source").iterdir() if p.is_dir())
A = "ch06_visa_bonds"
pytestmark = pytest.mark.slow


def need_root() -> None:
    """Isolation needs root; under CI a missing capability is a failure, not a skip."""
    if os.geteuid() != 0:
        if os.environ.get("CI"):
            pytest.fail("the grading tests need root (sandbox user, namespaces) and CI runs as root")
        pytest.skip("the sandboxed grading tests need root")


def make_course(base: Path, assignment: str) -> Path:
    """A copy of exercises/ with ``assignment`` released (generate_assignment)."""
    course = base / "exercises"
    shutil.copytree(REPO / "exercises", course, ignore=shutil.ignore_patterns(
        "release", "submitted", "autograded", "feedback", "grading", "gradebook.db", ".ipynb_checkpoints"))
    run([str(BIN / "nbgrader"), "generate_assignment", assignment, "--force"], cwd=course)
    return course


def notebooks(course: Path, assignment: str) -> tuple[dict, dict]:
    src = json.loads((course / "source" / assignment / f"{assignment}.ipynb").read_text())
    rel = json.loads((course / "release" / assignment / f"{assignment}.ipynb").read_text())
    return src, rel


def gid(cell: dict) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def perfect(course: Path, assignment: str) -> dict:
    """The release with every answer cell filled from the source's solution (markers dropped)."""
    from coursekit.grading import synth

    return synth.perfect(*notebooks(course, assignment))


def submit(course: Path, assignment: str, student: str, nb: dict | str, name: str | None = None) -> None:
    folder = course / "submitted" / student / assignment
    folder.mkdir(parents=True, exist_ok=True)
    (folder / (name or f"{assignment}.ipynb")).write_text(nb if isinstance(nb, str) else json.dumps(nb))


def coursekit_grade(course: Path, assignment: str, *args: str, timeout: int = 900) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "coursekit"), "grade", assignment, "--no-progress", *args], cwd=course,
                          env=env_with_venv(), capture_output=True, text=True, timeout=timeout)


def results(course: Path, assignment: str) -> dict[str, dict]:
    data = json.loads((course / "grading" / assignment / "results.json").read_text())
    return {r["student"]: r for r in data["results"]}


def cell_scores(course: Path, assignment: str) -> dict[tuple[str, str], float | None]:
    """(student, grade_id) -> auto_score, straight from the gradebook."""
    from nbgrader.api import Gradebook

    out = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for sub in gb.find_assignment(assignment).submissions:
            for nb in sub.notebooks:
                for g in nb.grades:
                    out[(sub.student.id, g.name)] = g.auto_score
    return out


def set_answer(nb: dict, grade_id: str, source: str) -> dict:
    for cell in nb["cells"]:
        if gid(cell) == grade_id:
            cell["source"] = source
    return nb


# ---------------------------------------------------------------- every assignment


@pytest.fixture(scope="module", params=ASSIGNMENTS)
def graded_class(request, tmp_path_factory):
    need_root()
    name = request.param
    course = make_course(tmp_path_factory.mktemp(f"grade-{name}"), name)
    submit(course, name, "full", perfect(course, name))
    submit(course, name, "blank", notebooks(course, name)[1])
    proc = coursekit_grade(course, name, "--workers", "2")
    return {"name": name, "course": course, "proc": proc, "results": results(course, name)}


def test_grade_every_assignment(graded_class):
    proc, res = graded_class["proc"], graded_class["results"]
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    full, blank = res["full"], res["blank"]
    assert full["status"] == blank["status"] == "graded"
    assert full["auto_max"] > 0 and full["auto_score"] == full["auto_max"], full
    assert blank["auto_score"] == 0
    assert not full["flags"], full["flags"]
    assert "Grading summary" in proc.stdout or "2 graded" in proc.stdout


def test_report_every_assignment(graded_class):
    course, name = graded_class["course"], graded_class["name"]
    run([str(BIN / "coursekit"), "report", name], cwd=course)
    out = course / "grading" / name / "report"
    html = (out / "index.html").read_text()
    for title in ("Score distribution", "Points per part", "Pass rate of every test", "Most common failures", "Flagged"):
        assert title in html
    pngs = sorted(p.name for p in out.glob("*.png"))
    assert len(pngs) >= 4 and all((out / p).stat().st_size > 1000 for p in pngs)


# ---------------------------------------------------------------- same scores as serial nbgrader


def test_scores_identical_to_serial_nbgrader_and_stable(tmp_path):
    need_root()
    serial = make_course(tmp_path / "serial", A)
    parallel = tmp_path / "parallel" / "exercises"
    shutil.copytree(serial, parallel)
    for course in (serial, parallel):
        nb = perfect(course, A)
        submit(course, A, "s1-perfect", nb)
        submit(course, A, "s2-blank", notebooks(course, A)[1])
        submit(course, A, "s3-partly", set_answer(perfect(course, A), "years_of_income",
                                                   "def years_of_income(bond_usd, income_usd):\n    return income_usd / bond_usd"))
        submit(course, A, "s4-loop", set_answer(perfect(course, A), "overstay_rate",
                                                "def overstay_rate(o, d):\n    while True:\n        pass"))
    # nbgrader's timeout is wall clock: 20 s lets its imports finish on a busy machine, and the
    # looping answer times out all the same (coursekit grade counts 5 s of CPU time)
    run([str(BIN / "nbgrader"), "autograde", A, "--force", "--ExecutePreprocessor.timeout=20"], cwd=serial)
    proc = coursekit_grade(parallel, A, "--workers", "2", "--cell-timeout", "5")
    assert proc.returncode == 0, proc.stderr[-3000:]
    expected = cell_scores(serial, A)
    first = cell_scores(parallel, A)
    assert first == expected
    assert sum(v or 0 for (s, _), v in first.items() if s == "s1-perfect") == 10
    assert 0 < sum(v or 0 for (s, _), v in first.items() if s == "s3-partly") < 10
    before = {s: r.get("auto_score") for s, r in results(parallel, A).items()}
    # again with both cores saturated by other CPU-bound work (a busy hub server): same scores
    hogs = [subprocess.Popen(["python3", "-c", "while True: pass"]) for _ in range(3)]
    try:
        proc = coursekit_grade(parallel, A, "--workers", "2", "--cell-timeout", "5")
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert cell_scores(parallel, A) == first
    again = results(parallel, A)
    assert {s: r.get("auto_score") for s, r in again.items()} == before
    # the looping answer's timeout sent it back for a second run, alone; both runs are recorded
    loop = again["s4-loop"]
    assert loop.get("graded_alone") and loop["first_run"]["status"] == "graded", loop
    assert "graded again alone" in proc.stdout


def test_failed_regrade_leaves_no_stale_score(tmp_path):
    """Graded once, then resubmitted as invalid JSON: the old score leaves the gradebook
    and autograded/, so report and export cannot show it."""
    from nbgrader.api import Gradebook, MissingEntry

    need_root()
    course = make_course(tmp_path, A)
    submit(course, A, "s1", perfect(course, A))
    proc = coursekit_grade(course, A, "--workers", "1")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert results(course, A)["s1"]["auto_score"] == 10
    submit(course, A, "s1", json.dumps(perfect(course, A))[:-100])
    proc = coursekit_grade(course, A, "--workers", "1")
    assert proc.returncode == 1 and results(course, A)["s1"]["status"] == "failed"
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        with pytest.raises(MissingEntry):
            gb.find_submission(A, "s1")
    assert not (course / "autograded" / "s1" / A).exists()


# ---------------------------------------------------------------- failure modes, one class run

SNOOP = """
import os
for path in {paths!r}:
    try:
        with open(path, "rb") as fh:
            fh.read(10)
        print("LEAKED", path)
    except Exception as err:
        print("blocked", path, type(err).__name__)
"""

WRITE = """
for path in {paths!r}:
    try:
        with open(path, "w") as fh:
            fh.write("pwned")
        print("WROTE", path)
    except Exception as err:
        print("blocked", path, type(err).__name__)
"""

NET = """
import socket
for host, port in [("127.0.0.1", {port}), ("pypi.org", 443)]:
    try:
        socket.create_connection((host, port), timeout=3).close()
        print("CONNECTED", host)
    except Exception as err:
        print("blocked", host, type(err).__name__)
"""


OUTPUT_CAP = 1_500_000


@pytest.fixture(scope="module")
def failure_class(tmp_path_factory):
    """One class run of ch06 with a crafted submission for every failure mode."""
    need_root()
    course = make_course(tmp_path_factory.mktemp("failures"), A)
    good = perfect(course, A)
    release = notebooks(course, A)[1]
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.setblocking(False)
    port = listener.getsockname()[1]

    def variant(**answers) -> dict:
        """The perfect submission with code appended to answer cells (it redefines a function
        after the cell's own results are computed, so only that function's test is hit)."""
        nb = json.loads(json.dumps(good))
        for grade_id, source in answers.items():
            for cell in nb["cells"]:
                if gid(cell) == grade_id:
                    cell["source"] = "".join(cell["source"]) + "\n" + source
        return nb

    def with_prefix(grade_id: str, code: str) -> dict:
        nb = json.loads(json.dumps(good))
        for cell in nb["cells"]:
            if gid(cell) == grade_id:
                cell["source"] = code + "\n" + cell["source"]
        return nb

    subs: dict[str, dict | str] = {"perfect": good}
    subs["loop"] = variant(years_of_income="def years_of_income(b, i):\n    while True:\n        pass")
    subs["no-interrupt"] = variant(years_of_income=(
        "import signal\ndef years_of_income(b, i):\n    signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
        "    while True:\n        pass"))
    subs["os-exit"] = variant(years_of_income="import os\ndef years_of_income(b, i):\n    os._exit(1)")
    # the bomb lets go of its memory as the MemoryError leaves it: a traceback that kept the
    # blocks alive would also starve the chart cells after it (each chart's HTML carries the
    # ~0.9 MB Vega bundle), and the kernel dies there at the cap
    subs["memory-bomb"] = variant(implied_denominator=(
        "def implied_denominator(o, r):\n    blocks = []\n    try:\n        while True:\n"
        "            blocks.append(bytearray(50_000_000))\n    finally:\n        blocks.clear()"))
    subs["huge-output"] = with_prefix("overstay_rate", (
        'print("\\n".join(map(str, range(1_000_000))))\nfrom IPython.display import HTML, display\n'
        'display(HTML("<p>" + "x" * 50_000_000 + "</p>"))\n'
        'import ipywidgets\ndisplay(ipywidgets.Textarea(value="w" * 5_000_000))'))
    for cell in subs["huge-output"]["cells"]:  # test_years_of_income now writes a lot to stderr
        if gid(cell) == "years_of_income":
            cell["source"] = "".join(cell["source"]) + (
                "\nimport sys\n_years = years_of_income\ndef years_of_income(b, i):\n"
                "    sys.stderr.write('noise\\n' * 100_000)\n    return _years(b, i)")
    edited = json.loads(json.dumps(release))
    for cell in edited["cells"]:
        if gid(cell, ) and gid(cell).startswith("test_"):
            cell["source"] = "pass  # the student replaced the test"
    subs["edited-test"] = edited
    deleted = json.loads(json.dumps(good))
    deleted["cells"] = [c for c in deleted["cells"] if gid(c) != "test_overstay_rate"]
    subs["deleted-test"] = deleted
    dup = json.loads(json.dumps(good))
    i = next(k for k, c in enumerate(dup["cells"]) if gid(c) == "test_overstay_rate")
    copy = json.loads(json.dumps(dup["cells"][i]))
    copy.pop("id", None)
    dup["cells"].insert(i + 1, copy)
    subs["duplicated-test"] = dup
    schema = json.loads(json.dumps(good))
    for cell in schema["cells"]:
        if gid(cell) == "overstay_rate":
            cell["metadata"]["nbgrader"]["schema_version"] = 4
    subs["schema-version"] = schema
    subs["invalid-json"] = json.dumps(good)[:-200]
    subs["always-equal"] = variant(
        years_of_income="class Sneaky(float):\n    def __eq__(self, other):\n        return True\n"
                        "def years_of_income(b, i):\n    return Sneaky(0)",
        implied_denominator="class Anything:\n    def __eq__(self, other):\n        return True\n"
                            "    __hash__ = object.__hash__\ndef implied_denominator(o, r):\n    return Anything()")
    subs["no-traceback"] = variant(years_of_income=(
        "import sys\nip = get_ipython()\nip.showtraceback = lambda *a, **k: None\n"
        "ip.set_custom_exc((BaseException,), lambda *a, **k: None)\nsys.excepthook = lambda *a: None\n"
        "def years_of_income(b, i):\n    return 0"))
    subs["input"] = variant(years_of_income="def years_of_income(b, i):\n    return float(input('years? '))")
    secrets = [course / "source" / A / f"{A}.ipynb", course / "gradebook.db", course / "release" / A / f"{A}.ipynb",
               course / "submitted" / "perfect" / A / f"{A}.ipynb",
               course / "grading" / A / "staged" / "perfect" / A / f"{A}.ipynb",
               course / "autograded" / "perfect" / A / f"{A}.ipynb", Path("/root/.bashrc")]
    subs["read-secrets"] = with_prefix("overstay_rate", SNOOP.format(paths=[str(p) for p in secrets]))
    targets = [course / "pwned.txt", course / "submitted" / "perfect" / A / "pwned.txt", Path("/tmp/coursekit-pwned.txt"),
               Path("/var/tmp/coursekit-pwned.txt"), REPO / "coursekit-pwned.txt"]
    subs["write-outside"] = with_prefix("overstay_rate", WRITE.format(paths=[str(p) for p in targets]))
    subs["network"] = with_prefix("overstay_rate", NET.format(port=port))
    subs["stderr-warning"] = variant(
        overstay_rate="import warnings\n_rate = overstay_rate\ndef overstay_rate(o, d):\n"
                      "    warnings.warn('this answer uses an old API', FutureWarning)\n    return _rate(o, d)",
        years_of_income="import sys\n_years = years_of_income\ndef years_of_income(b, i):\n"
                        "    print('debugging', file=sys.stderr)\n    return _years(b, i)")
    subs["wall-clock"] = json.loads(json.dumps(good))
    for cell in subs["wall-clock"]["cells"]:
        if gid(cell) in {"overstay_rate", "implied_denominator", "years_of_income", "indexed_bonds", "rate_chart"}:
            cell["source"] = "import time\ntime.sleep(16)\n" + cell["source"]
    subs["fake-checks"] = set_answer(json.loads(json.dumps(good)), "years_of_income",
                                     "def years_of_income(bond_usd, income_usd):\n    return 0")
    subs["symlinks"] = good
    for student, nb in subs.items():
        submit(course, A, student, nb)
    submit(course, A, "misnamed", good, name=f"{A} (1).ipynb")
    # a copy of the course package whose checks never fail, and an IPython startup file
    fake = course / "submitted" / "fake-checks" / A
    shutil.copytree(REPO / "src" / "coursekit", fake / "coursekit", ignore=shutil.ignore_patterns("grading", "__pycache__"))
    with (fake / "coursekit" / "checks.py").open("a") as fh:
        fh.write("\ndef _fail(*args, **kwargs):\n    pass\n")
    (fake / ".ipython" / "profile_default" / "startup").mkdir(parents=True)
    (fake / ".ipython" / "profile_default" / "startup" / "00-x.py").write_text("print('STARTUP FILE RAN')\n")
    links = course / "submitted" / "symlinks" / A
    (links / "solution.txt").symlink_to(course / "source" / A / f"{A}.ipynb")
    (links / "zeros.csv").symlink_to("/dev/zero")
    (links / "root").symlink_to("/")
    # the output cap sits above one chart (its self-contained HTML carries the ~0.9 MB Vega bundle)
    # the notebook's wall-clock cap leaves the looping answers room for their two 10 s CPU timeouts
    # on a busy machine; the sleeping one (5 x 16 s) still runs into it
    proc = coursekit_grade(course, A, "--workers", "2", "--cell-timeout", "10", "--notebook-timeout", "60",
                           "--memory-mb", "1536", "--max-output-bytes", str(OUTPUT_CAP))
    try:
        connection = listener.accept()
    except BlockingIOError:
        connection = None
    listener.close()
    return {"course": course, "proc": proc, "results": results(course, A), "targets": targets, "connected": connection,
            "secrets": secrets}


def outcome(failure_class, student: str) -> dict:
    return failure_class["results"][student]


def autograded(failure_class, student: str) -> dict:
    return json.loads((failure_class["course"] / "autograded" / student / A / f"{A}.ipynb").read_text())


def cell_text(nb: dict, grade_id: str) -> str:
    cell = next(c for c in nb["cells"] if gid(c) == grade_id)
    parts = []
    for out in cell.get("outputs", []):
        parts.append("".join(out.get("text", "")) + out.get("ename", "") + " " + out.get("evalue", ""))
    return "\n".join(parts)


def flags(failure_class, student: str) -> str:
    return " | ".join(outcome(failure_class, student)["flags"])


def test_submitted_package_cannot_replace_the_course_checks(failure_class):
    """A submitted coursekit/checks.py whose checks never fail, and an IPython startup file,
    are dropped and flagged: the wrong answer still scores what it deserves."""
    r = outcome(failure_class, "fake-checks")
    assert r["status"] == "graded" and r["auto_score"] == 8, r  # 10 if the fake checks were used
    assert "extra file 'coursekit/checks.py' dropped" in flags(failure_class, "fake-checks")
    assert ".ipython/profile_default/startup/00-x.py" in flags(failure_class, "fake-checks")
    folder = failure_class["course"] / "autograded" / "fake-checks" / A
    assert not (folder / "coursekit").exists() and not (folder / ".ipython").exists()
    nb = autograded(failure_class, "fake-checks")
    assert not any("STARTUP FILE RAN" in json.dumps(c.get("outputs", [])) for c in nb["cells"])


def test_symlinks_are_dropped_not_followed(failure_class):
    r = outcome(failure_class, "symlinks")
    assert r["status"] == "graded" and r["auto_score"] == 10, r
    for name in ("solution.txt", "zeros.csv", "root"):
        assert f"symlink {name!r} dropped" in flags(failure_class, "symlinks")
    folder = failure_class["course"] / "autograded" / "symlinks" / A
    assert sorted(p.name for p in folder.iterdir()) == [f"{A}.ipynb"]


def test_class_run_goes_on_and_exit_status_reports_failure(failure_class):
    res = failure_class["results"]
    assert failure_class["proc"].returncode == 1  # the invalid JSON submission failed
    assert [s for s, r in res.items() if r["status"] != "graded"] == ["invalid-json"]
    assert res["perfect"]["auto_score"] == 10 and not res["perfect"]["flags"]
    assert "failed" in failure_class["proc"].stdout and "invalid-json" in failure_class["proc"].stdout


def test_infinite_loop_costs_only_its_part(failure_class):
    r = outcome(failure_class, "loop")
    assert r["status"] == "graded" and r["auto_score"] == 8 and "time limit" in flags(failure_class, "loop")


def test_loop_that_ignores_interrupts_is_stopped(failure_class):
    r = outcome(failure_class, "no-interrupt")
    assert r["status"] == "graded" and r["auto_score"] == 4  # parts 1-2 passed before it
    assert "ignored the interrupt" in flags(failure_class, "no-interrupt")
    assert "NotRun" in cell_text(autograded(failure_class, "no-interrupt"), "test_rate_chart")


def test_os_exit_keeps_the_points_before_it(failure_class):
    r = outcome(failure_class, "os-exit")
    assert r["status"] == "graded" and r["auto_score"] == 4
    assert "kernel died" in flags(failure_class, "os-exit")


def test_memory_bomb_hits_the_cap(failure_class):
    r = outcome(failure_class, "memory-bomb")
    assert r["status"] == "graded" and r["auto_score"] == 8
    assert "MemoryError" in cell_text(autograded(failure_class, "memory-bomb"), "test_implied_denominator") \
        or "kernel died" in flags(failure_class, "memory-bomb")


def test_huge_outputs_are_capped(failure_class):
    """Streams, rich outputs and widget state are capped; a test cell whose huge stderr was
    cut keeps it in its feedback (marked, on stdout) and its points: the judge decides the
    score, not what the student's code printed."""
    r = outcome(failure_class, "huge-output")
    assert r["auto_score"] == 10 and "output" in flags(failure_class, "huge-output")
    size = (failure_class["course"] / "autograded" / "huge-output" / A / f"{A}.ipynb").stat().st_size
    perfect_size = (failure_class["course"] / "autograded" / "perfect" / A / f"{A}.ipynb").stat().st_size
    assert size - perfect_size < OUTPUT_CAP + 1_000_000  # 50 MB of HTML, a million lines, 0.6 MB of stderr
    nb = autograded(failure_class, "huge-output")
    assert len(json.dumps(nb["metadata"].get("widgets", {}))) < 100_000
    cell = next(c for c in nb["cells"] if gid(c) == "test_years_of_income")
    assert not any(o.get("name") == "stderr" for o in cell["outputs"])
    assert "[printed to stderr in the kernel]" in cell_text(nb, "test_years_of_income")


def test_edited_test_cells_are_restored(failure_class):
    r = outcome(failure_class, "edited-test")
    assert r["auto_score"] == 0  # 'pass' would have scored full marks
    assert "edited" in flags(failure_class, "edited-test")
    sources = ["".join(c["source"]) for c in autograded(failure_class, "edited-test")["cells"]]
    assert not any("the student replaced the test" in s for s in sources)


def test_deleted_test_cell_is_restored(failure_class):
    r = outcome(failure_class, "deleted-test")
    assert r["status"] == "graded" and "deleted" in flags(failure_class, "deleted-test")
    assert any(gid(c) == "test_overstay_rate" for c in autograded(failure_class, "deleted-test")["cells"])
    assert r["auto_score"] == 10


def test_duplicated_test_cell_is_flagged_not_fatal(failure_class):
    r = outcome(failure_class, "duplicated-test")
    assert r["status"] == "graded" and r["auto_score"] == 10
    assert "duplicated" in flags(failure_class, "duplicated-test")


def test_edited_schema_version_is_reset(failure_class):
    r = outcome(failure_class, "schema-version")
    assert r["status"] == "graded" and r["auto_score"] == 10
    assert "schema_version" in flags(failure_class, "schema-version")


def test_invalid_json_fails_only_that_student(failure_class):
    r = outcome(failure_class, "invalid-json")
    assert r["status"] == "failed" and "not valid JSON" in r["reason"]


def test_misnamed_notebook_is_graded_and_flagged(failure_class):
    r = outcome(failure_class, "misnamed")
    assert r["status"] == "graded" and r["auto_score"] == 10
    assert "misnamed" in flags(failure_class, "misnamed")


def test_object_equal_to_everything_scores_zero(failure_class):
    assert outcome(failure_class, "always-equal")["auto_score"] == 6  # parts 2 and 3 score zero


def test_traceback_suppression_still_fails_the_test(failure_class):
    assert outcome(failure_class, "no-traceback")["auto_score"] == 8


def test_input_does_not_hang(failure_class):
    r = outcome(failure_class, "input")
    assert r["auto_score"] == 8 and r["seconds"] < 60
    assert "StdinNotImplementedError" in cell_text(autograded(failure_class, "input"), "test_years_of_income")


def test_student_code_cannot_read_solutions_gradebook_or_others(failure_class):
    text = cell_text(autograded(failure_class, "read-secrets"), "overstay_rate")
    assert "LEAKED" not in text
    assert text.count("blocked") == len(failure_class["secrets"]), text
    assert outcome(failure_class, "read-secrets")["auto_score"] == 10


def test_student_code_cannot_write_outside_its_folder(failure_class):
    text = cell_text(autograded(failure_class, "write-outside"), "overstay_rate")
    assert "WROTE" not in text and text.count("blocked") == len(failure_class["targets"]), text
    assert not any(p.exists() for p in failure_class["targets"])


def test_student_code_has_no_network(failure_class):
    text = cell_text(autograded(failure_class, "network"), "overstay_rate")
    assert "CONNECTED" not in text and text.count("blocked") == 2, text
    assert failure_class["connected"] is None


def test_policy_warning_on_stderr_in_a_passing_test(failure_class):
    """Policy: the judge decides a test's score, so what the student's code writes to stderr
    (a library's warning, debugging prints) costs nothing; it stays in the feedback, marked,
    and the submission is flagged so the instructor can look."""
    r = outcome(failure_class, "stderr-warning")
    assert r["auto_score"] == 10
    assert "printed a warning" in flags(failure_class, "stderr-warning")
    assert "printed text to stderr" in flags(failure_class, "stderr-warning")
    nb = autograded(failure_class, "stderr-warning")
    assert "FutureWarning" in cell_text(nb, "test_overstay_rate")


def test_wall_clock_cap_for_the_whole_notebook(failure_class):
    r = outcome(failure_class, "wall-clock")
    assert r["status"] == "graded" and r["auto_score"] < 10
    assert "wall-clock" in flags(failure_class, "wall-clock")
    assert "NotRun" in cell_text(autograded(failure_class, "wall-clock"), "test_rate_chart")


# ---------------------------------------------------------------- no isolation without root


def test_isolation_unavailable_fails_loudly(monkeypatch):
    from coursekit.grading import sandbox

    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    with pytest.raises(sandbox.SandboxUnavailable, match="--no-isolation"):
        sandbox.check_available()


def test_grade_outside_a_course_says_where_to_run(tmp_path):
    proc = subprocess.run([str(BIN / "coursekit"), "grade", A], cwd=tmp_path, env=env_with_venv(),
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "nbgrader_config.py" in proc.stderr


def test_report_outside_a_course_says_where_to_run(tmp_path):
    proc = subprocess.run([str(BIN / "coursekit"), "report", A], cwd=tmp_path, env=env_with_venv(),
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "nbgrader_config.py" in proc.stderr and "Traceback" not in proc.stderr


def test_repeated_student_is_graded_once(tmp_path, monkeypatch):
    from coursekit import cli
    from coursekit.grading import runner

    (tmp_path / "nbgrader_config.py").write_text("")
    seen = []
    monkeypatch.setattr(runner, "grade", lambda course, assignment, opts, console: seen.append(opts.students) or [])
    assert cli.main(["grade", A, "--course", str(tmp_path), "--student", "b", "--student", "a", "--student", "b"]) == 0
    assert seen == [["b", "a"]]


def test_only_warnings_recognises_python_warnings():
    from coursekit.grading.execute import only_warnings

    assert only_warnings("/x/y.py:3: FutureWarning: old API\n  warnings.warn('old API', FutureWarning)\n")
    assert not only_warnings("debugging\n")
    assert not only_warnings("/x/y.py:3: FutureWarning: old\nand something else\n")


# ---------------------------------------------------------------- the sandboxed kernel on its own


def test_sandboxed_kernel_identity_and_cpu_cap(tmp_path):
    """The kernel runs as the sandbox user in its own PID namespace, and the CPU-time cap
    stops a busy loop that the (long) cell timeout would not."""
    import nbformat
    from traitlets.config import Config

    from coursekit.grading import execute, sandbox

    need_root()
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import os\nprint(os.getuid(), len([p for p in os.listdir('/proc') if p.isdigit()]))"),
                nbformat.v4.new_code_cell("while True:\n    pass"),
                nbformat.v4.new_code_cell("print('after')")]
    cfg = Config({"SandboxKernelManager": {"cpu_seconds": 2}})
    ex = execute.GuardedExecute(config=cfg, timeout=60, notebook_timeout=60)
    execute.EVENTS.clear()
    before = set(sandbox.run_root().iterdir())
    ex.preprocess(nb, {"metadata": {"path": str(tmp_path)}})
    assert set(sandbox.run_root().iterdir()) <= before  # the kernel's private folder is gone
    uid, nprocs = nb.cells[0].outputs[0]["text"].split()
    assert int(uid) != 0 and int(nprocs) <= 3  # only the kernel (and its threads' parent) in its PID namespace
    assert [k for k, _ in execute.EVENTS] == ["kernel-died"]
    assert nb.cells[2].outputs[0]["ename"] == "NotRun"


def _tiny_notebook() -> str:
    import nbformat

    return nbformat.writes(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")]))


def test_staging_keeps_only_released_files_and_drops_links(tmp_path):
    """Staging copies the notebook and released files only; extra files, dotfiles, symlinks
    (to the solutions, to /dev/zero, to /) and FIFOs are dropped and flagged, never followed."""
    from coursekit.grading.validate import NotebookSpec, stage

    release, sub, staged = tmp_path / "release", tmp_path / "sub", tmp_path / "staged"
    (release / "data").mkdir(parents=True)
    (release / "a.ipynb").write_text(_tiny_notebook())
    (release / "data" / "table.csv").write_text("x\n1\n")
    (sub / "data").mkdir(parents=True)
    (sub / "a.ipynb").write_text(_tiny_notebook())
    (sub / "timestamp.txt").write_text("2026-11-22 10:00:00")
    (sub / "submission_secret.txt").write_text("ab" * 64)  # nbgrader submit writes it on a hub
    (sub / "data" / "table.csv").write_text("x\n2\n")
    (sub / "coursekit").mkdir()
    (sub / "coursekit" / "checks.py").write_text("def check_close(*a, **k):\n    pass\n")
    (sub / ".ipython" / "profile_default" / "startup").mkdir(parents=True)
    (sub / ".ipython" / "profile_default" / "startup" / "x.py").write_text("print('hidden')\n")
    secret = tmp_path / "solution.ipynb"
    secret.write_text("SECRET")
    (sub / "solution.txt").symlink_to(secret)
    (sub / "zeros.csv").symlink_to("/dev/zero")
    (sub / "root").symlink_to("/")
    (sub / "data" / "loop").symlink_to(sub)
    os.mkfifo(sub / "pipe")
    checked = stage(sub, staged, "s", [NotebookSpec("a", set())], release=release)
    assert checked.fatal is None, checked
    kept = sorted(p.relative_to(staged).as_posix() for p in staged.rglob("*") if not p.is_dir())
    assert kept == ["a.ipynb", "data/table.csv", "submission_secret.txt", "timestamp.txt"]
    assert not any(p.is_symlink() for p in staged.rglob("*"))
    text = " | ".join(checked.flags)
    for name in ("coursekit/checks.py", ".ipython/profile_default/startup/x.py"):
        assert f"extra file {name!r} dropped" in text
    for name in ("solution.txt", "zeros.csv", "root", "data/loop"):
        assert f"symlink {name!r} dropped" in text
    assert "special file 'pipe' dropped" in text


def test_staging_fails_a_submission_over_the_size_cap(tmp_path):
    from coursekit.grading import validate

    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "a.ipynb").write_text(_tiny_notebook())
    (sub / "b.ipynb").write_bytes(b" " * 4096)
    checked = validate.Checked("s")
    validate.copy_allowed(sub, tmp_path / "staged", set(), checked, max_bytes=2048)
    assert checked.fatal and "larger than" in checked.fatal


def test_summary_table_prints_student_text_verbatim():
    """File names and cell ids come from students: '[/x]' is text, not rich markup."""
    import io

    from rich.console import Console

    from coursekit.grading.runner import summary_table

    console = Console(file=io.StringIO(), width=200)
    summary_table([{"student": "[/s]", "status": "graded", "auto_score": 1, "auto_max": 2,
                    "flags": ["misnamed notebook '[/x].ipynb' graded as a.ipynb", "unknown nbgrader cell '[bold]'"]},
                   {"student": "t", "status": "failed", "reason": "[/x].ipynb is not valid JSON", "flags": []}], console)
    out = console.file.getvalue()
    assert "[/x].ipynb" in out and "[/s]" in out and "[bold]" in out


def test_output_cap_keeps_a_stderr_stub_and_resets_on_clear(tmp_path):
    """Live cap: dropped stderr leaves a stub; clear_output gives the cell a fresh budget;
    widget state does not reach the notebook's metadata."""
    import nbformat

    from coursekit.grading import execute

    need_root()
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import sys\nprint('x' * 5000)\nsys.stderr.write('noise\\n' * 5000)"),
                nbformat.v4.new_code_cell("from IPython.display import clear_output\nfor _ in range(5):\n"
                                          "    print('y' * 6000)\n    clear_output()\nprint('done')"),
                nbformat.v4.new_code_cell("import ipywidgets\nipywidgets.Textarea(value='w' * 2_000_000)")]
    ex = execute.GuardedExecute(timeout=60, notebook_timeout=120, max_output_bytes=10_000)
    execute.EVENTS.clear()
    ex.preprocess(nb, {"metadata": {"path": str(tmp_path)}})
    first = nb.cells[0].outputs
    assert [o.get("name") for o in first] == ["stdout", "stdout", "stderr"], first
    assert execute.STDERR_TRUNCATED in first[-1]["text"] and len(first[-1]["text"]) < 3000
    assert [o["text"] for o in nb.cells[1].outputs] == ["done\n"]
    capped = [d for k, d in execute.EVENTS if k == "output-capped"]
    assert capped and all(d.startswith(("cell 0", "cell 2", "widget state")) for d in capped), execute.EVENTS
    assert any(d.startswith("widget state") for d in capped)
    assert len(json.dumps(nb.metadata.get("widgets", {}))) < 100_000


def test_answer_that_redefines_a_test_helper_is_flagged():
    import nbformat

    from coursekit.grading.validate import NotebookSpec, repair

    def answer(source: str):
        cell = nbformat.v4.new_code_cell(source)
        cell.metadata["nbgrader"] = {"grade_id": "a", "solution": True, "grade": False, "locked": False,
                                     "schema_version": 3}
        nb = nbformat.v4.new_notebook()
        nb.cells = [cell]
        flags: list[str] = []
        repair(nb, NotebookSpec("nb", {"a"}), flags)
        return flags

    assert any("redefines a test helper" in f for f in answer("check_close = lambda *a, **k: None"))
    assert any("redefines a test helper" in f for f in answer("def check_equal(*a):\n    pass"))
    assert not answer("x = check_close('x', 1.0, 1.0)\nif check_close == None:\n    pass")
