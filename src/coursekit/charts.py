"""Altair charts for the course: one theme, shared builders, alt text.

Importing this module registers and enables the ``coursekit`` theme
(colour-blind-safe Okabe-Ito palette, readable sizes) and the course's
offline renderer (:mod:`coursekit.display`). Every figure should
pass through :func:`describe` so that it carries alt text for screen readers.
"""

from __future__ import annotations

from pathlib import Path

import altair as alt
import pandas as pd

from . import display, regions

#: Okabe-Ito, safe for the common forms of colour blindness.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#000000"]
#: Colours for things that are not countries (series, rules), so they never look like a country.
NEUTRALS = ["#3A3A3A", "#A0A0A0", "#6E6E6E"]
WIDTH, HEIGHT = 480, 260
FONT = "Source Sans Pro, Helvetica Neue, Arial, sans-serif"


@alt.theme.register("coursekit", enable=True)
def theme() -> alt.theme.ThemeConfig:
    """The course theme: light background, large labels, Okabe-Ito colours."""
    return {
        "config": {
            "background": "white",
            "font": FONT,
            "view": {"continuousWidth": WIDTH, "continuousHeight": HEIGHT, "stroke": None},
            "range": {"category": PALETTE},
            "axis": {"labelFontSize": 12, "titleFontSize": 13, "gridColor": "#e6e6e6"},
            "legend": {"labelFontSize": 12, "titleFontSize": 13},
            "title": {"fontSize": 15, "anchor": "start", "subtitleFontSize": 12, "subtitleColor": "#555"},
        }
    }


display.enable()


def country_colour(field: str = "country", codes=None, legend: bool = False, **kwargs) -> alt.Color:
    """Colour encoding that gives each country its fixed course colour.

    ``field`` holds country *names*; ``codes`` (ISO3) fixes the domain order.
    """
    codes = codes if codes is not None else list(regions.COUNTRIES)
    scale = alt.Scale(**regions.colour_scale_args(codes))
    return alt.Color(f"{field}:N", scale=scale, legend=alt.Legend() if legend else None, **kwargs)


def with_names(frame: pd.DataFrame, code_column: str = "iso3", name_column: str = "country") -> pd.DataFrame:
    """A copy of ``frame`` with a column of country names next to the codes."""
    out = frame.copy()
    out.insert(out.columns.get_loc(code_column) + 1, name_column, out[code_column].map(regions.name))
    return out


def list_values(frame: pd.DataFrame, label: str, value: str, fmt: str = "{:,}", unit: str = "") -> str:
    """'A 1, B 2 and C 3' from two columns, for alt text built from the data rather than typed by hand."""
    items = [f"{lab} {fmt.format(val)}{unit}" for lab, val in zip(frame[label], frame[value])]
    if not items:
        raise ValueError("no rows to describe")
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def describe(chart: alt.TopLevelMixin, alt_text: str, title: str | None = None, subtitle: str | None = None):
    """Attach alt text (Vega-Lite ``description``, read by screen readers) and an optional title."""
    if not alt_text or len(alt_text) < 20:
        raise ValueError("alt text must describe what the chart shows (at least a sentence)")
    props = {"description": alt_text}
    if title:
        props["title"] = alt.Title(title, subtitle=subtitle) if subtitle else title
    return chart.properties(**props)


def country_bars(frame: pd.DataFrame, value: str, value_title: str, *, codes=None, fmt: str = ",.0f",
                 descending: bool = True, name_column: str = "country") -> alt.LayerChart:
    """Horizontal bars, one per country in its course colour, each labelled with its value.

    Labels make the value readable without colour or hover.
    """
    codes = codes if codes is not None else list(frame["iso3"])
    base = alt.Chart(frame).encode(
        y=alt.Y(f"{name_column}:N", title=None,
                sort=alt.EncodingSortField(field=value, order="descending" if descending else "ascending")),
        x=alt.X(f"{value}:Q", title=value_title),
        tooltip=[alt.Tooltip(f"{name_column}:N", title="Country"), alt.Tooltip(f"{value}:Q", title=value_title, format=fmt)],
    )
    bars = base.mark_bar().encode(color=country_colour(name_column, codes))
    labels = base.mark_text(align="left", dx=3, fontSize=12).encode(text=alt.Text(f"{value}:Q", format=fmt))
    return alt.layer(bars, labels).properties(height=alt.Step(28))


_PRECISION_FORMATS = {"day": "%d %b %Y", "month": "%b %Y", "year": "%Y"}


def date_labels(dates: pd.Series, precision: pd.Series | None = None) -> pd.Series:
    """Dates as text, no more precise than the source: '06 Aug 2025', 'Apr 2025' or '2023'."""
    precision = precision if precision is not None else pd.Series("day", index=dates.index)
    unknown = set(precision.dropna()) - set(_PRECISION_FORMATS)
    if unknown:
        raise ValueError(f"unknown date precision {sorted(unknown)}; use one of {', '.join(_PRECISION_FORMATS)}")
    return pd.Series([d.strftime(_PRECISION_FORMATS[p]) for d, p in zip(dates, precision)], index=dates.index)


_PRECISION_SHAPES = {"day": ("the day", "circle"), "month": ("the month", "triangle-up"), "year": ("the year", "square")}


def timeline(events: pd.DataFrame, *, date: str = "date", event: str = "event", precision: str | None = None,
             tooltip: list | None = None, label_limit: int = 380) -> alt.Chart:
    """Events as points on a time axis, one row per event labelled 'date: event'.

    ``precision`` names a column of 'day'/'month'/'year': an event known only to
    the month is labelled without an invented day, and drawn with its own shape.
    """
    frame = events.sort_values(date).copy()
    when = date_labels(frame[date], frame[precision] if precision else None)
    frame["label"] = when + ": " + frame[event]
    encoding = {}
    if precision:
        frame["known_to"] = frame[precision].map(lambda p: _PRECISION_SHAPES[p][0])
        used = [v for k, v in _PRECISION_SHAPES.items() if k in set(frame[precision])]
        encoding["shape"] = alt.Shape("known_to:N", title="Date known to", legend=alt.Legend(orient="bottom"),
                                      scale=alt.Scale(domain=[u[0] for u in used], range=[u[1] for u in used]))
    return alt.Chart(frame).mark_point(filled=True, size=90, color=NEUTRALS[0]).encode(
        x=alt.X(f"{date}:T", title=None, axis=alt.Axis(format="%b %Y")),
        y=alt.Y("label:N", title=None, sort=None, axis=alt.Axis(labelLimit=label_limit)),
        tooltip=tooltip or [alt.Tooltip("label:N", title="Event")], **encoding,
    ).properties(width=220, height=alt.Step(26))


def data_table(frame: pd.DataFrame, caption: str, columns: dict[str, str] | None = None, formats: dict | None = None):
    """The table behind a chart, as an accessible HTML table with a caption."""
    shown = frame[list(columns)] .rename(columns=columns) if columns else frame
    styler = shown.style.hide(axis="index").set_caption(caption)
    if formats:
        styler = styler.format({columns.get(k, k) if columns else k: v for k, v in formats.items()}, na_rep="–")
    else:
        styler = styler.format(na_rep="–")
    return styler


def spec(chart) -> dict:
    """The Vega-Lite spec of a chart as a dict (what tests inspect)."""
    return chart.to_dict()


def save_png(chart, path: str | Path, scale: float = 2.0) -> Path:
    """Static PNG export through vl-convert (no browser, no network)."""
    path = Path(path)
    chart.save(str(path), format="png", scale_factor=scale)
    return path
