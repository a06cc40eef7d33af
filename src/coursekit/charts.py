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
#: Finest first: within a shared period, an event known to the day is listed before one known to the month or year.
_PRECISION_RANK = {"day": 0, "month": 1, "year": 2}


def _check_precision(precision: pd.Series) -> None:
    unknown = set(precision.dropna()) - set(_PRECISION_FORMATS)
    if unknown:
        raise ValueError(f"unknown date precision {sorted(unknown)}; use one of {', '.join(_PRECISION_FORMATS)}")


def date_labels(dates: pd.Series, precision: pd.Series | None = None) -> pd.Series:
    """Dates as text, no more precise than the source: '06 Aug 2025', 'Apr 2025' or '2023'."""
    precision = precision if precision is not None else pd.Series("day", index=dates.index)
    _check_precision(precision)
    return pd.Series([d.strftime(_PRECISION_FORMATS[p]) for d, p in zip(dates, precision)], index=dates.index)


def date_spans(dates: pd.Series, precision: pd.Series | None = None) -> pd.DataFrame:
    """The period each date stands for: ``start`` and ``end`` (exclusive), by its precision.

    A day is one day; a month stored as its first day is the whole month; a year
    stored as 1 January is the whole year, 1 January to 31 December (``end`` is
    1 January of the next year, so a bar drawn from ``start`` to ``end`` covers it).
    """
    precision = precision if precision is not None else pd.Series("day", index=dates.index)
    _check_precision(precision)
    dates = pd.to_datetime(dates)
    starts = [d.normalize() if p == "day" else d.to_period("M" if p == "month" else "Y").start_time
              for d, p in zip(dates, precision)]
    steps = {"day": pd.DateOffset(days=1), "month": pd.DateOffset(months=1), "year": pd.DateOffset(years=1)}
    ends = [s + steps[p] for s, p in zip(starts, precision)]
    return pd.DataFrame({"start": starts, "end": ends}, index=dates.index)


def timeline_order(events: pd.DataFrame, *, date: str = "date", precision: str | None = None,
                   order: str | None = None) -> pd.DataFrame:
    """Events in reading order, never ordered more precisely than their dates.

    With ``order`` (a column of numbers), that order is used, as the source
    implies it. Otherwise events are ordered by the *end* of the period their
    date stands for: an event known only to a year (or month) comes after the
    events dated within that year (or month), not before them as its stored
    1 January would put it.
    """
    spans = date_spans(events[date], events[precision] if precision else None)
    rank = events[precision].map(_PRECISION_RANK) if precision else pd.Series(0, index=events.index)
    keys = pd.DataFrame({"_end": spans["end"], "_rank": rank, "_start": spans["start"]}, index=events.index)
    if order:
        keys.insert(0, "_order", events[order])
    return events.loc[keys.sort_values(list(keys.columns), kind="stable").index]


_PRECISION_WORDS = {"day": "the day", "month": "the month", "year": "the year"}
#: Dark point for a day, mid-grey bar for a month, light bar for a year (the vaguer, the lighter).
_PRECISION_COLOURS = {"day": NEUTRALS[0], "month": NEUTRALS[2], "year": NEUTRALS[1]}


def timeline(events: pd.DataFrame, *, date: str = "date", event: str = "event", precision: str | None = None,
             tooltip: list | None = None, label_limit: int = 380, order: str | None = None) -> alt.LayerChart:
    """Events on a time axis, one row per event labelled 'date: event', no more precise than the source.

    ``precision`` names a column of 'day'/'month'/'year'. An event known to the
    day is a point; one known only to the month or the year is a bar across that
    whole month or year (never a point on its first day), labelled without an
    invented day or month. Rows are ordered by :func:`timeline_order`: by the
    ``order`` column if given, else an event known only to a year comes after the
    events dated within that year. Say so in the figure's caption.
    """
    frame = timeline_order(events, date=date, precision=precision, order=order).copy()
    prec = frame[precision] if precision else pd.Series("day", index=frame.index)
    when = date_labels(frame[date], prec)
    frame["label"] = when + ": " + frame[event]
    spans = date_spans(frame[date], prec)
    frame["period_start"], frame["period_end"] = spans["start"], spans["end"]
    frame["known_to"] = prec.map(_PRECISION_WORDS)
    years = (spans["end"].max() - spans["start"].min()).days / 365.25
    axis = alt.Axis(format="%Y", tickCount="year") if years > 3 else alt.Axis(format="%b %Y")
    y = alt.Y("label:N", title=None, sort=list(frame["label"]), axis=alt.Axis(labelLimit=label_limit))
    used = [p for p in _PRECISION_WORDS if p in set(prec)]
    colour = alt.Color("known_to:N", title="Date known to",
                       scale=alt.Scale(domain=[_PRECISION_WORDS[p] for p in used],
                                       range=[_PRECISION_COLOURS[p] for p in used]),
                       legend=alt.Legend(orient="bottom", direction="vertical") if precision else None)
    tips = tooltip or [alt.Tooltip("label:N", title="Event"), alt.Tooltip("known_to:N", title="Date known to")]
    base = alt.Chart(frame).encode(y=y, color=colour, tooltip=tips)
    layers = []
    if (prec != "day").any():  # a month or a year: a bar over the whole period
        layers.append(base.transform_filter(alt.datum.known_to != "the day").mark_bar(height=12).encode(
            x=alt.X("period_start:T", title=None, axis=axis), x2="period_end:T"))
    if (prec == "day").any():
        layers.append(base.transform_filter(alt.datum.known_to == "the day").mark_point(
            filled=True, size=90, opacity=1).encode(x=alt.X(f"{date}:T", title=None, axis=axis)))
    return alt.layer(*layers).properties(width=220, height=alt.Step(26))


def _plain_formats(shown: pd.DataFrame) -> dict:
    """Formats for columns given none, so a number reads as the prose writes it: a float column whose
    values are all whole prints without decimals (59, not pandas' 59.000000) and a yes/no column as
    yes/no (not True/False). Other float columns keep pandas' default; give them a format."""
    out = {}
    for name in shown.columns:
        col = shown[name].dropna()
        if col.empty:
            continue
        if pd.api.types.is_bool_dtype(col) or col.map(lambda v: isinstance(v, bool)).all():
            out[name] = lambda v: "yes" if v else "no"
        elif pd.api.types.is_float_dtype(col) and (col == col.round()).all():
            out[name] = "{:.0f}"
    return out


def data_table(frame: pd.DataFrame, caption: str, columns: dict[str, str] | None = None, formats: dict | None = None):
    """The table behind a chart, as an accessible HTML table with a caption.

    Every column needs a header a screen reader can say: an empty one is an error. A column
    without a format prints whole numbers without decimals and booleans as yes/no."""
    shown = frame[list(columns)].rename(columns=columns) if columns else frame
    blank = [k for k, header in zip(columns or frame.columns, shown.columns) if not str(header).strip()]
    if blank:
        raise ValueError(f"{caption!r}: a column has an empty header ({', '.join(map(repr, blank))}); "
                         f"give it a name a screen reader can say, e.g. columns={{{blank[0]!r}: 'Measure'}}")
    styler = shown.style.hide(axis="index").set_caption(caption)
    given = {columns.get(k, k) if columns else k: v for k, v in (formats or {}).items()}
    plain = {k: v for k, v in _plain_formats(shown).items() if k not in given}
    return styler.format({**plain, **given}, na_rep="–")


def spec(chart) -> dict:
    """The Vega-Lite spec of a chart as a dict (what tests inspect)."""
    return chart.to_dict()


def save_png(chart, path: str | Path, scale: float = 2.0) -> Path:
    """Static PNG export through vl-convert (no browser, no network)."""
    path = Path(path)
    chart.save(str(path), format="png", scale_factor=scale)
    return path
