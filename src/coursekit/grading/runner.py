"""``coursekit grade ASSIGNMENT``: autograde every submission of a class in parallel.

Steps: check every submission (:mod:`.validate`) into ``grading/<assignment>/staged/``;
hand the students to N long-lived worker processes (:mod:`.worker`), each running
nbgrader's Autograde with a sandboxed kernel (:mod:`.sandbox`); a worker that crashes
or hangs costs only its current student and is replaced. Results, flags and reasons go
to ``grading/<assignment>/results.json`` and a summary table; the exit status is 1 if
any submission failed.

Fairness: a submission whose run had a cell time out, a kernel die or stop, or its worker
crash or hang is graded once more at the end, alone (no other worker running), and that
second outcome is final; both are recorded (``first_run`` in results.json, a column of the
summary), so a busy machine cannot turn a slow correct answer into a zero unseen.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from queue import Empty, Queue

import psutil

from . import sandbox
from .validate import Checked, assignment_spec, stage

#: Events from the executor that make a submission "flagged" for the instructor.
FLAG_EVENTS = {"kernel-died", "wall-clock", "ignored-interrupt", "output-capped", "stderr-warning", "cell-timeout",
               "judge-disagrees"}


@dataclass
class Options:
    """How to grade: parallelism, isolation and caps."""

    workers: int = os.cpu_count() or 1
    isolate: bool = True
    cell_timeout: int | None = None  # None: the course's ExecutePreprocessor.timeout
    notebook_timeout: int = 600
    memory_mb: int = 2048
    cpu_seconds: int = 300
    max_output_bytes: int = 1_000_000
    students: list[str] = field(default_factory=list)
    progress: bool = True
    fork_server: bool = True  # kernels forked from a process with the course's modules imported


def grading_dir(course: Path, assignment: str) -> Path:
    return course / "grading" / assignment


def submitted_students(course: Path, assignment: str) -> list[str]:
    """Students with a folder for ``assignment`` in ``submitted/``."""
    return sorted(p.parent.name for p in (course / "submitted").glob(f"*/{assignment}") if p.is_dir())


def course_config(course: Path):
    from .worker import load_config

    return load_config(course, {})


def _sandbox_paths(course: Path, db_url: str) -> tuple[list[str], list[str]]:
    """What the kernel must not see, and what it must keep reading (venv, coursekit, data)."""
    import coursekit
    from coursekit import data

    hide = [str(course)]
    git = sandbox.enclosing_git_dir(course)
    if git:
        hide.append(str(git))
    if db_url.startswith("sqlite:///"):
        db = Path(db_url[len("sqlite:///"):])
        if course not in db.parents:
            hide.append(str(db))
    pkg = Path(os.environ.get("COURSEKIT_DATA") or data.DEFAULT_PACKAGE)
    readonly = [str(Path(coursekit.__file__).resolve().parents[1]), str(pkg if pkg.is_dir() else pkg.parent)]
    return hide, readonly


def overrides(course: Path, assignment: str, opts: Options, db_url: str) -> dict:
    """nbgrader config for the workers on top of the course's own."""
    hide, readonly = _sandbox_paths(course, db_url)
    cfg = {
        "CourseDirectory": {"submitted_directory": str(Path("grading") / assignment / "staged")},
        "BaseConverter": {"force": True},
        "GuardedExecute": {"notebook_timeout": opts.notebook_timeout, "max_output_bytes": opts.max_output_bytes},
        "LimitOutputBytes": {"max_bytes": opts.max_output_bytes},
        "SandboxKernelManager": {"isolate": opts.isolate, "hide_paths": hide, "readonly_paths": readonly,
                                 "memory_mb": opts.memory_mb, "cpu_seconds": opts.cpu_seconds,
                                 "fork_server": opts.fork_server},
    }
    if opts.cell_timeout:
        cfg["Execute"] = {"timeout": opts.cell_timeout}
    return cfg


class Worker:
    """A worker process and the pipe its results come back on."""

    def __init__(self, course: Path, assignment: str, config: dict, log_dir: Path, index: int):
        self.args = (course, assignment, config, log_dir, index)
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        course, assignment, config, log_dir, index = self.args
        read, write = os.pipe()
        env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
                   PYDEVD_DISABLE_FILE_VALIDATION="1")
        out = open(log_dir / f"worker-{index}.log", "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "coursekit.grading.worker", "--course", str(course), "--assignment", assignment,
             "--config", json.dumps(config), "--result-fd", str(write), "--log-dir", str(log_dir)],
            stdin=subprocess.PIPE, stdout=out, stderr=subprocess.STDOUT, pass_fds=(write,), cwd=course, env=env,
            start_new_session=True)
        out.close()
        os.close(write)
        self.read = read

    def grade(self, student: str, timeout: float) -> dict:
        """Send one student; wait for the result, or for the worker to die or hang."""
        if self.proc is None or self.proc.poll() is not None:
            self.start()
        self.proc.stdin.write((json.dumps({"student": student}) + "\n").encode())
        self.proc.stdin.flush()
        deadline, buf = time.monotonic() + timeout, b""
        while b"\n" not in buf:
            left = deadline - time.monotonic()
            if left <= 0:
                self.kill()
                return {"student": student, "status": "failed", "reason": f"grading took longer than {timeout:.0f} s: worker stopped"}
            ready, _, _ = select.select([self.read], [], [], min(left, 1.0))
            if ready:
                chunk = os.read(self.read, 65536)
                if not chunk:
                    code = self.proc.wait()
                    self.kill()
                    return {"student": student, "status": "failed", "reason": f"grading process crashed (exit {code})"}
                buf += chunk
        return json.loads(buf.decode())

    def kill(self) -> None:
        """Stop the worker and everything it started (its kernels included)."""
        proc, self.proc = self.proc, None  # may run from the main thread on Ctrl-C, too
        if proc is None:
            return
        try:
            procs = [psutil.Process(proc.pid), *psutil.Process(proc.pid).children(recursive=True)]
        except psutil.Error:
            procs = []
        for p in procs:
            try:
                p.kill()
            except psutil.Error:
                pass
        proc.wait()
        try:
            os.close(self.read)
        except OSError:
            pass

    def close(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pass
            self.kill()


#: Events after which a submission is graded again, alone, before its score is final.
REGRADE_EVENTS = {"cell-timeout", "kernel-died", "wall-clock", "ignored-interrupt"}
REGRADE_REASONS = ("grading took longer", "grading process crashed", "grading process error")


def needs_regrade(result: dict) -> bool:
    """A timed-out or killed cell, or a worker that crashed or hung: the outcome may depend on load."""
    if any(kind in REGRADE_EVENTS for kind, _ in result.get("events", [])):
        return True
    return result.get("status") == "failed" and str(result.get("reason") or "").startswith(REGRADE_REASONS)


def first_run(result: dict) -> dict:
    """What results.json keeps of a submission's first (parallel) run."""
    keys = ("status", "reason", "auto_score", "auto_max", "score", "max_score", "flags", "seconds")
    return {k: result[k] for k in keys if k in result}


def _merge(checked: Checked, result: dict) -> dict:
    flags = list(checked.flags) + [detail for kind, detail in result.get("events", []) if kind in FLAG_EVENTS]
    return {**result, "flags": flags}


def grade(course: Path, assignment: str, opts: Options, console=None) -> list[dict]:
    """Grade every submission of ``assignment``; return one result dict per student."""
    from nbgrader.api import Gradebook, MissingEntry
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = console or Console(stderr=True)
    course = course.resolve()
    cfg = course_config(course)
    db_url = cfg.CourseDirectory.db_url or f"sqlite:///{course / 'gradebook.db'}"
    if opts.isolate:
        sandbox.check_available()
        sandbox.ensure_user()
    else:
        console.print("[bold red]WARNING: --no-isolation: student code runs with the grader's rights "
                      "(it can read solutions and the gradebook).[/]")
    try:
        with Gradebook(db_url) as gb:
            specs = assignment_spec(gb, course, assignment)
    except MissingEntry:
        raise SystemExit(f"assignment {assignment!r} is not in the gradebook: run `nbgrader generate_assignment {assignment}` first")
    out_dir = grading_dir(course, assignment)
    (out_dir / "logs").mkdir(parents=True, exist_ok=True)
    os.chmod(course / "grading", 0o700)
    students = opts.students or submitted_students(course, assignment)
    checked: dict[str, Checked] = {}
    for s in students:
        try:
            checked[s] = stage(course / "submitted" / s / assignment, out_dir / "staged" / s / assignment, s, specs,
                               release=course / "release" / assignment)
        except Exception as err:  # an unreadable folder, a file nbformat chokes on...
            checked[s] = Checked(s, fatal=f"could not check the submission: {err}"[:300])
    results: dict[str, dict] = {}
    for s, c in checked.items():
        if c.fatal:
            results[s] = {"student": s, "status": "failed", "reason": c.fatal, "flags": c.flags, "seconds": 0}
    todo: Queue[str] = Queue()
    for s in students:
        if s not in results:
            todo.put(s)
    todo_set = set(todo.queue)
    config = overrides(course, assignment, opts, db_url)
    per_student = opts.notebook_timeout + 180
    lock = threading.Lock()
    stop = threading.Event()
    live: list[Worker] = []
    started = time.monotonic()

    with Progress(TextColumn("grading {task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, disable=not opts.progress) as progress:
        task = progress.add_task(assignment, total=len(students), completed=len(results))

        def run(index: int) -> None:
            worker = Worker(course, assignment, config, out_dir / "logs", index)
            live.append(worker)
            try:
                while not stop.is_set():
                    try:
                        s = todo.get_nowait()
                    except Empty:
                        return
                    try:
                        result = worker.grade(s, per_student)
                    except Exception as err:  # the pipe broke, the worker would not start...
                        worker.kill()
                        result = {"student": s, "status": "failed", "reason": f"grading process error: {err}"}
                    with lock:
                        results[s] = _merge(checked[s], result)
                    progress.advance(task)
            finally:
                worker.close()

        threads = [threading.Thread(target=run, args=(i,), daemon=True)
                   for i in range(max(1, min(opts.workers, todo.qsize())))]
        try:
            for t in threads:
                t.start()
            while any(t.is_alive() for t in threads):  # short joins: Ctrl-C reaches this thread
                for t in threads:
                    t.join(0.5)
            again = [s for s in students if s in todo_set and needs_regrade(results[s])]
            if again:  # every parallel worker has finished: nothing else runs beside these
                progress.update(task, description=f"{assignment}: {len(again)} again, alone",
                                total=len(students) + len(again))
                worker = Worker(course, assignment, config, out_dir / "logs", len(threads))
                live.append(worker)
                try:
                    for s in again:
                        if stop.is_set():
                            break
                        try:
                            second = worker.grade(s, per_student)
                        except Exception as err:
                            worker.kill()
                            second = {"student": s, "status": "failed", "reason": f"grading process error: {err}"}
                        results[s] = {**_merge(checked[s], second), "first_run": first_run(results[s]),
                                      "graded_alone": True}
                        progress.advance(task)
                finally:
                    worker.close()
        finally:
            stop.set()
            for w in list(live):  # Ctrl-C or an error: stop every worker and its kernel now
                w.kill()

    ordered = [results[s] for s in students]
    for r in ordered:
        if r["status"] != "graded":
            forget(course, cfg, db_url, assignment, r["student"])
    summary = {"assignment": assignment, "workers": opts.workers, "isolated": opts.isolate,
               "fork_server": opts.isolate and opts.fork_server,
               "seconds": round(time.monotonic() - started, 2),
               "graded_alone": [r["student"] for r in ordered if r.get("graded_alone")], "results": ordered}
    (out_dir / "results.json").write_text(json.dumps(summary, indent=2))
    return ordered


def forget(course: Path, cfg, db_url: str, assignment: str, student: str) -> None:
    """Remove a failed student's previous grades for ``assignment`` (gradebook and
    ``autograded/``), so neither the report nor ``nbgrader export`` shows a stale score."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(db_url) as gb:
        try:
            gb.remove_submission(assignment, student)
        except MissingEntry:
            pass
    from nbgrader.coursedir import CourseDirectory

    coursedir = CourseDirectory(config=cfg)
    autograded = Path(coursedir.format_path(coursedir.autograded_directory, student, assignment))
    if autograded.is_dir() and not autograded.is_symlink():
        shutil.rmtree(autograded)


def summary_table(results: list[dict], console) -> None:
    """Print graded / failed / flagged, one row per student that is not simply graded."""
    from rich.table import Table
    from rich.text import Text

    graded = [r for r in results if r["status"] == "graded"]
    failed = [r for r in results if r["status"] != "graded"]
    flagged = [r for r in results if r.get("flags")]
    alone = [r for r in results if r.get("graded_alone")]

    def score(r: dict) -> str:
        return f"{r['auto_score']:g} / {r['auto_max']:g}" if "auto_score" in r else "-"

    table = Table(title="Grading summary")
    for col in ("student", "status", "auto score", "first run (parallel)", "why / flags"):
        table.add_column(col)
    for r in results:
        if r["status"] == "graded" and not r.get("flags") and not r.get("graded_alone"):
            continue
        first = r.get("first_run")
        before = f"{score(first) if first['status'] == 'graded' else first['status']}; graded again alone" if first else ""
        why = "; ".join(([r["reason"]] if r.get("reason") else []) + r.get("flags", []))
        # student-controlled text (file names, cell ids) is never read as rich markup
        table.add_row(*(Text(str(cell)) for cell in (r["student"], r["status"], score(r), before, why)))
    console.print(table)
    changed = sum(1 for r in alone if (r["first_run"].get("auto_score"), r["first_run"]["status"])
                  != (r.get("auto_score"), r["status"]))
    console.print(f"{len(results)} submissions: {len(graded)} graded, {len(failed)} failed, {len(flagged)} flagged; "
                  f"{len(alone)} graded again alone after a timeout or a killed kernel ({changed} changed)")
