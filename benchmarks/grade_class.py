"""Grade a synthetic class: serial `nbgrader autograde` against `coursekit grade`.

For each mix (``honest``: 40% perfect, 20% blank, 40% partly wrong; ``mixed``: 40% perfect,
20% blank, 30% partly wrong, 10% with an answer that loops forever), synthesises N
submissions of one assignment, grades them in identical copies of the course, once with
serial `nbgrader autograde` and once per ``--workers`` value with `coursekit grade`
(sandboxed kernels, forked from a pre-imported fork server; ``--no-fork-server`` too with
``--compare-fork``), and checks the per-cell scores are identical. The floor: one bare
execution of the perfect notebook's cells in an already-started kernel (median of 3);
per-submission cost = wall time x workers / N. Figures go to
benchmarks/results/grade_class-nN.json.

Usage: .venv/bin/python benchmarks/grade_class.py [--n 100] [--mix honest mixed] [--workers 2]
       [--cell-timeout 5] [--compare-fork]
"""

from __future__ import annotations

import argparse
import collections
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


def bare_cells(notebook: dict, folder: Path, timeout: int) -> tuple[float, float]:
    """(kernel start, cells): seconds to start a kernel, then to execute the notebook's
    cells in it (the kernel already started and answering)."""
    import nbformat
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient

    nb = nbformat.reads(json.dumps(notebook), as_version=4)
    km = KernelManager(kernel_name="python3")
    t0 = time.perf_counter()
    km.start_kernel(cwd=str(folder))
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=60)
    start = time.perf_counter() - t0
    try:
        client = NotebookClient(nb, km=km, timeout=timeout, allow_errors=True,
                                resources={"metadata": {"path": str(folder)}})
        client.reset_execution_trackers()
        client.kc = kc
        t1 = time.perf_counter()
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
        cells = time.perf_counter() - t1
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    return start, cells


def one_mix(tmp: Path, a: str, mix: str, args, log: Path) -> dict:
    serial = copy_tree(ROOT / "exercises", tmp / mix / "serial" / "exercises")
    run_timed([str(BIN / "nbgrader"), "generate_assignment", a, "--force"], serial, log)
    source = json.loads((serial / "source" / a / f"{a}.ipynb").read_text())
    release = json.loads((serial / "release" / a / f"{a}.ipynb").read_text())
    subs = synth.class_of(args.n, source, release, mix=mix)
    synth.write_class(serial, a, subs)
    fresh = tmp / mix / "fresh" / "exercises"
    shutil.copytree(serial, fresh)
    kinds = collections.Counter(s.split("-", 1)[1] for s in subs)
    t_serial = run_timed([str(BIN / "nbgrader"), "autograde", a, "--force",
                          f"--ExecutePreprocessor.timeout={args.cell_timeout}"], serial, log)["seconds"]
    print(f"[{mix}] serial nbgrader autograde: {t_serial:.1f} s", flush=True)
    expected = cell_scores(serial, a)
    runs = []
    variants = [(w, True) for w in args.workers] + ([(w, False) for w in args.workers] if args.compare_fork else [])
    for workers, fork in variants:
        parallel = tmp / mix / f"parallel-{workers}-{'fork' if fork else 'nofork'}" / "exercises"
        shutil.copytree(fresh, parallel)
        cmd = [str(BIN / "coursekit"), "grade", a, "--workers", str(workers), "--no-progress",
               "--cell-timeout", str(args.cell_timeout)] + ([] if fork else ["--no-fork-server"])
        t_par = run_timed(cmd, parallel, log)["seconds"]
        res = json.loads((parallel / "grading" / a / "results.json").read_text())
        alone = res.get("graded_alone", [])
        judged = [r["judge_seconds"] for r in res["results"] if r.get("judge_seconds") is not None]
        print(f"[{mix}] coursekit grade --workers {workers}{'' if fork else ' --no-fork-server'}: {t_par:.1f} s "
              f"({len(alone)} graded again alone)", flush=True)
        runs.append({"workers": workers, "fork_server": fork, "parallel_s": round(t_par, 2),
                     "ratio": round(t_serial / t_par, 2), "per_submission_s": round(t_par * workers / args.n, 3),
                     "graded_again_alone": len(alone), "identical_scores": cell_scores(parallel, a) == expected,
                     # the judge's own time per submission (its share of per_submission_s)
                     "judge_per_submission_s": round(statistics.mean(judged), 3) if judged else None,
                     "judge_max_s": round(max(judged), 3) if judged else None})
    return {"mix": mix, "kinds": dict(kinds), "serial_s": round(t_serial, 2),
            "serial_per_submission_s": round(t_serial / args.n, 3), "parallel": runs}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--mix", nargs="+", default=["honest", "mixed"], choices=sorted(synth.MIXES))
    parser.add_argument("--workers", type=int, nargs="+", default=[os.cpu_count() or 2])
    parser.add_argument("--cell-timeout", type=int, default=5)
    parser.add_argument("--assignment", default="ch06_visa_bonds")
    parser.add_argument("--compare-fork", action="store_true", help="also grade with --no-fork-server")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args(argv)
    a = args.assignment
    tmp = Path(tempfile.mkdtemp(prefix="grade-class-"))
    log = tmp / "bench.log"
    try:
        course = copy_tree(ROOT / "exercises", tmp / "bare" / "exercises")
        run_timed([str(BIN / "nbgrader"), "generate_assignment", a, "--force"], course, log)
        source = json.loads((course / "source" / a / f"{a}.ipynb").read_text())
        release = json.loads((course / "release" / a / f"{a}.ipynb").read_text())
        bares = [bare_cells(synth.perfect(source, release), course / "release" / a, 60) for _ in range(3)]
        start = statistics.median(b[0] for b in bares)
        cells = statistics.median(b[1] for b in bares)
        print(f"bare: kernel start {start:.2f} s, cells in a started kernel {cells:.2f} s (median of 3)", flush=True)
        mixes = [one_mix(tmp, a, mix, args, log) for mix in args.mix]
        for m in mixes:
            for r in m["parallel"]:
                r["per_submission_vs_bare_cells"] = round(r["per_submission_s"] / cells, 2)
        res = {"assignment": a, "n": args.n, "cell_timeout_s": args.cell_timeout,
               "bare_kernel_start_s": round(start, 2), "bare_cells_s": round(cells, 2),
               "bare_runs_s": [[round(x, 2) for x in b] for b in bares], "mixes": mixes, "machine": machine()}
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"grade_class-n{args.n}.json").write_text(json.dumps(res, indent=2))
    print(json.dumps(res, indent=2))
    return res


if __name__ == "__main__":
    os.environ["PATH"] = env()["PATH"]
    main()
