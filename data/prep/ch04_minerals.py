"""Build data/ch04_minerals.csv and data/ch04_ca_ranks.csv from the course's reference extracts.

Run from the repository root: ``python data/prep/ch04_minerals.py``. Input:
../shared/reference-data/ch04-new-world-order/ (USGS MCS 2025 data release, USGS MCS 2026 via
derived copies, WNA uranium; see its SOURCE.md). Output: one row per country (or "other countries"
or world-total row), mineral, measure, edition and year, in long form. No rank is stored in
ch04_minerals: the chapter computes ranks, so the method is on the page.
"""

from __future__ import annotations

import csv
from pathlib import Path

REF = Path(__file__).resolve().parents[3] / "shared" / "reference-data" / "ch04-new-world-order"
if not REF.exists():
    REF = Path("/work/shared/reference-data/ch04-new-world-order")
OUT = Path(__file__).resolve().parents[1]
CA = {"Kazakhstan", "Kyrgyzstan", "Tajikistan", "Turkmenistan", "Uzbekistan"}
FIELDS = ["mineral", "measure", "edition", "year", "estimated", "unit", "country", "row_kind", "central_asia",
          "value", "status", "note", "source", "endnote_key"]


def kind(country: str) -> str:
    low = country.lower()
    if low.startswith("world total"):
        return "world total"
    if low.startswith("other"):
        return "other countries"
    return "country"


def num(raw: str) -> float | None:
    raw = raw.replace(",", "").replace("e", "").strip()
    try:
        return float(raw)
    except ValueError:
        return None


def clean(country: str) -> str:
    country = country.strip().replace("World total (rounded) 10", "World total (rounded)")
    return {"Other Countries": "Other countries", "Korea, North": "North Korea"}.get(country, country)


def row(mineral, measure, edition, year, est, unit, country, value, status, note, source):
    country = clean(country)
    v = None if value is None else (int(value) if float(value).is_integer() else value)
    return {"mineral": mineral, "measure": measure, "edition": edition, "year": year, "estimated": est,
            "unit": unit, "country": country, "row_kind": kind(country),
            "central_asia": "yes" if country in CA else "no", "value": "" if v is None else v,
            "status": status if v is None or status else ("listed" if v else "zero"), "note": note, "source": source,
            "endnote_key": ""}


MCS25_MEASURES = {  # (commodity, type) -> mineral, production measure, reserves? (None: no reserves kept)
    ("Zinc", "Mine production, zinc content"): ("zinc", "mine production (zinc content)"),
    ("Gold", "mine production, gold content"): ("gold", "mine production (gold content)"),
    ("Antimony", "Mine production, antimony content"): ("antimony", "mine production (antimony content)"),
    ("Tungsten", "Mine production, tungsten content"): ("tungsten", "mine production (tungsten content)"),
    ("Rare earths", "Mine production, rare-earth-oxide equivalent"): ("rare earths", "mine production (rare-earth-oxide equivalent)"),
    ("Titanium Mineral Concentrates", "Mine production, ilmentite, titanium dioxide (TiO2) content"): ("titanium", "ilmenite concentrates (TiO2 content)"),
    ("Titanium Mineral Concentrates", "Mine production, rutile, titanium dioxide (TiO2) content"): ("titanium", "rutile concentrates (TiO2 content)"),
    ("Titanium & titanium dioxide", "Sponge Metal Production"): ("titanium", "sponge metal production"),
}
USGS25, USGS26, WNA = "usgs2025mcsdata", "usgs2026mcs", "wna2025uranium"


def mcs2025() -> list[dict]:
    rows = []
    with open(REF / "usgs_mcs2025_world_claim_minerals.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            mineral, measure = MCS25_MEASURES[(r["commodity"], r["type"])]
            unit = r["unit"] or "metric tons"
            if r["country"].startswith("World total (ilmenite, rounded)"):
                continue  # keep the ilmenite-and-rutile total only once, below
            note = r["prod_notes"]
            status = "withheld" if note.startswith("W for") else ""
            for year, col, est in ((2023, "prod_2023", "no"), (2024, "prod_2024e", "yes")):
                rows.append(row(mineral, measure, "MCS 2025", year, est, unit, r["country"], num(r[col]),
                                status or ("" if num(r[col]) is not None else "not listed"), note, USGS25))
            if measure == "sponge metal production":
                rows.append(row(mineral, "sponge metal capacity", "MCS 2025", 2024, "yes", unit, r["country"],
                                num(r["cap_2024e"]), "" if num(r["cap_2024e"]) is not None else "not listed", "", USGS25))
            elif measure.startswith(("ilmenite", "rutile")) or True:
                if measure == "sponge metal production":
                    continue
                res = r["reserves_2024"]
                value = num(res.lstrip(">"))
                status = ("more than" if res.startswith(">") else "") or ("not available" if r["reserve_notes"] == "NA" else "")
                rows.append(row(mineral, "reserves" if not measure.startswith(("ilmenite", "rutile")) else measure.split(" ")[0] + " reserves (TiO2 content)",
                                "MCS 2025", 2024, "no", unit, r["country"], value,
                                status or ("" if value is not None else "not listed"),
                                r["reserve_notes"] if r["reserve_notes"] != "NA" else "", USGS25))
    return rows


MCS26 = {"zinc": "mine production (zinc content)", "gold": "mine production (gold content)",
         "antimony": "mine production (antimony content)", "tungsten": "mine production (tungsten content)",
         "rare_earths": "mine production (rare-earth-oxide equivalent)"}


def mcs2026() -> list[dict]:
    rows = []
    with open(REF / "usgs_mcs2026_derived_selected.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            c = r["commodity"]
            if c == "titanium":
                mineral, measure, src = "titanium", "sponge metal production", "pranava0x0/usgs-mineral-commodity-summaries"
            elif c in MCS26 and not r["table"]:
                mineral, measure, src = c.replace("_", " "), MCS26[c], "TSM-Hub-AK/tsm-hub"
            else:
                continue
            unit = "thousand metric tons" if c == "zinc" else "metric tons"
            for year, raw, val, flag in ((2024, "prod_2024_raw", "prod_2024", "flag_2024"),
                                          (2025, "prod_2025e_raw", "prod_2025e", "flag_2025e")):
                s = r[raw].strip()
                status = "withheld" if s == "W" else "zero" if s == "—" else ""
                value = num(r[val]) if r[val] else (0 if s == "—" else None)
                est = "yes" if (year == 2025 or s.startswith("e")) else "no"
                rows.append(row(mineral, measure, "MCS 2026", year, est, unit, r["country"], value,
                                status or ("" if value is not None else "not listed"), f"read via {src}", USGS26))
            if measure != "sponge metal production":
                value = num(r["reserves"]) if r["reserves"] else None
                rows.append(row(mineral, "reserves", "MCS 2026", 2025, "no", unit, r["country"], value,
                                "" if value is not None else "not listed", f"read via {src}", USGS26))
    return rows


def wna() -> list[dict]:
    rows = []
    with open(REF / "wna_uranium_mine_production.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            country = r["country"].replace(" (est.)", "").replace("World total tU", "World total").replace("Others", "Other countries").replace("USA", "United States")
            est = "yes" if "(est.)" in r["country"] else "no"
            for year in (2022, 2023, 2024):
                rows.append(row("uranium", "mine production (tonnes U)", "WNA", year, est, "tonnes U", country,
                                num(r[f"prod_{year}"]), "", "WNA marks this country's figure as an estimate" if est == "yes" else "", WNA))
    return rows

#: Typos in the type labels of USGS's MCS 2025 file, corrected in ch04_ca_ranks.
TYPOS = {"grosss weight": "gross weight", "poduction": "production", "Ferosilicon": "Ferrosilicon"}


def main() -> None:
    rows = mcs2025() + mcs2026() + wna()
    with open(OUT / "ch04_minerals.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, FIELDS, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    keep = ["commodity", "type", "unit", "country", "prod_2024e", "rank_prod_2024e", "n_ranked_prod_2024e",
            "leader_prod_2024e", "leader_value_2024e", "world_total_prod_2024e", "reserves_2024", "rank_reserves_2024",
            "n_ranked_reserves"]
    with open(REF / "usgs_mcs2025_central_asia_all_rows.csv", encoding="utf-8") as f, \
         open(OUT / "ch04_ca_ranks.csv", "w", newline="", encoding="utf-8") as g:
        w = csv.DictWriter(g, keep + ["source", "endnote_key"], lineterminator="\n")
        w.writeheader()
        for r in csv.DictReader(f):
            out = {k: r[k].strip() for k in keep}
            for typo, word in TYPOS.items():  # USGS's typos in these labels
                out["type"] = out["type"].replace(typo, word)
            out["unit"] = out["unit"] or "metric tons"
            out["reserves_2024"] = out["reserves_2024"] if num(out["reserves_2024"]) is not None else ""
            out["source"], out["endnote_key"] = USGS25, ""
            w.writerow(out)


if __name__ == "__main__":
    main()
