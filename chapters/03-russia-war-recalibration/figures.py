"""Chapter 3's plumbing for the book: alt texts, data tables and the numbers its prose quotes.

The analysis stays on the chapter's page; this module only words what the
figures show (from the same data), formats the tables behind them and
gathers the numbers the text glues.
"""

from __future__ import annotations

import pandas as pd

from coursekit.charts import data_table, list_values

SIDES = {"state": "reported by the state", "partner": "reported by China and Russia"}


def _names(codes) -> str:
    from coursekit import regions

    names = [regions.name(c) for c in codes]
    if not names:
        return "none"
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


# --- The article's numbers ------------------------------------------------------------------------

def claim_numbers(claims: pd.DataFrame, checks: pd.DataFrame) -> dict:
    """The article's figures and the outside figures that check the round ones."""
    value = claims["value"]
    cpc, low, high = (checks.loc["cpc_kazakh_oil_2022", "value"], checks.loc["kaz_oil_exports_annual", "value"],
                      checks.loc["kaz_oil_exports_annual", "value_high"])
    return {"growth_stated": float(value["russia_growth_2024_pct"]), "csto_troops": int(value["csto_troops_kaz_2022"]),
            "tjk_troops": int(value["russian_troops_tjk"]), "cpc_share": int(value["cpc_share_kaz_oil_exports_pct"]),
            "presence_states": int(value["states_with_russian_military_presence"]),
            "n_states": int(value["central_asian_states"]),
            "cpc_mt": float(cpc), "exports_low_mt": int(low), "exports_high_mt": int(high),
            "cpc_share_high": float(100 * cpc / low), "cpc_share_low": float(100 * cpc / high),
            "troops_2015": int(checks.loc["troops_201st_2015", "value"]),
            "troops_2019": int(checks.loc["troops_201st_2019", "value"]),
            "base_opened": int(checks.loc["base_201st_opened", "value"]),
            "lease_end": int(checks.loc["base_201st_lease_end", "value"]),
            "kaz_china_2023": float(checks.loc["kaz_trade_share_china_2023", "value"]),
            "kaz_russia_2023": float(checks.loc["kaz_trade_share_russia_2023", "value"]),
            "tjk_russia_2023": float(checks.loc["tjk_trade_share_russia_2023", "value"])}


# --- Memberships ----------------------------------------------------------------------------------

def memberships_alt(grid: pd.DataFrame) -> str:
    parts = []
    for org in ["CSTO", "EAEU", "CIS", "SCO"]:
        rows = grid[grid["organisation"] == org]
        parts.append(f"{org}: " + "; ".join(f"{r.country} {r.status}{(' ' + r.years) if r.years else ''}"
                                            for r in rows.itertuples()))
    return ("Grid of the five Central Asian states against four organisations, each cell coloured by status. "
            + ". ".join(parts) + ". CSTO, CIS and SCO data end in 2014, EAEU data in 2021.")


def memberships_table(grid: pd.DataFrame):
    return data_table(
        grid, "Memberships at the end of each source (COW IGO v3 to 2014; EAEU treaties and REST Countries to 2021), "
              "with what the article says",
        {"country": "State", "organisation": "Organisation", "status": "Status", "years": "Years",
         "data_end": "Data end", "article_says": "The article says", "note": "Note"})


# --- Facilities -----------------------------------------------------------------------------------

def facilities_alt(sites: pd.DataFrame, troops: float) -> str:
    def one(r):
        return f"{r.facility} in {r.country} ({r.where})"
    return ("Map of Central Asia with Russia's facilities: " + "; ".join(one(r) for r in sites.itertuples())
            + f". The article states that roughly {troops:,.0f} Russian troops are in Tajikistan. Kazakhstan, "
            "Kyrgyzstan and Tajikistan have a facility the article names; Turkmenistan and Uzbekistan have none on the map.")


def facilities_table(sites: pd.DataFrame):
    return data_table(
        sites, "Russian facilities on the map: coordinates from open map repositories (see Source), with how far to "
               "trust each point",
        {"facility": "Facility", "country": "State", "kind": "Kind", "lat": "Latitude (°N)", "lon": "Longitude (°E)",
         "where": "Location", "named_in_article": "Named in the article", "status_note": "Status", "source": "Source"},
        {"lat": "{:.2f}", "lon": "{:.2f}"})


# --- Trade ----------------------------------------------------------------------------------------

def trade_numbers(ahead: pd.DataFrame, crossovers: pd.DataFrame, kgz: pd.DataFrame) -> dict:
    """``ahead``: China ahead (bool) by (iso3, side, year); ``crossovers``: year or NA by iso3 x side."""
    out = {}
    for year in (2019, 2020):
        for side in ("state", "partner"):
            codes = sorted(ahead.loc[(ahead["year"] == year) & (ahead["side"] == side) & ahead["china_ahead"], "iso3"])
            out[f"n_ahead_{side}_{year}"] = len(codes)
            out[f"names_ahead_{side}_{year}"] = _names(codes)
    for code, row in crossovers.iterrows():
        for side in ("state", "partner"):
            out[f"cross_{side}_{code}"] = "none" if pd.isna(row[side]) else int(row[side])
    kgz_years = kgz.index
    out.update({"kgz_gap_first": int(kgz_years.min()), "kgz_gap_last": int(kgz_years.max()),
                "kgz_ratio_low": float(kgz["ratio"].min()), "kgz_ratio_high": float(kgz["ratio"].max())})
    return out


def shares_alt(shares: pd.DataFrame, crossovers: pd.DataFrame) -> str:
    def one(code, name):
        c = crossovers.loc[code]
        def w(side):
            return "no crossover" if pd.isna(c[side]) else f"crossover {int(c[side])}"
        last = shares[(shares["iso3"] == code) & (shares["year"] == 2020)].set_index("side")["china_share_pct"]
        return (f"{name}: in 2020 China's share {last.get(SIDES['state'], float('nan')):.0f} percent as the state "
                f"reports it ({w('state')}), {last.get(SIDES['partner'], float('nan')):.0f} percent as China and "
                f"Russia report it ({w('partner')})")
    names = shares.drop_duplicates("iso3").set_index("iso3")["country"]
    return ("Five small line charts, one per state, of China's share of the state's goods trade with China and Russia "
            "together, 2000 to 2020, with a line at 50 percent above which China is ahead; a solid line for the "
            "state's own figures and a dashed line for China's and Russia's. "
            + ". ".join(one(c, n) for c, n in names.items()) + ".")


def shares_table(shares: pd.DataFrame):
    wide = shares.pivot_table(index=["country", "year"], columns="side", values="china_share_pct").reset_index()
    wide.columns.name = None
    return data_table(
        wide, "China's share (%) of each state's goods trade with China and Russia together, on each side of the "
              "statistics (IMF DOTS, our arithmetic)",
        {"country": "State", "year": "Year", SIDES["state"]: "Reported by the state (%)",
         SIDES["partner"]: "Reported by China and Russia (%)"},
        {SIDES["state"]: "{:.1f}", SIDES["partner"]: "{:.1f}"})


def recount_alt(wide: pd.DataFrame) -> str:
    c = wide.groupby(["side", "year"])["china_ahead"].sum()
    return ("Interactive bar chart with a choice of side and a year slider: China's share of each state's trade with "
            "China and Russia in the chosen year, with a line at 50 percent and a headline counting the states "
            f"where China is ahead. In 2020 the count is {c[('state', 2020)]} of 5 as the states report it and "
            f"{c[('partner', 2020)]} of 5 as China and Russia report it; in 2019, {c[('state', 2019)]} and "
            f"{c[('partner', 2019)]}.")


# --- Growth vintages ------------------------------------------------------------------------------

def growth_numbers(vintages: pd.DataFrame, stated: float) -> dict:
    imf = vintages[vintages["publisher"] == "IMF"].sort_values("published")
    first = imf.iloc[0]
    same = imf[imf["growth_2024_pct"] == stated]
    latest = imf.iloc[-1]
    by = vintages.set_index(["publisher", "vintage"])["growth_2024_pct"]
    return {"imf_first": float(first["growth_2024_pct"]), "imf_first_vintage": first["vintage"],
            "stated_vintage": same["vintage"].iloc[0], "stated_vintage_2": same["vintage"].iloc[-1],
            "imf_latest": float(latest["growth_2024_pct"]), "imf_latest_vintage": latest["vintage"],
            "article_error": float(latest["growth_2024_pct"] - stated),
            "imf_oct24": float(by[("IMF", "WEO October 2024")]),
            "rosstat_first": float(by[("Rosstat", "first annual estimate")]),
            "wb_jan25": float(by[("World Bank", "GEP January 2025")]),
            "wb_jun24": float(by[("World Bank", "GEP June 2024")])}


def vintages_alt(v: pd.DataFrame, stated: float) -> str:
    imf = v[v["publisher"] == "IMF"].sort_values("published")
    others = v[v["publisher"] != "IMF"].sort_values("published")
    others = others.assign(release=others["publisher"] + " " + others["vintage"])  # name whose figure it is
    return (f"Dot chart of Russia's 2024 growth by release date, with a line at {stated} percent, the article's "
            "figure. IMF releases in order: " + list_values(imf, "vintage", "growth_2024_pct", "{:.1f}", " percent")
            + ". Other publishers: " + list_values(others, "release", "growth_2024_pct", "{:.1f}", " percent")
            + ". Hollow points are forecasts, filled points estimates.")


def vintages_table(v: pd.DataFrame):
    return data_table(
        v, "Russia's real GDP growth in 2024, by publisher and release (read from press reports; see the trust column)",
        {"publisher": "Publisher", "vintage": "Release", "published_label": "Published", "growth_2024_pct": "Growth 2024 (%)",
         "status": "Status", "trust": "Trust"},
        {"growth_2024_pct": "{:.1f}"})


# --- Tiers ----------------------------------------------------------------------------------------

def tiers_alt(t: pd.DataFrame, year: int) -> str:
    def one(r):
        value = "not reported" if pd.isna(r.remittances_gdp_pct) else f"{r.remittances_gdp_pct:.1f} percent of GDP"
        return f"{r.country} ({r.tier}): remittances {value}; Russian facility named {'yes' if r.russian_facility_named else 'no'}"
    return (f"Bar chart, our illustration of the article's two tiers, of personal remittances received in {year} as a "
            "percent of GDP: " + "; ".join(one(r) for r in t.itertuples()) + ".")


def tiers_numbers(t: pd.DataFrame) -> dict:
    return {f"rem_{r.iso3}": float(r.remittances_gdp_pct) for r in t.dropna(subset=["remittances_gdp_pct"]).itertuples()}


def tiers_table(t: pd.DataFrame, year: int):
    return data_table(
        t, f"The article's tiers and Russian facilities (Pagano 2026), with remittances received in {year}, % of GDP "
           "(World Bank WDI, all countries of origin)",
        {"country": "State", "tier": "Tier (article)", "remittances_gdp_pct": f"Remittances {year} (% of GDP)",
         "facility": "Russian facility named (article)"},
        {"remittances_gdp_pct": "{:.1f}"})


# --- Timeline -------------------------------------------------------------------------------------

def timeline_alt(events: pd.DataFrame) -> str:
    from coursekit.charts import date_labels, timeline_order

    ordered = timeline_order(events, precision="date_precision")
    when = date_labels(ordered["date"], ordered["date_precision"])
    return (f"Timeline of {len(events)} events the article dates, from {when.iloc[0]} to {when.iloc[-1]}: "
            + "; ".join(f"{w}, {e}" for w, e in zip(when, ordered["label"]))
            + ". Events known only to a month or a year are drawn as bars across that period.")


def timeline_table(events: pd.DataFrame):
    from coursekit.charts import date_labels

    t = events.assign(when=date_labels(events["date"], events["date_precision"]))
    return data_table(
        t, "Dated events of the article (Pagano 2026); the Dushanbe summit is dated by the photograph's caption",
        {"when": "Date", "date_precision": "Known to", "event": "Event", "stated_by": "Dated by", "endnote": "Endnote"})
