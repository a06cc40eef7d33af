"""Chapter 03 (Russia's war and Central Asia's recalibration): the data hold the article's numbers, and the
checks the chapter teaches come out as its prose says (if a fix changes one, these tests say which sentence
to change)."""

import re
from pathlib import Path

import jupytext
import pandas as pd
import pytest

from coursekit import data

REPO = Path(__file__).resolve().parents[1]
CHAPTER = REPO / "chapters" / "03-russia-war-recalibration" / "russia-war-recalibration.md"
BIB = "".join(p.read_text(encoding="utf-8") for p in REPO.glob("references*.bib"))
BIB_KEYS = set(re.findall(r"@\w+\{([^,\s]+),", BIB))
CH03 = [name for name in data.tables() if name.startswith("ch03_")]
STATES = ["KAZ", "KGZ", "TJK", "TKM", "UZB"]


@pytest.fixture(scope="module")
def pairs():
    """Total trade (exports + imports) of each state with China and Russia, by side and year."""
    flows = data.load("ch03_trade_flows")
    flows = flows[flows["counterpart"] != "WLD"]
    return flows.pivot_table(index=["iso3", "side", "year"], columns="counterpart", values="value_usd_m",
                             aggfunc="sum").dropna()


def china_ahead_years(pairs, iso3, side):
    t = pairs.loc[(iso3, side)]
    return [int(y) for y in t.index[t["CHN"] > t["RUS"]]]


def crossover(pairs, iso3, side):
    """First year of the unbroken run of China-ahead years that reaches the last year; None if Russia leads then."""
    t = pairs.loc[(iso3, side)].sort_index()
    ahead = t["CHN"] > t["RUS"]
    if not ahead.iloc[-1]:
        return None
    behind = ahead[~ahead]
    return int(ahead.index[0]) if behind.empty else int(behind.index[-1]) + 1


def test_the_articles_numbers_are_in_the_data():
    claims = data.load("ch03_claims").set_index("claim")
    value = claims["value"]
    assert value["russia_growth_2024_pct"] == 3.2
    assert value["csto_troops_kaz_2022"] == 3000 and claims.loc["csto_troops_kaz_2022", "comparator"] == "about"
    assert value["russian_troops_tjk"] == 7000 and claims.loc["russian_troops_tjk", "comparator"] == "about"
    assert value["cpc_share_kaz_oil_exports_pct"] == 80 and claims.loc["cpc_share_kaz_oil_exports_pct", "comparator"] == "about"
    assert (value["states_with_russian_military_presence"], value["central_asian_states"]) == (3, 5)
    assert pd.isna(value["china_leading_partner_by_2020"])  # "most" is a verbal count, not a number
    assert pd.isna(claims.loc["china_leading_partner_by_2020", "endnote"])  # the paragraph has no marker
    events = data.load("ch03_events").set_index("label")
    assert events.loc["Summit with Russia in Dushanbe", ["date", "date_precision", "stated_by"]].tolist() == [
        pd.Timestamp("2025-10-09"), "day", "photo caption"]
    assert events.loc["Russia invades Ukraine in full", "date"].strftime("%Y-%m") == "2022-02"
    assert events.loc["Most recent C5+1 summit", "date"].strftime("%Y-%m") == "2025-11"
    assert events.loc["Uzbekistan urges dialogue", "date_precision"] == "month"  # the article: "January 2026"
    coarse = data.load("ch03_events").query("date_precision != 'day'")
    assert (coarse["date"].dt.day == 1).all()  # a month or a year is stored on its first day, never an invented day
    assert (coarse.loc[coarse["date_precision"] == "year", "date"].dt.month == 1).all()
    assert set(coarse.loc[coarse["date_precision"] == "year", "date"].dt.year) == {2022, 2023}  # Xi visit, first C5+1


def test_every_key_is_cited_and_every_table_has_rows():
    assert CH03 and len(CH03) == 8
    for name in CH03:
        frame = data.load(name)
        keys = set(frame["source"]) | set(frame["endnote_key"].dropna())
        assert keys <= BIB_KEYS, (name, keys - BIB_KEYS)
        assert "pagano2026recalibration" in BIB_KEYS


def test_most_states_depends_on_whose_statistics(pairs):
    """'By 2020 ... for most Central Asian states': 2 of 5 on the states' side, 5 of 5 on the partners'."""
    def ahead(year, side):
        return sorted(c for c in STATES if (c, side, year) in pairs.index
                      and pairs.loc[(c, side, year), "CHN"] > pairs.loc[(c, side, year), "RUS"])
    assert ahead(2020, "state") == ["TKM", "UZB"]
    assert ahead(2020, "partner") == STATES
    assert ahead(2019, "state") == ["KGZ", "TKM", "UZB"]  # Kyrgyzstan fell back to Russia in 2020
    assert len(ahead(2020, "state")) <= len(STATES) / 2 < len(ahead(2020, "partner"))


def test_years_china_ahead_match_the_reference_notes(pairs):
    assert china_ahead_years(pairs, "KAZ", "state") == [2010, 2012]  # a break year and a borderline year
    assert china_ahead_years(pairs, "KGZ", "state") == [2016, 2017, 2018, 2019]
    assert china_ahead_years(pairs, "TJK", "state") == []
    assert china_ahead_years(pairs, "KAZ", "partner") == [2009, 2010, 2011, 2012, 2013, 2014, 2017, 2018, 2019, 2020]


def test_crossover_years(pairs):
    expected = {"state": {"KAZ": None, "KGZ": None, "TJK": None, "TKM": 2010, "UZB": 2000},
                "partner": {"KAZ": 2017, "KGZ": 2002, "TJK": 2008, "TKM": 2010, "UZB": 2013}}
    for side, years in expected.items():
        assert {c: crossover(pairs, c, side) for c in STATES} == years, side


def test_quality_flags_follow_the_reference_notes():
    flows = data.load("ch03_trade_flows")
    imputed = flows[flows["quality"] == "imputed"]
    assert set(imputed["iso3"]) == {"UZB"} and set(imputed["side"]) == {"state"}
    assert sorted(imputed["year"].unique()) == list(range(2000, 2016))  # use Uzbekistan's own side only from 2016
    tkm_own = flows[(flows["iso3"] == "TKM") & (flows["side"] == "state")]
    assert (tkm_own["quality"] == "estimated").all()
    brk = flows[flows["quality"] == "break"]
    assert set(zip(brk["iso3"], brk["counterpart"], brk["year"])) == {("KAZ", "RUS", 2010)} and len(brk) == 2


def test_mirror_gap_for_kyrgyzstan(pairs):
    state = pairs.loc[("KGZ", "state")]["CHN"].loc[2015:2020]
    partner = pairs.loc[("KGZ", "partner")]["CHN"].loc[2015:2020]
    ratio = partner / state
    assert round(ratio.min(), 1) == 2.8 and round(ratio.max(), 1) == 4.1
    assert 2900 < partner.min() and partner.max() < 6500 and 750 < state.min() and state.max() < 2050  # "0.8-2.0 bn" against "2.9-6.4 bn"


def test_three_point_two_was_a_forecast():
    v = data.load("ch03_growth_vintages")
    imf = v[v["publisher"] == "IMF"].sort_values("published")
    at_32 = imf[imf["growth_2024_pct"] == 3.2]
    assert list(at_32["vintage"]) == ["WEO April 2024", "WEO Update July 2024"]
    assert set(at_32["status"]) == {"forecast"}  # the article calls it an estimate
    assert (imf["vintage"].iloc[-1], imf["growth_2024_pct"].iloc[-1]) == ("WEO October 2025", 4.3)
    assert round(imf["growth_2024_pct"].iloc[-1] - 3.2, 1) == 1.1  # the forecast error the chapter glues
    assert (imf["growth_2024_pct"].iloc[-1] > 3.2) and (v.loc[v["publisher"] != "IMF", "growth_2024_pct"] > 3.2).sum() == 2
    assert imf["growth_2024_pct"].is_monotonic_increasing  # every IMF revision went up


def test_memberships_against_the_article():
    m = data.load("ch03_memberships").set_index(["iso3", "organisation"])
    member = {"member", "founding member"}
    csto = sorted(c for c in STATES if m.loc[(c, "CSTO"), "status"] in member)
    eaeu = sorted(c for c in STATES if m.loc[(c, "EAEU"), "status"] in member)
    assert csto == ["KAZ", "KGZ", "TJK"] and eaeu == ["KAZ", "KGZ"]
    assert m.loc[("UZB", "CSTO"), ["status", "since", "until"]].tolist() == ["left", 2002, 2011]
    assert m.loc[("UZB", "EAEU"), ["status", "since"]].tolist() == ["observer", 2020]
    assert "outside" in m.loc[("UZB", "CSTO"), "article_says"] and "outside" in m.loc[("UZB", "EAEU"), "article_says"]
    assert m.loc[("TKM", "CIS"), ["status", "since"]].tolist() == ["associate", 2005]
    assert (m.xs("CSTO", level="organisation")["data_end"] == 2014).all()  # COW ends in 2014


def test_three_of_five_and_the_tiers():
    f = data.load("ch03_facilities")
    named = f[f["named_in_article"] == "yes"]
    assert sorted(named["iso3"].unique()) == ["KAZ", "KGZ", "TJK"]
    assert sorted(f["iso3"].unique()) == ["KAZ", "KGZ", "TJK"]  # three of the five, counted on the map
    assert "2020" in f.set_index("facility").loc["Balkhash radar station (Dnepr)", "status_note"]
    t = data.load("ch03_tiers").set_index("iso3")
    assert sorted(t.index[t["tier"] == "resource-poor"]) == ["KGZ", "TJK"]
    assert sorted(t.index[t["russian_facility_named"]]) == sorted(named["iso3"].unique())


def test_rough_check_of_the_pipeline_share():
    c = data.load("ch03_outside_checks").set_index("check")
    cpc, low, high = c.loc["cpc_kazakh_oil_2022", "value"], c.loc["kaz_oil_exports_annual", "value"], c.loc["kaz_oil_exports_annual", "value_high"]
    assert round(100 * cpc / high) == 78 and round(100 * cpc / low) == 80
    assert c.loc["troops_201st_2015", "value"] == c.loc["troops_201st_2019", "value"] == 7000  # a repeated stock figure


def test_chapter_follows_the_pattern():
    nb = jupytext.read(CHAPTER)
    code = [c for c in nb.cells if c.cell_type == "code"]
    for cell in code:
        tags = cell.metadata.get("tags", [])
        if "remove-cell" not in tags:
            assert len(cell.source.splitlines()) <= 15, cell.source[:80]
        else:
            assert "alt.Chart" not in cell.source  # analysis is never hidden
    text = CHAPTER.read_text(encoding="utf-8")
    for name in ["fig-memberships", "fig-footprint", "fig-trade-sides", "fig-recount", "fig-vintages", "fig-tiers",
                 "fig-timeline-ch03"]:
        assert f"book.glue_figure(\"{name}\"" in text and f":name: {name}" in text, name
    assert "alt.renderers" not in text
    assert 'alt.binding_radio(' in text and 'name="Side of the statistics: "' in text
    assert "{glue:text}`n_ahead_state_2020`" in text and "{glue:text}`n_ahead_partner_2020`" in text
    assert text.count(":::{dropdown} Answer") == 3
