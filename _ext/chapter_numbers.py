"""Sphinx extension: number figures per chapter (Fig. 6.1, 6.2 ...).

Sphinx numbers figures across the whole book unless the table of contents is
numbered, and a numbered table of contents would count chapters by position
(chapter 6 would be "1" while chapters 1 to 5 are missing). This extension
takes the chapter number from the folder name (``chapters/06-us-visa-bonds/``)
and renumbers each chapter's figures, tables and code blocks in page order.
"""

from __future__ import annotations

import re

CHAPTER = re.compile(r"^chapters/(\d+)-[^/]+/")


def chapter_of(docname: str) -> int | None:
    """The chapter number of a page, from its folder (``chapters/06-...`` -> 6), or None."""
    match = CHAPTER.match(docname)
    return int(match.group(1)) if match else None


def renumber(app, env) -> list[str]:
    changed = []
    for docname, by_type in env.toc_fignumbers.items():
        chapter = chapter_of(docname)
        if chapter is None:
            continue
        for figtype, numbers in by_type.items():
            in_order = sorted(numbers, key=numbers.get)  # Sphinx's numbers follow page order
            by_type[figtype] = {fig_id: (chapter, i) for i, fig_id in enumerate(in_order, start=1)}
        changed.append(docname)
    return changed


def setup(app):
    app.connect("env-get-updated", renumber, priority=900)  # after Sphinx assigns its numbers
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
