"""The posting form's pages, read and checked on the server (no Flask-WTF session: the flow
runs in a cross-site iframe where cookies may be blocked; a signed token bound to the draft
stands in for the CSRF cookie).

Each page reads its fields into a `Page`: the values as typed (shown back on error), the
errors in the order of the form (for the error summary), and the answers to store.
"""
import re
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import parse_qsl, unquote, urlsplit

from flask_babel import lazy_gettext as _l

from app.apply.forms import EMAIL, has_control_characters
from app.catalog.models import CONTRACT_TYPES, WORKING_TIMES
from app.search.occupations import OccupationIndex
from app.search.places import Gazetteer

PAGES = ("company", "contact", "offer", "apply")
MAX_NAME = 200
MAX_TITLE = 150
MAX_SALARY = 200
MAX_DESCRIPTION = 5000
MAX_URL = 1000
LA_POSTE_SIREN = "356000000"
_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_URL_IN_VALUE = re.compile(r"^\s*(?:https?:|javascript:|data:|vbscript:|//|\\\\|/\\)", re.IGNORECASE)


@dataclass
class Page:
    name: str
    fields: tuple[str, ...]
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    answers: dict = field(default_factory=dict)

    def __getitem__(self, name: str) -> str:
        return self.values.get(name, "")

    @property
    def ordered_errors(self) -> list[tuple[str, str]]:
        return [(name, self.errors[name]) for name in self.fields if name in self.errors]


# --- Checks ----------------------------------------------------------------------------------

def luhn_ok(digits: str) -> bool:
    total = 0
    for position, character in enumerate(reversed(digits)):
        number = int(character)
        if position % 2:
            number = number * 2 - 9 if number > 4 else number * 2
        total += number
    return total % 10 == 0


def is_valid_siret(siret: str) -> bool:
    """14 digits whose Luhn key is right: the SIREN (first 9 digits) and the whole SIRET.

    La Poste's establishments are the documented exception (INSEE): they share the SIREN
    356 000 000 and, being too many for the Luhn key, their SIRET is checked by another rule,
    the sum of its 14 digits is a multiple of 5 (the head office, 356 000 000 00048, passes both).
    """
    if not re.fullmatch(r"\d{14}", siret):
        return False
    if siret.startswith(LA_POSTE_SIREN):
        return luhn_ok(siret) or sum(int(digit) for digit in siret) % 5 == 0
    return luhn_ok(siret[:9]) and luhn_ok(siret)


def external_url_problem(url: str) -> str | None:
    """Why an external application address is refused, or None. Only https:// to a named host;
    no user name in the address; no other address hidden in it (an open redirect)."""
    if len(url) > MAX_URL:
        return _l("L'adresse ne doit pas dépasser 1 000 caractères.")
    parts = urlsplit(url)
    if parts.scheme.lower() != "https":
        return _l("L'adresse doit commencer par https:// (les adresses javascript:, data:, http:// ou sans protocole sont refusées pour la sécurité des candidats).")
    if any(ord(ch) < 33 or ch in "\\\"<>`" for ch in url):
        return _l("L'adresse ne doit contenir ni espace ni caractère spécial comme < > \" ou \\.")
    try:
        host = parts.hostname or ""
        parts.port  # noqa: B018 (raises on a port that is not a number)
    except ValueError:
        return _l("L'adresse du site n'est pas valide.")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        return _l("L'adresse ne doit pas contenir de nom d'utilisateur ni de « @ » avant le nom du site.")
    if not host.isascii() or "." not in host or re.fullmatch(r"[\d.]+|\[.*\]", host) or host.endswith("."):
        return _l("Indiquez l'adresse d'un site par son nom, par exemple https://www.mon-entreprise.fr/recrutement.")
    hidden = [value for _name, value in parse_qsl(parts.query, keep_blank_values=True)]
    hidden += [unquote(parts.fragment), unquote(parts.path)[1:] if "//" in unquote(parts.path) else ""]
    if any(_URL_IN_VALUE.match(unquote(value)) or "://" in unquote(value) for value in hidden if value):
        return _l("L'adresse ne doit pas renvoyer vers un autre site : indiquez directement la page de candidature.")
    return None


def read_text(values: dict, errors: dict, name: str, required_message, maximum: int, too_long_message,
              required: bool = True) -> str:
    value = values.get(name, "")
    if not value:
        if required:
            errors[name] = required_message
    elif len(value) > maximum:
        errors[name] = too_long_message
    elif has_control_characters(value):
        errors[name] = _l("Ce champ ne doit pas contenir de retour à la ligne ni de caractère invisible.")
    return value


def read_date(value: str) -> date | None:
    match = _DATE.fullmatch(value) or _ISO_DATE.fullmatch(value)
    if not match:
        return None
    day, month, year = (match[1], match[2], match[3]) if _DATE.fullmatch(value) else (match[3], match[2], match[1])
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def read_commune(gazetteer: Gazetteer, typed: str, code: str, territory: set[str]):
    """The commune meant: the picker's code when it still matches the text, else the text
    resolved (communes of the tenant's territory first). (place, error)."""
    if code and code in gazetteer.communes and typed in (gazetteer.communes[code].label, gazetteer.communes[code].name):
        return gazetteer.communes[code], None
    found = gazetteer.resolve(typed, territory)
    if not found:
        return None, _l("Aucune commune ne correspond : vérifiez l'orthographe ou saisissez le code postal.")
    exact = [place for place in found if place.search_name == found[0].search_name]
    in_territory = [place for place in exact if place.departement_code in territory]
    if len(exact) == 1 or len(in_territory) == 1:
        return (in_territory or exact)[0], None
    return None, _l("Plusieurs communes portent ce nom : précisez le département entre parenthèses, par exemple « %(example)s ».",
                    example=exact[0].label)


# --- Pages -----------------------------------------------------------------------------------

def clean(form) -> dict[str, str]:
    return {name: value.replace("\r\n", "\n").strip() for name, value in form.items() if isinstance(value, str)}


def read_company(form, gazetteer: Gazetteer, territory: set[str]) -> Page:
    page = Page("company", ("company_name", "siret", "company_place"), values=clean(form))
    values, errors = page.values, page.errors
    name = read_text(values, errors, "company_name", _l("Saisissez le nom de l'entreprise."), MAX_NAME,
                     _l("Le nom de l'entreprise ne doit pas dépasser 200 caractères."))
    siret = re.sub(r"[\s.\-]", "", values.get("siret", ""))
    if not siret:
        errors["siret"] = _l("Saisissez le numéro SIRET de l'établissement (14 chiffres).")
    elif not re.fullmatch(r"\d{14}", siret):
        errors["siret"] = _l("Le numéro SIRET compte 14 chiffres, par exemple 732 829 320 00074.")
    elif not is_valid_siret(siret):
        errors["siret"] = _l("Ce numéro SIRET n'existe pas : sa clé de contrôle est fausse. Vérifiez-le sur votre extrait Kbis ou sur annuaire-entreprises.data.gouv.fr.")
    place = None
    if not values.get("company_place"):
        errors["company_place"] = _l("Saisissez la commune de l'établissement.")
    else:
        place, error = read_commune(gazetteer, values["company_place"], values.get("company_commune", ""), territory)
        if error:
            errors["company_place"] = error
    if not errors:
        page.answers = {"company_name": name, "siret": siret, "company_commune_code": place.insee_code}
    return page


def read_contact(form) -> Page:
    page = Page("contact", ("contact_email",), values=clean(form))
    email = page.values.get("contact_email", "")
    if not email:
        page.errors["contact_email"] = _l("Saisissez votre adresse e-mail.")
    elif len(email) > 254 or not EMAIL.fullmatch(email):
        page.errors["contact_email"] = _l("Saisissez une adresse e-mail valide, par exemple nom@exemple.fr.")
    else:
        page.answers = {"contact_email": email.lower()}
    return page


def read_offer(form, gazetteer: Gazetteer, occupations: OccupationIndex, territory: set[str], today: date) -> Page:
    page = Page("offer", ("title", "contract_type", "working_time", "place", "salary_text", "start_date", "description"),
                values=clean(form))
    values, errors = page.values, page.errors
    title = read_text(values, errors, "title", _l("Saisissez l'intitulé du poste."), MAX_TITLE,
                      _l("L'intitulé ne doit pas dépasser 150 caractères."))
    contract = values.get("contract_type", "")
    if contract not in CONTRACT_TYPES:
        errors["contract_type"] = _l("Choisissez le type de contrat.")
    working_time = values.get("working_time", "")
    if working_time not in WORKING_TIMES:
        errors["working_time"] = _l("Choisissez le temps de travail.")
    place = None
    if not values.get("place"):
        errors["place"] = _l("Saisissez la commune où se trouve le poste.")
    else:
        place, error = read_commune(gazetteer, values["place"], values.get("commune", ""), territory)
        if error:
            errors["place"] = error
        elif place.departement_code not in territory:
            errors["place"] = _l("Cette commune est hors du territoire couvert par ce service : choisissez une commune du territoire.")
    salary = read_text(values, errors, "salary_text", None, MAX_SALARY,
                       _l("Le salaire ne doit pas dépasser 200 caractères."), required=False)
    start = None
    if values.get("start_date"):
        start = read_date(values["start_date"])
        if start is None:
            errors["start_date"] = _l("Saisissez une date réelle au format JJ/MM/AAAA, par exemple 04/01/2027, ou laissez le champ vide.")
        elif start < today:
            errors["start_date"] = _l("La date de début doit être aujourd'hui ou plus tard.")
    description = values.get("description", "")
    if not description:
        errors["description"] = _l("Décrivez le poste : missions, horaires, profil recherché.")
    elif len(description) > MAX_DESCRIPTION:
        errors["description"] = _l("La description compte %(count)s caractères : elle ne doit pas dépasser 5 000 caractères. Raccourcissez-la.",
                                   count=len(description))
    elif has_control_characters(description.replace("\n", "").replace("\t", " ")):
        errors["description"] = _l("La description contient des caractères invisibles : retirez-les.")
    if not errors:
        code = values.get("occupation", "")
        if not (code and occupations.names(code, title)):
            codes = occupations.resolve(title)
            code = next(iter(codes)) if len(codes) == 1 else ""
        page.answers = {"title": title, "occupation_code": code or None, "contract_type": contract,
                        "working_time": working_time, "commune_code": place.insee_code, "place_label": place.label,
                        "salary_text": salary, "start_date": start.isoformat() if start else None,
                        "description": description}
    return page


def read_apply(form) -> Page:
    page = Page("apply", ("apply_method", "apply_url"), values=clean(form))
    method = page.values.get("apply_method", "")
    if method not in ("platform", "url"):
        page.errors["apply_method"] = _l("Choisissez comment recevoir les candidatures.")
    elif method == "url":
        url = page.values.get("apply_url", "")
        problem = _l("Saisissez l'adresse de la page de candidature, qui commence par https://.") if not url \
            else external_url_problem(url)
        if problem:
            page.errors["apply_url"] = problem
        else:
            page.answers = {"apply_method": "url", "apply_url": url}
    else:
        page.answers = {"apply_method": "platform", "apply_url": None}
    return page


def stored_values(posting, name: str, gazetteer: Gazetteer) -> Page:
    """A page filled with what the draft already holds (coming back with "Modifier")."""
    fields = posting.fields or {}

    def place_label(code):
        return gazetteer.communes[code].label if code and code in gazetteer.communes else ""

    values = {
        "company": {"company_name": posting.company_name or "", "siret": posting.siret or "",
                    "company_place": place_label(posting.company_commune_code),
                    "company_commune": posting.company_commune_code or ""},
        "contact": {"contact_email": posting.contact_email or ""},
        "offer": {"title": fields.get("title") or "", "occupation": fields.get("occupation_code") or "",
                  "contract_type": fields.get("contract_type") or "", "working_time": fields.get("working_time") or "",
                  "place": place_label(fields.get("commune_code")), "commune": fields.get("commune_code") or "",
                  "salary_text": fields.get("salary_text") or "",
                  "start_date": date.fromisoformat(fields["start_date"]).strftime("%d/%m/%Y") if fields.get("start_date") else "",
                  "description": fields.get("description") or ""},
        "apply": {"apply_method": fields.get("apply_method") or "platform", "apply_url": fields.get("apply_url") or ""},
    }[name]
    return Page(name, tuple(values), values=values)


def missing_pages(posting) -> list[str]:
    """The pages not answered yet, in order (the check page sends the recruiter back to them)."""
    fields = posting.fields or {}
    missing = []
    if not (posting.company_name and posting.siret and posting.company_commune_code):
        missing.append("company")
    if not posting.contact_email:
        missing.append("contact")
    if not (fields.get("title") and fields.get("description") and fields.get("commune_code")):
        missing.append("offer")
    if fields.get("apply_method") not in ("platform", "url"):
        missing.append("apply")
    return missing
