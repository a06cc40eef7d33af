"""Sphinx extension: drop duplicate <script> entries (same body or same file) from every page.

sphinx-thebe registers its inline configuration script twice, which makes the
browser report "Identifier 'THEBE_JS_URL' has already been declared".
"""

from __future__ import annotations


def _dedupe(app, pagename, templatename, context, doctree) -> None:
    seen, unique = set(), []
    for script in context.get("script_files", []):
        body = getattr(script, "attributes", {}).get("body")
        key = ("body", body) if body else ("file", str(getattr(script, "filename", script)))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def setup(app):
    app.connect("html-page-context", _dedupe, priority=999)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
