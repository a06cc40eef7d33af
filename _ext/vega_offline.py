"""Sphinx extension: ship the Vega JavaScript inside the built book.

Altair's HTML output loads vega, vega-lite and vega-embed from a CDN unless
``window.VEGA_DEBUG`` says they are already loaded. This extension writes one
bundle (made by vl-convert for the installed Altair's Vega-Lite version) into
``_static/vega-offline.js`` at the end of the build, wrapped so it cannot clash
with Sphinx's own scripts, and adds it to every page's <head>.
"""

from __future__ import annotations

from pathlib import Path

BUNDLE = "vega-offline.js"


def _bundle() -> str:
    import vl_convert
    from altair.vegalite.v6 import display

    versions = {
        "vega_version": display.VEGA_VERSION,
        "vegalite_version": display.VEGALITE_VERSION,
        "vegaembed_version": display.VEGAEMBED_VERSION,
    }
    major_minor = ".".join(display.VEGALITE_VERSION.split(".")[:2])  # vl-convert wants "6.4"
    js = vl_convert.javascript_bundle(vl_version=major_minor)
    head = f"/* vega + vega-lite + vega-embed for Vega-Lite {display.VEGALITE_VERSION}, bundled by vl-convert */\n"
    debug = "window.VEGA_DEBUG = Object.assign(window.VEGA_DEBUG || {}, " + repr(versions).replace("'", '"') + ");\n"
    return head + "(function(){\n" + js + "\n})();\n" + debug


def _write(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    static = Path(app.outdir) / "_static"
    static.mkdir(parents=True, exist_ok=True)
    (static / BUNDLE).write_text(_bundle(), encoding="utf-8")


def setup(app):
    # priority < 500: load before the page's inline chart scripts run
    app.add_js_file(BUNDLE, priority=200)
    app.connect("build-finished", _write)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
