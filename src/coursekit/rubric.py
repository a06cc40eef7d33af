"""The grader's sheet of an assignment: every manually graded cell with its
points, the prompt the student saw, the rubric and the model answer, on one
page to keep open beside nbgrader's formgrader.

It is read from ``exercises/source`` (the only place with the rubric and the
model answers) and written under ``exercises/grading/<assignment>/``, which is
ignored by git and never part of the book. ``coursekit rubric ASSIGNMENT``.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

_SOLUTION = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$", re.M)
_RUBRIC = re.compile(r"\*\*Rubric for graders[^*]*\*\*", re.I)
_HOW_MARKED = re.compile(r"^How this is marked:.*?(?=\n\s*\n|\Z)", re.M | re.S)


@dataclass
class ManualCell:
    grade_id: str
    points: float
    kind: str  # "written answer", "code, graded by hand", "task"
    prompt: str
    rubric: str
    rubric_from_prompt: bool
    model_answer: str


def _strip_solution_markers(text: str) -> str:
    return _SOLUTION.sub("", text).strip()


def manual_cells(source: str | Path) -> list[ManualCell]:
    """The manually graded cells of a source notebook, in order."""
    nb = nbformat.read(str(source), as_version=4)
    cells: list[ManualCell] = []
    prompt = ""
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        manual = meta.get("task") or (meta.get("grade") and (meta.get("solution") or cell.cell_type != "code"))
        if not manual:
            if cell.cell_type == "markdown":
                prompt = cell.source.strip()  # the nearest text above a graded cell is its prompt
            continue
        body = _strip_solution_markers(cell.source)
        found = _RUBRIC.search(body)
        if found:
            model, rubric, from_prompt = body[:found.start()].strip(), body[found.start():].strip(), False
        else:
            how = _HOW_MARKED.search(prompt)
            model, rubric, from_prompt = body, (how.group(0).strip() if how else ""), True
        if meta.get("task"):
            prompt, model, kind = body, "", "task"  # a task cell holds the instructions, not an answer
        elif cell.cell_type == "code":
            model, kind = f"```python\n{model}\n```", "code, graded by hand"
        else:
            kind = "written answer"
        cells.append(ManualCell(meta.get("grade_id", "?"), float(meta.get("points", 0)), kind,
                                prompt, rubric, from_prompt, model))
    return cells


def source_notebook(exercises: str | Path, assignment: str) -> Path:
    path = Path(exercises, "source", assignment, f"{assignment}.ipynb")
    if not path.exists():
        known = sorted(p.name for p in Path(exercises, "source").iterdir() if p.is_dir())
        raise FileNotFoundError(f"no source notebook {path}; assignments: {', '.join(known)}")
    return path


def sheet_markdown(exercises: str | Path, assignment: str) -> str:
    source = source_notebook(exercises, assignment)
    cells = manual_cells(source)
    total = sum(c.points for c in cells)
    lines = [f"# Grader's sheet: {assignment}", "",
             f"From `exercises/source/{assignment}/{assignment}.ipynb`. "
             f"{len(cells)} cell(s) graded by hand, {total:g} points in all. Keep this page open beside "
             "nbgrader's formgrader: the formgrader shows the student's answer, this page the rubric and a model "
             "answer. Not for students.", ""]
    for cell in cells:
        lines += [f"## `{cell.grade_id}` ({cell.points:g} points, {cell.kind})", "",
                  "### What the student was asked", "", cell.prompt or "(no prompt above this cell)", "",
                  "### Rubric" + (" (as stated in the prompt: the source has no separate rubric)" if cell.rubric_from_prompt else ""), "",
                  cell.rubric or "(no rubric in the source notebook: add a **Rubric for graders** paragraph)", ""]
        if cell.model_answer:
            lines += ["### Model answer", "", cell.model_answer, ""]
    return "\n".join(lines).rstrip() + "\n"


_CSS = """
body { font: 16px/1.5 system-ui, sans-serif; max-width: 52rem; margin: 1.5rem auto; padding: 0 1rem; color: #1b1b1b; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.25rem; border-top: 2px solid #444; padding-top: .8rem; margin-top: 2rem; }
h3 { font-size: 1rem; text-transform: uppercase; letter-spacing: .04em; color: #444; }
code, pre { background: #f3f3f3; } pre { padding: .6rem; overflow-x: auto; }
li { margin: .2rem 0; }
"""


def sheet_html(exercises: str | Path, assignment: str) -> str:
    from markdown_it import MarkdownIt

    body = MarkdownIt("commonmark").enable("table").render(sheet_markdown(exercises, assignment))
    return (f"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>Grader's sheet: {html.escape(assignment)}</title>\n<style>{_CSS}</style>\n</head>\n"
            f"<body>\n<main>\n{body}</main>\n</body>\n</html>\n")


def write_sheet(exercises: str | Path, assignment: str, out_dir: str | Path | None = None) -> list[Path]:
    """Write ``rubric.html`` and ``rubric.md`` (default: ``exercises/grading/<assignment>/``)."""
    out = Path(out_dir) if out_dir else Path(exercises, "grading", assignment)
    out.mkdir(parents=True, exist_ok=True)
    (out / "rubric.md").write_text(sheet_markdown(exercises, assignment))
    (out / "rubric.html").write_text(sheet_html(exercises, assignment))
    return [out / "rubric.html", out / "rubric.md"]
