"""Every chapter notebook (MyST .md) and every assignment source notebook executes without error;
a chapter run as a notebook displays every figure the book shows (issue 10), and after its Run All
every inline number of its JupyterLab view evaluates (issue 24; one execution serves both checks)."""

import json
import re
from pathlib import Path

import jupytext
import nbformat
import pytest
from nbclient import NotebookClient

from coursekit import labview
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


#: Run after a chapter's code, in its kernel: evaluate each inline {eval} expression of the Lab view as
#: jupyterlab-myst does (an expression in the kernel's namespace), and print what happened to each as JSON.
EVALUATE = """import json as _json
_results = []
for _expression in {expressions!r}:
    try:
        eval(_expression, get_ipython().user_ns)
        _results.append(None)
    except Exception as _error:
        _results.append(f"{{type(_error).__name__}}: {{_error}}")
print(_json.dumps(_results))"""


def lab_expressions(path: Path) -> list[str]:
    """The inline expressions ({eval}) of a chapter as JupyterLab shows it (coursekit.labview)."""
    nb = jupytext.reads(path.read_text(encoding="utf-8"), fmt="md:myst")
    labview.notebook_to_lab(nb, path, labview.citations_for(path, REPO))
    return [e for c in nb.cells if c.cell_type == "markdown" for e in re.findall(r"\{eval\}`([^`]*)`", c.source)]


@pytest.mark.slow
@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.parent.name)
def test_chapter_executes(path):
    expressions = lab_expressions(path)
    nb = jupytext.read(path)
    nb.cells.append(nbformat.v4.new_code_cell(EVALUATE.format(expressions=expressions)))
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    evaluated = json.loads(nb.cells.pop().outputs[0]["text"])
    failed = [(e, r) for e, r in zip(expressions, evaluated) if r is not None]
    assert len(evaluated) == len(expressions) > 0 and not failed, (
        f"{path.name}: inline numbers of the Lab view that do not evaluate after Run All: {failed[:5]}")
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
