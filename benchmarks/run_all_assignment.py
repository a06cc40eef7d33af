"""Benchmark the ch06_visa_bonds assignment: "Run all" and the nbgrader round trip.

  run all     execute the instructor (source) notebook with nbclient, as "Restart & Run all":
              kernel start, cell execution and total (incl. kernel shutdown), N times;
  nbgrader    in a temporary copy of exercises/: `nbgrader generate_assignment --force`,
              then `nbgrader autograde --force` of one submission (the source notebook,
              handed in by student "bench"), each run as its own process.

Usage: .venv/bin/python benchmarks/run_all_assignment.py [--repeat 5] [--keep]
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from _common import BIN, ROOT, copy_tree, env, machine, run_timed, step, summary, table, write_json

ASSIGNMENT = "ch06_visa_bonds"
SOURCE = ROOT / "exercises" / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"


def run_all(path: Path) -> dict:
    """Execute the notebook once in a fresh kernel; seconds for start, cells and total."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=120, resources={"metadata": {"path": str(path.parent)}})
    t0 = time.perf_counter()
    with client.setup_kernel():
        client.wait_for_reply(client.kc.kernel_info())  # kernel is up and answering
        t1 = time.perf_counter()
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index, execution_count=client.code_cells_executed + 1)
        t2 = time.perf_counter()
        rss = kernel_peak_rss_mb(client.km.provisioner.pid)
    t3 = time.perf_counter()
    return {"kernel_start_s": t1 - t0, "cells_s": t2 - t1, "seconds": t3 - t0, "peak_rss_mb": rss}


def kernel_peak_rss_mb(pid: int) -> float | None:
    """Peak resident memory of the kernel process (VmHWM in /proc; None where unavailable)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def nbgrader_round_trip(tmp: Path, log: Path) -> dict[str, dict]:
    """generate_assignment and autograde of one submission in a copy of exercises/."""
    course = copy_tree(ROOT / "exercises", tmp / "exercises")
    nbgrader = str(BIN / "nbgrader")
    step("nbgrader generate_assignment ...")
    gen = run_timed([nbgrader, "generate_assignment", ASSIGNMENT, "--force"], course, log)
    step(f"  {gen['seconds']:.1f} s")
    run_timed([nbgrader, "db", "student", "add", "bench"], course, log)
    submitted = course / "submitted" / "bench" / ASSIGNMENT
    submitted.mkdir(parents=True)
    shutil.copy(SOURCE, submitted / SOURCE.name)
    step("nbgrader autograde (1 submission) ...")
    auto = run_timed([nbgrader, "autograde", ASSIGNMENT, "--force"], course, log)
    step(f"  {auto['seconds']:.1f} s")
    return {"gen": gen, "auto": auto, "score": score(course)}


def score(course: Path) -> dict:
    """Automatic points of the submission, from the copy's gradebook (proof that it was graded)."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        grades = [g for nb in gb.find_submission(ASSIGNMENT, "bench").notebooks for g in nb.grades]
        auto = [g for g in grades if not g.needs_manual_grade]
        return {"auto_score": sum(g.auto_score or 0 for g in auto),
                "auto_max": sum(g.max_score for g in auto),
                "manual_pending_max": sum(g.max_score for g in grades if g.needs_manual_grade)}


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5, help="'Run all' executions (default 5)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder (path is printed)")
    args = ap.parse_args(argv)
    os.environ.update(env())  # the kernel nbclient starts inherits this environment

    runs = []
    for i in range(args.repeat):
        step(f"run all {SOURCE.relative_to(ROOT)} {i + 1}/{args.repeat} ...")
        runs.append(run_all(SOURCE))
        r = runs[-1]
        step(f"  {r['seconds']:.1f} s (kernel start {r['kernel_start_s']:.1f} s, cells {r['cells_s']:.1f} s)")

    tmp = Path(tempfile.mkdtemp(prefix="bench-nbgrader-"))
    log = tmp / "nbgrader.log"
    step(f"nbgrader in {tmp} (output: {log})")
    try:
        rt = nbgrader_round_trip(tmp, log)
    finally:
        if args.keep:
            step(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    stats = {
        "run all: total": summary(runs),
        "run all: kernel start": summary([{"seconds": r["kernel_start_s"]} for r in runs]),
        "run all: cells": summary([{"seconds": r["cells_s"]} for r in runs]),
        "nbgrader generate_assignment": summary([rt["gen"]]),
        "nbgrader autograde (1 submission)": summary([rt["auto"]]),
    }
    sc = rt["score"]
    print(f"\nAssignment {ASSIGNMENT}: autograde gave {sc['auto_score']:g}/{sc['auto_max']:g} automatic points"
          f" ({sc['manual_pending_max']:g} more await manual grading)")
    print(table(stats))
    result = {"benchmark": "assignment", "machine": machine(), "notebook": str(SOURCE.relative_to(ROOT)),
              "autograde_score": rt["score"],
              "peak_rss_note": "run all: the kernel's VmHWM; nbgrader: largest single process in the tree"
                               " (os.wait4 ru_maxrss)",
              "results": stats}
    step(f"wrote {write_json('assignment', result)}")
    return result


if __name__ == "__main__":
    main()
