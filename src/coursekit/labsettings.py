"""JupyterLab settings the course installs into its environment.

A chapter is a MyST-Markdown notebook (``chapters/NN-slug/slug.md``). Out of
the box JupyterLab opens ``.md`` files as text; the course makes jupytext's
notebook view their default viewer, for everyone using the environment
(laptop, Binder, a hub), by writing JupyterLab's environment-wide
``share/jupyter/lab/settings/overrides.json``. A student can still pick
"Open With > Markdown Preview" or "Editor" from the context menu.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

DOCMANAGER = "@jupyterlab/docmanager-extension:plugin"
DEFAULT_VIEWERS = {"markdown": "Jupytext Notebook", "myst": "Jupytext Notebook"}


def overrides_path(prefix: str | Path | None = None) -> Path:
    """Where JupyterLab reads environment-wide setting overrides."""
    return Path(prefix or sys.prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.json"


def install(prefix: str | Path | None = None) -> Path:
    """Make jupytext's notebook the default viewer of .md files, keeping any other overrides."""
    path = overrides_path(prefix)
    current = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    viewers = current.setdefault(DOCMANAGER, {}).setdefault("defaultViewers", {})
    viewers.update(DEFAULT_VIEWERS)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(current, indent=2) + "\n", encoding="utf-8")
    return path
