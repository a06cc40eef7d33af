"""Sphinx extension: ship the Vega JavaScript inside the built book.

Altair's HTML output loads vega, vega-lite and vega-embed from a CDN unless
``window.VEGA_DEBUG`` says they are already loaded. This extension writes one
bundle (``coursekit.display.bundle_js``: vl-convert's bundle for the installed
Altair's Vega-Lite version) into ``_static/vega-offline.js`` at the end of the
build and adds it to every page's <head>. It also tells the notebooks the book
executes that they run in the book build, so the course's renderer leaves the
bundle out of each chart (``COURSEKIT_BOOK_BUILD``).
"""

from __future__ import annotations

import os
from pathlib import Path

BUNDLE = "vega-offline.js"


def _write(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    from coursekit.display import bundle_js

    static = Path(app.outdir) / "_static"
    static.mkdir(parents=True, exist_ok=True)
    (static / BUNDLE).write_text(bundle_js(), encoding="utf-8")


def setup(app):
    from coursekit.display import BOOK_BUILD_ENV

    os.environ[BOOK_BUILD_ENV] = "1"  # inherited by the kernels myst-nb starts
    # priority < 500: load before the page's inline chart scripts run
    app.add_js_file(BUNDLE, priority=200)
    app.connect("build-finished", _write)
    return {"version": "1.1", "parallel_read_safe": True, "parallel_write_safe": True}
