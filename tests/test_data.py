"""The data package: valid Frictionless package, every table loads, every row is cited."""

import re

import frictionless
import pytest

from coursekit import data, regions

BIB = "".join(p.read_text(encoding="utf-8") for p in sorted(data.DEFAULT_PACKAGE.parents[1].glob("references*.bib")))
BIB_KEYS = set(re.findall(r"@\w+\{([^,\s]+),", BIB))


def test_package_is_valid_frictionless():
    report = frictionless.Package(str(data.DEFAULT_PACKAGE)).validate()
    assert report.valid, report.flatten(["title", "message"])


@pytest.mark.parametrize("name", data.tables())
def test_table_loads_and_every_row_is_cited(name):
    frame = data.load(name)
    assert len(frame) > 0
    assert frame["source"].notna().all(), f"{name}: a row without its article"
    keys = set(frame["source"]) | set(frame.get("endnote_key", []).dropna())
    assert keys <= BIB_KEYS, f"{name}: keys missing from references.bib: {keys - BIB_KEYS}"


@pytest.mark.parametrize("resource", data.package()["resources"], ids=lambda r: r["name"])
def test_every_table_documents_itself(resource):
    assert resource.get("title") and resource.get("description") and resource.get("sources")
    for field in resource["schema"]["fields"]:
        assert field.get("type"), f"{resource['name']}.{field['name']} has no type"
        if field["name"].endswith(("_usd", "_pct")) or field["name"] in {"overstays", "countries"}:
            assert field.get("unit"), f"{resource['name']}.{field['name']} has no unit"


def test_package_has_a_licence():
    assert data.package()["licenses"]


def test_ch06_holds_the_articles_numbers():
    """Spot checks against the text of the article (Sobko 2026)."""
    o = data.load("ch06_overstays").set_index("iso3")
    assert o.loc["TKM", ["overstays", "visas_issued"]].tolist() == [320, 1759]
    assert o.loc["KGZ", "stated_rate_pct"] == 8.39
    assert o.loc["MEX", "overstays"] == 52083
    assert o.loc["MEX", ["visas_issued", "stated_rate_pct"]].isna().all()  # not given: missing, not zero
    assert data.load("ch06_refusal_rates").set_index("iso3").loc["UZB", "refusal_rate_pct"] == 64.41
    assert sorted(data.load("ch06_bond_levels")["bond_usd"]) == [5000, 10000, 15000]
    added = data.load("ch06_bond_countries").set_index("iso3")["date_added"]
    assert str(added["TKM"].date()) == "2026-01-01" and str(added["KGZ"].date()) == "2026-01-21"
    assert data.load("ch06_income").loc[0, "usd_per_year"] == 1650


def test_stated_rates_do_not_match_counts():
    """The lesson of the chapter: the arithmetic really does not match (so the text must say so)."""
    o = data.load("ch06_overstays").dropna(subset=["stated_rate_pct"])
    recomputed = 100 * o["overstays"] / o["visas_issued"]
    assert ((recomputed - o["stated_rate_pct"]).abs() > 0.3).all()


def test_country_codes_are_known():
    for name in data.tables():
        frame = data.load(name)
        if "iso3" in frame:
            assert set(frame["iso3"].dropna()) <= set(regions.COUNTRIES)  # region-level rows have none
