"""Issue 10: the chapters follow the pattern of CONTRIBUTING.md ("The three blocks of a figure").

From the chapter sources, with no build and no execution:
- every ``{glue:figure}`` has a visible code cell that builds it: a ``hide-input`` cell, followed
  (after any other ``remove-cell`` plumbing, which neither builds the chart nor glues another
  figure) by the ``remove-cell`` line
  ``book.glue_figure("name", chart, ...)``; the visible cell assigns ``chart`` and ends with it,
  so the chart displays when a student runs the notebook;
- no visible code cell (one not tagged ``remove-cell`` or ``remove-input``) is longer than
  MAX_VISIBLE_LINES lines (CONTRIBUTING asks for 15 or fewer; the test fails above 20), counted
  from its first to its last non-blank line, blank lines and comments included.
From the built book: figures are numbered per chapter ("Fig. 6.1", "Fig. 6.2", ...).
"""

from __future__ import annotations

import re
from pathlib import Path

import jupytext
import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
MAX_VISIBLE_LINES = 20
TOC = yaml.safe_load((REPO / "_toc.yml").read_text(encoding="utf-8"))
CHAPTERS = [REPO / f"{entry['file']}.md" for part in TOC["parts"] for entry in part.get("chapters", [])
            if entry["file"].startswith("chapters/")]
GLUE_FIGURE = re.compile(r"^\s*```\{glue:figure\}\s+(\S+)", re.M)
GLUE_CALL = re.compile(r"book\.glue_figure\(\s*[\"']([^\"']+)[\"']\s*,\s*([A-Za-z_][A-Za-z0-9_]*)")


def tags(cell) -> set[str]:
    return set(cell.metadata.get("tags", []))


def code_lines(source: str) -> list[str]:
    return source.strip("\n").rstrip().splitlines()


def test_the_toc_has_the_chapters():
    assert len(CHAPTERS) >= 7 and all(path.exists() for path in CHAPTERS), CHAPTERS


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.parent.name)
def test_every_glued_figure_is_built_in_a_visible_cell(path):
    nb = jupytext.read(path)
    cells = nb.cells
    figures = [name for c in cells if c.cell_type == "markdown" for name in GLUE_FIGURE.findall(c.source)]
    assert figures, f"{path.name} has no {{glue:figure}}"
    glued = {}  # glue name -> (index of the glue cell, name of the chart variable)
    for i, cell in enumerate(cells):
        if cell.cell_type == "code":
            for name, var in GLUE_CALL.findall(cell.source):
                glued[name] = (i, var)
    problems = []
    for name in figures:
        if name not in glued:
            problems.append(f"{name}: no book.glue_figure({name!r}, ...) call")
            continue
        i, var = glued[name]
        if "remove-cell" not in tags(cells[i]):
            problems.append(f"{name}: the book.glue_figure cell is not tagged remove-cell")
        # the nearest code cell before it that is not plumbing; plumbing neither builds the chart
        # nor glues another figure (that would be the other figure's cell)
        assigns = re.compile(rf"^{re.escape(var)}\s*=", re.M)
        j = i - 1
        while j >= 0 and (cells[j].cell_type != "code" or "remove-cell" in tags(cells[j])):
            if cells[j].cell_type == "code" and (assigns.search(cells[j].source) or GLUE_CALL.search(cells[j].source)):
                j = -1
                break
            j -= 1
        if j < 0 or "hide-input" not in tags(cells[j]):
            problems.append(f"{name}: the code cell before its glue is not a visible hide-input cell")
            continue
        lines = [line for line in code_lines(cells[j].source) if line.strip() and not line.lstrip().startswith("#")]
        if not assigns.search(cells[j].source):
            problems.append(f"{name}: the hide-input cell before its glue does not build {var!r}")
        if not lines or lines[-1].strip() != var:
            problems.append(f"{name}: the hide-input cell does not end with {var!r} (it would not display when run)")
    assert not problems, f"{path.name}:\n" + "\n".join(problems)


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.parent.name)
def test_no_visible_code_cell_is_too_long(path):
    nb = jupytext.read(path)
    long = []
    for cell in nb.cells:
        if cell.cell_type == "code" and not {"remove-cell", "remove-input"} & tags(cell):
            n = len(code_lines(cell.source))
            if n > MAX_VISIBLE_LINES:
                long.append(f"{n} lines: {code_lines(cell.source)[0][:70]}")
    assert not long, f"{path.name}: visible code cells over {MAX_VISIBLE_LINES} lines (aim for 15):\n" + "\n".join(long)


@pytest.mark.slow
def test_figures_are_numbered_per_chapter(built_book):
    """Captions and references read "Fig. N.k", N the chapter's number (its folder's prefix), k = 1, 2, ...
    in order on the page."""
    problems = []
    for path in CHAPTERS:
        chapter = int(path.parent.name.split("-")[0])
        page = (built_book / path.relative_to(REPO)).with_suffix(".html").read_text(encoding="utf-8")
        captions = re.findall(r'<span class="caption-number">Fig\. ([\d.]+)\s*</span>', page)
        expected = [f"{chapter}.{k}" for k in range(1, len(captions) + 1)]
        if not captions or captions != expected:
            problems.append(f"{path.parent.name}: captions {captions}, expected {expected or 'some'}")
        refs = re.findall(r'std-numref">Fig\. ([\d.]+)<', page)
        # a reference reads "Fig. N.k" too; one to this chapter's figures names one of them
        wrong = [r for r in refs if not re.fullmatch(r"\d+\.\d+", r) or (r.startswith(f"{chapter}.") and r not in expected)]
        if wrong:
            problems.append(f"{path.parent.name}: references read {wrong}")
    assert not problems, "\n".join(problems)
