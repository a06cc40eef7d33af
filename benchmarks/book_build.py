"""Benchmark the Jupyter Book build in a temporary copy of the repository.

Three measurements, each `jupyter-book build <copy> -W --keep-going`:
  clean     no _build at all (every notebook executes, cache is filled);
  cached    rebuild with nothing changed;
  touched   rebuild after appending a blank line to the visa-bonds chapter: Sphinx re-reads
            the page, but jupyter-cache hashes only code cells, so the cached outputs are reused;
  edited    rebuild after appending a (hidden) code cell to the same chapter: its notebook
            re-executes.
Each build records whether a notebook was executed (from the build log).
The repository itself is never built: everything happens in a fresh temporary copy.

Usage: .venv/bin/python benchmarks/book_build.py [--repeat-clean 1] [--repeat 3] [--keep]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

from _common import BIN, ROOT, copy_tree, env, machine, run_timed, step, summary, table, write_json

CHAPTER = Path("chapters/06-us-visa-bonds/visa-bonds.md")


EDITS = {
    "clean build": None,
    "cached rebuild (no change)": None,
    "rebuild, blank line in ch. 6": "\n",
    "rebuild, code cell added to ch. 6": "\n```{{code-cell}} ipython3\n:tags: [remove-cell]\n# benchmark edit {i}\n```\n",
}


def build(copy: Path, log: Path) -> dict:
    """One `jupyter-book build -W --keep-going` of the copy; wall time, peak RSS, executed?"""
    cmd = [str(BIN / "jupyter-book"), "build", str(copy), "-W", "--keep-going"]
    start = log.stat().st_size if log.exists() else 0
    # Point coursekit at the copy's data so the build reads nothing from the repository.
    run = run_timed(cmd, cwd=copy, log=log, environ=env(COURSEKIT_DATA=str(copy / "data")))
    with open(log) as f:
        f.seek(start)
        run["executed"] = "Executing notebook" in f.read()
    return run


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat-clean", type=int, default=1, help="clean builds (default 1)")
    ap.add_argument("--repeat", type=int, default=3, help="repeats of each rebuild (default 3)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary copy (path is printed)")
    args = ap.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="bench-book-"))
    copy = copy_tree(ROOT, tmp / "book")
    log = tmp / "build.log"
    step(f"copied the repository to {copy} (build output: {log})")
    runs: dict[str, list[dict]] = {name: [] for name in EDITS}
    try:
        for name, edit in EDITS.items():
            n = args.repeat_clean if name == "clean build" else args.repeat
            for i in range(n):
                if name == "clean build":
                    shutil.rmtree(copy / "_build", ignore_errors=True)
                if edit:
                    with open(copy / CHAPTER, "a") as f:
                        f.write(edit.format(i=i))
                step(f"{name} {i + 1}/{n} ...")
                run = build(copy, log)
                runs[name].append(run)
                step(f"  {run['seconds']:.1f} s, notebook {'executed' if run['executed'] else 'from cache'}")
    finally:
        if args.keep:
            step(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    stats = {name: {**summary(r), "executed": [x["executed"] for x in r]} for name, r in runs.items()}
    print("\nJupyter Book build (jupyter-book build -W --keep-going)")
    print(table(stats))
    result = {"benchmark": "book_build", "machine": machine(),
              "command": "jupyter-book build <copy> -W --keep-going",
              "peak_rss_note": "largest single process in the build tree (os.wait4 ru_maxrss)",
              "results": stats}
    step(f"wrote {write_json('book_build', result)}")
    return result


if __name__ == "__main__":
    main()
