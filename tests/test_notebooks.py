"""Every chapter notebook (MyST .md) and every assignment source notebook executes without error;
a chapter run as a notebook displays every figure the book shows (issue 10)."""

import re
from pathlib import Path

import jupytext
import pytest
from nbclient import NotebookClient

from coursekit.display import VEGALITE_MIME

REPO = Path(__file__).resolve().parents[1]
CHAPTERS = sorted(REPO.glob("chapters/*/*.md"))
SOURCES = sorted(REPO.glob("exercises/source/*/*.ipynb"))


def execute(path: Path):
    nb = jupytext.read(path)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    return nb


def stderr_of(nb) -> list[str]:
    return [o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
            if o.get("name") == "stderr"]


@pytest.mark.slow
@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.parent.name)
def test_chapter_executes(path):
    nb = execute(path)
    assert not stderr_of(nb), f"{path.name} wrote to stderr: {stderr_of(nb)}"
    # Each {glue:figure} is also a chart the student sees under the code that made it: one displayed
    # Vega-Lite output per glued figure at least (glue(..., display=False) outputs carry the
    # "scrapbook" metadata and a prefixed MIME type, so they do not count).
    figures = re.findall(r"^\s*```\{glue:figure\}\s+(\S+)", path.read_text(encoding="utf-8"), re.M)
    charts = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" for o in c.get("outputs", [])
              if VEGALITE_MIME in o.get("data", {}) and "scrapbook" not in o.get("metadata", {})]
    assert len(charts) >= len(figures) > 0, (
        f"{path.name} displays {len(charts)} charts ({VEGALITE_MIME}) when run, in cells {charts}; "
        f"the book shows {len(figures)} figures: {figures}")


@pytest.mark.slow
@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.stem)
def test_assignment_source_executes_and_passes_its_own_tests(path):
    nb = execute(path)
    assert not stderr_of(nb), f"{path.name}: a test cell wrote to stderr (nbgrader scores that as a failure)"
    tests = [c for c in nb.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade") and c.cell_type == "code"]
    assert len(tests) >= 4, "an assignment needs at least four autograded parts"


def test_there_is_something_to_run():
    assert CHAPTERS and SOURCES
