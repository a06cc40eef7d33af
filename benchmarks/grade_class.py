"""Grade a synthetic class: serial `nbgrader autograde` against `coursekit grade`.

Synthesises N submissions of one assignment (about 40% perfect, 20% blank, 30% partly
wrong, 10% looping), grades them in two identical copies of the course, once with
serial `nbgrader autograde` and once with `coursekit grade --workers W` (sandboxed
kernels), checks the per-cell scores are identical, and times one bare nbclient run of
the perfect notebook (the floor: kernel start + cells). Figures go to
benchmarks/results/grade_class.json.

Usage: .venv/bin/python benchmarks/grade_class.py [--n 100] [--workers 2 3] [--cell-timeout 5]
(several --workers values: one serial baseline, one parallel run each, on fresh copies)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import BIN, RESULTS, ROOT, copy_tree, env, machine, run_timed  # noqa: E402

from coursekit.grading import synth  # noqa: E402


def cell_scores(course: Path, assignment: str) -> dict:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        return {(s.student.id, g.name): g.auto_score for s in gb.find_assignment(assignment).submissions
                for nb in s.notebooks for g in nb.grades}


def bare_run(notebook: dict, folder: Path, timeout: int) -> float:
    """Seconds to execute the notebook once with nbclient (kernel start included)."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.reads(json.dumps(notebook), as_version=4)
    t0 = time.perf_counter()
    NotebookClient(nb, timeout=timeout, allow_errors=True, resources={"metadata": {"path": str(folder)}}).execute()
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--workers", type=int, nargs="+", default=[os.cpu_count() or 2])
    parser.add_argument("--cell-timeout", type=int, default=5)
    parser.add_argument("--assignment", default="ch06_visa_bonds")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args(argv)
    a = args.assignment
    tmp = Path(tempfile.mkdtemp(prefix="grade-class-"))
    log = tmp / "bench.log"
    try:
        serial = copy_tree(ROOT / "exercises", tmp / "serial" / "exercises")
        run_timed([str(BIN / "nbgrader"), "generate_assignment", a, "--force"], serial, log)
        source = json.loads((serial / "source" / a / f"{a}.ipynb").read_text())
        release = json.loads((serial / "release" / a / f"{a}.ipynb").read_text())
        synth.write_class(serial, a, synth.class_of(args.n, source, release))
        fresh = tmp / "fresh" / "exercises"
        shutil.copytree(serial, fresh)
        bares = [bare_run(synth.perfect(source, release), serial / "release" / a, args.cell_timeout) for _ in range(3)]
        bare = statistics.median(bares)
        print(f"bare nbclient run (median of 3): {bare:.2f} s", flush=True)
        t_serial = run_timed([str(BIN / "nbgrader"), "autograde", a, "--force",
                              f"--ExecutePreprocessor.timeout={args.cell_timeout}"], serial, log)["seconds"]
        print(f"serial nbgrader autograde: {t_serial:.1f} s", flush=True)
        expected = cell_scores(serial, a)
        runs = []
        for workers in args.workers:
            parallel = tmp / f"parallel-{workers}" / "exercises"
            shutil.copytree(fresh, parallel)
            t_par = run_timed([str(BIN / "coursekit"), "grade", a, "--workers", str(workers), "--no-progress",
                               "--cell-timeout", str(args.cell_timeout)], parallel, log)["seconds"]
            print(f"coursekit grade --workers {workers}: {t_par:.1f} s", flush=True)
            runs.append({"workers": workers, "parallel_s": round(t_par, 2), "ratio": round(t_serial / t_par, 2),
                         "parallel_per_submission_s": round(t_par / args.n, 3),
                         "identical_scores": cell_scores(parallel, a) == expected})
        res = {"assignment": a, "n": args.n, "cell_timeout_s": args.cell_timeout, "serial_s": round(t_serial, 2),
               "serial_per_submission_s": round(t_serial / args.n, 3), "bare_nbclient_s": round(bare, 2),
               "bare_nbclient_runs_s": [round(b, 2) for b in bares],
               "parallel": runs, "machine": machine()}
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "grade_class.json").write_text(json.dumps(res, indent=2))
    print(json.dumps(res, indent=2))
    return res


if __name__ == "__main__":
    os.environ["PATH"] = env()["PATH"]
    main()
