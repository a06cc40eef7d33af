"""Chapter 1's plumbing for the book: alt text and data tables of its figures.

The analysis stays on the chapter's page; this module only words what the
figures show (from the same data) and formats the tables behind them.
"""

from __future__ import annotations

import pandas as pd

from coursekit.charts import data_table, date_labels, list_values

_CITE_ARTICLE = "Boloca 2026"


def _when(frame: pd.DataFrame) -> pd.Series:
    return date_labels(frame["date"], frame["date_precision"])


def events_alt(events: pd.DataFrame) -> str:
    dated = events.dropna(subset=["date"]).sort_values("date")
    steps = "; ".join(f"{w}, {e}" for w, e in zip(_when(dated), dated["event"]))
    return (f"Timeline of {len(dated)} dated events, each drawn no more precisely than its source dates it: {steps}. "
            f"{len(events) - len(dated)} event named by the article has no date and is not drawn.")


def events_table(events: pd.DataFrame):
    shown = events.assign(when=lambda d: [("no date given" if pd.isna(x) else w) for x, w in
                                          zip(d["date"], date_labels(d["date"].fillna(pd.Timestamp("1900-01-01")),
                                                                     d["date_precision"].fillna("year")))])
    return data_table(shown, f"Events of the argument and who dates them ({_CITE_ARTICLE}; outside rows: their publisher)",
                      {"when": "Date", "event": "Event", "date_as_stated": "As stated", "stated_by": "Dated by",
                       "endnote": "Endnote"}, {"endnote": lambda n: "–" if pd.isna(n) else f"{n}"})


def agreements_alt(stages: pd.DataFrame) -> str:
    parts = []
    for country, rows in stages.sort_values("date").groupby("country", sort=False):
        steps = ", ".join(f"{s} {w} ({b})" for s, w, b in zip(rows["stage"], _when(rows), rows["stated_by"]))
        parts.append(f"{country}: {steps}")
    return (f"Timeline of {len(stages)} stages of the EU's partnership agreements with four Central Asian states, "
            "each drawn no more precisely than its source dates it. " + ". ".join(parts) + ".")


def agreements_table(stages: pd.DataFrame):
    shown = stages.sort_values(["country", "date"]).assign(when=lambda d: _when(d))
    return data_table(shown, f"EPCA stages: as the article states them, the day endnote 9 gives, and outside reports ({_CITE_ARTICLE})",
                      {"country": "Country", "stage": "Stage", "when": "Date", "stated_by": "Dated by", "source": "Source key"})


def grid_alt(grid: pd.DataFrame) -> str:
    parts = []
    for country, rows in grid.groupby("country", sort=False):
        said = [t if s == "ratified" else s for t, s in zip(rows["cell"], rows["status"])]
        cells = ", ".join(f"{c}: {t}" + (f" ({r})" if r else "") for c, t, r in zip(rows["convention"], said, rows["record"]))
        parts.append(f"{country}: {cells}")
    return ("Grid of five countries by four ILO conventions. Each cell gives the ratification year or status and, "
            "where found, the supervisory record (CAS: Conference Committee individual cases; CEACR: Committee of Experts comments). " + ". ".join(parts) + ".")


def grid_table(grid: pd.DataFrame):
    return data_table(grid, "Ratification of four ILO conventions and the supervisory record found (ILO NORMLEX and others; see data/ch01_ratifications.csv)",
                      {"country": "Country", "convention": "Convention", "status": "Status", "cell": "Year or note",
                       "cas": "Conference Committee cases", "ceacr": "Committee of Experts comments", "record": "Record shown"})


def conventions_table(conventions: pd.DataFrame):
    return data_table(conventions, "The conventions the article names and the GSP+ list (Regulation (EU) No 978/2012, Annex VIII)",
                      {"convention": "Convention", "name": "Name", "article_says": "The article", "in_gsp_plus_list": "Among the 27 of GSP+?",
                       "gsp_evidence": "Evidence"})


def contractors_alt(boxes: pd.DataFrame, share: float, implied: float) -> str:
    counts = boxes["who"].value_counts()
    return (f"{len(boxes)} squares, one per contractor: {list_values(counts.reset_index(), 'who', 'count', '{}')}. "
            f"{counts.get('company from China', 0)} out of {implied:.2f}, the total that {share:.0f} percent implies, rounded to {len(boxes)}. "
            "The likely base is contractors named in publicly reported allegations from January 2016 to March 2023, not all contractors.")


def contractors_table(claims: pd.DataFrame, implied: float, fits: list[int]):
    rows = pd.DataFrame({
        "what": ["Companies from China (article, endnote 22)", "Their share (article, endnote 22)",
                 "Implied total: 8 ÷ 0.42", "Totals for which 8 rounds to 42%"],
        "value": [f"{claims.loc['chinese_contractors', 'value']:.0f}", f"{claims.loc['chinese_contractor_share', 'value']:.0f}%",
                  f"{implied:.2f}", ", ".join(map(str, fits))]})
    return data_table(rows, "The 42% claim and the base it implies (our arithmetic)", {"what": "Quantity", "value": "Value"})


def exports_alt(totals: pd.DataFrame) -> str:
    first, last = totals.iloc[0], totals.iloc[-1]
    peak_before = totals[totals["year"] <= 2021].sort_values("eur_bn").iloc[-1]
    return (f"Interactive stacked bar chart of EU27 exports to the five Central Asian states, {int(first.year)} to {int(last.year)}, "
            f"in billion euro. A checkbox leaves Kyrgyzstan out. With all five: {first.eur_bn:.1f} in {int(first.year)}, "
            f"at most {peak_before.eur_bn:.1f} ({int(peak_before.year)}) up to 2021, then "
            f"{list_values(totals[totals['year'] > 2021], 'year', 'eur_bn', '{:.1f}')}.")


def exports_table(wide: pd.DataFrame):
    return data_table(wide.reset_index(), "EU27 exports by partner, EUR billion (Eurostat Comext)",
                      None, {c: "{:.2f}" for c in wide.columns})


def shares_alt(shares: pd.DataFrame) -> str:
    parts = []
    for country, rows in shares.groupby("country", sort=False):
        parts.append(f"{country}: {list_values(rows, 'partner', 'share_pct', '{:.1f}', ' percent')}")
    return ("Grouped bars of partners' shares in each country's imports in 2023, from its own statistics. "
            + "; ".join(parts) + ". No comparable data for Tajikistan and Turkmenistan.")


def shares_table(shares: pd.DataFrame):
    return data_table(shares, "Shares of imports, 2023, from the reporting country's statistics (computed from data/ch01_imports_by_partner.csv)",
                      {"country": "Reporting country", "partner": "Partner", "share_pct": "Share of imports (%)"},
                      {"share_pct": "{:.1f}"})


def mirror_alt(mirror: pd.DataFrame) -> str:
    eu = mirror[mirror["record"] == "EU's exports to Kyrgyzstan (Eurostat)"]
    kg = mirror[mirror["record"] != "EU's exports to Kyrgyzstan (Eurostat)"]
    return ("Two lines, 2019 to 2023, billion euro. EU-reported exports to Kyrgyzstan: "
            f"{list_values(eu, 'year', 'eur_bn', '{:.2f}')}. Kyrgyz-reported imports from the EU: "
            f"{list_values(kg, 'year', 'eur_bn', '{:.2f}')}.")


def mirror_table(mirror: pd.DataFrame):
    wide = mirror.pivot(index="year", columns="record", values="eur_bn").reset_index()
    return data_table(wide, "The same flow recorded twice, EUR billion (Eurostat; National Statistical Committee of the Kyrgyz Republic, converted to euro by a third party)",
                      None, {c: "{:.2f}" for c in wide.columns if c != "year"})


def models_table(models: pd.DataFrame):
    wide = models.pivot(index="aspect", columns="actor", values="summary")
    order = ["what it offers", "strings attached", "how it works", "weak spots the article names", "how governments respond"]
    wide = wide.loc[order, ["EU", "China", "Russia"]].reset_index()
    return data_table(wide, f"Three models of connectivity as the article describes them (our paraphrase of {_CITE_ARTICLE})",
                      {"aspect": "Aspect", "EU": "EU", "China": "China", "Russia": "Russia"})


def recommendations_table(recs: pd.DataFrame):
    return data_table(recs, f"The article's recommendations, in our words ({_CITE_ARTICLE})",
                      {"addressee": "To", "number": "No.", "label": "Recommendation", "summary": "What it asks for"})
