"""Plain data across the boundary between the grader and a student's kernel.

Values travel as tagged JSON (``{"t": "float", "v": 18.19}``), never as pickles or
objects: what the other side gets is numbers, strings, lists, dicts, pandas tables
rebuilt from their values and dtypes, and a chart as its Vega-Lite JSON. Decoding runs
no code of the sender's: a value that could lie about itself (a ``float`` subclass whose
``__eq__`` says yes to everything, a list that changes when read) arrives as the plain
value it held when it was encoded. Anything else arrives as an :class:`Opaque` stand-in
that equals nothing but itself.
"""

from __future__ import annotations

import copy
import itertools
import json
import math
from collections.abc import Iterator
from typing import Any

MAX_DEPTH = 40
MAX_ITEMS = 100_000
#: dtypes a decoded pandas column or array may take; anything else becomes object.
SAFE_DTYPES = {"int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float32", "float64",
               "bool", "object", "str", "string", "Int64", "Int32", "Float64", "boolean", "category",
               "datetime64[ns]", "datetime64[us]", "datetime64[ms]", "datetime64[s]"}


class WireError(ValueError):
    """A value could not be encoded or decoded."""


class Opaque:
    """A value of a type that does not cross the boundary: it equals only itself."""

    def __init__(self, type_name: str, text: str):
        self.type_name, self.text = type_name, text

    def __repr__(self) -> str:
        return f"<{self.type_name}: {self.text}>"


class ChartSpec:
    """A chart as its Vega-Lite specification (what ``chart.to_dict()`` gave in the kernel)."""

    def __init__(self, spec: dict | None, error: str | None = None):
        self._spec, self._error = spec, error

    def to_dict(self, *args, **kwargs) -> dict:
        if self._error is not None:
            raise ValueError(self._error)
        return copy.deepcopy(self._spec)

    def __repr__(self) -> str:
        return "<Altair chart (Vega-Lite specification)>"


def _type_name(value: Any) -> str:
    t = type(value)
    return f"{t.__module__}.{t.__qualname__}" if t.__module__ != "builtins" else t.__qualname__


def _is_chart(value: Any) -> bool:
    return type(value).__module__.split(".")[0] == "altair" and hasattr(value, "to_dict")


def _float(v: float) -> dict:
    return {"t": "float", "v": v if math.isfinite(v) else repr(v)}


def encode(value: Any, depth: int = 0, functions: bool = False) -> dict:
    """``value`` as tagged JSON. ``functions``: a callable becomes ``{"t": "function"}``
    (for a name the grader looks up), otherwise it is opaque."""
    if depth > MAX_DEPTH:
        raise WireError("value nested too deeply")
    try:
        import numpy as np
        import pandas as pd
    except ImportError:  # pragma: no cover - the course always has both
        np = pd = None
    if value is None:
        return {"t": "none"}
    if np is not None and isinstance(value, (np.bool_, np.integer, np.floating)):  # keeps its numpy type
        plain = encode(value.item(), depth)
        return {**plain, "np": str(value.dtype)}
    if isinstance(value, bool):
        return {"t": "bool", "v": bool(value)}
    if isinstance(value, int):
        return {"t": "int", "v": int(value)}
    if isinstance(value, float):
        return _float(float(value))
    if isinstance(value, str):
        return {"t": "str", "v": str.__str__(value)}
    if isinstance(value, range):
        return {"t": "range", "v": [value.start, value.stop, value.step]}
    if isinstance(value, (list, tuple, set, frozenset)):
        kind = "list" if isinstance(value, list) else "tuple" if isinstance(value, tuple) else "set"
        items = sorted(value, key=repr) if kind == "set" else list(value)
        return {"t": kind, "v": [encode(v, depth + 1) for v in items]}
    if isinstance(value, dict):
        return {"t": "dict", "v": [[encode(k, depth + 1), encode(v, depth + 1)] for k, v in list(value.items())]}
    if pd is not None:
        if value is pd.NaT:
            return {"t": "nat"}
        if value is pd.NA:
            return {"t": "na"}
        if isinstance(value, pd.DataFrame):
            return {"t": "frame", "columns": [encode(c, depth + 1) for c in value.columns],
                    "dtypes": [str(d) for d in value.dtypes], "index": encode(value.index, depth + 1),
                    "data": [[encode(v, depth + 2) for v in value.iloc[:, i].tolist()] for i in range(value.shape[1])]}
        if isinstance(value, pd.Series):
            return {"t": "series", "name": encode(value.name, depth + 1), "dtype": str(value.dtype),
                    "index": encode(value.index, depth + 1), "v": [encode(v, depth + 1) for v in value.tolist()]}
        if isinstance(value, pd.MultiIndex):
            return {"t": "multiindex", "names": [encode(n, depth + 1) for n in value.names],
                    "v": [encode(tuple(v), depth + 1) for v in value.tolist()]}
        if isinstance(value, pd.Index):
            return {"t": "index", "name": encode(value.name, depth + 1), "dtype": str(value.dtype),
                    "v": [encode(v, depth + 1) for v in value.tolist()]}
        if isinstance(value, pd.Timestamp):
            return {"t": "timestamp", "v": value.isoformat()}
    if np is not None and isinstance(value, np.ndarray):
        return {"t": "ndarray", "dtype": str(value.dtype), "v": encode(value.tolist(), depth + 1)}
    if _is_chart(value):
        try:
            spec = value.to_dict()
            json.dumps(spec)
        except Exception as err:
            return {"t": "chart", "error": f"{type(err).__name__}: {err}"[:2000]}
        return {"t": "chart", "spec": spec}
    if isinstance(value, Iterator):  # a generator a function returned: what it yields, read once
        items = list(itertools.islice(value, MAX_ITEMS + 1))
        if len(items) > MAX_ITEMS:
            raise WireError(f"an iterator of more than {MAX_ITEMS} items")
        return {"t": "iterator", "v": [encode(v, depth + 1) for v in items]}
    if functions and callable(value):
        return {"t": "function"}
    return {"t": "opaque", "type": _type_name(value)[:200], "repr": _safe_repr(value)}


def _safe_repr(value: Any) -> str:
    try:
        return repr(value)[:200]
    except Exception:
        return "?"


def _dtype(name: Any) -> str | None:
    return name if isinstance(name, str) and name in SAFE_DTYPES else None


def _column(values: list, dtype: str | None):
    import pandas as pd

    if dtype == "category":
        return pd.Categorical(values)
    if dtype:
        try:
            return pd.array(values, dtype=dtype)
        except Exception:
            pass
    return values


def decode(obj: Any, depth: int = 0) -> Any:
    """The plain value that :func:`encode` described; :class:`WireError` on anything else."""
    if depth > MAX_DEPTH:
        raise WireError("value nested too deeply")
    if not isinstance(obj, dict) or not isinstance(obj.get("t"), str):
        raise WireError(f"not an encoded value: {str(obj)[:100]}")
    t, v = obj["t"], obj.get("v")
    if "np" in obj and t in ("bool", "int", "float"):
        import numpy as np

        kind = _dtype(obj["np"])
        plain = decode({"t": t, "v": v}, depth)
        return np.dtype(kind).type(plain) if kind and np.dtype(kind).kind in "biuf" else plain
    sub = lambda x: decode(x, depth + 1)  # noqa: E731
    if t == "none":
        return None
    if t == "bool" and isinstance(v, bool):
        return v
    if t == "int" and isinstance(v, int) and not isinstance(v, bool):
        return v
    if t == "float":
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return float(v)
        if v in ("nan", "inf", "-inf"):
            return float(v)
    if t == "str" and isinstance(v, str):
        return v
    if t in ("list", "tuple", "set") and isinstance(v, list):
        items = [sub(x) for x in v]
        return items if t == "list" else tuple(items) if t == "tuple" else set(items)
    if t == "range" and isinstance(v, list) and len(v) == 3 and all(type(x) is int for x in v):
        return range(*v)
    if t == "iterator" and isinstance(v, list):
        return iter([sub(x) for x in v])
    if t == "dict" and isinstance(v, list):
        return {_hashable(sub(k)): sub(x) for k, x in v}
    import pandas as pd

    if t == "nat":
        return pd.NaT
    if t == "na":
        return pd.NA
    if t == "timestamp" and isinstance(v, str):
        return pd.Timestamp(v)
    if t == "index" and isinstance(v, list):
        return pd.Index(_column([sub(x) for x in v], _dtype(obj.get("dtype"))), name=_hashable(sub(obj.get("name"))))
    if t == "multiindex" and isinstance(v, list):
        return pd.MultiIndex.from_tuples([sub(x) for x in v], names=[sub(n) for n in obj.get("names", [])] or None)
    if t == "series" and isinstance(v, list):
        index = sub(obj["index"])
        return pd.Series(_column([sub(x) for x in v], _dtype(obj.get("dtype"))), index=index,
                         name=_hashable(sub(obj.get("name"))))
    if t == "frame":
        columns = [_hashable(sub(c)) for c in obj.get("columns", [])]
        data, dtypes = obj.get("data", []), obj.get("dtypes", [])
        if not (isinstance(data, list) and len(data) == len(columns) == len(dtypes)):
            raise WireError("a table whose columns, dtypes and data do not line up")
        index = sub(obj["index"])
        frame = pd.DataFrame({i: pd.Series(_column([sub(x) for x in col], _dtype(dt)), index=index)
                              for i, (col, dt) in enumerate(zip(data, dtypes))}, index=index)
        frame.columns = pd.Index(columns) if columns else frame.columns
        return frame
    if t == "ndarray":
        import numpy as np

        dtype = _dtype(obj.get("dtype"))
        return np.array(sub(v), dtype=dtype if dtype and dtype not in ("str", "string", "category") else None)
    if t == "chart":
        if isinstance(obj.get("spec"), dict):
            return ChartSpec(obj["spec"])
        return ChartSpec(None, str(obj.get("error", "not a valid chart"))[:2000])
    if t == "opaque":
        return Opaque(str(obj.get("type", "?"))[:200], str(obj.get("repr", ""))[:200])
    raise WireError(f"cannot decode a value tagged {t!r}")


def _hashable(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, set):
        return frozenset(value)
    return value


def dumps(obj: Any) -> str:
    """One line of JSON (NaN and infinities are tagged, so plain JSON suffices)."""
    return json.dumps(obj, separators=(",", ":"), allow_nan=False)
