"""A chapter as JupyterLab shows it (coursekit.labview), without a browser: the Lab view of every
chapter has no glue or cite markup left, converts back to the file byte for byte, and the course's
contents manager saves an unedited chapter unchanged and an edited one in the book's markup; in a
kernel, book.glued/glued_output give what the book pastes; the two Labs' settings."""

from __future__ import annotations

import asyncio
import html
import json
import re
import shutil
from pathlib import Path

import jupytext
import pytest

from conftest import REPO
from coursekit import labsettings, labview

CHAPTERS = sorted(REPO.glob("chapters/[0-9][0-9]-*/*.md"))


def lab_view(path: Path):
    nb = jupytext.reads(path.read_text(encoding="utf-8"), fmt="md:myst")
    original = [c.source for c in nb.cells]
    labview.notebook_to_lab(nb, path, labview.citations_for(path, REPO))
    return nb, original


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.parent.name)
def test_lab_view_has_no_book_only_markup_and_converts_back_exactly(path):
    nb, original = lab_view(path)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "{glue" not in markdown, "a glue role or directive is left that JupyterLab cannot render"
    assert "{cite}" not in markdown, "a citation key (unknown to the .bib files?) is left unresolved"
    assert "book.glued(" in markdown and "{figure}" in markdown
    labview.notebook_from_lab(nb, labview.citations_for(path, REPO))
    assert [c.source for c in nb.cells] == original


def test_lab_view_of_a_figure_a_table_a_number_and_citations():
    cite = labview.citations_for(REPO / "chapters" / "06-us-visa-bonds" / "visa-bonds.md", REPO)
    assert cite("sobko2026visabonds") == "[Sobko, 2026]"
    # several keys: sorted as the bibliography sorts them, as the book shows them
    assert cite("federalregister2025tfr,caspianpost2026tajikistan") == "[Caspianpost, 2026, U.S. Department of State, 2025]"
    assert cite("no-such-key") is None
    source = ("```{glue:figure} fig-x\n:name: fig-x\n\nUSD {glue:text}`bond_max:,` {cite}`sobko2026visabonds`\n```\n\n"
              ":::{dropdown} Table\n```{glue} tbl-x\n```\n:::")
    figures = [1]
    lab = labview.to_lab(source, cite, chapter=6, figures=figures)
    assert lab == ("```{figure}\n:class: coursekit-glued fig-x\n:enumerator: 6.2\n:name: fig-x\n\n"
                   'USD {eval}`book.glued("bond_max:,")` {abbr}`[Sobko, 2026] (sobko2026visabonds)`\n```\n\n'
                   ':::{dropdown} Table\n{eval}`book.glued_output("tbl-x")`\n:::')
    assert labview.from_lab(lab, cite) == source
    # an abbreviation written by an author is not taken for a citation
    assert labview.from_lab("{abbr}`EU (European Union)`", cite) == "{abbr}`EU (European Union)`"


def test_the_book_shows_the_same_citation_text(built_book):
    """Every citation's Lab text is one the built chapter page shows (sphinxcontrib-bibtex, author_year)."""
    missing = []
    for path in CHAPTERS:
        page = built_book / path.relative_to(REPO).with_suffix(".html")
        shown = {html.unescape(re.sub(r"<[^>]+>", "", m))
                 for m in re.findall(r'<span class="bibtex-citation"[^>]*>(.*?)</span>', page.read_text(encoding="utf-8"))}
        cite = labview.citations_for(path, REPO)
        missing += [(path.name, keys, cite(keys)) for keys in set(labview.CITE.findall(path.read_text(encoding="utf-8")))
                    if cite(keys) not in shown]
    assert not missing, f"Lab shows citation text the book does not: {missing[:5]}"


# --- the contents manager -----------------------------------------------------------------------

@pytest.fixture
def course(tmp_path):
    for name in ["_config.yml", *[p.name for p in REPO.glob("references*.bib")]]:
        shutil.copy(REPO / name, tmp_path / name)
    shutil.copytree(REPO / "chapters" / "06-us-visa-bonds", tmp_path / "chapters" / "06-us-visa-bonds",
                    ignore=shutil.ignore_patterns("__pycache__", "*.ipynb"))
    return tmp_path


def test_contents_manager_saves_an_unedited_chapter_unchanged_and_an_edited_one_in_book_markup(course):
    manager = labview.CourseContentsManager(root_dir=str(course))
    path = "chapters/06-us-visa-bonds/visa-bonds.md"
    file = course / path
    before = file.read_bytes()

    async def play():
        model = await manager.get(path, content=True, type="notebook")
        nb = model["content"]
        markdown = [c for c in nb["cells"] if c["cell_type"] == "markdown"]
        assert not any("{glue" in c["source"] or "{cite}" in c["source"] for c in markdown)
        # what JupyterLab adds: runtime metadata, jupyterlab-myst's expression results, a trusted flag
        nb["metadata"]["language_info"] = {"name": "python", "version": "3.11"}
        nb["metadata"]["kernelspec"]["display_name"] = "Python 3 (ipykernel)"
        markdown[1]["metadata"]["user_expressions"] = [{"expression": "book.glued(\"x\")", "result": {"status": "ok"}}]
        await manager.save({"type": "notebook", "format": "json", "content": nb}, path)
        assert file.read_bytes() == before, "saving an unedited chapter changed the file"

        markdown[1]["source"] += "\n\nA sentence a student added."
        await manager.save({"type": "notebook", "format": "json", "content": nb}, path)
        return file.read_text(encoding="utf-8")

    after = asyncio.run(play())
    assert "A sentence a student added." in after
    assert after.count("{glue:text}") == before.decode().count("{glue:text}")
    assert after.count("{cite}") == before.decode().count("{cite}")
    for lab_only in ("{eval}", "{abbr}", "book.glued", "coursekit-glued", "user_expressions", "language_info",
                     "jupytext_version", "(ipykernel)"):
        assert lab_only not in after, f"{lab_only!r} reached the chapter file"
    new, old = (jupytext.reads(text, fmt="md:myst") for text in (after, before.decode()))
    edited = [i for i, (a, b) in enumerate(zip(new.cells, old.cells)) if a.source != b.source]
    assert len(new.cells) == len(old.cells) and len(edited) == 1, "only the edited cell may change"


# --- the kernel side ------------------------------------------------------------------------------

def test_glued_values_read_in_the_kernel_as_the_book_pastes_them(tmp_path):
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="python3", cwd=str(tmp_path))
    try:
        code = ("import pandas as pd\nfrom myst_nb import glue\nfrom coursekit import book\n"
                "book.glue_numbers(bond_max=15000, share=0.4567)\nglue('who', \"Côte d'Ivoire\", display=False)\n"
                "glue('tbl-x', pd.DataFrame({'a': [1]}), display=False)")
        reply = kc.execute_interactive(code, timeout=120, output_hook=lambda msg: None)
        assert reply["content"]["status"] == "ok"
        expressions = {"a": 'book.glued("bond_max:,")', "b": 'book.glued("share:.1%")', "c": 'book.glued("who")',
                       "d": 'book.glued_output("tbl-x")', "e": 'book.glued("not_glued")'}
        reply = kc.execute_interactive("", user_expressions=expressions, timeout=60, output_hook=lambda msg: None)
        results = reply["content"]["user_expressions"]
    finally:
        km.shutdown_kernel(now=True)
    assert results["a"]["data"]["text/plain"] == "15,000"
    assert results["b"]["data"]["text/plain"] == "45.7%"
    assert results["c"]["data"]["text/plain"] == "Côte d'Ivoire"
    assert "<table" in results["d"]["data"]["text/html"]
    assert results["e"]["status"] == "error" and "Run All" in results["e"]["evalue"]


# Every inline number of every chapter's Lab view evaluating after Run All: tests/test_notebooks.py
# (test_chapter_executes), in the same execution of the chapter.


# --- the two Labs -----------------------------------------------------------------------------------

def test_the_student_lab_has_no_instructor_tools_and_the_instructor_lab_has_them(tmp_path):
    for role in labsettings.ROLES:
        folder = labsettings.write_role(role, tmp_path / role)
        pages = json.loads((folder / "labconfig" / "page_config.json").read_text())["disabledExtensions"]
        server = json.loads((folder / "jupyter_server_config.json").read_text())["ServerApp"]
        assert pages["@jupyterlab/apputils-extension:announcements"] is True  # no news pop-up for anyone
        for plugin in ("@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment", "@jupyter/nbgrader:course-list"):
            assert pages[plugin] is (role == "student")
        assert server["jpserver_extensions"]["nbgrader.server_extensions.formgrader"] is (role == "instructor")
        assert server["contents_manager_class"] == "coursekit.labview.CourseContentsManager"
    hub = (REPO / "deploy" / "jupyterhub_config.py").read_text()
    assert "etc\" / \"coursekit\" / role" in hub and "@jupyter/nbgrader" not in hub, "the hub keeps its own role lists"
