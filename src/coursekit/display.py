"""Where charts draw: one Altair renderer for the course, offline in every client.

Altair's default renderer loads Vega from a CDN, so with no network no chart
draws in JupyterLab, in nbgrader's formgrader or in feedback pages. The
``coursekit`` renderer, enabled when :mod:`coursekit.charts` is imported:

- in the book build (``COURSEKIT_BOOK_BUILD`` set by ``_ext/vega_offline.py``)
  writes Altair's usual HTML: the book ships one Vega bundle for all its pages;
- everywhere else writes HTML that carries the Vega bundle itself (run once per
  page), plus the Vega-Lite spec under its own MIME type, so a chart draws in
  JupyterLab, Notebook, nbconvert HTML and the formgrader with no request
  leaving the machine.
"""

from __future__ import annotations

import functools
import json
import os
import uuid

import altair as alt
from altair.vegalite.v6 import display as v6

#: vega-embed options for every chart of the course.
EMBED_OPTIONS: dict = {}
BOOK_BUILD_ENV = "COURSEKIT_BOOK_BUILD"
#: The spec under the JSON MIME type a Vega-Lite 6 front end would claim (nbformat needs "+json").
VEGALITE_MIME = "application/vnd.vegalite.v6+json"


@functools.lru_cache(maxsize=1)
def bundle_js() -> str:
    """vega + vega-lite + vega-embed for the installed Altair, in one script that defines ``window.vegaEmbed``.

    Wrapped in a function so it cannot clash with a page's own globals; it also
    sets ``window.VEGA_DEBUG`` so Altair's HTML skips its CDN loader.
    """
    import vl_convert

    major_minor = ".".join(v6.VEGALITE_VERSION.split(".")[:2])  # vl-convert wants "6.4"
    versions = {"vega_version": v6.VEGA_VERSION, "vegalite_version": v6.VEGALITE_VERSION,
                "vegaembed_version": v6.VEGAEMBED_VERSION}
    return (f"/* vega + vega-lite + vega-embed for Vega-Lite {v6.VEGALITE_VERSION}, bundled by vl-convert */\n"
            "(function(){\n" + vl_convert.javascript_bundle(vl_version=major_minor) + "\n})();\n"
            f"window.VEGA_DEBUG = Object.assign(window.VEGA_DEBUG || {{}}, {json.dumps(versions)});\n")


def _script_safe(text: str) -> str:
    """Text that cannot end the <script> element it sits in."""
    return text.replace("</", "<\\/")


def self_contained_html(spec: dict, embed_options: dict | None = None) -> str:
    """HTML that draws ``spec`` with no network: the bundle runs only if the page lacks it."""
    div = f"coursekit-chart-{uuid.uuid4().hex}"
    options = {"mode": "vega-lite", **EMBED_OPTIONS, **(embed_options or {})}
    return (
        f'<div id="{div}" class="coursekit-chart"></div>\n'
        '<script type="text/javascript">\n'
        "if (typeof window.vegaEmbed !== 'function') {\n" + _script_safe(bundle_js()) + "\n}\n"
        f"vegaEmbed('#{div}', {_script_safe(json.dumps(spec))}, {json.dumps(options)})"
        ".catch(function (err) { document.getElementById('" + div + "').textContent = 'Chart error: ' + err; });\n"
        "</script>"
    )


def in_book_build() -> bool:
    return os.environ.get(BOOK_BUILD_ENV) == "1"


def renderer(spec: dict, **metadata) -> dict:
    """The course's Altair renderer (see the module docstring)."""
    embed_options = {**EMBED_OPTIONS, **(metadata.get("embed_options") or {})}
    if in_book_build():
        return v6.html_renderer(spec, embed_options=embed_options)
    return {"text/html": self_contained_html(spec, embed_options), VEGALITE_MIME: spec}


def enable() -> None:
    """Register and enable the ``coursekit`` renderer (idempotent)."""
    if "coursekit" not in alt.renderers.names():
        alt.renderers.register("coursekit", renderer)
    alt.renderers.enable("coursekit")
