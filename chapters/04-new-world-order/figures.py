"""Chapter 4's plumbing for the book: alt texts, data tables and the numbers its prose quotes.

The analysis (ranks, shares) stays on the chapter's page; this module only words what the figures
show, from the same data, formats the tables behind them and gathers the numbers the text glues.
"""

from __future__ import annotations

import pandas as pd

from coursekit.charts import data_table, list_values


def _rank_words(r) -> str:
    return f"{int(r):d}" if pd.notna(r) else "not ranked"


# --- The claims -----------------------------------------------------------------------------------

def claims_alt(checked: pd.DataFrame) -> str:
    parts = [f"{r.check}: the article says {r.stated_rank}, the data give {_rank_words(r.rank)}"
             f"{' (tied)' if r.tied else ''}" for r in checked.itertuples()]
    return ("Dot chart of each mineral rank the article gives beside the rank in the data, one row per measure, "
            "year and source. " + "; ".join(parts) + ".")


def claims_table(checked: pd.DataFrame):
    return data_table(checked, "Each rank the article gives, against the data (rank among countries listed with a "
                               "number; ties share the best rank)",
                      {"claim_country": "Country", "check": "Measure, edition and year", "stated_rank": "Article's rank",
                       "rank": "Rank in the data", "tied": "Tied", "n_ranked": "Countries ranked", "value": "Value",
                       "unit": "Unit"}, {"value": "{:,.0f}", "rank": "{:.0f}"})


# --- Uranium --------------------------------------------------------------------------------------

def uranium_alt(u: pd.DataFrame, world: float) -> str:
    u = u.sort_values("rank", kind="stable")  # largest first, as the bars are drawn
    return (f"Bar chart of uranium mine production in 2024, tonnes of uranium, with each country's share of the world "
            f"total of {world:,.0f} tonnes: " + list_values(u, "country", "share_pct", "{:.1f}", " percent") + ".")


def uranium_table(u: pd.DataFrame):
    return data_table(u.sort_values("rank", kind="stable"), "Uranium mine production, 2024 (tonnes U; World Nuclear Association, 'est.' marked "
                         "estimated), with the share of the world total (our arithmetic)",
                      {"country": "Country", "value": "Production (tU)", "estimated": "Estimated",
                       "share_pct": "Share of world (%)", "rank": "Rank"}, {"value": "{:,.0f}", "share_pct": "{:.1f}"})


# --- Central Asia's top-ten places ----------------------------------------------------------------

def top_ten_alt(top: pd.DataFrame) -> str:
    parts = [f"{r.country}, {r.commodity} {r.what}: {r.rank} of {r.n_ranked}" for r in top.itertuples()]
    return (f"Dot chart of the {len(top)} places in the top ten that the five Central Asian states hold in the USGS "
            "world tables of MCS 2025: " + "; ".join(parts) + ".")


def top_ten_table(top: pd.DataFrame):
    return data_table(top, "Every top-ten place of a Central Asian state in the USGS MCS 2025 world tables "
                           "(production 2024e or reserves 2024; rank among countries listed with a number)",
                      {"country": "Country", "commodity": "Commodity", "what": "Measure", "rank": "Rank",
                       "n_ranked": "Countries ranked", "leader": "Leader"})


# --- Reactions ------------------------------------------------------------------------------------

def reactions_alt(reactions: pd.DataFrame) -> str:
    groups = reactions.groupby("reaction", sort=False)["actor"].apply(lambda s: ", ".join(s))
    return ("Grid of who reacted how to the US operation in Venezuela of 3 January 2026, as the article reports it: "
            + "; ".join(f"{reaction}: {actors}" for reaction, actors in groups.items())
            + ". Each cell names the endnote behind it.")


def reactions_table(reactions: pd.DataFrame):
    return data_table(reactions, "Reactions as the article reports them, with the endnote behind each",
                      {"actor": "Actor", "reaction": "Reaction (our words)", "stated_words": "The article's words",
                       "endnote": "Endnote", "note": "Note"})


# --- Timeline -------------------------------------------------------------------------------------

def timeline_alt(events: pd.DataFrame) -> str:
    from coursekit.charts import date_labels

    when = date_labels(events["date"], events["date_precision"])
    return ("Timeline of the US-Central Asia events of 2025 and 2026 the article names, each dated no more precisely "
            "than the article: " + "; ".join(f"{w}: {e}" for w, e in zip(when, events["label"])) + ".")


def timeline_table(events: pd.DataFrame):
    return data_table(events, "Events as the article dates them (month- and year-only dates shown as such)",
                      {"date_as_stated": "Date as stated", "date_precision": "Known to", "event": "Event",
                       "endnote": "Endnote", "note": "Note"})


# --- Explorer -------------------------------------------------------------------------------------

def explorer_alt(top: pd.DataFrame) -> str:
    parts = []
    for mineral, rows in top.groupby("mineral", sort=True):
        ca = rows[rows["central_asia"] == "yes"]
        words = ", ".join(f"{r.country} {r.rank}" for r in ca.itertuples()) or "no Central Asian state listed"
        parts.append(f"{mineral} (leader {rows.iloc[0]['country']}; {words})")
    return ("Interactive bar chart: a menu chooses a mineral and the bars show the top producers' shares of world "
            "production, Central Asian states highlighted. " + "; ".join(parts) + ".")


def explorer_table(top: pd.DataFrame):
    return data_table(top, "Top ten producers of each mineral and every Central Asian producer, share of world production",
                      {"mineral": "Mineral", "measure": "Measure", "edition": "Source", "year": "Year",
                       "rank": "Rank", "country": "Country", "share_pct": "Share of world (%)"}, {"share_pct": "{:.1f}"})


# --- Prose numbers --------------------------------------------------------------------------------

def numbers(minerals: pd.DataFrame, ranks: pd.DataFrame, claims: pd.DataFrame) -> dict:
    def value(mineral, measure, edition, year, country):
        rows = minerals[(minerals["mineral"] == mineral) & minerals["measure"].str.startswith(measure)
                        & (minerals["edition"] == edition) & (minerals["year"] == year) & (minerals["country"] == country)]
        return float(rows["value"].iloc[0])

    def rank(mineral, measure, edition, year, country):
        rows = ranks[(ranks["mineral"] == mineral) & ranks["measure"].str.startswith(measure)
                     & (ranks["edition"] == edition) & (ranks["year"] == year) & (ranks["country"] == country)]
        return int(rows["rank"].iloc[0])

    kaz_u, world_u = value("uranium", "mine", "WNA", 2024, "Kazakhstan"), value("uranium", "mine", "WNA", 2024, "World total")
    return {
        "kaz_u_2024": kaz_u, "world_u_2024": world_u, "kaz_u_share": 100 * kaz_u / world_u,
        "kaz_u_2022": value("uranium", "mine", "WNA", 2022, "Kazakhstan"),
        "kaz_ti_2024e": value("titanium", "sponge metal production", "MCS 2025", 2024, "Kazakhstan"),
        "sau_ti_2024e": value("titanium", "sponge metal production", "MCS 2025", 2024, "Saudi Arabia"),
        "kaz_ti_rank_2023": rank("titanium", "sponge metal production", "MCS 2025", 2023, "Kazakhstan"),
        "kaz_ti_rank_2024e": rank("titanium", "sponge metal production", "MCS 2025", 2024, "Kazakhstan"),
        "kaz_ti_rank_26": rank("titanium", "sponge metal production", "MCS 2026", 2024, "Kazakhstan"),
        "kaz_zn_rank": rank("zinc", "mine", "MCS 2025", 2024, "Kazakhstan"),
        "kaz_zn_rank_25e": rank("zinc", "mine", "MCS 2026", 2025, "Kazakhstan"),
        "kaz_au_res": value("gold", "reserves", "MCS 2025", 2024, "Kazakhstan"),
        "uzb_au_res": value("gold", "reserves", "MCS 2025", 2024, "Uzbekistan"),
        "uzb_au_res_26": value("gold", "reserves", "MCS 2026", 2025, "Uzbekistan"),
        "kaz_au_rank_26": rank("gold", "reserves", "MCS 2026", 2025, "Kazakhstan"),
        "uzb_au_rank_26": rank("gold", "reserves", "MCS 2026", 2025, "Uzbekistan"),
        "other_au_res": value("gold", "reserves", "MCS 2025", 2024, "Other countries"),
        "tjk_sb_2024e": value("antimony", "mine", "MCS 2025", 2024, "Tajikistan"),
        "world_sb_2024e": value("antimony", "mine", "MCS 2025", 2024, "World total (rounded)"),
        "tjk_sb_rank_26": rank("antimony", "mine", "MCS 2026", 2024, "Tajikistan"),
        "kgz_sb_res": value("antimony", "reserves", "MCS 2025", 2024, "Kyrgyzstan"),
        "kgz_sb_res_rank": rank("antimony", "reserves", "MCS 2025", 2024, "Kyrgyzstan"),
        "kaz_w_2025e": value("tungsten", "mine", "MCS 2026", 2025, "Kazakhstan"),
        "years_order": int(claims.loc["rules_order_years", "stated_value"]),
    }
