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
    if type(got) is not type(expected) or not (expected == got):
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


def check_chart(what: str, chart, *, mark: str | None = None, encodings: dict[str, str] | None = None,
                columns: set[str] | None = None, rows: int | None = None, hint: str | None = None) -> None:
    """An Altair chart has the given mark, encoding fields (``{"x": "field"}``),
    data columns and number of rows."""
    try:
        spec = chart.to_dict()
    except AttributeError:
        raise CheckFailed(f"{what}: expected an Altair chart, got {type(chart).__name__}.") from None
    except Exception as err:
        raise CheckFailed(f"{what}: the chart is not valid Vega-Lite: {err}") from None
    if mark is not None:
        got = spec.get("mark")
        got = got.get("type") if isinstance(got, dict) else got
        if got != mark:
            _fail(f"{what} (mark)", mark, got, hint or f"use alt.Chart(...).mark_{mark}()")
    for channel, field in (encodings or {}).items():
        enc = spec.get("encoding", {}).get(channel)
        got = enc.get("field") if isinstance(enc, dict) else None
        if got != field:
            _fail(f"{what} (encoding {channel})", field, got, hint or f"encode {channel}='{field}'")
    values = _values(spec)
    if columns is not None:
        have = set(values[0]) if values else set()
        missing = columns - have
        if missing:
            _fail(f"{what} (data columns)", sorted(columns), sorted(have), hint or f"missing: {', '.join(sorted(missing))}")
    if rows is not None and len(values) != rows:
        _fail(f"{what} (number of data rows)", rows, len(values), hint)
    print(f"ok: {what}")


def _values(spec: dict) -> list[dict]:
    data = spec.get("data", {})
    if "values" in data:
        return data["values"]
    name = data.get("name")
    return spec.get("datasets", {}).get(name, []) if name else []
