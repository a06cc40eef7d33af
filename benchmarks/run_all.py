"""Run every benchmark (book build, then the assignment) and print one combined summary.

Used by `make bench`. Figures go to benchmarks/results/{book_build,assignment}.json.
Usage: .venv/bin/python benchmarks/run_all.py
"""

from __future__ import annotations

import book_build
import run_all_assignment
from _common import step, table


def main() -> int:
    step("=== book build ===")
    book = book_build.main([])
    step("=== assignment ===")
    assignment = run_all_assignment.main([])
    print("\n=== summary ===")
    print(table({**book["results"], **assignment["results"]}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
