"""Numbers for a chapter's prose: glued as plain Python values, never silently rounded or missing.

The book pastes glued values with myst-nb (``{glue:text}``, ``{glue}``). In JupyterLab the same
prose shows them through jupyterlab-myst's inline expressions (see :mod:`coursekit.labview`):
``book.glued("name:fmt")`` and ``book.glued_output("name")``, evaluated in the chapter's kernel,
read what was glued there. Importing this module in an IPython kernel records every glue call
(``myst_nb.glue`` too) as it is displayed; nothing else changes in the kernel or its outputs.
"""

from __future__ import annotations

import numbers
import sys

import pandas as pd


def plain(name: str, value, kind: type | None = None):
    """``value`` as a plain int, float or str for ``{glue:text}``.

    numpy scalars become Python numbers (their repr breaks glue's formatting) and
    whole numbers become ints (so 22.0 reads "22"); ``kind=int`` refuses a value
    with a fraction instead of truncating it, ``kind=float`` keeps a float; a
    missing value is an error, since prose cannot show it.
    """
    if isinstance(value, str):
        return value
    if value is None or pd.isna(value):
        raise ValueError(f"{name}: the value is missing; say so in the prose instead of gluing it")
    if not isinstance(value, numbers.Real):
        raise TypeError(f"{name}: expected a number or text, got {type(value).__name__}")
    whole = float(value).is_integer()
    if kind is int or (kind is None and whole):
        if not whole:
            raise ValueError(f"{name}: {value} is not a whole number; glue it as a float and format it in the text")
        return int(value)
    return float(value)


def glue_number(name: str, value, kind: type | None = None) -> None:
    """Glue one value for the prose (not displayed where it is computed)."""
    from myst_nb import glue  # only needed inside a chapter's kernel

    glue(name, plain(name, value, kind), display=False)


def glue_numbers(**values) -> None:
    """Glue several values for the prose at once: ``glue_numbers(kaz_cpi=38, world=42.0)``."""
    for name, value in values.items():
        glue_number(name, value)


def table_name(figure_name: str) -> str:
    """The glue name of a figure's data table: ``fig-x`` -> ``tbl-x``."""
    if not figure_name.startswith("fig-"):
        raise ValueError(f"figure names start with 'fig-' (got {figure_name!r}) so that their table is 'tbl-...'")
    return "tbl-" + figure_name[len("fig-"):]


def glue_figure(name: str, chart, alt: str, table=None) -> None:
    """Glue a chart for ``{glue:figure}`` with its alt text, and its data table as ``tbl-...``.

    ``alt`` is the text a screen reader reads (build it from the data);
    ``table`` is what the figure's "data behind this figure" dropdown shows
    (a DataFrame or a ``charts.data_table`` Styler).
    """
    from myst_nb import glue

    from .charts import describe

    glue(name, describe(chart, alt), display=False)
    if table is not None:
        glue(table_name(name), table, display=False)


# --- the same numbers in JupyterLab ---------------------------------------------------------------

_GLUED: dict[str, dict] = {}  # glue name -> its mimebundle, as myst-nb stores it in the cell's output


def _record(data, metadata) -> None:
    scrapbook = (metadata or {}).get("scrapbook") if isinstance(metadata, dict) else None
    if isinstance(scrapbook, dict) and scrapbook.get("name") and isinstance(data, dict):
        prefix = scrapbook.get("mime_prefix", "")
        _GLUED[scrapbook["name"]] = {k[len(prefix):]: v for k, v in data.items() if k.startswith(prefix)}


def _install_recorder() -> bool:
    """Record glue calls in this IPython kernel (once); False outside IPython."""
    if "IPython" not in sys.modules:
        return False
    from IPython import get_ipython

    shell = get_ipython()
    publisher = getattr(shell, "display_pub", None)
    if publisher is None:
        return False
    if getattr(publisher, "_coursekit_glue", False):
        return True
    publish = publisher.publish

    def recording_publish(data, metadata=None, *args, **kwargs):
        try:
            _record(data, metadata)
        except Exception:  # recording must never break a display
            pass
        return publish(data, metadata, *args, **kwargs)

    publisher.publish = recording_publish
    publisher._coursekit_glue = True
    return True


class _Pasted:
    """Text shown as it is (jupyterlab-myst renders an expression's text/plain)."""

    def __init__(self, text: str):
        self.text = text

    def __repr__(self) -> str:
        return self.text

    def __str__(self) -> str:
        return self.text


class _Output:
    """A glued output (a table) displayed with all its formats."""

    def __init__(self, bundle: dict):
        self.bundle = bundle

    def _repr_mimebundle_(self, include=None, exclude=None):
        return dict(self.bundle)


def _bundle(name: str) -> dict:
    if name not in _GLUED:
        raise LookupError(f"{name!r} is not glued yet: run the whole notebook (Run > Run All Cells)")
    return _GLUED[name]


def glued(spec: str) -> _Pasted:
    """The text the book shows for ``{glue:text}`spec```: ``glued("bond_max:,")`` -> 3,000.

    Same parsing and formatting as myst-nb's role (``name`` or ``name:format_spec``)."""
    from myst_nb.core.variables import format_plain_text

    parts = spec.rsplit(":", 1)
    name, fmt = (parts[0], parts[1]) if len(parts) == 2 else (parts[0], "s")
    bundle = _bundle(name)
    if "text/plain" not in bundle:
        raise LookupError(f"{name!r} has no text to paste")
    return _Pasted(format_plain_text(bundle["text/plain"], fmt))


def glued_output(name: str) -> _Output:
    """What the book shows for a ``{glue}`` block (a table): the glued output itself."""
    return _Output(_bundle(name))


_install_recorder()
