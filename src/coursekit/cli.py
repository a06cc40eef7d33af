"""The ``coursekit`` command: small course chores from the shell."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _validate(args) -> int:
    from . import data

    names = data.tables(args.package)
    problems = data.validate_all(args.package)
    for name in names:
        print(f"{'FAIL' if name in problems else 'ok  '} {name}" + (f": {problems[name]}" if name in problems else ""))
    print(f"{len(names) - len(problems)} of {len(names)} tables valid")
    return 1 if problems else 0


def _student_versions(args) -> int:
    from .student import write_student_versions

    for path in write_student_versions(args.exercises, args.out):
        print(f"wrote {path}")
    return 0


def _source(args) -> int:
    from . import data

    print(data.source(args.table, args.package))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="coursekit", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("validate", help="validate every table of the data package")
    p.add_argument("--package", default=None, help="path to datapackage.json (default: the course's data/)")
    p.set_defaults(func=_validate)
    p = sub.add_parser("source", help="print the citation of a table")
    p.add_argument("table")
    p.add_argument("--package", default=None)
    p.set_defaults(func=_source)
    p = sub.add_parser("student-versions", help="write the student version of every assignment for the book")
    p.add_argument("--exercises", default=str(REPO / "exercises"))
    p.add_argument("--out", default=str(REPO / "assignments"))
    p.set_defaults(func=_student_versions)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
