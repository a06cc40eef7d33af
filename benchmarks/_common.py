"""Helpers shared by the benchmark scripts: paths, environment, timed subprocesses, reports."""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import subprocess
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
RESULTS = ROOT / "benchmarks" / "results"

# Never copied into a temporary checkout: environments, build outputs, caches, nbgrader output.
SKIP_NAMES = {".venv", ".git", "_build", ".jupyter_cache", "__pycache__", ".pytest_cache",
              ".ipynb_checkpoints"}
SKIP_EXERCISES = {"release", "submitted", "autograded", "feedback", "gradebook.db", ".nbgrader.log"}


def env(**extra: str) -> dict[str, str]:
    """Environment for subprocesses: the venv's bin first on PATH (nbgrader needs `alembic`)."""
    e = dict(os.environ)
    e["PATH"] = f"{BIN}{os.pathsep}{e.get('PATH', '')}"
    e["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    e.update(extra)
    return e


def copy_tree(src: Path, dst: Path) -> Path:
    """Copy src to dst, leaving out venvs, builds, caches and generated nbgrader folders."""
    def ignore(folder: str, names: list[str]) -> set[str]:
        here = Path(folder).name
        skip = SKIP_NAMES | (SKIP_EXERCISES if here == "exercises" else set())
        skip |= {"results"} if here == "benchmarks" else set()
        return {n for n in names if n in skip}
    shutil.copytree(src, dst, ignore=ignore, symlinks=True)
    return dst


def run_timed(cmd: list[str], cwd: Path, log: Path, environ: dict[str, str] | None = None) -> dict:
    """Run cmd, output appended to log; return wall seconds and the peak RSS (MB) of its tree.

    The peak RSS comes from os.wait4: the largest single process among the command and the
    descendants it waited for (kernels included), not the sum over the tree.
    """
    with open(log, "a") as out:
        out.write(f"\n$ {' '.join(map(str, cmd))}\n")
        out.flush()
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, env=environ or env())
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        tail = "".join(log.read_text().splitlines(keepends=True)[-30:])
        raise RuntimeError(f"{cmd[0]} failed (exit {proc.returncode}); end of {log}:\n{tail}")
    return {"seconds": seconds, "peak_rss_mb": usage.ru_maxrss / 1024}


def summary(runs: list[dict]) -> dict:
    """min / median / max seconds and the highest peak RSS over repeated runs."""
    secs = [r["seconds"] for r in runs]
    out = {"n": len(secs), "min_s": min(secs), "median_s": statistics.median(secs), "max_s": max(secs),
           "runs_s": [round(s, 3) for s in secs]}
    rss = [r["peak_rss_mb"] for r in runs if r.get("peak_rss_mb") is not None]
    if rss:
        out["peak_rss_mb"] = max(rss)
    return out


def machine() -> dict:
    """A few facts about the machine the figures come from."""
    return {"date": datetime.now().isoformat(timespec="seconds"), "python": platform.python_version(),
            "platform": platform.platform(), "cpus": os.cpu_count(),
            "loadavg_at_end": [round(x, 2) for x in os.getloadavg()]}


def table(rows: dict[str, dict]) -> str:
    """A small text table: one row per measurement."""
    lines = [f"{'measurement':<36} {'n':>3} {'min s':>8} {'median s':>9} {'peak RSS MB':>12}  notebook run"]
    for name, s in rows.items():
        rss = f"{s['peak_rss_mb']:.0f}" if "peak_rss_mb" in s else "-"
        ran = ""
        if "executed" in s:
            ran = "yes" if all(s["executed"]) else "no (cached)" if not any(s["executed"]) else "some runs"
        lines.append(f"{name:<36} {s['n']:>3} {s['min_s']:>8.2f} {s['median_s']:>9.2f} {rss:>12}  {ran}")
    return "\n".join(lines)


def write_json(name: str, data: dict) -> Path:
    """Write results/<name>.json and return its path."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(data, indent=2) + "\n")
    return path


def step(msg: str) -> None:
    """A progress line, shown at once."""
    print(f"[{datetime.now():%H:%M:%S}] {msg}", flush=True)
