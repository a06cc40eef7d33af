"""Chapter 01 (EU conditionality): the data hold the article's numbers, and the checks the chapter
teaches come out as its prose says (if a fix changes one, these tests say which sentence to change)."""

import re
from pathlib import Path

import pandas as pd
import pytest

from coursekit import data, regions
from test_browser import browser  # noqa: F401  (the chromium fixture, shared)

REPO = Path(__file__).resolve().parents[1]
CHAPTER = REPO / "chapters" / "01-eu-conditionality" / "eu-conditionality.md"
BIB = "".join(p.read_text(encoding="utf-8") for p in REPO.glob("references*.bib"))
BIB_KEYS = set(re.findall(r"@\w+\{([^,\s]+),", BIB))
CH01 = [name for name in data.tables() if name.startswith("ch01_")]


def test_the_articles_numbers_are_in_the_data():
    claims = data.load("ch01_claims").set_index("claim")["value"]
    assert claims["global_gateway_package"] == 12
    assert claims["tctc_transit_days"] == 15
    assert claims["chinese_contractors"] == 8 and claims["chinese_contractor_share"] == 42
    assert claims["gsp_plus_conventions"] == 27
    assert claims["ilc_session"] == 113
    conventions = data.load("ch01_conventions").set_index("convention")
    assert list(conventions.index) == ["C081", "C087", "C098", "C190"]
    assert conventions.loc["C081", "adopted_year"] == 1947  # "Labour Inspection Convention, 1947 (No. 81)"
    years = data.load("ch01_events").dropna(subset=["date"]).set_index("label")["date"].dt.year
    assert {1991, 2005, 2013, 2021} <= set(years)


def test_endnote_12_has_no_marker_and_the_transit_sentence_no_endnote():
    row = data.load("ch01_claims").set_index("claim").loc["tctc_transit_days"]
    assert pd.isna(row["endnote"])
    assert "Endnote 12" in row["note"] and "no marker" in row["note"]
    for name in CH01:  # no row cites endnote 12
        frame = data.load(name)
        if "endnote" in frame:
            assert 12 not in set(frame["endnote"].dropna()), name


def test_the_lisbon_treaty_keeps_no_date():
    lisbon = data.load("ch01_events").set_index("label").loc["Lisbon Treaty: sustainability chapters"]
    assert pd.isna(lisbon["date"]) and pd.isna(lisbon["date_precision"])


def test_agreement_dates_as_the_article_states_them():
    a = data.load("ch01_agreements")
    article = a[a["stated_by"] == "article"].set_index(["iso3", "stage"])
    assert article.loc[("KAZ", "entered into force"), "date_precision"] == "year"
    assert article.loc[("KAZ", "entered into force"), "date"].year == 2020
    assert (article.loc[("KGZ", "signed"), "date"].strftime("%Y-%m"), article.loc[("KGZ", "signed"), "date_precision"]) == ("2024-06", "month")
    assert (article.loc[("UZB", "signed"), "date"].strftime("%Y-%m"), article.loc[("UZB", "signed"), "date_precision"]) == ("2025-10", "month")
    assert article.loc[("TJK", "negotiations launched"), "date"].strftime("%Y-%m") == "2023-02"
    assert article.loc[("TJK", "negotiations concluded"), "date_precision"] == "year"
    # year- and month-only dates are stored on the first day of their period, never with an invented day
    coarse = a[a["date_precision"] != "day"]
    assert (coarse["date"].dt.day == 1).all()
    assert (coarse.loc[coarse["date_precision"] == "year", "date"].dt.month == 1).all()
    # every stage the article dates agrees with an outside source at the article's precision
    outside = a[a["stated_by"] == "outside"].set_index(["iso3", "stage"])["date"]
    for (iso3, stage), row in article.iterrows():
        if (iso3, stage) in outside.index:
            fmt = "%Y" if row["date_precision"] == "year" else "%Y-%m"
            assert outside[(iso3, stage)].strftime(fmt) == row["date"].strftime(fmt), (iso3, stage)


def test_implied_contractor_total():
    """8 companies = 42% implies about 19 contractors; 19 is the only whole total that rounds to 42%."""
    claims = data.load("ch01_claims").set_index("claim")["value"]
    n, share = claims["chinese_contractors"], claims["chinese_contractor_share"]
    assert round(n / (share / 100), 2) == 19.05
    assert [t for t in range(int(n), 1000) if round(100 * n / t) == share] == [19]
    scope = data.load("ch01_bhrrc_scope").set_index("item")["value"]
    assert (scope["first month of allegations"], scope["last month of allegations"]) == ("2016-01", "2023-03")


def test_ratified_is_not_upheld():
    r = data.load("ch01_ratifications")
    core = r[r["convention"].isin(["C087", "C098"]) & (r["status"] == "ratified")]
    assert core.groupby("iso3").size().eq(2).sum() == 5  # all five ratified both
    assert (core["ratification_year"].min(), core["ratification_year"].max()) == (1992, 2016)
    uzb87 = r.set_index(["iso3", "convention"]).loc[("UZB", "C087")]
    assert (uzb87["ratification_year"], uzb87["nth_state_to_ratify"]) == (2016, 154)
    s = data.load("ch01_supervision")
    # yet every state has supervisory comments on 87 or 98
    assert set(s[s["convention"].isin(["C087", "C098"])]["iso3"]) == set(regions.CENTRAL_ASIA)
    kaz = s.query("iso3 == 'KAZ' and convention == 'C087' and body == 'Conference Committee'")["year"]
    assert sorted(kaz) == [2015, 2016, 2017, 2019, 2021, 2022]  # "six times between 2015 and 2022"
    # Convention 81: both GSP+ beneficiaries before the Conference Committee in 2025
    c81 = s.query("convention == 'C081' and body == 'Conference Committee'")
    assert set(c81["iso3"]) == {"KGZ", "UZB"} and set(c81["year"]) == {2025}


def test_c190_early_for_the_region_not_for_the_world():
    r = data.load("ch01_ratifications").set_index(["iso3", "convention"])
    kgz = r.loc[("KGZ", "C190")]
    assert (kgz["ratification_year"], kgz["nth_state_to_ratify"]) == (2024, 41)
    assert str(kgz["ratification_date"].date()) == "2024-06-03"
    others = [r.loc[(c, "C190"), "status"] for c in ["KAZ", "TJK", "TKM", "UZB"]]
    assert others == ["not ratified"] * 4
    adopted = data.load("ch01_conventions").set_index("convention").loc["C190", "adopted_year"]
    assert kgz["ratification_year"] - adopted == 5


def test_labour_inspection_is_not_a_gsp_plus_convention():
    conventions = data.load("ch01_conventions").set_index("convention")
    assert conventions.loc["C081", "in_gsp_plus_list"] == "no"
    assert conventions.loc["C098", "in_gsp_plus_list"] == "yes"
    gsp = data.load("ch01_gsp_status").set_index("iso3")
    assert sorted(gsp.index[gsp["arrangement"] == "GSP+"]) == ["KGZ", "UZB"]
    assert str(gsp.loc["UZB", "effective_from"].date()) == "2021-04-10"
    assert pd.isna(gsp.loc["KGZ", "effective_from"])  # not found: kept empty, not guessed
    inspect = data.load("ch01_labour_inspection").set_index("measure")["value"]
    assert (inspect["labour inspectors"], inspect["people officially employed"]) == (28, 2537900)


def test_eu_exports_more_than_doubled_and_kyrgyzstan_went_tenfold():
    e = data.load("ch01_eu_exports")
    assert len(e) == 5 * 14 and set(e["year"]) == set(range(2010, 2024))
    total = e.groupby("year")["exports_eur"].sum() / 1e9
    assert 2.2 < total[2023] / total[2021] < 2.25
    assert total[2010:2021].between(7.2, 10.1).all()  # flat for a decade
    kgz = e[e["iso3"] == "KGZ"].set_index("year")["exports_eur"] / 1e9
    assert (round(kgz[2021], 2), round(kgz[2023], 2)) == (0.26, 2.73)
    # the rise is broad, not Kyrgyzstan's alone (instructor notes, problem 3): its part of the rise, Kazakhstan's,
    # and the ratio without Kyrgyzstan
    rise = e.pivot(index="year", columns="iso3", values="exports_eur").pipe(lambda w: w.loc[2023] - w.loc[2021])
    part = (100 * rise / rise.sum()).round(1)
    assert (part["KGZ"], part["KAZ"]) == (22.3, 59.9)
    assert round((total[2023] - kgz[2023]) / (total[2021] - kgz[2021]), 2) == 1.97


def test_mirror_statistics_and_import_shares():
    imp = data.load("ch01_imports_by_partner")
    assert set(imp["iso3"]) == {"KAZ", "KGZ", "UZB"}  # no comparable series for TJK and TKM
    world = imp[imp["partner"] == "World"].set_index(["iso3", "year"])["imports"]
    shares = imp[imp["partner"] != "World"].assign(
        share=lambda d: 100 * d["imports"] / world.loc[list(zip(d["iso3"], d["year"]))].to_numpy())
    s23 = shares[shares["year"] == 2023].set_index(["iso3", "partner"])["share"].round(1)
    assert s23.to_dict() == {("KAZ", "China"): 25.5, ("KAZ", "EU27"): 17.1, ("KAZ", "Russia"): 27.9,
                             ("KGZ", "China"): 43.3, ("KGZ", "EU27"): 7.8, ("KGZ", "Russia"): 17.7,
                             ("UZB", "China"): 29.3, ("UZB", "EU27"): 12.2, ("UZB", "Russia"): 17.2}
    kgz_eu = shares.query("iso3 == 'KGZ' and partner == 'EU27'").set_index("year")["share"].round(2)
    # the EU's share of Kyrgyz imports did rise, from its low (2021) to its high (2023), by half: not tenfold
    assert (kgz_eu.idxmin(), kgz_eu.min(), kgz_eu.idxmax(), kgz_eu.max()) == (2021, 5.19, 2023, 7.81)
    assert round(kgz_eu[2023] / kgz_eu[2021], 1) == 1.5
    eu_side = data.load("ch01_eu_exports").query("iso3 == 'KGZ' and year == 2023")["exports_eur"].iloc[0]
    kg = imp.query("iso3 == 'KGZ' and partner == 'EU27'").set_index("year")["imports"]
    assert 2.9 < eu_side / kg[2023] < 3.1  # "a threefold gap"
    assert round(kg[2023] / kg[2021], 1) == 3.7  # the Kyrgyz record rose too, far less than tenfold


def test_recommendations_counted():
    recs = data.load("ch01_recommendations")
    assert recs["addressee"].value_counts().to_dict() == {"Central Asian governments": 4, "EU": 3}
    models = data.load("ch01_models")
    assert models.groupby("actor").size().to_dict() == {"China": 5, "EU": 5, "Russia": 5}


@pytest.mark.parametrize("name", CH01)
def test_every_ch01_key_is_in_a_bib_file(name):
    frame = data.load(name)
    for col in ("source", "endnote_key", "gsp_source"):
        if col in frame:
            assert set(frame[col].dropna()) <= BIB_KEYS, (name, col, set(frame[col].dropna()) - BIB_KEYS)
    if "endnote" in frame:
        notes = frame["endnote"].dropna()
        assert notes.between(1, 25).all()
        keyed = frame.dropna(subset=["endnote"])
        assert keyed["endnote_key"].notna().all(), f"{name}: an endnote without its source"


def test_chapter_cites_only_known_keys_and_glues_what_it_uses():
    text = CHAPTER.read_text(encoding="utf-8")
    cited = {k.strip() for group in re.findall(r"\{cite\}`([^`]+)`", text) for k in group.split(",")}
    assert cited <= BIB_KEYS, cited - BIB_KEYS
    used = set(re.findall(r"\{glue:text\}`([a-z0-9_]+)", text))
    glued = set(re.findall(r"\b([a-z0-9_]+)=", text))
    assert used <= glued, used - glued
    figures = set(re.findall(r"```\{glue:figure\} (fig-[a-z-]+)", text))
    assert len(figures) == 7
    for fig in figures:
        assert f'book.glue_figure("{fig}"' in text and f"```{{glue}} tbl-{fig[4:]}" in text


@pytest.mark.slow
@pytest.mark.browser
def test_exports_checkbox_leaves_kyrgyzstan_out(built_book, browser):
    """The kernel-free toggle of Fig. 1.5 works in the static page: unticked, Kyrgyzstan's bars are gone."""
    page = browser.new_page()
    page.goto((built_book / "chapters/01-eu-conditionality/eu-conditionality.html").as_uri())
    fig = "#fig-exports"
    page.wait_for_function(f"document.querySelectorAll('{fig} svg.marks').length == 1", timeout=15000)
    marks = lambda: page.locator(f"{fig} svg.marks").first.inner_html()
    assert marks().count("Kyrgyzstan") >= 14  # one bar a year, 2010-2023
    box = page.locator(f"{fig} input[type=checkbox]").first
    assert box.is_checked()
    box.uncheck()
    page.wait_for_function(f"!document.querySelector('{fig} svg.marks').innerHTML.includes('country: Kyrgyzstan')", timeout=5000)
    assert "Kazakhstan" in marks()
    page.close()
