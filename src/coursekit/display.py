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
import resource
import sys
import uuid
from importlib import metadata
from pathlib import Path

import altair as alt
from altair.vegalite.v6 import display as v6

#: vega-embed options for every chart of the course.
EMBED_OPTIONS: dict = {}
BOOK_BUILD_ENV = "COURSEKIT_BOOK_BUILD"
#: The spec under the JSON MIME type a Vega-Lite 6 front end would claim (nbformat needs "+json").
VEGALITE_MIME = "application/vnd.vegalite.v6+json"


def bundle_path() -> Path:
    """Where this environment keeps the bundle (one file per Vega-Lite and vl-convert version)."""
    vl_convert = metadata.version("vl-convert-python")
    return Path(sys.prefix) / "share" / "coursekit" / f"vega-lite-{v6.VEGALITE_VERSION}-vl-convert-{vl_convert}.js"


def _build_bundle() -> str:
    """Ask vl-convert for the bundle. Its JavaScript engine reserves gigabytes of address
    space, so this is done once, at set-up, never in a grading kernel with a memory cap."""
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft != resource.RLIM_INFINITY and soft < 32 * 2**30:
        raise RuntimeError(f"the Vega bundle is not in {bundle_path()} and cannot be built under a memory cap: "
                           "run `coursekit vega-bundle` (make setup does) in this environment")
    import vl_convert

    major_minor = ".".join(v6.VEGALITE_VERSION.split(".")[:2])  # vl-convert wants "6.4"
    versions = {"vega_version": v6.VEGA_VERSION, "vegalite_version": v6.VEGALITE_VERSION,
                "vegaembed_version": v6.VEGAEMBED_VERSION}
    return (f"/* vega + vega-lite + vega-embed for Vega-Lite {v6.VEGALITE_VERSION}, bundled by vl-convert */\n"
            "(function(){\n" + vl_convert.javascript_bundle(vl_version=major_minor) + "\n})();\n"
            f"window.VEGA_DEBUG = Object.assign(window.VEGA_DEBUG || {{}}, {json.dumps(versions)});\n")


def write_bundle() -> Path:
    """Build the bundle and keep it in the environment (``coursekit vega-bundle``)."""
    path = bundle_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.tmp")
    partial.write_text(_build_bundle(), encoding="utf-8")
    partial.replace(path)
    return path


@functools.lru_cache(maxsize=1)
def bundle_js() -> str:
    """vega + vega-lite + vega-embed for the installed Altair, in one script that defines ``window.vegaEmbed``.

    Wrapped in a function so it cannot clash with a page's own globals; it also
    sets ``window.VEGA_DEBUG`` so Altair's HTML skips its CDN loader. Read from
    :func:`bundle_path`, built there first if missing.
    """
    path = bundle_path()
    if not path.exists():
        try:
            write_bundle()
        except OSError:  # a read-only environment: build it in memory
            return _build_bundle()
    return path.read_text(encoding="utf-8")


def _json_in_script(value) -> str:
    """JSON that cannot end the <script> element it sits in ("</" only occurs inside strings)."""
    return json.dumps(value).replace("</", "<\\/")


def _bundle_in_script() -> str:
    js = bundle_js()
    if "</script" in js.lower():  # would end the element early; vl-convert's bundle has none
        raise RuntimeError("the Vega bundle contains '</script' and cannot be inlined")
    return js


def self_contained_html(spec: dict, embed_options: dict | None = None) -> str:
    """HTML that draws ``spec`` with no network: the bundle runs only if the page lacks it."""
    div = f"coursekit-chart-{uuid.uuid4().hex}"
    options = {"mode": "vega-lite", **EMBED_OPTIONS, **(embed_options or {})}
    return (
        f'<div id="{div}" class="coursekit-chart"></div>\n'
        '<script type="text/javascript">\n'
        "if (typeof window.vegaEmbed !== 'function') {\n" + _bundle_in_script() + "\n}\n"
        f"vegaEmbed('#{div}', {_json_in_script(spec)}, {_json_in_script(options)})"
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
