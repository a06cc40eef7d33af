"""The gradebook on PostgreSQL (nbgrader's db_url), for several graders: a real server,
started by the test (Debian `postgresql`, Unix socket only, no TCP), graded with
`coursekit grade --workers 2` and reported."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from conftest import BIN, REPO, run
from test_grading import A, coursekit_grade, need_root, notebooks, perfect, set_answer, submit

pytestmark = pytest.mark.slow


def _missing(what: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{what} (CI must install it: .ci/run apt-installs postgresql)")
    pytest.skip(what)


@pytest.fixture(scope="module")
def postgres():
    """A throwaway PostgreSQL server; yields its SQLAlchemy URL."""
    need_root()
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not bins:
        _missing("PostgreSQL server binaries not found (apt-get install postgresql)")
    try:
        import psycopg2  # noqa: F401
    except ImportError:
        _missing("psycopg2 is not installed (pip install -r requirements.txt)")
    bindir = Path(bins[-1]).parent
    home, started, port = None, False, 54329

    def as_postgres(*cmd: str) -> subprocess.CompletedProcess:
        return subprocess.run(["runuser", "-u", "postgres", "--", *cmd], capture_output=True, text=True, timeout=120)

    try:  # the temp folder is removed even if initdb or the start fails
        home = Path(tempfile.mkdtemp(prefix="coursekit-pg-"))
        home.chmod(0o755)
        shutil.chown(home, "postgres", "postgres")
        data = home / "data"
        init = as_postgres(str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres")
        assert init.returncode == 0, init.stderr
        start = as_postgres(str(bindir / "pg_ctl"), "-D", str(data), "-w", "-l", str(home / "server.log"), "-o",
                            f"-k {home} -p {port} -c listen_addresses=''", "start")
        started = True
        assert start.returncode == 0, start.stderr + (home / "server.log").read_text()
        yield f"postgresql+psycopg2://postgres@/postgres?host={home}&port={port}"
    finally:
        if started:
            as_postgres(str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop")
        if home is not None:
            shutil.rmtree(home, ignore_errors=True)


def test_grade_with_a_postgresql_gradebook(postgres, tmp_path):
    from nbgrader.api import Gradebook

    def use_postgres(course: Path) -> None:  # what several graders would share
        with (course / "nbgrader_config.py").open("a") as fh:
            fh.write(f"\nc.CourseDirectory.db_url = {postgres!r}\n")

    course = make_course_with(tmp_path, use_postgres)
    submit(course, A, "full", perfect(course, A))
    submit(course, A, "blank", notebooks(course, A)[1])
    submit(course, A, "partly", set_answer(perfect(course, A), "years_of_income",
                                           "def years_of_income(b, i):\n    return 0"))
    proc = coursekit_grade(course, A, "--workers", "2")
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    assert not (course / "gradebook.db").exists()
    with Gradebook(postgres) as gb:
        scores = {s.student.id: sum(g.auto_score or 0 for nb in s.notebooks for g in nb.grades)
                  for s in gb.find_assignment(A).submissions}
    assert scores["full"] == 10 and scores["blank"] == 0 and 0 < scores["partly"] < 10
    run([str(BIN / "coursekit"), "report", A], cwd=course)
    assert (course / "grading" / A / "report" / "index.html").exists()


def make_course_with(base: Path, configure) -> Path:
    """make_course, with the config edited before the assignment is released."""
    course = base / "exercises"
    shutil.copytree(REPO / "exercises", course, ignore=shutil.ignore_patterns(
        "release", "submitted", "autograded", "feedback", "grading", "gradebook.db", ".ipynb_checkpoints"))
    configure(course)
    run([str(BIN / "nbgrader"), "generate_assignment", A, "--force"], cwd=course)
    return course
