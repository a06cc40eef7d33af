"""Helpers for nbgrader test cells: a failure tells the student what was
expected, what came back and where to look, instead of a bare AssertionError.

Each helper prints one short line on success (to stdout: nbgrader treats any
stderr output as a failure) and raises :class:`CheckFailed` otherwise.
"""

from __future__ import annotations

import math
from numbers import Real


class CheckFailed(AssertionError):
    """A test-cell check failed; the message is written for the student."""


def _fail(what: str, expected, got, hint: str | None) -> None:
    msg = f"{what}: expected {expected!r}, got {got!r}."
    if hint:
        msg += f"\nHint: {hint}"
    raise CheckFailed(msg)


def _number(what: str, got) -> float:
    # float() first: a value with a permissive __eq__ must still be a real number
    if isinstance(got, bool) or not isinstance(got, Real):
        try:
            import numpy as np
            if isinstance(got, np.generic) and np.issubdtype(type(got), np.number):
                return float(got)
        except ImportError:  # pragma: no cover
            pass
        raise CheckFailed(f"{what}: expected a number, got {type(got).__name__} ({got!r}).")
    value = float(got)
    if math.isnan(value):
        raise CheckFailed(f"{what}: got NaN (not a number). Did a division use a missing value?")
    return value


def check_close(what: str, got, expected: float, *, tol: float = 0.01, hint: str | None = None) -> None:
    """``got`` is a number within ``tol`` (absolute) of ``expected``."""
    value = _number(what, got)
    if abs(value - expected) > tol:
        _fail(what, round(expected, 4), round(value, 4), hint)
    print(f"ok: {what}")


def check_equal(what: str, got, expected, *, hint: str | None = None) -> None:
    """``got`` equals ``expected`` with the same type (so an object that claims
    to equal everything does not pass)."""
    if type(got) is not type(expected):
        _fail(what, expected, got, f"expected type {type(expected).__name__}, got type {type(got).__name__}" + (f"; {hint}" if hint else ""))
    if not (expected == got):
        _fail(what, expected, got, hint)
    print(f"ok: {what}")


def check_raises(what: str, func, args: tuple, exception: type[BaseException], *, hint: str | None = None) -> None:
    """Calling ``func(*args)`` raises ``exception`` (bad input gets a clear error)."""
    try:
        result = func(*args)
    except exception:
        print(f"ok: {what}")
        return
    except Exception as err:  # a different error: say which
        _fail(what, f"{exception.__name__} raised", f"{type(err).__name__}: {err}", hint)
    _fail(what, f"{exception.__name__} raised", f"returned {result!r}", hint)


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


def check_chart(what: str, chart, *, mark: str | None = None, encodings: dict[str, str] | None = None,
                columns: set[str] | None = None, rows: int | None = None, hint: str | None = None) -> None:
    """An Altair chart (or one of its layers) has the given mark and encoding
    fields (``{"x": "field"}``), and its data the given columns and row count."""
    try:
        spec = chart.to_dict()
    except AttributeError:
        raise CheckFailed(f"{what}: expected an Altair chart, got {type(chart).__name__}.") from None
    except Exception as err:
        raise CheckFailed(f"{what}: the chart is not valid Vega-Lite: {err}") from None
    view = _view_with_mark(spec, mark)
    if mark is not None and _mark_type(view) != mark:
        found = [_mark_type(v) for v in [spec, *spec.get("layer", [])] if _mark_type(v)]
        _fail(f"{what} (mark)", mark, found[0] if len(found) == 1 else found, hint or f"use alt.Chart(...).mark_{mark}()")
    for channel, field in (encodings or {}).items():
        enc = {**spec.get("encoding", {}), **view.get("encoding", {})}.get(channel)
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
