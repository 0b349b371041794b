"""Resolve what a source says about a place to an INSEE commune, département or région.

Sources give an INSEE code, a postal code and a town name, or only a label ("74 - ANNECY",
"92 - Hauts de Seine", "Hauts-de-France", "France"). The resolver reads the reference tables
once and answers from memory: a feed of thousands of records makes no query per record.
"""
import math
import re
from functools import lru_cache
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.catalog.models import Commune, Departement, PostalCode, Region
from app.catalog.text import fold

# France Travail labels: "74 - ANNECY", "2A - AJACCIO", "973 - Guyane", or just "69".
_DEPARTEMENT_LABEL = re.compile(r"^\s*(?P<code>97\d|\d[\dAB])\s*(?:-\s*(?P<name>.*\S))?\s*$", re.IGNORECASE)
# Partner feeds: "Lyon (69)", "Saint-Denis (974)".
_NAME_WITH_DEPARTEMENT = re.compile(r"^\s*(?P<name>.*\S)\s*\(\s*(?P<code>97\d|\d[\dAB])\s*\)\s*$", re.IGNORECASE)
COUNTRY_NAMES = {"france", "france entiere", "france metropolitaine", "fr"}

# Source coordinates further than this from the commune's centroid are wrong (swapped, rounded).
MAX_DISTANCE_FROM_CENTROID_KM = 50

# Paris, Lyon and Marseille arrondissements have INSEE codes of their own; the commune is one.
_ARRONDISSEMENTS = (("751", "75056"), ("6938", "69123"), ("132", "13055"))


@dataclass(frozen=True)
class Place:
    """Offer columns for a place; keys match Offer's, so `**place.columns()` fills them."""

    location_precision: str  # commune, departement, region or country
    place_label: str | None
    commune_code: str | None = None
    departement_code: str | None = None
    region_code: str | None = None
    latitude: float | None = None
    longitude: float | None = None

    def columns(self) -> dict:
        return dict(self.__dict__)  # asdict() deep-copies: ten times slower, half a million times a run


@dataclass(frozen=True)
class CommuneEntry:
    insee_code: str
    name: str
    departement_code: str
    region_code: str | None
    population: int
    latitude: float | None
    longitude: float | None


class PlaceResolver:
    """In-memory indexes of the reference places, built once per loader run."""

    def __init__(
        self,
        communes: Sequence[CommuneEntry],
        departements: Iterable[tuple[str, str, str | None]],
        regions: Iterable[tuple[str, str]],
        postal_codes: Iterable[tuple[str, str]],
    ):
        self.communes: dict[str, CommuneEntry] = {c.insee_code: c for c in communes}
        self.departements: dict[str, tuple[str, str | None]] = {
            code: (name, region) for code, name, region in departements
        }
        self.regions: dict[str, str] = dict(regions)
        self._region_by_name = {fold(name): code for code, name in self.regions.items()}
        self._departement_by_name = {fold(name): code for code, (name, _region) in self.departements.items()}
        self._communes_by_name: dict[tuple[str, str], CommuneEntry] = {}
        self._largest_commune_by_name: dict[str, CommuneEntry] = {}
        # Most populous last, so it wins when two communes share a name.
        for commune in sorted(communes, key=lambda c: c.population):
            self._communes_by_name[(commune.departement_code, fold(commune.name))] = commune
            self._largest_commune_by_name[fold(commune.name)] = commune
        self._communes_by_postal_code: dict[str, list[CommuneEntry]] = {}
        for code, insee_code in postal_codes:
            self._communes_by_postal_code.setdefault(code, []).append(self.communes[insee_code])
        self._folded_names = {code: fold(commune.name) for code, commune in self.communes.items()}
        # Feeds repeat the same few thousand places: each distinct set of clues is resolved once.
        self.resolve = lru_cache(maxsize=200_000)(self.resolve)

    @classmethod
    def from_database(cls, session: Session) -> "PlaceResolver":
        communes = [
            CommuneEntry(*row)
            for row in session.execute(
                select(
                    Commune.insee_code,
                    Commune.name,
                    Commune.departement_code,
                    Commune.region_code,
                    Commune.population,
                    Commune.latitude,
                    Commune.longitude,
                ).order_by(Commune.insee_code)
            )
        ]
        departements = session.execute(
            select(Departement.code, Departement.name, Departement.region_code).order_by(Departement.code)
        ).all()
        regions = session.execute(select(Region.code, Region.name).order_by(Region.code)).all()
        postal_codes = session.execute(
            select(PostalCode.code, PostalCode.insee_code).order_by(PostalCode.code, PostalCode.insee_code)
        ).all()
        return cls(communes, departements, regions, postal_codes)

    # --- The one entry point loaders use ----------------------------------------------------

    def resolve(
        self,
        insee_code: str | None = None,
        postal_code: str | None = None,
        name: str | None = None,
        label: str | None = None,
        latitude: float | None = None,
        longitude: float | None = None,
        area_label: str | None = None,
    ) -> Place:
        """The most precise place the clues give; the source's coordinates win over centroids.

        `name` is a town ("Annecy", "Lyon (69)"), `label` France Travail's "74 - ANNECY", and
        `area_label` a département or région the source names apart ("Haute-Savoie", "74").
        """
        area = self.area_by_label(area_label) if area_label else None
        commune = (
            self.commune_by_insee_code(insee_code)
            or self.commune_by_postal_code(postal_code, name)
            or self.commune_by_label(label)
            or self.commune_by_name(name, area)
        )
        if commune is not None:
            return self.commune_place(commune, latitude, longitude)
        place = self.area_by_label(label) or self.area_by_postal_code(postal_code) or area
        if place is None:
            place = Place("country", label.strip() if label and label.strip() else "France")
        if latitude is not None and longitude is not None:
            return replace(place, latitude=latitude, longitude=longitude)
        return place

    # --- Places at each precision -----------------------------------------------------------

    def commune_place(
        self, commune: CommuneEntry, latitude: float | None = None, longitude: float | None = None
    ) -> Place:
        if not _plausible(commune, latitude, longitude):
            latitude, longitude = commune.latitude, commune.longitude
        return Place(
            location_precision="commune",
            place_label=f"{commune.name} ({commune.departement_code})",
            commune_code=commune.insee_code,
            departement_code=commune.departement_code,
            region_code=commune.region_code,
            latitude=latitude,
            longitude=longitude,
        )

    def departement_place(self, code: str) -> Place:
        name, region_code = self.departements[code]
        return Place("departement", f"{name} ({code})", departement_code=code, region_code=region_code)

    def region_place(self, code: str) -> Place:
        return Place("region", self.regions[code], region_code=code)

    # --- Look-ups ---------------------------------------------------------------------------

    def commune_by_insee_code(self, code: str | None) -> CommuneEntry | None:
        if not code:
            return None
        code = code.strip().upper()
        for prefix, commune_code in _ARRONDISSEMENTS:
            if code.startswith(prefix):
                code = commune_code
                break
        return self.communes.get(code)

    def commune_by_postal_code(self, postal_code: str | None, name: str | None = None) -> CommuneEntry | None:
        """The commune of that name among those sharing the postal code, else the largest."""
        postal_code = (postal_code or "").strip()
        candidates = self._communes_by_postal_code.get(postal_code, [])
        wanted = fold(name)
        for commune in candidates:
            if wanted and self._folded_names[commune.insee_code] == wanted:
                return commune
        if candidates:
            return max(candidates, key=lambda commune: commune.population)
        # A CEDEX or unknown code still names its département: look the town up there.
        departement = departement_of_postal_code(postal_code)
        return self._communes_by_name.get((departement, wanted)) if departement and wanted else None

    def commune_by_label(self, label: str | None) -> CommuneEntry | None:
        match = _DEPARTEMENT_LABEL.match(label or "")
        if not match or not match["name"]:
            return None
        return self._communes_by_name.get((match["code"].upper(), fold(match["name"])))

    def commune_by_name(self, name: str | None, area: Place | None = None) -> CommuneEntry | None:
        """'Lyon', 'Lyon (69)': in the département said, else the largest commune of that name."""
        match = _NAME_WITH_DEPARTEMENT.match(name or "")
        if match:
            return self._communes_by_name.get((match["code"].upper(), fold(match["name"])))
        wanted = fold(name)
        if area is not None and area.departement_code:
            return self._communes_by_name.get((area.departement_code, wanted))
        commune = self._largest_commune_by_name.get(wanted)
        if commune is not None and area is not None and area.region_code not in (None, commune.region_code):
            return None
        return commune

    def area_by_label(self, label: str | None) -> Place | None:
        """A label that names no commune: a département ("92 - Hauts de Seine", "Haute-Savoie"),
        a région, France."""
        match = _DEPARTEMENT_LABEL.match(label or "")
        if match and match["code"].upper() in self.departements:
            return self.departement_place(match["code"].upper())
        folded = fold(label)
        if folded in self._departement_by_name:
            return self.departement_place(self._departement_by_name[folded])
        if folded in self._region_by_name:
            return self.region_place(self._region_by_name[folded])
        if folded in COUNTRY_NAMES:
            return Place("country", "France")
        return None

    def area_by_postal_code(self, postal_code: str | None) -> Place | None:
        departement = departement_of_postal_code((postal_code or "").strip())
        return self.departement_place(departement) if departement in self.departements else None


def _plausible(commune: CommuneEntry, latitude: float | None, longitude: float | None) -> bool:
    """Source coordinates are kept when given, unless they lie far from the commune."""
    if latitude is None or longitude is None:
        return False
    if commune.latitude is None or commune.longitude is None:
        return True
    distance = distance_km(latitude, longitude, commune.latitude, commune.longitude)
    return distance <= MAX_DISTANCE_FROM_CENTROID_KM


def distance_km(latitude_a: float, longitude_a: float, latitude_b: float, longitude_b: float) -> float:
    """Equirectangular approximation: exact enough at the scale of a commune."""
    mean_latitude = math.radians((latitude_a + latitude_b) / 2)
    x = math.radians(longitude_b - longitude_a) * math.cos(mean_latitude)
    y = math.radians(latitude_b - latitude_a)
    return 6371 * math.hypot(x, y)


def departement_of_postal_code(postal_code: str) -> str | None:
    """'74000' -> '74', '97600' -> '976'. Corsica ('20…') is 2A or 2B: not guessed."""
    if not re.fullmatch(r"\d{5}", postal_code or "") or postal_code.startswith("20"):
        return None
    return postal_code[:3] if postal_code.startswith("97") else postal_code[:2]
