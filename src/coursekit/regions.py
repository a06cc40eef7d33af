"""The countries of the course: ISO codes, names and one fixed colour each.

Central Asia and Afghanistan take the Okabe-Ito colour-blind-safe palette;
countries that only appear for comparison are greys, so the region stays in
focus. Every chart of the book draws a country in the same colour.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Country:
    iso3: str
    iso_numeric: int | None
    name: str
    colour: str
    central_asia: bool = False


_ALL = [
    Country("KAZ", 398, "Kazakhstan", "#56B4E9", True),
    Country("KGZ", 417, "Kyrgyzstan", "#D55E00", True),
    Country("TJK", 762, "Tajikistan", "#009E73", True),
    Country("TKM", 795, "Turkmenistan", "#E69F00", True),
    Country("UZB", 860, "Uzbekistan", "#0072B2", True),
    Country("AFG", 4, "Afghanistan", "#CC79A7"),
    Country("RUS", 643, "Russia", "#000000"),
    Country("CHN", 156, "China", "#F0E442"),
    Country("USA", 840, "United States", "#7F7F7F"),
    Country("MEX", 484, "Mexico", "#595959"),
    Country("VEN", 862, "Venezuela", "#8C8C8C"),
    Country("HTI", 332, "Haiti", "#B3B3B3"),
    Country("WLD", None, "Global average", "#333333"),
]

COUNTRIES: dict[str, Country] = {c.iso3: c for c in _ALL}
CENTRAL_ASIA: tuple[str, ...] = tuple(c.iso3 for c in _ALL if c.central_asia)


def get(iso3: str) -> Country:
    """The country with this ISO3 code; KeyError names the known codes."""
    try:
        return COUNTRIES[iso3]
    except KeyError:
        raise KeyError(f"unknown country code {iso3!r}; known codes: {', '.join(COUNTRIES)}") from None


def name(iso3: str) -> str:
    """English name of a country code."""
    return get(iso3).name


def colour_scale_args(codes) -> dict[str, list[str]]:
    """``domain`` (names) and ``range`` (colours) for an Altair colour scale."""
    codes = list(dict.fromkeys(codes))
    return {"domain": [name(c) for c in codes], "range": [get(c).colour for c in codes]}
