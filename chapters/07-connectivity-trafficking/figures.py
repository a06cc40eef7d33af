"""Chapter 7's plumbing for the book: prose numbers, alt texts and data tables of its figures.

The analysis stays on the chapter's page; this module only words what the
figures show (from the same data) and formats the tables behind them.
"""

from __future__ import annotations

import pandas as pd

from coursekit import data, regions
from coursekit.charts import data_table, date_labels, list_values


def _when(events: pd.DataFrame, prefix: str, fmt: str | None = None) -> str:
    """The date of the event whose label starts with ``prefix``, no more precise than the article gives it."""
    row = events[events["label"].str.startswith(prefix)].iloc[0]
    words = {"day": "%-d %B %Y", "month": "%B %Y", "year": "%Y"}[row["date_precision"]]
    return row["date"].strftime(fmt or words)


def article_numbers(events: pd.DataFrame) -> dict:
    """The numbers and dates the prose quotes from the article, read from the chapter's tables."""
    scope = data.load("ch07_transnational_scope").iloc[0]
    base = data.load("ch07_exploitation_base").iloc[0]
    shares = data.load("ch07_exploitation_shares").set_index("form")["share_pct"]
    remit = data.load("ch07_remittances")
    tjk = remit[remit["iso3"] == "TJK"].iloc[0]
    climate = data.load("ch07_climate_displacement").iloc[0]
    return {
        "treaty_when": _when(events, "Good-neighbourliness"), "summit_when": _when(events, "First EU-Central Asia"),
        "training_when": _when(events, "UNODC digital-evidence"), "media_law_when": _when(events, "Kyrgyz media"),
        "protect_start": _when(events, "EU PROTECT project starts", "%Y"),
        "protect_end": _when(events, "EU PROTECT project ends", "%Y"),
        "n_central_asia": len(regions.CENTRAL_ASIA),
        "nationalities": scope["nationalities"], "destinations": scope["destination_countries"],
        "victims": base["victims"], "victim_countries": base["countries"], "victim_year": base["year"],
        "sexual_share": shares["sexual exploitation"], "labour_share": shares["labour exploitation"],
        "remit_growth": remit.loc[remit["measure"].str.contains("growth"), "value_pct"].iloc[0],
        "tjk_remit": tjk["value_pct"], "tjk_remit_year": tjk["year"],
        "climate_people_m": climate["people"] / 1e6, "climate_year": climate["by_year"],
        "kaz_crimes": data.load("ch07_kaz_trafficking_crimes").iloc[0]["crimes"],
        "officials": data.load("ch07_officials_trained").iloc[0]["officials"],
        "conviction_base_year": data.load("ch07_convictions_trend").iloc[0]["base_year"],
    }


def corridors_alt(features: pd.DataFrame) -> str:
    corridors = features[features["kind"] == "corridor"]
    names = list(dict.fromkeys(corridors["feature"]))
    places = ", ".join(corridors["place"].str.replace(r" \(.*\)", "", regex=True))
    return ("Map of Central Asia and its neighbours. Two corridors are drawn as straight schematic lines: "
            f"{names[0]} and {names[1]}, through {places}. "
            "A green circle marks the Fergana Valley where Kyrgyzstan, Tajikistan and Uzbekistan meet.")


def corridors_table(features: pd.DataFrame):
    return data_table(
        features, "Places on the map (course's schematic; sources: Boloca 2026 for the corridor names, the 2012 blog post for the valley)",
        {"feature": "Feature", "seq": "Order", "place": "Place", "lon": "Longitude (°E)", "lat": "Latitude (°N)", "note": "Note"},
        {"lon": "{:.1f}", "lat": "{:.1f}"})


def exploitation_alt(shares: pd.DataFrame, base: pd.Series) -> str:
    forms = ", ".join(f"{r.form} {r.share_pct:.0f} percent{' (derived, not stated)' if r.derived else ''}"
                      for r in shares.itertuples())
    return ("Bar chart of the share of detected victims in Central Asia by form of exploitation, "
            f"{forms}. Based on {base['victims']} victims detected in {base['countries']} countries.")


def _yes_no(flag) -> str:
    return "yes" if flag else "no"


def exploitation_table(shares: pd.DataFrame):
    return data_table(
        shares, "Shares of detected victims by form of exploitation (Boloca 2026, endnote 7, read as UNODC GLOTIP 2024)",
        {"form": "Form", "share_pct": "Share (%)", "derived": "Derived, not stated", "note": "Note"},
        {"share_pct": "{:.0f}", "derived": _yes_no})  # whole percent, as the article and the prose write them


def withheld_table(withheld: pd.DataFrame):
    return data_table(
        withheld.assign(figure="Figure " + withheld["figure"].astype(str)),
        "Figures the article shows as images (Boloca 2026: captions and the sentences that cite them)",
        {"figure": "Figure", "shows": "What it shows", "region": "Region", "period": "Period",
         "text_gives": "What the text says", "missing": "Missing from the text"})


def remittances_alt(tjk: pd.DataFrame, article: pd.Series) -> str:
    values = "; ".join(f"{r.year}: {r.remittances_gdp_pct:.1f}" for r in tjk.itertuples())
    return (f"Line chart of Tajikistan's personal remittances as a percent of GDP, World Bank WDI, {values}. "
            f"A separate diamond marks the article's {article['value_pct']:.0f} percent for {article['year']:.0f}, "
            "a year the WDI extract does not reach.")


def remittances_table(tjk: pd.DataFrame, article: pd.Series):
    # each row at its own precision: WDI to one decimal, the article's figure as it states it (49, not 49.0)
    rows = pd.concat([tjk.assign(series="World Bank WDI (BX.TRF.PWKR.DT.GD.ZS)",
                                 shown=tjk["remittances_gdp_pct"].map("{:.1f}".format)),
                      pd.DataFrame({"series": ["Article (endnote 10: World Bank TEU 2025)"], "year": [article["year"]],
                                    "shown": [f"{article['value_pct']:g}"]})])
    return data_table(
        rows, "Tajikistan, remittances as % of GDP (World Bank WDI, CC BY 4.0; Boloca 2026, endnote 10)",
        {"series": "Series", "year": "Year", "shown": "% of GDP"}, {"year": "{:.0f}"})


def cpi_gap_alt(countries: pd.DataFrame, world: int) -> str:
    scored = countries.dropna(subset=["cpi_score"]).sort_values("cpi_score", ascending=False)
    described = ", ".join(f"{r.country} {r.cpi_score:.0f} (gap {r.gap:+.0f})" for r in scored.itertuples())
    missing = countries.loc[countries["cpi_score"].isna(), "country"].iloc[0]
    return ("Bar chart of 2025 Corruption Perceptions Index scores as the article gives them, against a dashed line at "
            f"the global average of {world}: {described}. {missing} has no bar: the article gives no score for it.")


def _score(v) -> str:
    return "–" if pd.isna(v) else f"{v:.0f}"


def cpi_gap_table(countries: pd.DataFrame, world: int):
    return data_table(
        countries, "CPI 2025 as quoted in the article (Boloca 2026, endnote 12: Transparency International)",
        {"country": "Country", "cpi_score": "CPI 2025", "gap": f"Gap to global average ({world})", "note": "Note"},
        {"cpi_score": _score, "gap": lambda v: "–" if pd.isna(v) else f"{v:+.0f}"})


def cpi_trend_alt(ca: pd.DataFrame, mean: pd.DataFrame, quoted: pd.DataFrame, world: int, missing: str) -> str:
    trend = "; ".join(f"{g['country'].iloc[0]} from {g['cpi_score'].iloc[0]:.0f} in {g['year'].iloc[0]} "
                      f"to {g['cpi_score'].iloc[-1]:.0f} in {g['year'].iloc[-1]}"
                      for _, g in ca.sort_values("year").groupby("iso3"))
    return (f"Line chart of CPI scores of the five Central Asian countries, Transparency International: {trend}. "
            f"A dashed grey line shows the mean of all countries, between {mean['cpi_score'].min():.1f} and "
            f"{mean['cpi_score'].max():.1f}. Diamonds at 2025 show the {len(quoted)} scores the article quotes and, "
            f"in grey, its global average of {world}; {missing} has no 2025 diamond because the article gives no score.")


def cpi_trend_table(ca: pd.DataFrame, mean: pd.DataFrame):
    wide = ca.pivot(index="year", columns="country", values="cpi_score").reset_index()
    wide = wide.merge(mean[["year", "cpi_score"]].rename(columns={"cpi_score": "Mean of all countries"}), on="year")
    scores = {c: "{:.0f}" for c in wide.columns if c not in ("year", "Mean of all countries")}  # TI's scores are integers
    return data_table(
        wide.rename(columns={"year": "Year"}),
        "CPI scores 2012-2024 (Transparency International, CC BY-ND 4.0; the mean is computed by us from TI's file)",
        formats={**scores, "Mean of all countries": "{:.1f}", "Year": "{}"})


def threshold_alt(quoted: pd.DataFrame, world: int) -> str:
    return (f"Interactive bar chart with a slider for a CPI threshold, starting at the global average of {world}. "
            f"Bars for {', '.join(quoted['country'])} are solid when the score is below the threshold and faded "
            "otherwise; a line marks the threshold and a heading counts the scores below it. "
            "Kyrgyzstan is not shown: the article gives no score.")


def threshold_table(countries: pd.DataFrame):
    return data_table(
        countries, "Scores behind the threshold chart: CPI 2025 as quoted in the article (Boloca 2026, endnote 12)",
        {"country": "Country", "cpi_score": "CPI 2025", "note": "Note"}, {"cpi_score": _score})


def legal_table(legal: pd.DataFrame):
    return data_table(
        legal, "Legal framework against trafficking as the article states it (Boloca 2026; no endnote)",
        {"country": "Country", "trafficking_criminalised": "Trafficking a crime", "national_action_plan": "National action plan",
         "palermo_protocol": "Palermo Protocol"},
        {c: _yes_no for c in ["trafficking_criminalised", "national_action_plan", "palermo_protocol"]})


def timeline_alt(events: pd.DataFrame) -> str:
    ordered = events.sort_values("date")
    steps = "; ".join(date_labels(ordered["date"], ordered["date_precision"]) + ", " + ordered["event"])
    return f"Timeline of the {len(events)} events the article names: {steps}."


def timeline_table(events: pd.DataFrame):
    return data_table(
        events.assign(when=date_labels(events["date"], events["date_precision"])),
        "Events named in the article (Boloca 2026; endnotes as listed)",
        {"when": "Date", "event": "Event", "actor": "Actor", "endnote": "Endnote", "note": "Note"})


def claims_table(claims: pd.DataFrame):
    return data_table(
        claims, "Claims of the 2012 post (our paraphrase) against Boloca (2026); the judgements are the course's reading",
        {"topic": "Topic", "blog_claim": "2012 post claims", "blog_evidence": "Its evidence",
         "article_position": "2026 article", "article_evidence": "What the article says"})
