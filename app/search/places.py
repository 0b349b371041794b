"""Where: communes by name or postal code, and the communes within a radius ("the ring").

Turning a place into codes first is what makes place search fast: an offer carries the INSEE
code of its commune, so "within 30 km of Lyon" becomes `commune_code IN (ring)` on a B-tree,
exact at commune granularity (SEARCH-DEDUP.md §3.3: faster than a geometric circle on both
engines). The ~35,000 communes are reference data: read once per process and database, rings
cached, so a search never scans the communes table.
"""
import math
import re
from dataclasses import dataclass
from functools import lru_cache

import numpy
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.catalog.models import Commune, Departement, PostalCode, Region
from app.catalog.text import fold
from app.search.cache import per_database

EARTH_RADIUS_KM = 6371.0
MIN_RADIUS_KM, MAX_RADIUS_KM, DEFAULT_RADIUS_KM = 5, 100, 30
RADIUS_CHOICES = (5, 10, 20, 30, 50, 100)
_POSTAL_CODE = re.compile(r"^\d{5}$")
_WITH_DEPARTEMENT = re.compile(r"^(?P<name>.*?)\s*\((?P<departement>[0-9][0-9AB]?[0-9]?)\)$")


@dataclass(frozen=True)
class Place:
    insee_code: str
    name: str
    search_name: str
    departement_code: str
    region_code: str | None
    population: int
    latitude: float | None
    longitude: float | None
    postal_codes: tuple[str, ...]

    @property
    def label(self) -> str:
        """What the picker shows and the form sends back: the département tells homonyms apart."""
        return f"{self.name} ({self.departement_code})"


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


class Gazetteer:
    """Every commune, département and région, with lookups by name, postal code and distance."""

    def __init__(
        self, places: list[Place], departements: dict[str, str], regions: dict[str, str], departement_regions: dict
    ):
        self.communes = {place.insee_code: place for place in places}
        self.departements = departements
        self.departement_regions = departement_regions
        self.regions = regions
        self.by_name: dict[str, list[Place]] = {}
        self.by_postal_code: dict[str, list[Place]] = {}
        for place in sorted(places, key=lambda p: -p.population):
            self.by_name.setdefault(place.search_name, []).append(place)
            for code in place.postal_codes:
                self.by_postal_code.setdefault(code, []).append(place)
        self._by_population = sorted(places, key=lambda p: (-p.population, p.insee_code))
        located = [place for place in places if place.latitude is not None and place.longitude is not None]
        self._codes = numpy.array([place.insee_code for place in located])
        self._lat = numpy.radians([place.latitude for place in located])
        self._lon = numpy.radians([place.longitude for place in located])
        self.ring = lru_cache(maxsize=4096)(self._ring)

    def _ring(self, insee_code: str, radius_km: int) -> tuple[str, ...]:
        """INSEE codes of the communes whose centre is within the radius of this one's."""
        centre = self.communes[insee_code]
        if centre.latitude is None or centre.longitude is None:
            return (insee_code,)
        lat, lon = math.radians(centre.latitude), math.radians(centre.longitude)
        a = (
            numpy.sin((self._lat - lat) / 2) ** 2
            + math.cos(lat) * numpy.cos(self._lat) * numpy.sin((self._lon - lon) / 2) ** 2
        )
        within = 2 * EARTH_RADIUS_KM * numpy.arcsin(numpy.sqrt(a)) <= radius_km
        return tuple(sorted(set(self._codes[within].tolist()) | {insee_code}))

    def resolve(self, typed: str, preferred: set[str] = frozenset()) -> list[Place]:
        """Communes the typed text may mean, best first: a postal code, or a name ("Saint-Denis",
        "Saint-Denis (974)"); exact names before names that start with the text. `preferred`
        holds département codes (the tenant's territory) whose communes come first."""
        typed = typed.strip()
        departement = None
        match = _WITH_DEPARTEMENT.match(typed)
        if match:
            typed, departement = match["name"], match["departement"]
        if _POSTAL_CODE.match(typed):
            found = self.by_postal_code.get(typed) or ([self.communes[typed]] if typed in self.communes else [])
        else:
            name = fold(typed)
            found = self.by_name.get(name) or self.starting_with(name, limit=10)
        if departement:
            found = [place for place in found if place.departement_code == departement]
        return sorted(found, key=lambda place: (place.departement_code not in preferred, -place.population))

    def starting_with(self, folded: str, limit: int) -> list[Place]:
        if not folded:
            return []
        found = []
        for place in self._by_population:
            if place.search_name.startswith(folded):
                found.append(place)
                if len(found) == limit:
                    break
        return found

    def suggest(self, typed: str, limit: int = 10, preferred: set[str] = frozenset()) -> list[Place]:
        """Communes for the picker: by postal code prefix or name prefix, most populous first."""
        typed = typed.strip()
        if typed.isdigit():
            codes = sorted(code for code in self.by_postal_code if code.startswith(typed))
            found = [place for code in codes for place in self.by_postal_code[code]]
            unique = list({place.insee_code: place for place in found}.values())
            return sorted(unique, key=lambda p: (p.departement_code not in preferred, -p.population))[:limit]
        return self.resolve(typed, preferred)[:limit] if fold(typed) else []


def load_gazetteer(session: Session) -> Gazetteer:
    postal_codes: dict[str, list[str]] = {}
    for code, insee_code in session.execute(select(PostalCode.code, PostalCode.insee_code).order_by(PostalCode.code)):
        postal_codes.setdefault(insee_code, []).append(code)
    places = [
        Place(*row, postal_codes=tuple(postal_codes.get(row[0], ())))
        for row in session.execute(
            select(
                Commune.insee_code, Commune.name, Commune.search_name, Commune.departement_code,
                Commune.region_code, Commune.population, Commune.latitude, Commune.longitude,
            ).order_by(Commune.insee_code)
        )
    ]
    departement_rows = session.execute(
        select(Departement.code, Departement.name, Departement.region_code).order_by(Departement.code)
    ).all()
    regions = dict(session.execute(select(Region.code, Region.name).order_by(Region.code)).all())
    return Gazetteer(
        places,
        departements={code: name for code, name, _region in departement_rows},
        regions=regions,
        departement_regions={code: region for code, _name, region in departement_rows},
    )


def gazetteer(session: Session) -> Gazetteer:
    return per_database(session, "gazetteer", load_gazetteer)
