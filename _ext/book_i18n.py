"""Sphinx extension: the book in two languages from one source (issue 26).

The prose of the Russian edition comes from gettext catalogs (``locales/ru/LC_MESSAGES``, built by
``coursekit.edition``); this extension does the rest, at render time, so the notebooks run once:

- ``language == "ru"``: glued numbers in the prose (myst-nb's ``pasted-text``) are written the
  Russian way (15 000, 15,89); the charts' Vega-Lite specs (titles, axis, legend and tooltip titles,
  the data values they draw, alt texts) and the glued tables are translated with
  ``locales/ru/charts.yml`` and the glossary, and vega-embed gets d3's ru-RU locale
  (``coursekit.i18n``). A string with no translation is a warning (an error under ``-W``) naming it.
- A ``{doc}`` link to a page the Russian edition does not have yet goes to the English page, marked
  "(на английском)", instead of failing.
- Every page of either edition that exists in the other links to it at the top of its article
  ("Читать по-русски" / "Read in English"), a plain link: reached with Tab, named by its text.
- ``{en}`text``` marks English inside Russian text (an article's quotation): ``<span lang="en">``.
"""

from __future__ import annotations

import json

import posixpath
import re
from pathlib import Path

from docutils import nodes
from sphinx.util import logging

logger = logging.getLogger(__name__)
LANG = "ru"


def _language(app) -> str:
    return app.config.language or "en"


def _ru_pages(srcdir: Path) -> set[str]:
    base = Path(srcdir) / "locales" / LANG / "LC_MESSAGES"
    return {p.relative_to(base).with_suffix("").as_posix() for p in base.rglob("*.po")} if base.exists() else set()


# --- {en}`...`: English inside Russian text --------------------------------------------------------------
def en_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    return [nodes.inline(rawtext, text, classes=["language-en"])], []


# --- glued numbers inside translated messages ------------------------------------------------------------
def _glue_in_translations() -> None:
    """Let ``{glue:text}`` work inside a translated message.

    Sphinx parses each translated message as a document of its own, which lacks the page's notebook
    (myst-nb's ``nb_renderer``), so myst-nb would find no glue data there (``No key ... found``).
    The page itself is always parsed first, with its own glue roles: remember its renderer per page
    and lend it to the messages of that page.
    """
    from myst_nb.ext.glue import roles, utils

    if getattr(roles.retrieve_glue_data, "_book_i18n", False):
        return
    original = utils.retrieve_glue_data
    renderers: dict = {}

    def retrieve(document, key):
        env = getattr(document.settings, "env", None)
        page = getattr(env, "docname", None)
        if "nb_renderer" in document:
            renderers[page] = document["nb_renderer"]
        elif page in renderers:  # lent for this lookup only: a document holding it cannot be pickled
            document["nb_renderer"] = renderers[page]
            try:
                return original(document, key)
            finally:
                document.attributes.pop("nb_renderer", None)
        return original(document, key)

    retrieve._book_i18n = True
    roles.retrieve_glue_data = retrieve


# --- links to pages the edition does not have yet ----------------------------------------------------------
def _title(srcdir: Path, docname: str) -> str:
    """A page's title: the first level-1 heading of its .md, or of its .ipynb's markdown cells."""
    for suffix in (".md", ".ipynb"):
        path = Path(srcdir) / f"{docname}{suffix}"
        if not path.exists():
            continue
        text = path.read_text(encoding="utf-8")
        if suffix == ".ipynb":
            cells = json.loads(text).get("cells", [])
            text = "\n".join("".join(c.get("source", "")) for c in cells if c.get("cell_type") == "markdown")
        for line in text.splitlines():
            if line.startswith("# "):
                return line[2:].strip()
    return docname


def _missing_doc(app, env, node, contnode):
    if node.get("reftype") != "doc" or _language(app) == "en" and app.builder.name != "gettext":
        return None
    target = node["reftarget"]
    docname = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
        posixpath.join(posixpath.dirname(node.get("refdoc", "")), target))
    if not any((Path(app.srcdir) / f"{docname}{s}").exists() for s in (".md", ".ipynb")):
        return None
    refdoc = node.get("refdoc", "")
    uri = "../" * (refdoc.count("/") + 1) + docname + ".html"
    explicit = node.get("refexplicit")
    label = nodes.inline("", contnode.astext() if explicit else _title(Path(app.srcdir), docname),
                         classes=[] if explicit else ["language-en"])
    ref = nodes.reference("", "", label, nodes.Text(" (на английском)"), internal=False, refuri=uri,
                          classes=["edition-other"])
    ref["hreflang"] = "en"
    return ref


# --- numbers, charts and tables in Russian -----------------------------------------------------------------
def _translate(app, doctree, docname) -> None:
    if _language(app) != LANG:
        return
    from coursekit import i18n

    with i18n.for_chapter(i18n.chapter_of(docname)):  # the chapter's own chart strings win over shared ones
        _translate_page(app, doctree, docname)


def _translate_page(app, doctree, docname) -> None:
    from coursekit import i18n

    root = Path(app.srcdir)
    missing: list[str] = []
    for entry in doctree.findall(nodes.citation):  # bibliography entries stay in their own language
        entry["classes"].append("language-en")
    for node in list(doctree.findall(nodes.inline)):
        if "pasted-text" in node["classes"]:
            node.replace(node[0], nodes.Text(i18n.pasted(node.astext(), root, missing)))
    for node in list(doctree.findall(nodes.raw)):
        if "html" not in node.get("format", ""):
            continue
        html = node.astext()
        if "vegaEmbed" in html:
            new = i18n.chart_html(html, root, missing)
        elif "<table" in html and "<caption>" in html:  # a glued table (a Styler with its caption)
            new = i18n.table(html, root, missing)
        else:
            continue
        node.replace_self(nodes.raw("", new, format="html"))
    for key in dict.fromkeys(missing):
        logger.warning(f"no Russian for {key!r}: add it to locales/ru/charts/<chapter>.yml (en: / ru:)",
                       location=docname, type="i18n", subtype="chart")


# --- toctree captions ----------------------------------------------------------------------------------
def _toc_captions(app, doctree) -> None:
    """Translate the captions of the table of contents ("Chapters") from the page's catalog.

    sphinx-external-toc inserts the toctrees after Sphinx has translated the page (its transform runs
    at priority 100, Sphinx's translation at 20), so their captions would stay English.
    """
    if _language(app) == "en":
        return
    from coursekit import i18n

    for path in (*i18n.chart_files(Path(app.srcdir)), *(Path(app.srcdir) / "locales" / LANG / name
                                                          for name in ("glossary.yml", "d3-locale.json"))):
        app.env.note_dependency(str(path))  # a change there re-renders the page
    from sphinx import addnodes
    from sphinx.locale import init as init_locale
    from sphinx.util.i18n import docname_to_domain

    domain = docname_to_domain(app.env.docname, app.config.gettext_compact)
    dirs = [str(Path(app.srcdir) / d) for d in app.config.locale_dirs]
    catalog, has_catalog = init_locale(dirs, app.config.language, domain)
    if not has_catalog:
        return
    for toctree in doctree.findall(addnodes.toctree):
        if toctree.get("caption"):
            toctree["caption"] = catalog.gettext(toctree["caption"])


# --- the switch between editions -------------------------------------------------------------------------
SWITCH = ('<p class="edition-switch"><a href="{href}" hreflang="{lang}" lang="{lang}">{label}</a></p>\n')


def _switch(app, pagename, templatename, context, doctree) -> None:
    if doctree is None or "body" not in context:
        return
    depth = pagename.count("/")
    if _language(app) == LANG:
        href, lang, label = "../" * (depth + 1) + pagename + ".html", "en", "Read in English"
    elif pagename in _ru_pages(Path(app.srcdir)):
        href, lang, label = "../" * depth + f"{LANG}/" + pagename + ".html", LANG, "Читать по-русски"
    else:
        return
    context["body"] = SWITCH.format(href=href, lang=lang, label=label) + context["body"]


def _redirect(app, exception) -> None:
    """The Russian edition's index.html sends the reader to its front page, as the English one does."""
    if exception is not None or app.builder.format != "html" or _language(app) != LANG:
        return
    index = Path(app.outdir) / "index.html"
    root = app.config.root_doc
    index.write_text(f'<meta http-equiv="Refresh" content="0; url={root}.html" />\n', encoding="utf-8")


#: Words the themes write into their templates without a message to translate (attributes only).
THEME_LABELS = {
    'aria-label="Main"': 'aria-label="Оглавление книги"',
    'aria-label="Page"': 'aria-label="Оглавление страницы"',
    '"Toggle primary sidebar"': '"Показать или скрыть оглавление книги"',
    '"Toggle secondary sidebar"': '"Показать или скрыть оглавление страницы"',
    '"Launch interactive content"': '"Запустить интерактивную версию"',
    '"Launch on Binder"': '"Запустить в Binder"',
    '"Launch on JupyterHub"': '"Запустить в JupyterHub"',
    'alt="Binder logo"': 'alt="Логотип Binder"',
    'alt="JupyterHub logo"': 'alt="Логотип JupyterHub"',
}


def _theme_labels(app) -> None:
    """In the Russian edition, the theme's fixed English labels (landmarks, buttons) read in Russian."""
    if _language(app) != LANG or getattr(app.builder, "format", "") != "html":
        return
    templates = app.builder.templates
    render = templates.render

    def translated(template, context):
        html = render(template, context)
        for english, russian in THEME_LABELS.items():
            html = html.replace(english, russian)
        return html

    templates.render = translated


def _theme_words(app, config) -> None:
    """The theme's search placeholder is a theme option, not a message: set it in Russian."""
    if (config.language or "en") == LANG:
        config.html_theme_options = {**config.html_theme_options, "search_bar_text": "Поиск по книге…"}


def setup(app):
    _glue_in_translations()
    app.connect("config-inited", _theme_words)
    app.connect("builder-inited", _theme_labels)
    app.add_role("en", en_role)
    app.connect("missing-reference", _missing_doc)
    app.connect("doctree-read", _toc_captions, priority=400)  # before Sphinx collects the toctrees (500)
    app.connect("doctree-resolved", _translate)
    app.connect("html-page-context", _switch)
    app.connect("build-finished", _redirect)
    app.add_css_file("book-i18n.css", priority=800)
    app.connect("build-finished", _copy_css)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}


CSS = """.edition-switch { text-align: right; margin: 0 0 0.5rem; font-size: 0.9rem; }
.edition-switch a { padding: 0.2rem 0; }
html[lang="ru"] .caption-number { text-transform: capitalize; }
"""


def _copy_css(app, exception) -> None:
    if exception is None and app.builder.format == "html":
        static = Path(app.outdir) / "_static"
        static.mkdir(parents=True, exist_ok=True)
        (static / "book-i18n.css").write_text(CSS, encoding="utf-8")
