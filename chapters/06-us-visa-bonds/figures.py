"""Chapter 6's plumbing for the book: alt text and data tables of its figures.

The analysis stays on the chapter's page; this module only words what the
figures show (from the same data) and formats the tables behind them.
"""

from __future__ import annotations

import pandas as pd

from coursekit.charts import data_table, list_values


def five_countries_alt(five: pd.DataFrame) -> str:
    added = five.dropna(subset=["date_added"]).sort_values("date_added")
    added = added.assign(on=[f"on {d.day} {d:%B %Y}" for d in added["date_added"]])  # "1 January", not "01 January", aloud
    refused = five.dropna(subset=["refusal_rate_pct"]).sort_values("refusal_rate_pct", ascending=False)
    return ("Two panels. Top: dates the bond countries were added: "
            f"{list_values(added, 'country', 'on', '{}')}. "
            "Bottom: refusal rates in fiscal year 2024 of the countries without a bond: "
            f"{list_values(refused, 'country', 'refusal_rate_pct', '{:.2f}', ' percent')}.")


def five_countries_table(five: pd.DataFrame):
    shown = five.assign(status=five["bond_required"].map({True: "bond required", False: "no bond"}))
    return data_table(
        shown, "The five Central Asian countries and the visa bond (Sobko 2026: dates endnote 5, refusal rates endnote 6)",
        {"country": "Country", "status": "Status", "date_added": "Date added", "refusal_rate_pct": "Refusal rate FY2024 (%)"},
        {"date_added": lambda d: "–" if pd.isna(d) else f"{d:%d %b %Y}", "refusal_rate_pct": "{:.2f}"})


def raw_number_alt(ca: pd.DataFrame, overstays: pd.DataFrame) -> str:
    rates = ca.sort_values("stated_rate_pct", ascending=False)
    counts = overstays.sort_values("overstays", ascending=False)
    return ("Two bar charts. Top: stated overstay rates in percent, "
            f"{list_values(rates, 'country', 'stated_rate_pct', '{:.2f}')}. "
            f"Bottom: overstays in people, {list_values(counts, 'country', 'overstays')}: "
            "the Central Asian bars are barely visible.")


def raw_number_table(overstays: pd.DataFrame):
    return data_table(
        overstays, "B-1/B-2 overstays, FY2024, as the article states them (Sobko 2026, endnotes 8 and 9)",
        {"country": "Country", "overstays": "Overstays", "visas_issued": "Visas issued", "stated_rate_pct": "Stated rate (%)"},
        {"overstays": "{:,}", "visas_issued": "{:,.0f}", "stated_rate_pct": "{:.2f}"})


def recomputed_alt(ca: pd.DataFrame) -> str:
    pairs = " ".join(f"{r.country}: {r.stated_rate_pct:.2f} stated, {r.recomputed_rate_pct:.2f} recomputed."
                     for r in ca.itertuples())
    return ("Paired bars for three countries comparing the stated overstay rate with overstays divided by "
            f"visas issued. {pairs}")


def recomputed_table(ca: pd.DataFrame):
    return data_table(
        ca, "Stated and recomputed overstay rates and the denominator each stated rate implies",
        {"country": "Country", "overstays": "Overstays", "visas_issued": "Visas issued", "stated_rate_pct": "Stated rate (%)",
         "recomputed_rate_pct": "Overstays ÷ visas (%)", "implied_denominator": "Implied denominator"},
        {"overstays": "{:,}", "visas_issued": "{:,}", "stated_rate_pct": "{:.2f}", "recomputed_rate_pct": "{:.2f}",
         "implied_denominator": "{:,.0f}"})


def bond_years_alt(levels: pd.DataFrame, income: int) -> str:
    bonds = levels.assign(usd=levels["bond_usd"].map("{:,} dollars is".format))
    return (f"Bars of the {len(levels)} bond levels expressed in years of Tajikistan's per capita income of "
            f"{income:,} dollars: {list_values(bonds, 'usd', 'years_of_income', '{:.2f}', ' years')}; "
            "a dashed line marks the article's 'nearly nine years', just short of the end of the longest bar, the largest bond.")


def bond_years_table(levels: pd.DataFrame):
    return data_table(
        levels.assign(label="USD " + levels["bond_usd"].map("{:,}".format)),
        "Bond levels in years of Tajikistan's per capita income (Sobko 2026: bonds endnote 7; the income figure has no endnote)",
        {"label": "Bond", "years_of_income": "Years of income"}, {"years_of_income": "{:.2f}"})


def indexed_alt(gni: pd.DataFrame, flat_maximum: int) -> str:
    ordered = gni.sort_values("gni_per_capita_usd", ascending=False)
    return ("Interactive bar chart. A slider sets the bond as a number of years of GNI per capita; bars show the "
            f"resulting bond for {', '.join(ordered['country'])}, with a dashed line at the flat {flat_maximum:,} "
            "dollar maximum. At one year the bond equals GNI per capita: "
            f"{list_values(ordered, 'country', 'gni_per_capita_usd', '{:,}', ' dollars')}.")


def indexed_table(gni: pd.DataFrame):
    return data_table(
        gni, "GNI per capita, Atlas method, current USD (World Bank WDI, CC BY 4.0)",
        {"country": "Country", "year": "Year", "gni_per_capita_usd": "GNI per capita (USD)"},
        {"gni_per_capita_usd": "{:,}"})


def timeline_alt(events: pd.DataFrame) -> str:
    steps = "; ".join(f"{r.date.day} {r.date:%B %Y}, {r.event}" for r in events.sort_values("date").itertuples())
    return f"Timeline of {len(events)} events: {steps}."


def timeline_table(events: pd.DataFrame):
    return data_table(
        events, "Events named in the article (Sobko 2026, endnotes 4, 5, 11, 12, 15)",
        {"date": "Date", "event": "Event", "actor": "Actor", "endnote": "Endnote"}, {"date": "{:%d %b %Y}"})
