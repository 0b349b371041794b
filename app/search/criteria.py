"""Search parameters, read and checked once for the HTML form and the JSON API alike.

A bad parameter becomes a `ParameterError` naming the field and saying how to fix it: the form
shows them in its error summary, the API answers 400 with them. Nothing here touches `request`:
the caller passes the query arguments.
"""
from collections.abc import Mapping
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from app.search.facets import FACETS_BY_KIND, Facet
from app.search.occupations import occupation_index
from app.search.places import DEFAULT_RADIUS_KM, MAX_RADIUS_KM, MIN_RADIUS_KM, Place, gazetteer

SORTS = ("relevance", "date", "distance")
MAX_PER_PAGE = 100
MAX_PAGE = 10_000  # deeper than any real reader goes; keeps OFFSET within every engine's range
MAX_TEXT_LENGTH = 200
TRUE_VALUES = ("1", "true", "on", "yes")


@dataclass(frozen=True)
class ParameterError:
    parameter: str
    message: str


@dataclass
class Criteria:
    kind: str
    text: str = ""  # matched as full text
    occupations: frozenset[str] = frozenset()  # ROME codes the offer must have
    text_occupations: frozenset[str] = frozenset()  # codes the typed text names: found as well
    commune: Place | None = None
    radius_km: int = DEFAULT_RADIUS_KM
    departement: str | None = None
    region: str | None = None
    imprecise_only: bool = False  # only offers located no closer than their département
    facets: dict[str, object] = field(default_factory=dict)  # facet name -> selected value(s)
    training_body: str | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20


@dataclass
class Reading:
    """What was asked, what was wrong with it, and the communes the typed place may mean."""

    criteria: Criteria
    errors: list[ParameterError] = field(default_factory=list)
    place_choices: list[Place] = field(default_factory=list)
    typed_place: str = ""
    typed_text: str = ""

    def add_error(self, parameter: str, message) -> None:
        self.errors.append(ParameterError(parameter, str(message)))


def read_criteria(
    session: Session, tenant, kind: str, args: Mapping, per_page: int, from_form: bool = False
) -> Reading:
    """Parse `args` (a MultiDict). `from_form`: the HTML form, where a commune or occupation
    picked by the autocomplete travels next to the typed text, and the text wins if they differ."""
    reading = Reading(Criteria(kind=kind, per_page=per_page))
    read_what(session, args, reading, from_form)
    read_where(session, tenant, args, reading)
    read_facets(args, reading)
    read_order_and_page(args, reading, from_form)
    return reading


def read_what(session: Session, args: Mapping, reading: Reading, from_form: bool) -> None:
    criteria = reading.criteria
    typed = " ".join((args.get("q") or "").split())
    reading.typed_text = typed
    if len(typed) > MAX_TEXT_LENGTH:
        reading.add_error("q", _l("Le texte recherché doit faire au plus %(count)s caractères.", count=MAX_TEXT_LENGTH))
        return
    index = occupation_index(session)
    code = (args.get("occupation") or "").strip().upper()
    if code and code not in index.occupations:
        if not from_form:
            reading.add_error("occupation", _l("Code ROME inconnu : %(code)s.", code=code))
            return
        code = ""  # a stale hidden field: the typed text says what is sought
    if code and (not typed or index.names(code, typed)):
        criteria.occupations = frozenset({code})
        return
    if code and not from_form:
        criteria.occupations = frozenset({code})
    criteria.text = typed
    criteria.text_occupations = index.resolve(typed) if typed else frozenset()


def tenant_departements(session: Session, tenant) -> set[str]:
    places = gazetteer(session)
    regions = set(tenant.region_codes or ())
    return set(tenant.departement_codes or ()) | {
        code for code, region in places.departement_regions.items() if region in regions
    }


def read_where(session: Session, tenant, args: Mapping, reading: Reading) -> None:
    criteria, places = reading.criteria, gazetteer(session)
    code = (args.get("commune") or "").strip()
    typed = " ".join((args.get("lieu") or "").split())
    reading.typed_place = typed
    preferred = tenant_departements(session, tenant)
    if code and code not in places.communes:
        reading.add_error("commune", _l("Commune inconnue : %(code)s (code INSEE attendu).", code=code))
    elif code and (not typed or code in {place.insee_code for place in places.resolve(typed)}):
        criteria.commune = places.communes[code]
    elif typed:
        candidates = places.resolve(typed, preferred)
        if not candidates:
            reading.add_error("lieu", _l(
                "Aucune commune ne s'appelle « %(place)s ». Vérifiez l'orthographe ou tapez le code postal.",
                place=typed,
            ))
        else:
            criteria.commune = candidates[0]
            if len(candidates) > 1:
                reading.place_choices = candidates[:8]
    criteria.radius_km = read_radius(args, reading)
    criteria.departement = read_code(args, "departement", places.departements, reading, _l("Département inconnu"))
    criteria.region = read_code(args, "region", places.regions, reading, _l("Région inconnue"))
    criteria.imprecise_only = is_true(args.get("imprecise"))


def read_radius(args: Mapping, reading: Reading) -> int:
    value = args.get("radius")
    if not value:
        return DEFAULT_RADIUS_KM
    radius = int(value) if is_number(value) else 0
    if not MIN_RADIUS_KM <= radius <= MAX_RADIUS_KM:
        reading.add_error("radius", _l(
            "Le rayon doit être un nombre de kilomètres entre %(low)s et %(high)s.", low=MIN_RADIUS_KM, high=MAX_RADIUS_KM
        ))
        return DEFAULT_RADIUS_KM
    return radius


def read_code(args: Mapping, name: str, known: Mapping, reading: Reading, unknown) -> str | None:
    value = (args.get(name) or "").strip().upper()
    if not value:
        return None
    if value not in known:
        reading.add_error(name, f"{unknown} : {value}.")
        return None
    return value


def is_true(value: str | None) -> bool:
    return (value or "").lower() in TRUE_VALUES


def read_facets(args: Mapping, reading: Reading) -> None:
    criteria = reading.criteria
    for facet in FACETS_BY_KIND[criteria.kind]:
        selected = read_facet(facet, args, reading)
        if selected:
            criteria.facets[facet.name] = selected
    if criteria.kind == "training":
        criteria.training_body = " ".join((args.get("organisme") or "").split())[:300] or None


def read_facet(facet: Facet, args: Mapping, reading: Reading):
    if facet.mode == "flag":
        return is_true(args.get(facet.name))
    if facet.mode == "any":
        values = frozenset(value for value in args.getlist(facet.name) if value)
        unknown = values - set(facet.choices)
        if unknown:
            reading.add_error(facet.name, _l("Valeur inconnue : %(values)s.", values=", ".join(sorted(unknown))))
        return values & set(facet.choices)
    value = args.get(facet.name)
    if not value:
        return None
    if not is_number(value) or int(value) not in facet.choices:
        reading.add_error(facet.name, _l(
            "Choisissez une des valeurs proposées : %(values)s.", values=", ".join(map(str, facet.choices))
        ))
        return None
    return int(value)


def read_order_and_page(args: Mapping, reading: Reading, from_form: bool) -> None:
    criteria = reading.criteria
    sort = args.get("sort") or "relevance"
    if sort not in SORTS:
        reading.add_error("sort", _l("Tri inconnu : choisissez pertinence, date ou distance."))
    elif sort == "distance" and criteria.commune is None:
        reading.add_error("sort", _l("Le tri par distance demande une commune."))
    else:
        criteria.sort = sort
    criteria.page = read_positive_int(args, "page", 1, MAX_PAGE, reading)
    if not from_form:
        criteria.per_page = read_positive_int(args, "per_page", criteria.per_page, MAX_PER_PAGE, reading)


def read_positive_int(args: Mapping, name: str, default: int, highest: int, reading: Reading) -> int:
    value = args.get(name)
    if value is None or value == "":
        return default
    if not is_number(value) or not 1 <= int(value) <= highest:
        reading.add_error(name, _l("« %(name)s » doit être un nombre entier entre 1 et %(highest)s.", name=name, highest=highest))
        return default
    return int(value)


def is_number(value: str) -> bool:
    """ASCII digits only: str.isdigit() also accepts "²", which int() refuses."""
    return value.isascii() and value.isdigit() and len(value) <= 9

