"""What the search form shows besides the typed values: the tenant's départements and régions,
the radius choices, each filter's options with their labels, and where each error points.
"""
from dataclasses import dataclass
from functools import cached_property
from weakref import WeakKeyDictionary

from flask_babel import get_translations, lazy_gettext as _l
from sqlalchemy.orm import Session

from app.search.criteria import Reading, tenant_departements
from app.search.facets import FACETS_BY_KIND, Facet
from app.search.places import RADIUS_CHOICES, gazetteer
from app.web.filters import CONTRACT_NAMES, EXPERIENCE_NAMES, WORKING_TIME_NAMES

FACET_LEGENDS = {
    "contract": _l("Type de contrat"),
    "working_time": _l("Temps de travail"),
    "experience": _l("Expérience"),
    "apprenticeship": _l("Alternance"),
    "accessible": _l("Handicap"),
    "published": _l("Publiée depuis"),
    "salary": _l("Salaire minimum (brut mensuel)"),
    "certifying": _l("Certification"),
    "starts": _l("Date de début"),
    "distance": _l("Formation à distance"),
}
FLAG_LABELS = {
    "apprenticeship": _l("Contrats en alternance seulement"),
    "accessible": _l("Offres ouvertes aux travailleurs handicapés"),
    "certifying": _l("Formations certifiantes seulement"),
    "distance": _l("À distance, en tout ou partie"),
}
CHOICE_LABELS = {
    "contract": CONTRACT_NAMES,
    "working_time": WORKING_TIME_NAMES,
    "experience": EXPERIENCE_NAMES,
}
SORT_LABELS = {"relevance": _l("Pertinence"), "date": _l("Date de publication"), "distance": _l("Distance")}
# Where the error summary sends the reader: the field that holds the parameter.
FIELD_OF_PARAMETER = {"occupation": "q", "commune": "lieu", "page": "results"}


@dataclass
class SearchForm:
    facets: tuple[Facet, ...]
    departements: list[tuple[str, str]]  # (code, name) of the tenant's territory
    regions: list[tuple[str, str]]
    departement_names: dict[str, str]
    radius_choices: tuple[int, ...] = RADIUS_CHOICES

    @cached_property
    def labels(self) -> dict:
        """Every legend and option label of the form, translated (see form_labels)."""
        return form_labels()

    @property
    def sort_labels(self) -> dict[str, str]:
        return self.labels["sort"]

    def legend(self, facet: Facet) -> str:
        return self.labels["legend", facet.name]

    def field_id(self, parameter: str) -> str:
        return FIELD_OF_PARAMETER.get(parameter, parameter)

    def option_label(self, facet: Facet, option) -> str:
        key = (facet.name, True if facet.mode == "flag" else option)
        return self.labels[key] if key in self.labels else str(CHOICE_LABELS[facet.name].get(option, option))


# The labels translated, per translation catalogue: a results page shows about fifty of them, and
# each translation looks up the request's locale and catalogue. Keyed by the catalogue object
# itself (Flask-Babel keeps one per locale), so a reloaded catalogue is translated afresh.
_labels_by_catalogue: WeakKeyDictionary = WeakKeyDictionary()


def form_labels() -> dict:
    catalogue = get_translations()
    try:
        return _labels_by_catalogue[catalogue]
    except (KeyError, TypeError):
        labels = translate_labels()
        try:
            _labels_by_catalogue[catalogue] = labels
        except TypeError:  # a catalogue that cannot be weakly referenced: translated each time
            pass
        return labels


def translate_labels() -> dict:
    labels: dict = {"sort": {value: str(label) for value, label in SORT_LABELS.items()}}
    for facets in FACETS_BY_KIND.values():
        for facet in facets:
            labels["legend", facet.name] = str(FACET_LEGENDS[facet.name])
            if facet.mode == "flag":
                labels[facet.name, True] = str(FLAG_LABELS[facet.name])
            for option in facet.choices:
                labels[facet.name, option] = label_of(facet, option)
    return labels


def label_of(facet: Facet, option) -> str:
    if facet.name == "published":
        return str(_l("Depuis %(days)s jours", days=option) if option > 1 else _l("Depuis hier"))
    if facet.name == "starts":
        return str(_l("Dans les %(days)s jours", days=option))
    if facet.name == "salary":
        return str(_l("%(amount)s € ou plus", amount=option))
    return str(CHOICE_LABELS[facet.name].get(option, option))


def search_form(session: Session, tenant, reading: Reading) -> SearchForm:
    places = gazetteer(session)
    departements = sorted(tenant_departements(session, tenant))
    return SearchForm(
        facets=FACETS_BY_KIND[reading.criteria.kind],
        departements=[(code, places.departements[code]) for code in departements if code in places.departements],
        regions=[(code, places.regions[code]) for code in tenant.region_codes or () if code in places.regions],
        departement_names=places.departements,
    )
