"""Cut the Natural Earth countries of Central Asia and its neighbours out of world-atlas.

Input: ``countries-50m.json`` from the npm package world-atlas 2.0.2 (Natural Earth
1:50m admin-0 boundaries, public domain; TopoJSON by Mike Bostock, ISC licence).
Output: ``data/geo/central-asia-50m.topo.json`` with only the countries listed below
and only the arcs they use; geometry, ids and names are unchanged.

    curl -sSLO https://registry.npmjs.org/world-atlas/-/world-atlas-2.0.2.tgz
    tar xzf world-atlas-2.0.2.tgz
    python data/prep/cut_world_atlas.py package/countries-50m.json
"""

import json
import sys
from pathlib import Path

# ISO 3166-1 numeric codes: the five Central Asian states, then their neighbours on the map.
KEEP = {"398", "417", "762", "795", "860",  # KAZ KGZ TJK TKM UZB
        "004", "156", "643", "364", "586", "031", "268", "051", "792", "496", "356"}  # AFG CHN RUS IRN PAK AZE GEO ARM TUR MNG IND
OUT = Path(__file__).resolve().parents[1] / "geo" / "central-asia-50m.topo.json"


def arc_indices(arcs):
    """Every arc index used by a (nested) TopoJSON arcs list; negative i means arc ~i reversed."""
    for item in arcs:
        if isinstance(item, list):
            yield from arc_indices(item)
        else:
            yield item if item >= 0 else ~item


def remap(arcs, mapping):
    return [remap(a, mapping) if isinstance(a, list) else (mapping[a] if a >= 0 else ~mapping[~a]) for a in arcs]


def cut(topology: dict) -> dict:
    geometries = [g for g in topology["objects"]["countries"]["geometries"] if g.get("id") in KEEP]
    missing = KEEP - {g["id"] for g in geometries}
    if missing:
        raise SystemExit(f"not in the input: {sorted(missing)}")
    used = sorted({i for g in geometries for i in arc_indices(g["arcs"])})
    mapping = {old: new for new, old in enumerate(used)}
    for g in geometries:
        g["arcs"] = remap(g["arcs"], mapping)
    return {"type": "Topology", "transform": topology["transform"],
            "objects": {"countries": {"type": "GeometryCollection", "geometries": geometries}},
            "arcs": [topology["arcs"][i] for i in used]}


if __name__ == "__main__":
    result = cut(json.loads(Path(sys.argv[1]).read_text()))
    OUT.write_text(json.dumps(result, separators=(",", ":")))
    print(f"wrote {OUT} ({OUT.stat().st_size / 1024:.0f} KiB, {len(result['objects']['countries']['geometries'])} countries)")
