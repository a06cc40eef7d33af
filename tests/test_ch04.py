"""Chapter 4: the article's mineral ranks against USGS and WNA, computed as the chapter computes them.

Ranks are among rows naming one country with a value above zero ("Other countries" and world
totals never ranked), within one table (mineral, measure, edition, year), with pandas'
rank(method="min"): ties share the best rank. These tests pin each rank as the data give it.
"""

import pandas as pd
import pytest

from coursekit import data


@pytest.fixture(scope="module")
def minerals():
    return data.load("ch04_minerals")


@pytest.fixture(scope="module")
def ranks(minerals):
    listed = minerals[(minerals["row_kind"] == "country") & (minerals["value"] > 0)].copy()
    table = ["mineral", "measure", "edition", "year"]
    listed["rank"] = listed.groupby(table)["value"].rank(method="min", ascending=False).astype(int)
    listed["tied"] = listed.duplicated(table + ["value"], keep=False)
    return listed


def rank_of(ranks, mineral, measure, edition, year, country):
    rows = ranks[(ranks["mineral"] == mineral) & ranks["measure"].str.startswith(measure) & (ranks["edition"] == edition)
                 & (ranks["year"] == year) & (ranks["country"] == country)]
    assert len(rows) == 1, (mineral, measure, edition, year, country, len(rows))
    return int(rows["rank"].iloc[0]), bool(rows["tied"].iloc[0])


@pytest.mark.parametrize("edition, year, measure, country, expected, tied", [
    # uranium, "largest producer": first in every WNA year
    ("WNA", 2022, "mine", "Kazakhstan", 1, False),
    ("WNA", 2023, "mine", "Kazakhstan", 1, False),
    ("WNA", 2024, "mine", "Kazakhstan", 1, False),
    ("WNA", 2024, "mine", "Uzbekistan", 5, False),
])
def test_uranium(ranks, edition, year, measure, country, expected, tied):
    assert rank_of(ranks, "uranium", measure, edition, year, country) == (expected, tied)


@pytest.mark.parametrize("edition, year, measure, expected", [
    # titanium, "third": fourth or fifth in every measure and year
    ("MCS 2025", 2023, "sponge metal production", 4),
    ("MCS 2025", 2024, "sponge metal production", 5),
    ("MCS 2025", 2024, "sponge metal capacity", 4),
    ("MCS 2026", 2024, "sponge metal production", 4),
    ("MCS 2026", 2025, "sponge metal production", 4),
])
def test_titanium_is_never_third(ranks, edition, year, measure, expected):
    assert rank_of(ranks, "titanium", measure, edition, year, "Kazakhstan") == (expected, False)


def test_kazakhstan_not_listed_for_titanium_concentrates_or_rare_earths(minerals, ranks):
    conc = ranks[(ranks["mineral"] == "titanium") & ranks["measure"].str.startswith(("ilmenite", "rutile"))]
    assert "Kazakhstan" not in set(conc["country"])
    rare = ranks[ranks["mineral"] == "rare earths"]
    assert not (rare["central_asia"] == "yes").any()


@pytest.mark.parametrize("edition, year, expected", [
    # zinc, "seventh": eighth, then ninth
    ("MCS 2025", 2023, 8), ("MCS 2025", 2024, 8), ("MCS 2026", 2024, 8), ("MCS 2026", 2025, 9),
])
def test_zinc_is_never_seventh(ranks, edition, year, expected):
    assert rank_of(ranks, "zinc", "mine", edition, year, "Kazakhstan") == (expected, False)


@pytest.mark.parametrize("edition, year, country, expected, tied", [
    # gold reserves, "tenth and eleventh": yes in MCS 2025; ninth and a tie for tenth in MCS 2026
    ("MCS 2025", 2024, "Kazakhstan", 10, False),
    ("MCS 2025", 2024, "Uzbekistan", 11, False),
    ("MCS 2025", 2024, "Australia", 1, True),
    ("MCS 2025", 2024, "Russia", 1, True),
    ("MCS 2026", 2025, "Kazakhstan", 9, False),
    ("MCS 2026", 2025, "Uzbekistan", 10, True),
    ("MCS 2026", 2025, "Peru", 10, True),
    ("MCS 2026", 2025, "Mexico", 12, False),
])
def test_gold_reserves(ranks, edition, year, country, expected, tied):
    assert rank_of(ranks, "gold", "reserves", edition, year, country) == (expected, tied)


def test_other_countries_never_ranked_but_would_change_ranks(minerals, ranks):
    assert set(ranks["row_kind"]) == {"country"}
    gold = minerals.query("mineral == 'gold' and measure == 'reserves' and edition == 'MCS 2025' and row_kind != 'world total'")
    wrong = gold.set_index("country")["value"].rank(method="min", ascending=False)
    assert wrong["Other countries"] == 3 and wrong["Kazakhstan"] == 11  # one place lower than the right rank


@pytest.mark.parametrize("edition, year, measure, country, expected", [
    ("MCS 2025", 2024, "mine", "Tajikistan", 2),
    ("MCS 2026", 2024, "mine", "Tajikistan", 3),
    ("MCS 2025", 2024, "reserves", "Kyrgyzstan", 4),
])
def test_antimony_the_article_leaves_out(ranks, edition, year, measure, country, expected):
    assert rank_of(ranks, "antimony", measure, edition, year, country)[0] == expected


def test_antimony_2024_china_and_russia_tie_in_mcs_2026(ranks):
    assert rank_of(ranks, "antimony", "mine", "MCS 2026", 2024, "China") == (1, True)
    assert rank_of(ranks, "antimony", "mine", "MCS 2026", 2024, "Russia") == (1, True)


def test_kazakhstan_uranium_share(minerals):
    u = minerals.query("mineral == 'uranium' and year == 2024").set_index("country")["value"]
    assert u["Kazakhstan"] == 23270 and u["World total"] == 60213
    assert round(100 * u["Kazakhstan"] / u["World total"], 1) == 38.6
    assert u["Kazakhstan"] > u["Canada"] + u["Namibia"]  # more than the next two together


def test_ca_ranks_match_the_recomputed_ranks(ranks):
    ca = data.load("ch04_ca_ranks").set_index(["commodity", "country"])
    assert int(ca.loc[("Zinc", "Kazakhstan"), "rank_prod_2024e"]) == rank_of(ranks, "zinc", "mine", "MCS 2025", 2024, "Kazakhstan")[0]
    assert int(ca.loc[("Antimony", "Tajikistan"), "rank_prod_2024e"]) == 2
    gold = ca.loc[("Gold", "Uzbekistan")]
    assert int(gold["rank_reserves_2024"]) == 11
    assert not ca.index.get_level_values("commodity").str.contains("Rare").any()


def test_claims_as_stated():
    claims = data.load("ch04_claims").set_index("claim")
    assert claims.loc[["uranium_kaz", "titanium_kaz", "zinc_kaz", "gold_reserves_kaz", "gold_reserves_uzb"],
                      "stated_rank"].tolist() == [1, 3, 7, 10, 11]
    assert (claims.loc[["uranium_kaz", "titanium_kaz", "zinc_kaz"], "endnote"] == 27).all()
    assert claims.loc[["gold_reserves_kaz", "gold_reserves_uzb"], "endnote"].isna().all()  # the gold sentence has no marker
    assert claims.loc["rules_order_years", "stated_value"] == 80
    third = claims.loc["us_third_superpower"]  # "third" counts the superpowers the region balances: not a rank
    assert third["kind"] == "words" and pd.isna(third["stated_rank"]) and pd.isna(third["endnote"])
    assert not (claims["kind"].eq("rank") & claims["subject"].str.contains("military")).any()
    assert "Jegseth" in claims.loc["secretary_name", "stated_words"]


def test_events_no_more_precise_than_the_article():
    events = data.load("ch04_events").set_index("label")
    board = events.loc["KAZ and UZB join Board of Peace"]
    assert board["date_precision"] == "month"  # "two weeks on": approximate, no invented day
    assert events.loc["US operation in Venezuela", "date"] == pd.Timestamp("2026-01-03")
    dinner = events.loc["C5+1 leaders' White House dinner"]  # the caption dates the dinner, the text the summit's month
    assert (dinner["stated_by"], dinner["date"]) == ("photo caption", pd.Timestamp("2025-11-06"))
    ties = events.loc["US-Central Asia ties deepen"]
    assert (ties["date_precision"], ties["endnote"]) == ("year", 11)  # "In 2025, relations ... evolved": endnote 11


def test_reactions_five_silent_states():
    r = data.load("ch04_reactions")
    silent = r[r["reaction"] == "no public comment"]
    assert sorted(silent["actor"]) == ["Kazakhstan", "Kyrgyzstan", "Tajikistan", "Turkmenistan", "Uzbekistan"]
    assert r["endnote"].notna().all()
