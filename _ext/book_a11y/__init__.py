"""Sphinx extension: fixes for the accessibility of the built book (issue 16).

Each fix is made where the problem arises, never by hiding an element from
assistive technology or from a checker:

- theme templates (``templates/``, put first on ``templates_path``, before the theme's
  ``components/`` folder that pydata-sphinx-theme adds there):
  the search button's accessible name contains its visible text ("Search
  Ctrl+K"), the colour-mode button's icons carry no tooltip text that would
  contradict its name, and the sidebar's course title sits in a navigation
  landmark;
- the sidebar's collapse toggles (``<summary>`` elements the theme writes with
  only a chevron icon) get a name: "Sections of <page>";
- the "Show code" toggle of hide-input cells: myst-nb names the ``<summary>``
  "Toggle hidden content" while it shows "Show code cell source" (axe:
  label-content-name-mismatch); its name now comes from what it shows;
- the bibliography: docutils writes ``role="list"`` around entries with the
  deprecated ``role="doc-biblioentry"``; entries become ``role="listitem"``;
- ``static/book-a11y.js`` (on every page): names each chart's actions menu
  (vega-embed's ``<summary>`` is an icon), gives radio bindings a group label,
  and opens the dropdowns (the data behind each figure) while printing;
- ``static/book-a11y.css``: a visible focus for chart controls, charts that fit
  the page column (scaled down to two thirds at most, then scrolling sideways in a
  focusable box: issue 10), print styles (no navigation chrome, charts whole,
  dropdowns open), and no animation or transition for a reader who asks for reduced
  motion (``prefers-reduced-motion: reduce``) nor on paper (issue 25).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from docutils import nodes

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
TEMPLATES = HERE / "templates"
ASSETS = ("book-a11y.js", "book-a11y.css")


# --- the bibliography -------------------------------------------------------------------------
def visit_citation(self, node) -> None:
    """As docutils, but each entry is a list item of its ``role="list"`` container."""
    if not isinstance(node.previous_sibling(), type(node)):
        self.body.append('<div role="list" class="citation-list">\n')
    self.body.append(self.starttag(node, "div", classes=[node.tagname], role="listitem"))


def depart_citation(self, node) -> None:
    self.body.append("</div>\n")
    if not isinstance(node.next_node(descend=False, siblings=True), type(node)):
        self.body.append("</div>\n")


# --- the "Show code" toggle of hide-input cells (myst-nb) ----------------------------------------
def visit_hide_cell(self, node) -> None:
    """As myst-nb's ``visit_HideCellInput``, without an aria-label that contradicts the visible text."""
    from html import escape

    classes = " ".join(node["classes"])
    self.body.append(f'<details class="admonition hide {classes}">\n')
    self.body.append("<summary>\n")
    self.body.append(f'<p class="collapsed admonition-title">{escape(node["prompt_show"])}</p>\n')
    self.body.append(f'<p class="expanded admonition-title">{escape(node["prompt_hide"])}</p>\n')
    self.body.append("</summary>\n")


def depart_hide_cell(self, node) -> None:
    self.body.append("</details>\n")


# --- the sidebar's collapse toggles -------------------------------------------------------------
def name_toc_toggles(soup) -> None:
    """Give every sidebar ``<summary>`` that shows only an icon a name from its entry."""
    for summary in soup.select("li.has-children > details > summary"):
        if summary.get_text(strip=True) or summary.get("aria-label"):
            continue
        link = summary.find_parent("li").find("a", recursive=False)
        title = " ".join(link.get_text(" ", strip=True).split()) if link else ""
        summary["aria-label"] = f"Sections of {title}" if title else "Sections"


def _named_toctree(generate):
    from bs4 import BeautifulSoup

    def wrapper(kind, *args, **kwargs):
        result = generate(kind, *args, **kwargs)
        if isinstance(result, str):
            soup = BeautifulSoup(result, "html.parser")
            name_toc_toggles(soup)
            return type(result)(str(soup))  # str, or markupsafe.Markup
        name_toc_toggles(result)  # kind == "raw": a BeautifulSoup object
        return result

    return wrapper


def _page_context(app, pagename, templatename, context, doctree) -> None:
    generate = context.get("generate_toctree_html")
    if generate is not None and not getattr(generate, "_book_a11y", False):
        wrapped = _named_toctree(generate)
        wrapped._book_a11y = True
        context["generate_toctree_html"] = wrapped


# --- assets and templates -----------------------------------------------------------------------
def _templates_first(app, config) -> None:
    if str(TEMPLATES) not in config.templates_path:
        config.templates_path = [str(TEMPLATES), *config.templates_path]


def _copy_assets(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    static = Path(app.outdir) / "_static"
    static.mkdir(parents=True, exist_ok=True)
    for name in ASSETS:
        shutil.copyfile(STATIC / name, static / name)


def setup(app):
    app.add_node(nodes.citation, override=True, html=(visit_citation, depart_citation))
    try:
        from myst_nb.sphinx_ import HideCodeCellNode
    except ImportError:  # myst-nb moved it: the build still works, the axe test says what regressed
        pass
    else:
        app.setup_extension("myst_nb")  # register after myst-nb, so these visitors win
        app.add_node(HideCodeCellNode, override=True, html=(visit_hide_cell, depart_hide_cell))
    app.connect("config-inited", _templates_first)
    app.connect("html-page-context", _page_context, priority=900)  # after the theme defines its functions
    app.add_js_file("book-a11y.js", priority=800, defer="defer")
    app.add_css_file("book-a11y.css", priority=800)
    app.connect("build-finished", _copy_assets)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
