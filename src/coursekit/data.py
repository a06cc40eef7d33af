"""Load the course's tables by name, typed and validated, with their sources.

Every table is a resource of ``data/datapackage.json`` (a Frictionless Data
Package). :func:`load` validates the CSV against its schema with the
``frictionless`` library and returns a typed DataFrame; any problem raises a
:class:`DataError` that names the table, the row and the column.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path

import pandas as pd

from . import regions

#: The repository's data package (used unless $COURSEKIT_DATA names another data/ folder).
DEFAULT_PACKAGE = Path(__file__).resolve().parents[2] / "data" / "datapackage.json"
_TRUE, _FALSE = ["true", "True", "TRUE", "1"], ["false", "False", "FALSE", "0"]

_PANDAS_TYPES = {"integer": "Int64", "year": "Int64", "number": "float64", "boolean": "boolean"}
_COUNTRY_FIELDS = ("iso3",)


class DataError(ValueError):
    """A table failed its schema: the message names table, row and column."""

    def __init__(self, message: str, table: str, row: int | None = None, column: str | None = None):
        self.table, self.row, self.column = table, row, column
        where = [f"table {table!r}"]
        if row is not None:
            where.append(f"row {row} (line {row + 1} of the CSV)")
        if column is not None:
            where.append(f"column {column!r}")
        super().__init__(f"{', '.join(where)}: {message}")


def _package_path(package: str | Path | None) -> Path:
    if package is None:
        package = os.environ.get("COURSEKIT_DATA") or DEFAULT_PACKAGE  # read on every call
    path = Path(package)
    return path / "datapackage.json" if path.is_dir() else path


def package_dir(package: str | Path | None = None) -> Path:
    """The folder of the data package (``COURSEKIT_DATA`` or the course's data/)."""
    return _package_path(package).parent


@lru_cache(maxsize=8)
def _descriptor(path: Path, mtime: float) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def package(package: str | Path | None = None) -> dict:
    """The data package descriptor (parsed datapackage.json)."""
    path = _package_path(package)
    if not path.exists():
        raise FileNotFoundError(f"no data package at {path}; set COURSEKIT_DATA to the course's data/ folder")
    return _descriptor(path, path.stat().st_mtime)


def tables(package_path: str | Path | None = None) -> list[str]:
    """Names of every table in the data package."""
    return [r["name"] for r in package(package_path)["resources"]]


def resource(name: str, package_path: str | Path | None = None) -> dict:
    """The descriptor of one table; DataError lists the known names if absent."""
    for r in package(package_path)["resources"]:
        if r["name"] == name:
            return r
    raise DataError(f"no such table; known tables: {', '.join(tables(package_path))}", table=name)


def _validate(name: str, descriptor: dict, basepath: Path) -> None:
    import frictionless  # imported here: it is slow to import and only needed to load

    report = frictionless.Resource(descriptor, basepath=str(basepath)).validate()
    errors = [e for task in report.tasks for e in task.errors] + list(report.errors)
    if not errors:
        return
    first = errors[0]
    line = getattr(first, "row_number", None)
    column = getattr(first, "field_name", None) or None
    more = f" ({len(errors) - 1} more problem(s) in this table)" if len(errors) > 1 else ""
    message = first.note if getattr(first, "note", "") else first.message
    if first.type == "missing-label":
        message = f"missing column (the schema expects it): {message}"
    elif first.type == "constraint-error":
        message = f"value {getattr(first, 'cell', '')!r} breaks the constraint: {message}"
    elif first.type == "type-error":
        field = next((f for f in descriptor["schema"]["fields"] if f["name"] == column), {})
        message = f"expected type {field.get('type', '?')}, got {getattr(first, 'cell', '')!r}"
    raise DataError(f"{first.title.lower()}: {message}{more}", table=name, row=line - 1 if line else None, column=column)


def _typed(frame: pd.DataFrame, fields: list[dict]) -> pd.DataFrame:
    for field in fields:
        col, kind = field["name"], field.get("type", "string")
        if col not in frame:
            continue
        raw = frame[col].replace("", pd.NA)
        if kind in ("integer", "year", "number"):
            frame[col] = pd.to_numeric(raw).astype(_PANDAS_TYPES[kind])
        elif kind == "boolean":
            values = {v: True for v in field.get("trueValues", _TRUE)} | {v: False for v in field.get("falseValues", _FALSE)}
            frame[col] = raw.map(values, na_action="ignore").astype("boolean")
        elif kind in ("date", "datetime"):
            frame[col] = pd.to_datetime(raw)
        else:
            frame[col] = raw
    return frame


def _check_countries(name: str, frame: pd.DataFrame) -> None:
    for col in _COUNTRY_FIELDS:
        if col not in frame:
            continue
        for i, code in enumerate(frame[col], start=1):
            if pd.notna(code) and code not in regions.COUNTRIES:
                raise DataError(f"unknown country code {code!r} (coursekit.regions knows {', '.join(regions.COUNTRIES)})", name, i, col)


def load(name: str, package_path: str | Path | None = None) -> pd.DataFrame:
    """Load table ``name``: validated against its schema and typed.

    Raises DataError (table, row, column) on a wrong type, a missing column,
    an unknown country code or a value outside its constraints.
    """
    path = _package_path(package_path)
    descriptor = resource(name, path)
    _validate(name, descriptor, path.parent)
    frame = pd.read_csv(path.parent / descriptor["path"], dtype=str, keep_default_na=False)
    frame = _typed(frame, descriptor["schema"]["fields"])
    _check_countries(name, frame)
    frame.attrs.update(table=name, source=source(name, path))
    return frame


def citation_keys(name: str, package_path: str | Path | None = None) -> list[str]:
    """BibTeX keys behind a table: its articles and its endnotes' sources."""
    path = _package_path(package_path)
    descriptor = resource(name, path)
    frame = pd.read_csv(path.parent / descriptor["path"], dtype=str, keep_default_na=False)
    keys = [k for col in ("source", "endnote_key") if col in frame for k in frame[col] if k]
    return list(dict.fromkeys(keys))


def source(name: str, package_path: str | Path | None = None) -> str:
    """A one-line citation of a table: its sources and the endnotes used."""
    path = _package_path(package_path)
    descriptor = resource(name, path)
    titles = "; ".join(s.get("title", s.get("path", "")) for s in descriptor.get("sources", []))
    frame = pd.read_csv(path.parent / descriptor["path"], dtype=str, keep_default_na=False)
    notes = sorted({int(n) for n in frame.get("endnote", []) if n})
    suffix = f" (endnote{'s' if len(notes) > 1 else ''} {', '.join(map(str, notes))})" if notes else ""
    return f"{titles}{suffix}"


def validate_all(package_path: str | Path | None = None) -> dict[str, str]:
    """Load every table; returns {table: error message} for those that fail."""
    problems = {}
    for name in tables(package_path):
        try:
            load(name, package_path)
        except DataError as err:
            problems[name] = str(err)
    return problems
