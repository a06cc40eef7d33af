"""Helpers for nbgrader test cells: a failure tells the student what was
expected, what came back and where to look, instead of a bare AssertionError.

Each helper prints one short line on success (to stdout: nbgrader treats any
stderr output as a failure) and raises :class:`CheckFailed` otherwise. The
message is written for the student::

    gold_2026: expected 10, got 10.5.
    Hint: Uzbekistan and Peru both have 2,200 t: they share a rank

In IPython (JupyterLab, nbgrader's kernel) a failed check shows only that
message, not the traceback through this module (:meth:`CheckFailed._render_traceback_`);
the cell still fails, so nbgrader still scores it 0.

The helpers take the student's value as it is and check its type first: an
answer of the wrong type (a Series where a number is asked for, a tuple where a
list is) gets a sentence that says so, never a ``TypeError`` from test code.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from numbers import Real


class CheckFailed(AssertionError):
    """A test-cell check failed; the message is written for the student."""

    def _render_traceback_(self) -> list[str]:
        """What IPython shows instead of a traceback: the message, and that the test stopped there."""
        return [*str(self).splitlines(), "(The test stopped at this check: the checks after it have not run yet.)"]


def _describe(value) -> str:
    """A short, one-line description of a value for a message: its repr, or what it is when
    the repr would be long (a DataFrame, a Series, a long list)."""
    module = type(value).__module__ or ""
    name = type(value).__name__
    if module.startswith("pandas"):
        shape = getattr(value, "shape", None)
        if name == "DataFrame" and shape is not None:
            cols = [str(c) for c in list(getattr(value, "columns", []))[:6]]
            more = ", ..." if shape[1] > 6 else ""
            return f"a pandas DataFrame ({shape[0]} rows; columns {', '.join(cols)}{more})"
        if name == "Series" and shape is not None:
            values = list(value.head(3))
            more = ", ..." if shape[0] > 3 else ""
            return f"a pandas Series of {shape[0]} value{'s' if shape[0] != 1 else ''} ({', '.join(map(repr, values))}{more})"
        if name == "Index" and shape is not None:
            return f"a pandas Index of {shape[0]} values"
    if module.startswith("numpy") and getattr(value, "ndim", 0) > 0:
        return f"a numpy array of {getattr(value, 'size', '?')} values"
    text = repr(value)
    if "\n" in text or len(text) > 160:
        text = " ".join(text.split())
        text = text[:150] + " ..." if len(text) > 150 else text
        if isinstance(value, (list, tuple, dict, set)):
            return f"a {name} of {len(value)} items ({text})"
    return text


def _type_name(value) -> str:
    name = type(value).__name__
    return {"NoneType": "None", "str": "a string", "list": "a list", "tuple": "a tuple", "dict": "a dict",
            "int": "an int", "float": "a float", "bool": "a bool (True/False)", "set": "a set"}.get(name, name)


def _message(what: str, expected: str, got: str, hint: str | None) -> str:
    msg = f"{what}: expected {expected}, got {got}."
    if hint:
        msg += f"\nHint: {hint}"
    return msg


def _fail(what: str, expected, got, hint: str | None) -> None:
    raise CheckFailed(_message(what, _describe(expected), _describe(got), hint))


def _why_not_a_number(got) -> str:
    """A hint for a value that is not a single number."""
    module = type(got).__module__ or ""
    if module.startswith("pandas") and type(got).__name__ == "Series":
        return ("this is a whole column (a Series), not one number: take the value out of it, e.g. with "
                ".iloc[0], after checking that your selection keeps exactly one row")
    if module.startswith("pandas") and type(got).__name__ == "DataFrame":
        return "this is a table (a DataFrame), not one number: select one row and one column"
    if got is None:
        return "None usually means a function without `return`, or a variable set to the result of print(...)"
    if isinstance(got, str):
        return "this is text: compute the number instead of writing it as a string"
    if isinstance(got, bool):
        return "this is True/False, not a number"
    if isinstance(got, (list, tuple, dict, set)):
        return "this holds several values; the test expects a single number"
    return "the test expects a single number (an int or a float)"


def _nan(what: str, hint: str | None) -> CheckFailed:
    return CheckFailed(f"{what}: got NaN (not a number).\nHint: {hint or 'did a division or a lookup use a missing value?'}")


def _number(what: str, got, hint: str | None = None) -> float:
    # float() first: a value with a permissive __eq__ must still be a real number
    if isinstance(got, bool) or not isinstance(got, Real):
        try:
            import numpy as np
            if isinstance(got, np.generic) and np.issubdtype(type(got), np.number) and not isinstance(got, np.bool_):
                value = float(got)
                if math.isnan(value):
                    raise _nan(what, hint)
                return value
        except ImportError:  # pragma: no cover
            pass
        raise CheckFailed(_message(what, "a number", _describe(got), _why_not_a_number(got) + (f"; {hint}" if hint else "")))
    value = float(got)
    if math.isnan(value):
        raise _nan(what, hint)
    return value


def check_close(what: str, got, expected, *, tol: float = 0.01, hint: str | None = None) -> None:
    """``got`` is a number within ``tol`` (absolute) of ``expected``.

    ``expected`` may also be a list or a tuple of numbers: then ``got`` must be a
    list (or a tuple) of as many numbers, each within ``tol`` of its expected value."""
    if isinstance(expected, (list, tuple)):
        kind = "list" if isinstance(expected, list) else "tuple"
        if type(got) is not type(expected):
            raise CheckFailed(_message(what, f"a {kind} of {len(expected)} numbers", _describe(got),
                                       hint or f"return a {kind}, e.g. {_describe(type(expected)(expected))}"))
        if len(got) != len(expected):
            raise CheckFailed(_message(what, f"a {kind} of {len(expected)} numbers", f"{len(got)} ({_describe(got)})",
                                       hint))
        values = [_number(f"{what}[{i}]", g, hint) for i, g in enumerate(got)]
        if any(abs(v - e) > tol for v, e in zip(values, expected)):
            _fail(what, type(expected)(round(e, 4) for e in expected), type(expected)(round(v, 4) for v in values), hint)
        print(f"ok: {what}")
        return
    value = _number(what, got, hint)
    if abs(value - expected) > tol:
        shown = int(value) if value.is_integer() and not isinstance(got, float) and "float" not in type(got).__name__ else round(value, 4)
        _fail(what, round(expected, 4), shown, hint)
    print(f"ok: {what}")


def check_equal(what: str, got, expected, *, hint: str | None = None) -> None:
    """``got`` equals ``expected`` with the same type (so an object that claims
    to equal everything does not pass)."""
    if type(got) is not type(expected):
        why = f"expected type {type(expected).__name__}, got type {type(got).__name__}"
        module = type(got).__module__ or ""
        if module.startswith("pandas") and isinstance(expected, (list, int, str, float)):
            why += f" ({_why_not_a_number(got) if not isinstance(expected, list) else 'convert it with list(...)'})"
        elif isinstance(expected, list) and isinstance(got, (tuple, set)) or module.startswith("numpy") and isinstance(expected, list):
            why += " (the prompt asks for a list)"
        _fail(what, expected, got, why + (f"; {hint}" if hint else ""))
    if not (expected == got):
        if isinstance(expected, (list, tuple)) and (len(expected) > 3 or len(_describe(expected)) > 60):
            if len(got) != len(expected):
                where = f"{len(got)} items instead of {len(expected)}"
            else:
                i = next(i for i, (e, g) in enumerate(zip(expected, got)) if not (e == g))
                where = f"the first difference is item {i}: expected {_describe(expected[i])}, got {_describe(got[i])}"
            hint = where + (f"; {hint}" if hint else "")
        _fail(what, expected, got, hint)
    print(f"ok: {what}")


def check_raises(what: str, func, args: tuple, exception: type[BaseException], *, hint: str | None = None) -> None:
    """Calling ``func(*args)`` raises ``exception`` (bad input gets a clear error)."""
    if not callable(func):
        raise CheckFailed(_message(what, "a function", _describe(func),
                                   "define it with def ... and run its cell (a variable of the same name hides it)"))
    try:
        result = func(*args)
    except exception:
        print(f"ok: {what}")
        return
    except Exception as err:  # a different error: say which
        _fail(what, f"{exception.__name__} raised", f"{type(err).__name__}: {err}",
              hint or f"check the input first and `raise {exception.__name__}(...)` with a message")
    _fail(what, f"{exception.__name__} raised", f"returned {_describe(result)}",
          hint or f"check the input first and `raise {exception.__name__}(...)` with a message")


# --- charts ------------------------------------------------------------------------------------

def _mark_type(spec: dict):
    mark = spec.get("mark")
    return mark.get("type") if isinstance(mark, dict) else mark


def _view_with_mark(spec: dict, mark: str | None) -> dict:
    """The (sub)spec that carries ``mark``: the chart itself or one of its layers."""
    if mark is None or _mark_type(spec) == mark:
        return spec
    for layer in spec.get("layer", []):
        if _mark_type(layer) == mark:
            return layer
    return spec


def _widths(spec: dict) -> list:
    """Every numeric width a chart sets (its own, its layers', its concatenated views' summed side by side)."""
    width = spec.get("width")
    if isinstance(width, Real) and not isinstance(width, bool):
        return [width]
    found = []
    for layer in spec.get("layer", []):
        found += _widths(layer)
    for key in ("vconcat", "concat"):
        for sub in spec.get(key, []):
            found += _widths(sub)
    if spec.get("hconcat"):
        side = [max(_widths(sub) or [0]) for sub in spec["hconcat"]]
        found.append(sum(side))
    return found


def _text(value) -> str:
    """The text of a title or description: a string, a list of lines, or {"text": ..., "subtitle": ...}."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        return " ".join(_text(v) for v in value)
    if isinstance(value, dict):
        return " ".join(_text(value.get(k)) for k in ("text", "subtitle"))
    return str(value)


def _missing_words(text: str, mentions) -> list[str]:
    """Items of ``mentions`` not found in ``text`` (case-insensitive); an item that is a tuple
    is found when any of its words is."""
    low = text.lower()
    missing = []
    for item in mentions:
        words = (item,) if isinstance(item, str) else tuple(item)
        if not any(w.lower() in low for w in words):
            missing.append(" or ".join(repr(w) for w in words))
    return missing


def _sort_matches(got, accepted) -> bool:
    for want in accepted:
        if isinstance(want, dict) and isinstance(got, dict):
            g, w = {"order": "ascending", **got}, {"order": "ascending", **want}
            if all(g.get(k) == v for k, v in w.items()):
                return True
        elif want == got:
            return True
    return False


def check_chart(what: str, chart, *, mark: str | None = None, encodings: dict[str, str] | None = None,
                columns: set[str] | None = None, rows: int | None = None, hint: str | None = None,
                max_width: int | None = None, title: bool = False, title_mentions: Sequence = (),
                alt_text: bool = False, alt_text_mentions: Sequence = (), sort: dict | None = None) -> None:
    """An Altair chart (or one of its layers) has the given mark and encoding
    fields (``{"x": "field"}``), and its data the given columns and row count.

    What a prompt asks of a chart beyond that can be checked too:
    ``max_width`` (no width the chart sets is larger, in pixels; a chart that
    sets none takes the course theme's 480), ``title=True`` (a title),
    ``title_mentions`` (words the title or subtitle must contain; a tuple item
    means any one of its words), ``alt_text=True`` (a description, as
    ``charts.describe`` adds: at least a sentence), ``alt_text_mentions``
    (words the description must contain), and ``sort`` (``{"y": [accepted, ...]}``:
    the channel's ``sort`` must be one of these, e.g. ``"-x"`` or
    ``{"field": "step"}``). Checks run in that order, after mark, encodings and data.
    """
    try:
        spec = chart.to_dict()
    except AttributeError:
        raise CheckFailed(_message(what, "an Altair chart", _describe(chart),
                                   "build it with alt.Chart(data).mark_...().encode(...), and keep the chart "
                                   "itself in the variable (not the table, not a call to display)")) from None
    except Exception as err:
        raise CheckFailed(f"{what}: the chart is not valid Vega-Lite: {err}") from None
    view = _view_with_mark(spec, mark)
    if mark is not None and _mark_type(view) != mark:
        found = [_mark_type(v) for v in [spec, *spec.get("layer", [])] if _mark_type(v)]
        _fail(f"{what} (mark)", mark, found[0] if len(found) == 1 else found, hint or f"use alt.Chart(...).mark_{mark}()")
    merged = {**spec.get("encoding", {}), **view.get("encoding", {})}
    for channel, field in (encodings or {}).items():
        enc = merged.get(channel)
        got = enc.get("field") if isinstance(enc, dict) else None
        if got != field:
            _fail(f"{what} (encoding {channel})", field, got, hint or f"encode {channel}='{field}'")
    values = chart_values(chart)
    if columns is not None:
        have = set(values[0]) if values else set()
        missing = columns - have
        if missing:
            _fail(f"{what} (data columns)", sorted(columns), sorted(have), hint or f"missing: {', '.join(sorted(missing))}")
    if rows is not None and len(values) != rows:
        _fail(f"{what} (number of data rows)", rows, len(values), hint)
    if max_width is not None:
        too_wide = [w for w in _widths(spec) if w > max_width]
        if too_wide:
            raise CheckFailed(_message(f"{what} (width)", f"at most {max_width} px", f"{max(too_wide):g} px",
                                       f"set .properties(width=...) to {max_width} or less, or leave the width out "
                                       "(the course theme draws 480 px): the chart must fit a phone's page"))
    if title or title_mentions:
        texts = [_text(spec.get("title"))] + [_text(layer.get("title")) for layer in spec.get("layer", [])]
        shown = " ".join(t for t in texts if t.strip())
        if not shown.strip():
            raise CheckFailed(_message(f"{what} (title)", "a title", "no title",
                                       "add one: charts.describe(chart, '...', title='...') or .properties(title='...')"))
        missing = _missing_words(shown, title_mentions)
        if missing:
            raise CheckFailed(_message(f"{what} (title)", f"a title that mentions {', '.join(missing)}",
                                       repr(shown.strip()), hint or "say it in the title or its subtitle"))
    if alt_text or alt_text_mentions:
        text = _text(spec.get("description")).strip()
        if len(text) < 20:
            raise CheckFailed(_message(f"{what} (alt text)", "a description of what the chart shows (at least a sentence)",
                                       repr(text) if text else "no alt text",
                                       "wrap the chart in charts.describe(chart, 'what the chart shows, in words'): "
                                       "a screen reader reads it instead of the picture"))
        missing = _missing_words(text, alt_text_mentions)
        if missing:
            raise CheckFailed(_message(f"{what} (alt text)", f"alt text that mentions {', '.join(missing)}",
                                       repr(text if len(text) < 100 else text[:97] + "..."),
                                       hint or "say it in the alt text, the words a screen reader reads: charts.describe(chart, '...')"))
    for channel, accepted in (sort or {}).items():
        enc = merged.get(channel)
        got = enc.get("sort") if isinstance(enc, dict) else None
        if not _sort_matches(got, accepted):
            field = enc.get("field") if isinstance(enc, dict) else channel
            raise CheckFailed(_message(f"{what} (order of {channel})", f"a sort such as sort={accepted[0]!r}",
                                       "no sort (alphabetical order)" if got is None else f"sort={got!r}",
                                       hint or f"sort the {channel} axis, e.g. alt.{channel.upper()}('{field}:N', "
                                               f"sort={accepted[0]!r})"))
    print(f"ok: {what}")


def chart_values(chart) -> list[dict]:
    """The data rows of an Altair chart (top level or first layer with data), as dicts."""
    spec = chart.to_dict()
    datasets = spec.get("datasets", {})
    for view in [spec, *spec.get("layer", [])]:
        data = view.get("data", {})
        if "values" in data:
            return data["values"]
        if data.get("name") in datasets:
            return datasets[data["name"]]
    return []
