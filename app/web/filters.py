"""Template helpers: vocabulary labels, dates, plain text as paragraphs, sanitised HTML, safe links."""
from datetime import date, datetime
from functools import lru_cache
from urllib.parse import urlsplit

import flask_babel
from babel import dates, numbers
from flask_babel import get_locale, lazy_gettext as _l, to_user_timezone
from markupsafe import Markup, escape

from app.ingest.normalise import sanitise_html

CONTRACT_NAMES = {
    "CDI": _l("CDI"),
    "CDD": _l("CDD"),
    "MIS": _l("Intérim"),
    "SAI": _l("Saisonnier"),
    "ALT": _l("Alternance"),
    "STG": _l("Stage"),
    "LIB": _l("Indépendant, franchise"),
    "OTHER": _l("Autre contrat"),
}
WORKING_TIME_NAMES = {"full_time": _l("Temps plein"), "part_time": _l("Temps partiel")}
EXPERIENCE_NAMES = {
    "beginner": _l("Débutant accepté"),
    "desired": _l("Expérience souhaitée"),
    "required": _l("Expérience exigée"),
}
MODALITY_NAMES = {"onsite": _l("En centre"), "distance": _l("À distance"), "blended": _l("Mixte")}
DETAIL_LABELS = {
    "appellation": _l("Appellation"),
    "skills": _l("Compétences"),
    "qualities": _l("Qualités professionnelles"),
    "education": _l("Formation"),
    "languages": _l("Langues"),
    "driving_licences": _l("Permis"),
    "sector": _l("Secteur d'activité"),
    "qualification": _l("Qualification"),
    "contract_nature": _l("Nature du contrat"),
    "salary_details": _l("Précisions sur le salaire"),
    "company_description": _l("L'entreprise"),
    "partners": _l("Publiée aussi par"),
    "partner": _l("Site du recruteur"),
    "working_conditions": _l("Conditions de travail"),
    "travel": _l("Déplacements"),
    "target_public": _l("Public visé"),
    "entry_level": _l("Niveau d'entrée"),
    "exit_level": _l("Niveau de sortie"),
    "prerequisites": _l("Prérequis"),
    "price": _l("Prix"),
    "funding": _l("Financement"),
    "contact": _l("Contact"),
    "teaching_methods": _l("Modalités pédagogiques"),
    "recruitment": _l("Modalités de recrutement"),
    "rhythm": _l("Rythme"),
    "occupation": _l("Métier"),
    "experience_details": _l("Précisions sur l'expérience"),
    "expected_results": _l("Résultats attendus"),
    "work_study": _l("Alternance"),
    "enrolment": _l("Inscription"),
    "duration": _l("Durée"),
    "accessibility": _l("Accessibilité"),
    "accommodation": _l("Hébergement"),
    "catering": _l("Restauration"),
    "transport": _l("Transport"),
    "occupation_inferred": _l("Métier (déduit de l'intitulé)"),
    "remote": _l("Télétravail"),
}
# Details that tell the page how to render, not facts to list.
HIDDEN_DETAILS = frozenset({"description_format"})


def paragraphs(text) -> Markup:
    """Plain text from a feed, with its line breaks kept, escaped."""
    if text is None:
        return Markup("")
    blocks = [block.strip() for block in str(text).replace("\r\n", "\n").split("\n\n")]
    return Markup("").join(
        Markup("<p>{}</p>").format(Markup("<br>").join(escape(line) for line in block.split("\n")))
        for block in blocks
        if block
    )


def description(offer) -> Markup:
    """An offer's description: sanitised HTML when ingestion marked it so (sanitised again
    here, the one place feed HTML becomes Markup), else plain text escaped as paragraphs."""
    if (offer.details or {}).get("description_format") == "html":
        return Markup(sanitise_html(offer.description or ""))
    return paragraphs(offer.description)


def is_http_url(url) -> bool:
    """Only http(s) links are rendered: a feed's javascript: or data: URL never is."""
    return isinstance(url, str) and urlsplit(url).scheme in ("http", "https") and bool(urlsplit(url).netloc)


# A results page formats about thirty counts and twenty dates. Babel's formatting depends only on
# the value, the pattern and the locale (CLDR data, not the translation catalogue), so results
# are kept per process: the same counts and days recur on every page.
@lru_cache(maxsize=8192, typed=True)
def _formatted_decimal(number, locale) -> str:
    return numbers.format_decimal(number, locale=locale)


@lru_cache(maxsize=8192)
def _formatted_day(day: date, pattern: str, locale) -> str:
    return dates.format_date(day, pattern, locale=locale)


def format_decimal(number, format=None) -> str:
    """flask_babel.format_decimal, remembered for plain numbers."""
    if format is None and type(number) in (int, float):
        return _formatted_decimal(number, get_locale())
    return flask_babel.format_decimal(number, format)


def format_date(value=None, format=None, rebase=True) -> str:
    """flask_babel.format_date (the date in the user's time zone, the app's patterns), remembered
    per day, pattern and locale."""
    if not isinstance(value, date):
        return flask_babel.format_date(value, format, rebase)
    if rebase and isinstance(value, datetime):
        value = to_user_timezone(value)
    day = value.date() if isinstance(value, datetime) else value
    return _formatted_day(day, date_pattern(format), get_locale())


def date_pattern(format: str | None) -> str:
    """The pattern flask_babel.format_date would use (its _get_format, for dates)."""
    formats = flask_babel.get_babel().instance.date_formats
    if format is None:
        format = formats["date"]
    if format in ("short", "medium", "full", "long"):
        format = formats[f"date.{format}"] or format
    return format


def init_app(app) -> None:
    app.jinja_env.filters["paragraphs"] = paragraphs
    app.jinja_env.filters["description"] = description
    app.jinja_env.tests["http_url"] = is_http_url
    app.jinja_env.globals.update(
        format_date=format_date,
        format_decimal=format_decimal,
        contract_name=lambda code: CONTRACT_NAMES.get(code, code),
        working_time_name=lambda code: WORKING_TIME_NAMES.get(code, code),
        experience_name=lambda code: EXPERIENCE_NAMES.get(code, code),
        modality_name=lambda code: MODALITY_NAMES.get(code, code),
        detail_label=lambda key: DETAIL_LABELS.get(key, key.replace("_", " ").capitalize()),
        hidden_details=HIDDEN_DETAILS,
    )
