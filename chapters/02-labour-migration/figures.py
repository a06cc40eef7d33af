"""Chapter 2's plumbing for the book: alt texts, data tables and the numbers its prose quotes.

The analysis stays on the chapter's page; this module only words what the
figures show (from the same data), formats the tables behind them and
gathers the numbers the text glues.
"""

from __future__ import annotations

import pandas as pd

from coursekit import charts
from coursekit.charts import data_table, list_values

#: Indicators the prose quotes as printed (data/ch02_indicators.csv).
PROSE_INDICATORS = [
    "income_multiple_low", "income_multiple_high", "remittances_gdp_low_pct", "remittances_gdp_high_pct",
    "tajik_migrants_decrease_h1_2025", "foreign_residents_decline_pct", "foreign_children_decline_pct",
    "withdrawal_cap_rub", "withdrawal_cap_usd", "appeal_period_days", "violations_before_reform",
    "military_contract_min_years", "service_min_years_citizenship", "test_admitted_share_stated_pct",
    "test_retake_months", "tajik_children_returned", "sector_fine_min_usd", "sector_fine_max_usd",
    "suspension_min_days", "suspension_max_days", "regions_with_bans", "app_pilot_years", "app_countries",
    "citizenship_offences_added", "citizenship_offences_before", "permit_quota_decline_stated_pct",
]


def indicator_numbers(value: pd.Series) -> dict:
    """The article's single figures, and the few sums and ratios the prose makes of them."""
    fall = 100 * (1 - value["foreign_residents_after"] / value["foreign_residents_before"])
    assert abs(fall - 9.5) < 0.1  # the stated 10% is a rounding of 9.5%
    return {**{key: value[key] for key in PROSE_INDICATORS},
            "foreign_residents_before_m": float(value["foreign_residents_before"] / 1e6),
            "foreign_residents_after_m": float(value["foreign_residents_after"] / 1e6),
            "foreign_residents_fall_pct": float(fall),
            "citizenship_offences_after": value["citizenship_offences_before"] + value["citizenship_offences_added"],
            "rub_per_usd": float(value["withdrawal_cap_rub"] / value["withdrawal_cap_usd"])}


# --- Who migrates -------------------------------------------------------------------------------

def origin_numbers(origins: pd.DataFrame) -> dict:
    shares = {f"share_{r.iso3}": float(r.share_pct) for r in origins.itertuples()}
    return {**shares, "share_three": float(origins["share_pct"].sum()),
            "share_rest": float(100 - origins["share_pct"].sum())}


def origins_alt(origins: pd.DataFrame, rest: float) -> str:
    return (f"Bar chart of the shares of migrants in Russia in {origins['year'].iloc[0]}: "
            f"{list_values(origins, 'country', 'share_pct', '{:.1f}', ' percent')}, and a grey dashed bar of "
            f"{rest:.1f} percent for all other origins, which the article does not break down.")


def origins_table(shares: pd.DataFrame):
    return data_table(
        shares, "Shares of migrants in Russia, 2024 (Alemi 2026, endnote 8); the remainder is our subtraction",
        {"country": "Origin", "share_pct": "Share (%)"}, {"share_pct": "{:.1f}"})


# --- Remittances ----------------------------------------------------------------------------------

def remittance_numbers(shown: pd.DataFrame, checked: pd.DataFrame, low: float) -> dict:
    """``checked``: one row per country (low, low_year, high, high_year, years_in_band), indexed by ISO3."""
    out = {"wdi_years": shown["year"].nunique(), "wdi_first": shown["year"].min(), "wdi_last": shown["year"].max(),
           "wdi_kgz_over_low": float(checked.loc["KGZ", "high"] - low)}
    for code, r in checked.iterrows():
        out.update({f"wdi_min_{code}": float(r["low"]), f"wdi_min_year_{code}": r["low_year"],
                    f"wdi_max_{code}": float(r["high"]), f"wdi_max_year_{code}": r["high_year"],
                    f"wdi_in_band_{code}": r["years_in_band"]})
    return out


def remittances_alt(shown: pd.DataFrame, low: float, high: float) -> str:
    last = shown["year"].max()

    def one(code):
        rows = shown[shown["iso3"] == code].set_index("year")["remittances_gdp_pct"]
        name = shown.loc[shown["iso3"] == code, "country"].iloc[0]
        return (f"{name} from {rows.min():.1f} to {rows.max():.1f} percent (peak in {rows.idxmax()}; "
                f"{rows.loc[last]:.1f} in {last})")

    drawn = [c for c in ["TJK", "KGZ", "UZB", "KAZ"] if c in set(shown["iso3"])]
    return (f"Line chart of remittances received from all countries as a percent of GDP, {shown['year'].min()} to "
            f"{last}, with a shaded band from {low:.0f} to {high:.0f} percent, the article's range for remittances "
            f"from Russia. {'. '.join(one(c) for c in drawn)}. Turkmenistan not reported.")


def remittances_table(shown: pd.DataFrame):
    wide = shown.pivot(index="year", columns="country", values="remittances_gdp_pct").reset_index()
    return data_table(
        wide, "Personal remittances received, % of GDP (World Bank WDI, BX.TRF.PWKR.DT.GD.ZS, CC BY 4.0); "
              "Turkmenistan not reported",
        {c: c if c != "year" else "Year" for c in wide.columns}, {c: "{:.1f}" for c in wide.columns if c != "year"})


# --- The registry ---------------------------------------------------------------------------------

def registry_numbers(registry: pd.DataFrame) -> dict:
    by = {(r.group, r.date.strftime("%Y-%m")): r.persons for r in registry.itertuples()}
    total = by[("all foreign nationals (as stated in the text)", "2025-11")]
    total_tass = by[("all foreign nationals (title of the cited source)", "2025-11")]
    tjk, uzb_out = by[("Tajik citizens", "2025-11")], by[("Uzbek citizens removed", "2025-11")]
    kgz_nov, kgz_jan = by[("Kyrgyz citizens", "2025-11")], by[("Kyrgyz citizens", "2026-01")]
    wrong_sum, stock_sum = tjk + uzb_out + kgz_nov, tjk + kgz_nov
    assert (registry["kind"] == "flow out").sum() == 1 and wrong_sum > stock_sum
    return {"reg_total": total, "reg_total_tass": total_tass, "reg_gap": total_tass - total, "reg_tjk": tjk,
            "reg_uzb_out": uzb_out, "reg_kgz_nov": kgz_nov, "reg_kgz_jan": kgz_jan, "reg_wrong_sum": wrong_sum,
            "reg_stock_sum": stock_sum, "reg_wrong_share": float(100 * wrong_sum / total),
            "reg_stock_share": float(100 * stock_sum / total),
            "reg_kgz_fall_pct": float(100 * (1 - kgz_jan / kgz_nov)), "reg_kgz_left_pct": float(100 * kgz_jan / kgz_nov)}


def registry_alt(reg: pd.DataFrame) -> str:
    stocks = reg[reg["kind"] == "stock"]
    flows = reg[reg["kind"] == "flow out"]
    return ("Two panels on the same scale. Top, people on the registry of controlled persons: "
            + "; ".join(f"{r.label}: {r.shown}" for r in stocks.itertuples())
            + ". Bottom, drawn apart as a dashed outline, people removed from the registry: "
            + "; ".join(f"{r.label}: {r.shown}" for r in flows.itertuples()) + ".")


def registry_table(reg: pd.DataFrame):
    return data_table(
        reg, "Registry of controlled persons: every figure in the article, with what it counts (Alemi 2026, endnotes 23-27)",
        {"group": "Group", "date": "Date", "shown": "Persons", "kind": "Stock or flow", "what_it_counts": "What it counts",
         "endnote": "Endnote"},
        {"date": lambda d: f"{d:%b %Y}"})


# --- The Russian test -----------------------------------------------------------------------------

def funnel_numbers(f: pd.DataFrame, value: pd.Series) -> dict:
    assert abs(f.loc[1, "of_previous_pct"] - value["test_admitted_share_stated_pct"]) < 0.5  # the 19% checks out
    out = {f"test_{r.step}": r.count for r in f.itertuples()}
    out.update({f"test_conv_{r.step}": float(r.of_previous_pct) for r in f.itertuples() if r.step > 1})
    out.update({"test_overall_pct": float(f["of_applications_pct"].iloc[-1]),
                "test_failed": f.loc[2, "count"] - f.loc[3, "count"],
                "test_not_sat": f.loc[1, "count"] - f.loc[2, "count"],
                "test_19_of_1762": float(value["test_admitted_share_stated_pct"] / 100 * f.loc[0, "count"])})
    return out


def funnel_alt(f: pd.DataFrame) -> str:
    steps = "; ".join(f"{r.stage}, {r.count:,} {r.counted_unit}"
                      + ("" if pd.isna(r.of_previous_pct) else f", {r.of_previous_pct:.1f} percent of the step before")
                      for r in f.itertuples())
    return (f"Funnel of {len(f)} bars: {steps}. Overall, {f['count'].iloc[-1]:,} passes is "
            f"{f['of_applications_pct'].iloc[-1]:.1f} percent of the applications.")


def funnel_table(f: pd.DataFrame):
    return data_table(
        f, "The Russian test, first round (Alemi 2026, endnotes 35-36); conversions are our arithmetic",
        {"step": "Step", "stage": "Stage", "counted_unit": "Counted in", "count": "Count",
         "of_previous_pct": "% of previous step", "of_applications_pct": "% of applications"},
        {"count": "{:,}", "of_previous_pct": "{:.1f}", "of_applications_pct": "{:.1f}"})


# --- Caps and bans --------------------------------------------------------------------------------

def cap_summaries(c: pd.DataFrame) -> list[str]:
    """One line per sector for the interactive chart's headline: the change, or why there is none."""
    def one(r):
        if r.measure == "ban":
            return "ban kept: 0% before and after"
        if pd.isna(r.cap_before_pct):
            return f"{r.cap_after_pct:.0f}% in 2026; earlier cap not given"
        return (f"{r.cap_before_pct:.0f}% → {r.cap_after_pct:.0f}%: {r.change_pp:+.0f} percentage points "
                f"({r.change_rel_pct:+.1f}% of the old cap)")
    return [one(r) for r in c.itertuples()]


def cap_numbers(c: pd.DataFrame, bans: pd.DataFrame) -> dict:
    by = c.set_index("sector")
    con = by.loc["construction"]
    return {"cap_con_before": con["cap_before_pct"], "cap_con_after": con["cap_after_pct"],
            "cap_con_pp": -con["change_pp"], "cap_con_rel": float(-con["change_rel_pct"]),
            "cap_transport": by.loc["transportation services", "cap_after_pct"],
            "cap_forestry": by.loc["forestry", "cap_after_pct"],
            "cap_con_100": con["cap_after_pct"], "cap_con_100_before": con["cap_before_pct"],  # a firm of 100 workers
            "samara_positions": bans.set_index("region").loc["Samara region", "positions_banned"]}


def caps_alt(c: pd.DataFrame) -> str:
    def one(r):
        if r.measure == "ban":
            return f"{r.sector}: banned before and in 2026 (0 percent)"
        if pd.isna(r.cap_before_pct):
            return f"{r.sector}: {r.cap_after_pct:.0f} percent in 2026, no earlier cap given"
        return f"{r.sector}: {r.cap_before_pct:.0f} to {r.cap_after_pct:.0f} percent"
    rows = c.sort_values("cap_after_pct", ascending=False).itertuples()
    return ("Dot chart of the permitted share of foreign workers by sector, before and in 2026. "
            + "; ".join(one(r) for r in rows) + ".")


def caps_table(c: pd.DataFrame):
    return data_table(
        c, "Permitted share of foreign workers by sector (Alemi 2026, endnotes 49-50); changes are our arithmetic; "
           "– = not given",
        {"sector": "Sector", "measure": "Measure", "cap_before_pct": "Before (%)", "cap_after_pct": "2026 (%)",
         "change_pp": "Change (points)", "change_rel_pct": "Change (% of old cap)"},
        {"cap_before_pct": "{:.0f}", "cap_after_pct": "{:.0f}", "change_pp": "{:+.0f}", "change_rel_pct": "{:+.1f}"})


def caps_interactive_alt(c: pd.DataFrame) -> str:
    con = c.set_index("sector").loc["construction"]
    return ("Interactive chart. A drop-down picks a sector and a slider sets the number of workers at a firm; two bars "
            "show the most foreign workers allowed under the earlier cap and under the 2026 cap. For construction and "
            f"100 workers: {con['cap_before_pct']:.0f} before and {con['cap_after_pct']:.0f} in 2026, a fall of "
            f"{-con['change_pp']:.0f} percentage points or {-con['change_rel_pct']:.1f} percent of the old cap.")


def glue_bans_table(bans: pd.DataFrame) -> None:
    """The regional bans have a table but no chart: glued as ``tbl-bans``."""
    from myst_nb import glue

    glue("tbl-bans", data_table(
        bans, "Regional bans named in the article (Alemi 2026, endnotes 52-56)",
        {"region": "Region", "date_of_act": "Act of / from", "scope": "What is banned", "valid_until": "Until",
         "endnote": "Endnote"},
        {"date_of_act": lambda d: f"{d:%d %b %Y}"}), display=False)


# --- Permits --------------------------------------------------------------------------------------

def quota_numbers(q: pd.Series, yearly: pd.Series, ways: pd.DataFrame) -> dict:
    way = ways.set_index("kind_of_way")["decline_pct"]
    assert abs(way["direct"] - way["chained"]) < 1e-9 and abs(way["direct"] - way["stated"]) > 3  # 60% is not 64.1%
    left25, left26 = 1 - yearly[2025] / 100, 1 - yearly[2026] / 100
    return {"q2024": q[2024], "q2025": q[2025], "q2026": q[2026],
            "q_direct": float(way["direct"]), "q_yoy25": float(yearly[2025]), "q_yoy26": float(yearly[2026]),
            "q_added": float(way["added"]), "q_ratio": float(100 * q[2026] / q[2024]),
            "q_half_pct": float(100 * q[2025] / q[2024]),
            "q_stated_level": float(q[2024] * (1 - way["stated"] / 100)),
            "q_left25": float(left25), "q_left26": float(left26), "q_overall_left": float(left25 * left26)}


def quotas_alt(q: pd.Series, yearly: pd.Series, ways: pd.DataFrame) -> str:
    way = ways.set_index("kind_of_way")["decline_pct"]
    return (f"Top: bars of the temporary residence permit quota, {q[2024]:,} in 2024, {q[2025]:,} in 2025 (down "
            f"{yearly[2025]:.1f} percent) and {q[2026]:,} in 2026 (down {yearly[2026]:.1f} percent). Bottom: the "
            f"decline from 2024 to 2026: {way['stated']:.0f} percent as the article states it, {way['direct']:.1f} "
            f"percent computed directly, {way['chained']:.1f} percent by chaining the two yearly declines, and "
            f"{way['added']:.1f} percent if the yearly declines are wrongly added, shown dashed.")


def quotas_table(qf: pd.DataFrame):
    return data_table(
        qf, "Quota of temporary residence permits (Alemi 2026, endnote 67); changes are our arithmetic",
        {"year": "Year", "permits": "Permits", "change": "Change"}, {"permits": "{:,}"})


# --- Timeline -------------------------------------------------------------------------------------

def in_reading_order(ev: pd.DataFrame) -> pd.DataFrame:
    """The events in the order charts.timeline draws them."""
    return charts.timeline_order(ev, precision="date_precision")


def timeline_alt(ev: pd.DataFrame) -> str:
    ordered = in_reading_order(ev)
    when = charts.date_labels(ordered["date"], ordered["date_precision"])
    steps = "; ".join(f"{w}, {label}" for w, label in zip(when, ordered["label"]))
    return (f"Timeline of {len(ev)} dated events, one row each; an event known only to the month or the year is "
            f"drawn across that month or year: {steps}.")


def timeline_table(ev: pd.DataFrame):
    ordered = in_reading_order(ev)
    ordered = ordered.assign(when=charts.date_labels(ordered["date"], ordered["date_precision"]))
    return data_table(
        ordered, "Laws, decrees and dates named in the article and its endnotes (Alemi 2026); – = not given",
        {"when": "Date", "date_as_printed": "As printed", "event": "Event", "kind": "Kind",
         "number_in_text": "No. in text", "number_in_endnote": "No. in endnote", "endnote": "Endnote"})
