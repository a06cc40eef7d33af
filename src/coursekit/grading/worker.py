"""One grading worker: a long-lived process that autogrades, with nbgrader's Autograde
converter, the students whose ids it reads on stdin (one JSON object a line) and writes
one JSON result a line to the file descriptor it is given. Start-up (Python, nbgrader,
the config) is paid once per worker, not once per student; a crash of this process
costs only the student it was grading (the runner starts a new worker).

Gradebook access from several workers is serialised with a file lock when the gradebook
is SQLite (concurrent writers would otherwise hit "database is locked").
"""

from __future__ import annotations

import argparse
import fcntl
import io
import json
import logging
import os
import sys
import time
import traceback
from pathlib import Path

from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader


def load_config(course_root: Path, overrides: dict) -> Config:
    """The course's nbgrader_config.py, then ``overrides`` ({"Class": {"trait": value}})."""
    cfg = PyFileConfigLoader("nbgrader_config.py", path=str(course_root)).load_config()
    cfg.merge(Config(overrides))
    return cfg


def lock_gradebook(lock_path: Path) -> None:
    """Make every nbgrader Gradebook in this process hold an exclusive lock on ``lock_path``
    while it is open (re-entrant within the process)."""
    from nbgrader import api

    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    depth = [0]
    init, close = api.Gradebook.__init__, api.Gradebook.close

    def locked_init(self, *args, **kwargs):
        if depth[0] == 0:
            fcntl.flock(fd, fcntl.LOCK_EX)
        depth[0] += 1
        self._ck_locked = True
        try:
            init(self, *args, **kwargs)
        except BaseException:
            locked_close_only(self)
            raise

    def locked_close_only(self):
        if getattr(self, "_ck_locked", False):
            self._ck_locked = False
            depth[0] -= 1
            if depth[0] == 0:
                fcntl.flock(fd, fcntl.LOCK_UN)

    def locked_close(self):
        try:
            close(self)
        finally:
            locked_close_only(self)

    api.Gradebook.__init__ = locked_init
    api.Gradebook.close = locked_close


def preprocessors(cfg: Config) -> list:
    """nbgrader's autograde pipeline with the judged executor (test cells judged outside the
    kernel, :mod:`.judge`) and the byte cap."""
    from nbconvert.preprocessors import ClearMetadataPreprocessor
    from nbgrader.preprocessors import (AssignLatePenalties, CheckCellMetadata, IgnorePattern, LimitOutput,
                                        SaveAutoGrades)

    from .execute import LimitOutputBytes
    from .judge import JudgedExecute

    return [JudgedExecute, IgnorePattern, ClearMetadataPreprocessor, LimitOutput, LimitOutputBytes,
            SaveAutoGrades, AssignLatePenalties, CheckCellMetadata]


def scores(db_url: str, assignment: str, student: str) -> dict:
    """Automatic score, total and maximum of one submission, from the gradebook."""
    from nbgrader.api import Gradebook

    with Gradebook(db_url) as gb:
        sub = gb.find_submission(assignment, student)
        auto = sum(g.auto_score or 0 for nb in sub.notebooks for g in nb.grades)
        auto_max = sum(g.max_score for nb in sub.notebooks for g in nb.grades
                       if g.cell_type == "code" and g.auto_score is not None)
        return {"score": sub.score, "max_score": sub.max_score, "auto_score": auto, "auto_max": auto_max,
                "needs_manual_grade": bool(sub.needs_manual_grade)}


def grade_one(cfg: Config, assignment: str, student: str, log_dir: Path) -> dict:
    """Autograde one student's staged submission; never raises."""
    from nbgrader.converters import Autograde
    from nbgrader.coursedir import CourseDirectory

    from . import execute

    execute.EVENTS.clear()
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(logging.Formatter("[%(levelname)s] %(message)s"))
    log = logging.getLogger(f"coursekit.grade.{student}")
    log.propagate = False
    log.setLevel(logging.INFO)
    log.addHandler(handler)
    started = time.monotonic()
    result = {"student": student, "status": "graded", "reason": None}
    try:
        coursedir = CourseDirectory(config=cfg)
        coursedir.assignment_id, coursedir.student_id = assignment, student
        converter = Autograde(coursedir=coursedir, config=cfg, log=log)
        converter.start()
    except BaseException as err:  # nbgrader raises NbGraderException; anything else is this student's too
        result.update(status="failed", reason=f"nbgrader: {type(err).__name__}: {err}"[:500])
        log.error(traceback.format_exc())
    try:
        if result["status"] == "graded":
            result.update(scores(coursedir.db_url, assignment, student))
    except Exception as err:
        result.update(status="failed", reason=f"no grades in the gradebook: {err}"[:500])
    result["judge_seconds"] = round(sum(float(d) for k, d in execute.EVENTS if k == "judge-seconds"), 3)
    result["events"] = [(k, d) for k, d in execute.EVENTS if k != "judge-seconds"]
    result["seconds"] = round(time.monotonic() - started, 2)
    log.removeHandler(handler)
    text = buffer.getvalue()
    (log_dir / f"{student}.log").write_text(text)
    if result["status"] == "failed":
        errors = [ln for ln in text.splitlines() if ln.startswith("[ERROR]")]
        if errors:
            result["reason"] += " | " + errors[0][8:300]
    return result


def die_with_parent() -> None:
    """Ask Linux to kill this worker when the runner thread that started it goes away
    (Ctrl-C, a killed test run): no worker is left grading for nobody."""
    import ctypes
    import signal

    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() == 1:  # the parent died before the call
        os._exit(1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--course", required=True)
    parser.add_argument("--assignment", required=True)
    parser.add_argument("--config", required=True, help="JSON overrides of the nbgrader config")
    parser.add_argument("--result-fd", type=int, required=True)
    parser.add_argument("--log-dir", required=True)
    args = parser.parse_args(argv)
    die_with_parent()
    course = Path(args.course)
    cfg = load_config(course, json.loads(args.config))
    cfg.Autograde.autograde_preprocessors = preprocessors(cfg)
    if str(cfg.CourseDirectory.db_url).startswith("sqlite"):
        lock_gradebook(Path(args.log_dir).parent / ".gradebook.lock")
    out = os.fdopen(args.result_fd, "w", buffering=1)
    for line in sys.stdin:
        job = json.loads(line)
        result = grade_one(cfg, args.assignment, job["student"], Path(args.log_dir))
        out.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
