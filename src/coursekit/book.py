"""Numbers for a chapter's prose: glued as plain Python values, never silently rounded or missing."""

from __future__ import annotations

import numbers

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
