"""France Travail "API Offres d'emploi v2": one `resultats[]` item to JobOffer column values."""
import re
from collections.abc import Mapping
from datetime import datetime

from app.ingest import InvalidRecord, content_hash, search_text
from app.ingest.places import PlaceResolver

CONTRACT_TYPES = {
    "CDI": "CDI",
    "CDD": "CDD",
    "DDI": "CDD",  # CDD d'insertion: a fixed-term contract all the same
    "MIS": "MIS",
    "TTI": "MIS",
    "DIN": "MIS",  # CDI intérimaire: still a temp agency's mission
    "SAI": "SAI",
    "LIB": "LIB",
    "FRA": "LIB",
    "REP": "LIB",
}
EXPERIENCE_LEVELS = {"D": "beginner", "S": "desired", "E": "required"}
WORKING_TIMES = {"temps plein": "full_time", "temps partiel": "part_time"}
SALARY_PERIODS = {"mensuel": "MONTH", "annuel": "YEAR", "horaire": "HOUR"}
REQUIREMENT_MARKS = {"E": "exigé", "S": "souhaité"}

# "Mensuel de 1923.00 Euros sur 12 mois", "Annuel de 35000,0 Euros à 45000,0 Euros sur 12.0 mois"
_SALARY = re.compile(
    r"^\s*(?P<period>\w+)?\s*de\s+(?P<low>\d[\d\s]*(?:[.,]\d+)?)\s*Euros"
    r"(?:\s*à\s*(?P<high>\d[\d\s]*(?:[.,]\d+)?)\s*Euros)?",
    re.IGNORECASE,
)


def parse_offer(record: dict, places: PlaceResolver, occupations: Mapping[str, str]) -> dict:
    """JobOffer column values for one offer; `occupations` maps the known ROME codes to labels."""
    partner_id, title = record.get("id"), (record.get("intitule") or "").strip()
    if not partner_id or not title:
        raise InvalidRecord("no id or no title (intitule)")
    company = record.get("entreprise") or {}
    rome_code = record.get("romeCode")
    occupation_code = rome_code if rome_code in occupations else None
    published_at = parse_datetime(record.get("dateCreation"))
    if published_at is None:
        raise InvalidRecord("no valid creation date (dateCreation)")
    salary = record.get("salaire") or {}
    salary_text = salary_text_of(salary)
    return {
        "partner_id": str(partner_id),
        "title": title,
        "description": record.get("description") or "",
        "organisation_name": company.get("nom"),
        "occupation_code": occupation_code,
        **place_of(record.get("lieuTravail") or {}, places),
        **apply_columns(record),
        "source_url": (record.get("origineOffre") or {}).get("urlOrigine"),
        "contract_type": contract_type_of(record),
        "contract_label": record.get("typeContratLibelle"),
        "working_time": WORKING_TIMES.get((record.get("dureeTravailLibelleConverti") or "").lower()),
        "working_hours_label": record.get("dureeTravailLibelle"),
        "salary_text": salary_text,
        **parse_salary(salary.get("libelle")),
        "experience": EXPERIENCE_LEVELS.get(record.get("experienceExige")),
        "experience_label": record.get("experienceLibelle"),
        "is_apprenticeship": bool(record.get("alternance")),
        "is_accessible_disabled": bool(record.get("accessibleTH")),
        "positions": record.get("nombrePostes"),
        "published_at": published_at,
        "updated_at": parse_datetime(record.get("dateActualisation")),
        "details": details_of(record, salary_text),
        "search_text": search_text(
            title,
            company.get("nom"),
            occupations.get(occupation_code) if occupation_code else record.get("romeLibelle"),
            record.get("appellationlibelle"),
        ),
        "content_hash": content_hash(record),
    }


def place_of(work_place: dict, places: PlaceResolver) -> dict:
    return places.resolve(
        insee_code=work_place.get("commune"),
        postal_code=work_place.get("codePostal"),
        label=work_place.get("libelle"),
        latitude=work_place.get("latitude"),
        longitude=work_place.get("longitude"),
    ).columns()


def contract_type_of(record: dict) -> str:
    nature = (record.get("natureContrat") or "").lower()
    if "apprentissage" in nature or "professionnalisation" in nature:
        return "ALT"
    return CONTRACT_TYPES.get(record.get("typeContrat"), "OTHER")


def apply_columns(record: dict) -> dict:
    """The partner's page, then the recruiter's form, then the recruiter's address, and only then
    France Travail's own page (where applying needs a France Travail account)."""
    origin = record.get("origineOffre") or {}
    contact = record.get("contact") or {}
    partner = _linked_partner(record)
    url = (partner or {}).get("url") or contact.get("urlPostulation")
    if url:
        return {"apply_method": "url", "apply_url": url, "apply_email": None}
    if contact.get("courriel"):
        return {"apply_method": "email", "apply_url": None, "apply_email": contact["courriel"]}
    return {"apply_method": "url", "apply_url": origin.get("urlOrigine"), "apply_email": None}


def _linked_partner(record: dict) -> dict | None:
    """The first partner site that links to the offer: where applicants finish."""
    partners = (record.get("origineOffre") or {}).get("partenaires") or []
    return next((partner for partner in partners if partner.get("url")), None)


def salary_text_of(salary: dict) -> str | None:
    """The salary as France Travail words it; the comment when the label gives no amount."""
    label = (salary.get("libelle") or "").strip()
    if re.search(r"\d", label):
        return label
    comment = (salary.get("commentaire") or "").strip()
    return comment if re.search(r"\w", comment) else None


def parse_salary(label: str | None) -> dict:
    """salary_min/max/period from the label; a single amount is both bounds."""
    empty = {"salary_min": None, "salary_max": None, "salary_period": None}
    match = _SALARY.match(label or "")
    period = SALARY_PERIODS.get((match["period"] or "").lower()) if match else None
    if period is None:  # "Autre de …" or no period: amounts we could not compare
        return empty
    low = _amount(match["low"])
    high = _amount(match["high"]) if match["high"] else low
    return {"salary_min": low, "salary_max": high, "salary_period": period}


def _amount(text: str) -> float:
    return float(re.sub(r"\s", "", text).replace(",", "."))


def parse_datetime(value: str | None) -> datetime | None:
    """ISO 8601 as France Travail writes it ("2025-01-10T14:22:31.000Z"), time zone kept."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None


def details_of(record: dict, salary_text: str | None) -> dict:
    """What else the source said, as display strings and lists, under the keys the offer page labels."""
    company = record.get("entreprise") or {}
    salary = record.get("salaire") or {}
    context = record.get("contexteTravail") or {}
    partners = [p["nom"] for p in (record.get("origineOffre") or {}).get("partenaires") or [] if p.get("nom")]
    linked_partner = _linked_partner(record) or {}
    details = {
        "appellation": record.get("appellationlibelle"),
        "occupation": record.get("romeLibelle"),
        "skills": _requirements(record.get("competences"), "libelle"),
        "qualities": [q["libelle"] for q in record.get("qualitesProfessionnelles") or [] if q.get("libelle")],
        "education": _education(record.get("formations")),
        "languages": _requirements(record.get("langues"), "libelle"),
        "driving_licences": _requirements(record.get("permis"), "libelle"),
        "sector": record.get("secteurActiviteLibelle"),
        "qualification": record.get("qualificationLibelle"),
        "contract_nature": record.get("natureContrat"),
        "salary_details": [
            text
            for text in (salary.get("commentaire"), salary.get("complement1"), salary.get("complement2"))
            if text and text != salary_text
        ],
        "company_description": company.get("description"),
        "partners": partners,
        "partner": linked_partner.get("nom"),
        "working_conditions": [
            *_as_list(context.get("horaires")),
            *_as_list(context.get("conditionsExercice")),
            *_as_list(record.get("complementExercice")),
            *_as_list(record.get("conditionExercice")),
        ],
        "travel": record.get("deplacementLibelle"),
        "experience_details": record.get("experienceCommentaire"),
    }
    return {key: value for key, value in details.items() if value}


def _as_list(value) -> list[str]:
    if not value:
        return []
    return [str(item) for item in value] if isinstance(value, list) else [str(value)]


def _requirements(items, key: str) -> list[str]:
    """'Anglais (exigé)': each item with whether the recruiter requires or only wishes it."""
    lines = []
    for item in items or []:
        if not item.get(key):
            continue
        mark = REQUIREMENT_MARKS.get(item.get("exigence"))
        lines.append(f"{item[key]} ({mark})" if mark else item[key])
    return lines


def _education(items) -> list[str]:
    lines = []
    for item in items or []:
        parts = (item.get("niveauLibelle"), item.get("domaineLibelle"), item.get("commentaire"))
        text = " – ".join(part for part in parts if part)
        mark = REQUIREMENT_MARKS.get(item.get("exigence"))
        if text:
            lines.append(f"{text} ({mark})" if mark else text)
    return lines
