"""``coursekit report ASSIGNMENT``: an HTML page with PNG charts (Altair, exported offline
with vl-convert) of a graded assignment: score distribution, points per part, pass rate
of every test, the most common failures, and the flagged or failed submissions.
Reads the gradebook, ``autograded/`` and ``grading/<assignment>/results.json``."""

from __future__ import annotations

import html
import json
from collections import Counter
from pathlib import Path

import altair as alt
import pandas as pd

from ..charts import PALETTE, describe, save_png


def grades_table(db_url: str, assignment: str) -> pd.DataFrame:
    """One row per (student, part): auto score, max score, whether the part is a test."""
    from nbgrader.api import Gradebook

    rows = []
    with Gradebook(db_url) as gb:
        for sub in gb.find_assignment(assignment).submissions:
            for nb in sub.notebooks:
                solution_ids = {c.name for c in nb.notebook.solution_cells}
                for g in nb.grades:
                    rows.append({"student": sub.student.id, "part": g.name, "auto_score": g.auto_score,
                                 "max_score": g.max_score,
                                 "is_test": g.cell_type == "code" and g.name not in solution_ids})
    return pd.DataFrame(rows, columns=["student", "part", "auto_score", "max_score", "is_test"])


def failures(course: Path, assignment: str, tests: set[str]) -> Counter:
    """How often each error (type and first line of its message) ended a test cell."""
    counts: Counter = Counter()
    for path in sorted((course / "autograded").glob(f"*/{assignment}/*.ipynb")):
        try:
            nb = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError):
            continue
        for cell in nb.get("cells", []):
            if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") not in tests:
                continue
            for out in cell.get("outputs", []):
                if out.get("output_type") == "error":
                    first = (str(out.get("evalue", "")).splitlines() or [""])[0][:70]
                    counts[f"{out.get('ename')}: {first}".strip(": ")] += 1
    return counts


def part_order(course: Path, assignment: str) -> list[str]:
    """grade_ids in the order the release notebooks show them (for the charts' axes)."""
    order = []
    for path in sorted((course / "release" / assignment).glob("*.ipynb")):
        for cell in json.loads(path.read_text()).get("cells", []):
            gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            if gid:
                order.append(gid)
    return order


def charts(grades: pd.DataFrame, fails: Counter, order: list[str] | None = None) -> dict[str, alt.Chart]:
    """The four charts of the report, each with alt text."""
    sort = [p for p in (order or []) if p in set(grades.part)] or None
    auto = grades[grades.is_test].copy()
    auto["auto_score"] = auto["auto_score"].fillna(0)
    totals = auto.groupby("student", as_index=False)["auto_score"].sum()
    total_max = auto.groupby("student")["max_score"].sum().max() if len(auto) else 0
    dist = describe(alt.Chart(totals).mark_bar(color=PALETTE[0]).encode(
        x=alt.X("auto_score:Q", bin=alt.Bin(step=1, extent=[0, float(total_max) + 1]), title="autograded score",
                axis=alt.Axis(format="d")),
        y=alt.Y("count():Q", title="students", axis=alt.Axis(format="d", tickMinStep=1))),
        f"Histogram of the autograded scores of {len(totals)} submissions, out of {total_max:g} points.",
        "Score distribution")
    parts = auto.groupby("part", as_index=False).agg(mean=("auto_score", "mean"), max=("max_score", "max"))
    per_part = describe(alt.Chart(parts).mark_bar(color=PALETTE[2]).encode(
        x=alt.X("mean:Q", title="mean points (axis ends at the part's maximum)",
                scale=alt.Scale(domain=[0, float(parts["max"].max()) if len(parts) else 1])),
        y=alt.Y("part:N", sort=sort, title=None),
        tooltip=["part", alt.Tooltip("mean:Q", format=".2f"), "max"]),
        "Bar chart of the mean points scored on each autograded part.", "Points per part")
    auto["passed"] = auto["auto_score"] >= auto["max_score"]
    rates = auto.groupby("part", as_index=False)["passed"].mean()
    rates["pass_pct"] = 100 * rates["passed"]
    pass_rate = describe(alt.Chart(rates).mark_bar(color=PALETTE[1]).encode(
        x=alt.X("pass_pct:Q", title="submissions passing (%)", scale=alt.Scale(domain=[0, 100])),
        y=alt.Y("part:N", sort=sort, title=None), tooltip=["part", alt.Tooltip("pass_pct:Q", format=".0f")]),
        "Bar chart of the share of submissions that pass each test cell.", "Pass rate of every test")
    common = pd.DataFrame(fails.most_common(10), columns=["failure", "count"])
    if common.empty:
        common = pd.DataFrame({"failure": ["(no failures)"], "count": [0]})
    failing = describe(alt.Chart(common).mark_bar(color=PALETTE[3]).encode(
        x=alt.X("count:Q", title="test cells", axis=alt.Axis(format="d", tickMinStep=1)),
        y=alt.Y("failure:N", sort="-x", title=None, axis=alt.Axis(labelLimit=420))),
        "Bar chart of the ten most common errors that ended a test cell, with how often each occurred.",
        "Most common failures")
    return {"score_distribution": dist, "points_per_part": per_part, "pass_rate": pass_rate,
            "common_failures": failing}


def _table(rows: list[dict], columns: list[str]) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(r.get(c, '')))}</td>" for c in columns) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def write_report(course: Path, assignment: str, out: Path | None = None) -> Path:
    """Write ``index.html``, one PNG per chart and ``charts.html`` (interactive, offline)."""
    from .worker import load_config

    cfg = load_config(course, {})
    db_url = cfg.CourseDirectory.db_url or f"sqlite:///{course / 'gradebook.db'}"
    out = out or course / "grading" / assignment / "report"
    out.mkdir(parents=True, exist_ok=True)
    grades = grades_table(db_url, assignment)
    results_file = course / "grading" / assignment / "results.json"
    results = json.loads(results_file.read_text())["results"] if results_file.exists() else []
    fails = failures(course, assignment, set(grades.loc[grades.is_test, "part"]))
    figures = charts(grades, fails, part_order(course, assignment))
    sections = []
    for name, chart in figures.items():
        save_png(chart, out / f"{name}.png")
        spec = chart.to_dict()
        title = spec.get("title", name)
        sections.append(f'<section><h2>{html.escape(str(title))}</h2><img src="{name}.png" '
                        f'alt="{html.escape(spec.get("description", ""))}" width="640"></section>')
    alt.vconcat(*figures.values()).save(str(out / "charts.html"), inline=True)
    flagged = [{"student": r["student"], "status": r["status"],
                "why": "; ".join(([r["reason"]] if r.get("reason") else []) + r.get("flags", []))}
               for r in results if r.get("flags") or r["status"] != "graded"]
    graded = sum(r["status"] == "graded" for r in results)
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Grading report: {html.escape(assignment)}</title>
<style>body{{font-family:Arial,sans-serif;max-width:900px;margin:2em auto;padding:0 1em}}
table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}}</style>
</head><body>
<h1>Grading report: {html.escape(assignment)}</h1>
<p>{len(results) or grades.student.nunique()} submissions; {graded} graded, {len(results) - graded} failed,
{sum(bool(r.get('flags')) for r in results)} flagged. Interactive charts: <a href="charts.html">charts.html</a>.</p>
{''.join(sections)}
<section><h2>Flagged and failed submissions</h2>
{_table(flagged, ['student', 'status', 'why']) if flagged else '<p>None.</p>'}</section>
<section><h2>Most common failures (table)</h2>
{_table([{'failure': k, 'count': v} for k, v in fails.most_common(10)], ['failure', 'count'])}</section>
</body></html>
"""
    (out / "index.html").write_text(page)
    return out / "index.html"
