"""Offline maps of Central Asia on Natural Earth boundaries shipped in ``data/geo/``.

The boundaries are inlined into the chart, so a map renders with no network.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import altair as alt
import pandas as pd

from . import data, regions
from .charts import NEUTRALS

GEO_NAME = "geo/central-asia-50m.topo.json"  # relative to the data package's folder
ATTRIBUTION = "Boundaries: Natural Earth 1:50m v4.1.0 (public domain), via world-atlas 2.0.2"
#: Where the country names sit on the map (longitude, latitude): layout only, not data.
LABELS = {"KAZ": (67.0, 48.0), "UZB": (63.2, 41.9), "TKM": (59.0, 39.0), "KGZ": (75.0, 41.8),
          "TJK": (71.0, 38.6), "AFG": (66.0, 34.5)}


def geo_file() -> Path:
    """Where the boundaries are: next to the data package (honours ``COURSEKIT_DATA``)."""
    return data.package_dir() / GEO_NAME


def topology(path: Path | None = None) -> dict:
    """The TopoJSON topology of Central Asia and its neighbours (object ``countries``)."""
    path = Path(path) if path is not None else geo_file()
    if not path.exists():
        raise FileNotFoundError(f"map boundaries missing: {path} (see data/geo/README.md)")
    return _read(path, path.stat().st_mtime)


@lru_cache(maxsize=2)
def _read(path: Path, mtime: float) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def projection(center=(63.5, 42.0), scale: float = 850) -> alt.Projection:
    """Mercator centred on Central Asia, from the Caspian to western China."""
    return alt.Projection(type="mercator", center=list(center), scale=scale)


def base_map(highlight=regions.CENTRAL_ASIA, width: int = 620, height: int = 420, labels: bool = True,
             proj: alt.Projection | None = None) -> alt.LayerChart:
    """Country outlines: ``highlight`` (ISO3 codes) in a light tint, neighbours in pale grey, with names."""
    numeric = {f"{regions.get(c).iso_numeric:03d}" for c in highlight}
    proj = proj or projection()
    shapes = alt.Chart(alt.InlineData(values=topology(), format=alt.DataFormat(type="topojson", feature="countries")))
    shapes = shapes.mark_geoshape(stroke="white", strokeWidth=0.8, clip=True).encode(
        color=alt.condition(alt.FieldOneOfPredicate(field="id", oneOf=sorted(numeric)),
                            alt.value("#DCE6F0"), alt.value("#F2F2F2")),
        tooltip=alt.Tooltip("properties.name:N", title="Country"),
    ).properties(projection=proj)
    layers = [shapes]
    if labels:
        names = pd.DataFrame([{"country": regions.name(c), "lon": lon, "lat": lat}
                              for c, (lon, lat) in LABELS.items() if c in highlight])
        layers.append(alt.Chart(names).mark_text(fontSize=12, fontStyle="italic", color=NEUTRALS[2]).encode(
            longitude="lon:Q", latitude="lat:Q", text="country:N").properties(projection=proj))
    return alt.layer(*layers).properties(width=width, height=height)
