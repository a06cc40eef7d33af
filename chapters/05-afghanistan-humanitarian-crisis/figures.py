"""Chapter 5's plumbing for the book: prose numbers, alt texts and data tables of its figures.

The analysis stays on the chapter's page; this module only words what the
figures show (from the same data), formats the tables behind them and names
the numbers the prose quotes.
"""

from __future__ import annotations

import pandas as pd

from coursekit.charts import data_table, list_values, timeline_order

MILLION, BILLION = 1e6, 1e9
CITE = "Majidi and Sackett 2026"


def prose_numbers(shares: pd.DataFrame, nutrition: pd.DataFrame, displacement: pd.DataFrame,
                  indicators: pd.DataFrame, trade: pd.Series) -> dict:
    """The numbers the argument in brief and later sections quote, each from its table."""
    value = indicators["value"]
    need, climate = shares.loc["people_in_need"], shares.loc["high_climate_risk"]
    return dict(
        need_m=need["persons"] / MILLION, need_pct=float(need["share_pct"]),
        climate_m=climate["persons"] / MILLION, climate_pct=float(climate["share_pct"]),
        hunger_m=value["acute_hunger_lean_season"] / MILLION,
        hunger_summary_m=value["acute_hunger_summary"] / MILLION,
        children_m=nutrition.loc["children_malnourished", "persons"] / MILLION,
        at_risk_m=nutrition.loc["children_high_mortality_risk", "persons"] / MILLION,
        refugees_m=displacement.loc["refugees_abroad", "persons"] / MILLION,
        returns_m=displacement.loc["returns", "persons"] / MILLION,
        returns_year=int(displacement.loc["returns", "reference_period"]),
        requirement_bn=value["funding_requirement"] / BILLION,
        cri_rank=int(value["climate_risk_index_rank"]), drought_year=int(value["drought_year"]),
        drought_decades=int(value["drought_severity_horizon"] / 10), war_years=int(value["war_duration"]),
        quake_magnitude=int(value["earthquake_magnitude"]), maternal_hours=int(value["maternal_death_interval"]),
        phc_closed=int(value["phc_facilities_closed"]),
        phc_year=int(indicators.loc["phc_facilities_closed", "reference_period"]),
        hazard_pct=float(value["explosive_hazard_share"]), youth_unemployed_pct=float(value["youth_unemployment"]),
        uzb_trade_bn=trade["trade_usd"] / BILLION, uzb_trade_year=int(trade["year"]),
    )


# Fig. 5.1: the needs at a glance

QUALIFIER = {"exactly": "", "about": "about ", "more than": "over "}  # how the article qualifies a count


def needs_alt(needs: pd.DataFrame, at_risk_m: float) -> str:
    shown = needs.assign(said=[f"{QUALIFIER[c]}{m:.1f}" for c, m in zip(needs["comparator"], needs["millions"])])
    return (f"{len(needs)} separate horizontal bars, each starting at zero, in millions of people: "
            f"{list_values(shown, 'group', 'said', '{}', ' million')}. A darker bar inside the malnourished "
            f"children marks the {at_risk_m:.1f} million at high risk of death. "
            "The groups overlap and are not meant to be added.")


def needs_table(needs: pd.DataFrame, at_risk_m: float):
    return data_table(
        needs, f"Needs at a glance, as the article states them ({CITE}; endnotes as listed). "
        f"Of the malnourished children, {at_risk_m:.1f} million are at high risk of mortality (endnote 23).",
        {"group": "Group", "millions": "People (millions)", "comparator": "As stated", "endnote": "Endnote"},
        {"millions": "{:.1f}"})


# Fig. 5.2: one country, two populations

def bases_numbers(bases: pd.DataFrame, pct_half: float) -> dict:
    need, climate = bases.loc["people_in_need"], bases.loc["high_climate_risk"]
    return dict(
        pop_need_m=need["implied_m"], pop_climate_m=climate["implied_m"],
        pop_gap_m=need["implied_m"] - climate["implied_m"],
        pop_gap_pct=100 * (need["implied_m"] / climate["implied_m"] - 1),
        pop_need_low_m=need["low_m"], pop_need_high_m=need["high_m"],
        pop_climate_low_m=climate["low_m"], pop_climate_high_m=climate["high_m"],
        overlap_low_m=bases["low_m"].max(), overlap_high_m=bases["high_m"].min(),
        need_lo_m=need["low_count"] / MILLION, need_hi_m=need["high_count"] / MILLION,
        climate_lo_m=climate["low_count"] / MILLION, climate_hi_m=climate["high_count"] / MILLION,
        need_pct_lo=need["share_pct"] - pct_half, need_pct_hi=need["share_pct"] + pct_half,
        climate_pct_lo=climate["share_pct"] - pct_half, climate_pct_hi=climate["share_pct"] + pct_half,
        need_frac=need["share_pct"] / 100, climate_frac=climate["share_pct"] / 100,
        need_year=int(need["year"]), climate_year=int(climate["year"]),
    )


def bases_alt(bases: pd.DataFrame) -> str:
    return ("Two bars comparing the population each pair of numbers implies, with the range rounding allows: "
            + "; ".join(f"{r.basis} implies {r.implied_m:.1f} million ({r.low_m:.1f} to {r.high_m:.1f} million)"
                        for r in bases.itertuples())
            + f". The two ranges overlap only between {bases['low_m'].max():.1f} and {bases['high_m'].min():.1f} million.")


def bases_table(bases: pd.DataFrame, pct_half: float):
    shown = bases.assign(range_rule=[
        f"{lo / MILLION:.2f}–{hi / MILLION:.2f} M ÷ {s - pct_half:.1f}–{s + pct_half:.1f}%"
        for lo, hi, s in zip(bases["low_count"], bases["high_count"], bases["share_pct"])])
    return data_table(
        shown, f"Population totals implied by the article's counts and shares ({CITE}, endnotes 1 and 11); "
        "our arithmetic, with the rounding assumptions shown",
        {"basis": "Computed from", "year": "Year", "implied_m": "Implied (M)", "low_m": "Low (M)", "high_m": "High (M)",
         "range_rule": "Range from", "endnote": "Endnote"},
        {"implied_m": "{:.2f}", "low_m": "{:.2f}", "high_m": "{:.2f}"})


# Fig. 5.3: displacement

def displacement_alt(moves: pd.DataFrame) -> str:
    stocks, flows = moves[moves["kind"] == "stock"], moves[moves["kind"] == "flow"]
    return (f"{len(moves)} bars. Stocks (dates not stated): "
            f"{list_values(stocks, 'what', 'millions', '{:.1f}', ' million')}. Flow, drawn darker: "
            f"{list_values(flows, 'what', 'millions', '{:.1f}', ' million')} "
            "(the article says 'over'), mostly from neighbouring countries.")


def displacement_table(moves: pd.DataFrame):
    return data_table(
        moves, f"Displacement figures as stated ({CITE}, endnotes 16 and 17)",
        {"what": "Measure", "kind": "Stock or flow", "millions": "People (millions)", "comparator": "As stated",
         "reference_period": "Period", "endnote": "Endnote"}, {"millions": "{:.1f}"})


# Fig. 5.4: the aid cuts in dollars and shares of GNI

def aid_numbers(aid: pd.DataFrame, cuts: pd.DataFrame, gni: float, last: pd.Series, oda_fall: pd.Series,
                requirement_bn: float) -> dict:
    usaid, alldonors, fall = aid.iloc[0], aid.iloc[1], aid.iloc[2]
    return dict(
        usaid_m=cuts.loc["usaid_cut", "cut_usd"] / MILLION, usaid_pct=float(usaid["gni_pct"]),
        usaid_frac=usaid["gni_pct"] / 100, gni_bn=gni / BILLION,
        all_pct=float(alldonors["gni_pct"]), all_loss_bn=alldonors["usd_bn"],
        all_year=int(cuts.loc["all_donor_cuts", "year"]),
        fall_low=float(oda_fall["fall_low_pct"]), fall_high=float(oda_fall["fall_high_pct"]),
        fall_year=int(oda_fall["year"]), oda_year=int(last["year"]),
        oda_last_bn=last["net_oda_received_usd"] / BILLION,
        oda_gni_pct=100 * last["net_oda_received_usd"] / gni,
        fall_low_bn=fall["usd_bn"], fall_high_bn=fall["usd_bn_high"],
        fall_low_gni=fall["gni_pct"], fall_high_gni=fall["gni_pct_high"],
        usaid_req_pct=100 * usaid["usd_bn"] / requirement_bn,
    )


def aid_alt(aid: pd.DataFrame, gni: float, last: pd.Series) -> str:
    def both(low, high):  # three significant figures: a stated 5 percent reads 5, USD 223 million 0.223 billion
        return f"{low:.3g}" + (f" to {high:.3g}" if pd.notna(high) else "")
    rows = " ".join(f"{r.measure}: {both(r.usd_bn, r.usd_bn_high)} billion dollars ({r.usd_basis}) and "
                    f"{both(r.gni_pct, r.gni_pct_high)} percent of GNI ({r.gni_basis})." for r in aid.itertuples())
    return ("Two panels of bars, in dollars and in percent of GNI. " + rows
            + f" The GNI is the one the USAID figure implies, {gni / BILLION:.1f} billion dollars; the projected global "
            f"fall is applied to Afghanistan's net aid of {last['net_oda_received_usd'] / BILLION:.2f} billion dollars "
            f"in {int(last['year'])}.")


def aid_table(aid: pd.DataFrame, last: pd.Series):
    return data_table(
        aid, f"Aid cuts in dollars and in percent of GNI: stated ({CITE}, endnotes 28–30) and derived "
        f"(implied GNI from the USAID figure; net ODA received in {int(last['year'])} from the World Bank WDI)",
        {"measure": "Measure", "usd_bn": "USD bn (low)", "usd_bn_high": "USD bn (high)", "usd_basis": "Dollars are",
         "gni_pct": "% of GNI (low)", "gni_pct_high": "% of GNI (high)", "gni_basis": "Shares are"},
        {"usd_bn": "{:.3f}", "usd_bn_high": "{:.3f}", "gni_pct": "{:.3g}", "gni_pct_high": "{:.3g}"})


# Fig. 5.5: the funding gap

def gap_alt(requirement_bn: float, year: int, start_pct: int) -> str:
    return (f"Interactive stacked bar of the UN's {requirement_bn:.1f} billion dollar requirement for Afghanistan in "
            f"{year}, split into a funded part and a shortfall. A slider sets the funded share from 0 to 100 percent; "
            f"at the starting value of {start_pct} percent the shortfall is "
            f"{requirement_bn * (1 - start_pct / 100):.2f} billion dollars. A dashed line marks the requirement.")


def gap_table(requirement_bn: float):
    shares = pd.DataFrame({"funded_pct": range(0, 101, 25)})
    shares["funded_bn"] = requirement_bn * shares["funded_pct"] / 100
    shares["shortfall_bn"] = requirement_bn - shares["funded_bn"]
    return data_table(
        shares, f"Funding gap of the USD {requirement_bn:.1f} bn requirement ({CITE}, no endnote) at chosen funded shares",
        {"funded_pct": "Funded share (%)", "funded_bn": "Funded (USD bn)", "shortfall_bn": "Shortfall (USD bn)"},
        {"funded_bn": "{:.3f}", "shortfall_bn": "{:.3f}"})


# Fig. 5.6: the timeline

def timeline_alt(events: pd.DataFrame) -> str:
    ordered = timeline_order(events, precision="date_precision")
    steps = "; ".join(f"{r.when}, {r.event}" for r in ordered.itertuples())
    return (f"Timeline of {len(events)} events, in this order: {steps}. An event known only to its year is drawn as "
            "a bar across that year; one known to the month, across the month.")


def timeline_table(events: pd.DataFrame):
    return data_table(
        timeline_order(events, precision="date_precision"),
        f"Events named in the article ({CITE}; endnotes as listed, empty where none), in the timeline's order",
        {"when": "When", "event": "Event", "actor": "Actor", "endnote": "Endnote"})
