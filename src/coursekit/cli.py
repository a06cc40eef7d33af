"""The ``coursekit`` command: small course chores from the shell."""

from __future__ import annotations

import argparse
import os
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

    from .guidance import write_parts

    for path in write_student_versions(args.exercises, args.out):
        print(f"wrote {path}")
    print(f"wrote {write_parts(args.exercises)} (which part defines which answer: guidance for students)")
    return 0


def _source(args) -> int:
    from . import data

    print(data.source(args.table, args.package))
    return 0


def _grade(args) -> int:
    from rich.console import Console

    from .grading import runner, sandbox

    course = Path(args.course).resolve()
    if not (course / "nbgrader_config.py").exists():
        print(f"coursekit grade: no nbgrader_config.py in {course}: run it from exercises/ (or pass --course)", file=sys.stderr)
        return 2
    opts = runner.Options(workers=args.workers, isolate=not args.no_isolation, cell_timeout=args.cell_timeout,
                          notebook_timeout=args.notebook_timeout, memory_mb=args.memory_mb,
                          cpu_seconds=args.cpu_seconds, max_output_bytes=args.max_output_bytes,
                          students=list(dict.fromkeys(args.student or [])),
                          progress=not args.no_progress, fork_server=not args.no_fork_server)
    console = Console(stderr=True)
    try:
        results = runner.grade(course, args.assignment, opts, console)
    except sandbox.SandboxUnavailable as err:
        print(f"coursekit grade: cannot isolate student code: {err}", file=sys.stderr)
        return 2
    runner.summary_table(results, Console())
    return 1 if any(r["status"] != "graded" for r in results) else 0


def _report(args) -> int:
    from .grading import report

    course = Path(args.course).resolve()
    if not (course / "nbgrader_config.py").exists():
        print(f"coursekit report: no nbgrader_config.py in {course}: run it from exercises/ (or pass --course)", file=sys.stderr)
        return 2
    page = report.write_report(course, args.assignment, Path(args.out) if args.out else None)
    print(f"wrote {page}")
    return 0


def _rubric(args) -> int:
    from . import rubric

    try:
        pages = rubric.write_sheet(args.exercises, args.assignment, args.out)
    except FileNotFoundError as err:
        print(f"coursekit rubric: {err}", file=sys.stderr)
        return 2
    for page in pages:
        print(f"wrote {page}")
    return 0


def _mistakes(args) -> int:
    from . import mistakes

    folder = Path(args.exercises) / "mistakes"
    names = args.assignment or sorted(p.stem for p in folder.glob("*.yml"))
    status = 0
    for name in names:
        page, outcomes = mistakes.write(args.exercises, folder / f"{name}.yml", args.out)
        passed = [o for o in outcomes if o.caught_by == "nothing"]
        print(f"wrote {page}: {len(outcomes)} mistakes" + (f", {len(passed)} NOT caught by any test" if passed else ""))
        status = status or (1 if passed else 0)
    return status


def _lab_settings(args) -> int:
    from . import labsettings

    path = labsettings.install(args.prefix)
    print(f"JupyterLab opens .md chapters as notebooks (jupytext): {path}")
    for role in labsettings.ROLES:
        print(f"the {role}'s Lab: JUPYTER_CONFIG_PATH={labsettings.role_dir(role, args.prefix)} jupyter lab")
    return 0


def _vega_bundle(args) -> int:
    from . import display

    print(f"Vega bundle for charts with no network: {display.write_bundle()}")
    return 0



def _book_cache(args) -> int:
    from .bookcache import main as book_cache

    return book_cache([args.root])

def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["translations"]:  # its own parser (coursekit.edition), --help included
        from .edition import main as translations

        return translations(argv[1:])
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
    p = sub.add_parser("lab-settings", help="make JupyterLab open .md chapters as notebooks (environment-wide) "
                                            "and write the student's and instructor's Lab configuration")
    p.add_argument("--prefix", default=None, help="environment prefix (default: this Python's sys.prefix)")
    p.set_defaults(func=_lab_settings)
    p = sub.add_parser("book-cache", help="empty the book's execution cache if data/, coursekit or a chapter's "
                                          "figures.py changed since it was filled (make book runs it)")
    p.add_argument("--root", default=str(REPO), help="the book's folder")
    p.set_defaults(func=_book_cache)
    p = sub.add_parser("vega-bundle", help="keep the Vega JavaScript in the environment (charts draw offline)")
    p.set_defaults(func=_vega_bundle)
    p = sub.add_parser("grade", help="autograde every submission of an assignment (run from exercises/)")
    p.add_argument("assignment")
    p.add_argument("--course", default=".", help="the nbgrader course root (default: the current folder)")
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="parallel graders (default: cores)")
    p.add_argument("--student", action="append", help="grade only this student (repeatable)")
    p.add_argument("--no-isolation", action="store_true", help="run student code with the grader's rights (not root)")
    p.add_argument("--cell-timeout", type=int, default=None, help="seconds per cell (default: nbgrader config)")
    p.add_argument("--notebook-timeout", type=int, default=600, help="wall-clock seconds for a whole notebook")
    p.add_argument("--memory-mb", type=int, default=2048, help="memory (address space) cap of a kernel")
    p.add_argument("--cpu-seconds", type=int, default=300, help="CPU-time cap of a kernel")
    p.add_argument("--max-output-bytes", type=int, default=1_000_000, help="output cap of one cell")
    p.add_argument("--no-fork-server", action="store_true",
                   help="start every kernel as a new Python (slower) instead of forking it from a pre-imported one")
    p.add_argument("--no-progress", action="store_true")
    p.set_defaults(func=_grade)
    p = sub.add_parser("report", help="HTML report (Altair charts, PNGs) of a graded assignment")
    p.add_argument("assignment")
    p.add_argument("--course", default=".", help="the nbgrader course root (default: the current folder)")
    p.add_argument("--out", default=None, help="output folder (default: grading/ASSIGNMENT/report)")
    p.set_defaults(func=_report)
    p = sub.add_parser("rubric", help="the grader's sheet of an assignment: rubric and model answer of every cell graded by hand")
    p.add_argument("assignment")
    p.add_argument("--exercises", default=str(REPO / "exercises"), help="the nbgrader course root (default: the course's exercises/)")
    p.add_argument("--out", default=None, help="output folder (default: exercises/grading/ASSIGNMENT)")
    p.set_defaults(func=_rubric)
    p = sub.add_parser("mistakes", help="run the plausible wrong answers of exercises/mistakes/*.yml through the tests; "
                                        "write the lists the instructor notes include")
    p.add_argument("assignment", nargs="*", help="assignments (default: every exercises/mistakes/*.yml)")
    p.add_argument("--exercises", default=str(REPO / "exercises"))
    p.add_argument("--out", default=str(REPO / "instructors" / "mistakes"))
    p.set_defaults(func=_mistakes)
    p = sub.add_parser("translations", help="the Russian edition: build | update [--add DOCNAME...] | check | preview PAGE "
                                            "(see coursekit.edition)", add_help=False)
    p.add_argument("rest", nargs=argparse.REMAINDER)  # handled above, listed here for coursekit --help
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
