"""LHEO 2.2 / 2.3 (Carif-Oref training offers): each formation becomes a TrainingOffer with its
sessions (one per action × session).

The feed is read as a stream (one formation in memory at a time). Each formation is checked
against the LHEO 2.3 schema; one that fails is reported with the schema's reasons and skipped,
and the rest of the feed loads. 2.2 records are renamed into the 2.3 namespace first: the
elements read here are the same in both.
"""
import hashlib
import html
import re
from collections.abc import Iterator
from datetime import date, datetime, timezone
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import nh3
from lxml import etree

from app.ingest import FeedError, InvalidRecord, search_text
from app.ingest.connectors.base import Context, OfferRecord, RawRecord, apply_columns, record_hash
from app.ingest.fetch import SAFE_XML, open_feed, refuse_entity_declarations
from app.ingest.normalise import fit_to_columns, normalise_title, occupation_of
from app.ingest.places import Place, PlaceResolver

LHEO_23 = "http://lheo.gouv.fr/2.3"
LHEO_22 = "http://www.lheo.org/2.2"
NS = {"l": LHEO_23}
SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schemas" / "lheo-2.3.xsd"
FORMATION_23 = f"{{{LHEO_23}}}formation"
ROOT_TAGS = (f"{{{LHEO_23}}}lheo", "lheo")
FORMATION_TAGS = (FORMATION_23, "formation")  # 2.2 reads as 2.3 (Lheo22As23)
SESSION_LENGTHS = {"partner_id": 100, "place_label": 300, "address": 500}

# dict-modalites-enseignement: 0 entièrement présentielle, 1 mixte, 2 entièrement à distance.
MODALITIES = {"0": "onsite", "1": "blended", "2": "distance"}
# dict-etat-recrutement: 1 ouvert, 2 fermé, 3 suspendu (nobody can enrol while suspended).
RECRUITMENT_OPEN = {"1": True, "2": False, "3": False}
# dict-niveaux: the former levels (1–8) and the 2019 national framework (11–18).
LEVELS = {
    "1": "Sans niveau spécifique",
    "2": "Niveau VI (illettrisme, analphabétisme)",
    "3": "Niveau V bis (préqualification)",
    "4": "Niveau V (CAP, BEP)",
    "5": "Niveau IV (baccalauréat professionnel ou technologique, BP, BT)",
    "6": "Niveau III (BTS, DUT)",
    "7": "Niveau II (licence, maîtrise)",
    "8": "Niveau I (supérieur à la maîtrise)",
    "11": "Niveau 1 (savoirs de base)",
    "12": "Niveau 2 (savoirs de base)",
    "13": "Niveau 3 (CAP, BEP)",
    "14": "Niveau 4 (baccalauréat)",
    "15": "Niveau 5 (bac + 2)",
    "16": "Niveau 6 (bac + 3 ou 4)",
    "17": "Niveau 7 (bac + 5)",
    "18": "Niveau 8 (doctorat)",
}
ENTRY_MODES = {"0": "Entrées et sorties à dates fixes", "1": "Entrées et sorties permanentes"}
UNKNOWN_DATES = {"00000000", "99999999"}
# LHEO fills required text elements it has nothing for with "-".
PLACEHOLDERS = {"", "-", "--", "."}

_PARAGRAPH_END = re.compile(r"<\s*/(?:p|div|h[1-6]|ul|ol|table)\s*>", re.IGNORECASE)
_LINE_BREAK = re.compile(r"<\s*(?:br|/tr)\b[^>]*>", re.IGNORECASE)
_LIST_ITEM = re.compile(r"<\s*li\b[^>]*>", re.IGNORECASE)


class LheoConnector:
    """An LHEO file or URL: every formation of a Carif-Oref or a training body (a full feed)."""

    format = "lheo"
    kind = "training"

    def is_full_feed(self, location: str) -> bool:
        return True

    def read(self, location: str, context: Context) -> Iterator[RawRecord]:
        """Each formation, in the 2.3 namespace; the element is cleared once the next is asked for."""
        with open_feed(location, context.http) as file:
            refuse_entity_declarations(file)
            yield from read_formations(file)

    def normalise(self, raw: RawRecord, context: Context) -> OfferRecord:
        problems = schema_problems(raw.payload)
        if problems:
            raise InvalidRecord("; ".join(problems))
        return parse_formation(raw.payload, context, raw.partner_id, raw.content_hash)


class Lheo22As23:
    """The feed's bytes with the 2.2 namespace named 2.3 (the elements read are the same): lxml
    then builds 2.3 elements as it parses, where renaming them one by one would cost more
    than the rest of the parse. The URI is a namespace name; no text of an offer holds it."""

    OLD, NEW = LHEO_22.encode(), LHEO_23.encode()
    CHUNK = 1024**2

    def __init__(self, file):
        self.file, self.pending = file, b""

    def read(self, _size: int = -1) -> bytes:
        keep = len(self.OLD) - 1  # a name cut between two chunks is completed by the next one
        data = self.pending
        while True:
            chunk = self.file.read(self.CHUNK)
            data = (data + chunk).replace(self.OLD, self.NEW)
            if not chunk:
                self.pending = b""
                return data
            if len(data) > keep:
                self.pending = data[-keep:]
                return data[:-keep]


def read_formations(file) -> Iterator[RawRecord]:
    """Only the lheo root and the formations raise events: a formation's hundreds of elements
    are built in C, never visited one by one in Python."""
    events = etree.iterparse(Lheo22As23(file), events=("start", "end"), tag=(*ROOT_TAGS, *FORMATION_TAGS),
                             remove_comments=True, **SAFE_XML)
    is_lheo = False
    try:
        for event, element in events:
            if event == "start":
                is_lheo = is_lheo or (element.tag in ROOT_TAGS and element.getparent() is None)
                continue
            if element.tag not in FORMATION_TAGS or not is_lheo:
                continue
            if element.tag != FORMATION_23:
                to_lheo_23(element)
            # The serialised record, as the partner wrote it (c14n would cost three times more).
            content = etree.tostring(element, encoding="unicode")
            title = plain_text(child_text(element, "l:intitule-formation")) or ""
            yield RawRecord(element.get("numero") or stable_id(element, title), record_hash(content), element)
            element.clear()  # one formation in memory at a time
            while element.getprevious() is not None:
                del element.getparent()[0]
    except etree.XMLSyntaxError as error:
        raise FeedError(f"not well-formed XML: {error}") from error
    if not is_lheo:
        raise FeedError("not an LHEO document (root element is not lheo)")


def to_lheo_23(formation: etree._Element) -> None:
    """A formation written without namespace, in LHEO 2.3's."""
    for element in formation.iter(tag=etree.Element):
        namespace = etree.QName(element).namespace
        if namespace in (None, LHEO_22):
            element.tag = etree.QName(LHEO_23, etree.QName(element).localname).text
    etree.cleanup_namespaces(formation)


@cache
def lheo_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH)))


def schema_problems(formation: etree._Element) -> list[str]:
    schema = lheo_schema()
    if schema.validate(formation):
        return []
    namespace = "{" + LHEO_23 + "}"
    return [f"line {error.line}: {error.message.replace(namespace, '').rstrip('.')}" for error in schema.error_log]


# --- One formation ------------------------------------------------------------------------

def parse_formation(formation: etree._Element, context: Context, partner_id: str, content_hash: str) -> OfferRecord:
    """TrainingOffer column values and its sessions, for a formation the schema accepted."""
    title = normalise_title(plain_text(child_text(formation, "l:intitule-formation")) or "")
    if not title.display:
        raise InvalidRecord("no title (intitule-formation)")
    places = context.places
    body = formation.find("l:organisme-formation-responsable", NS)
    actions = formation.findall("l:action", NS)
    sessions, session_places = [], []
    for action in actions:
        for session in action.findall("l:session", NS):
            place = session_place(action, session, places)
            session_places.append(place)
            sessions.append(fit_to_columns(session_values(action, session, place), SESSION_LENGTHS))
    place = next((p for p in session_places if p is not None), None) or body_place(body, places)
    source_codes = [code for code in all_texts(formation, "l:domaine-formation/l:code-ROME") if code in context.occupations]
    occupation_code, occupation_details = occupation_of(
        source_codes[0] if source_codes else None, title.clean, context.occupations, context.rome
    )
    organisation_name = child_text(body, "l:nom-organisme") or child_text(body, "l:raison-sociale")
    updated_at = lheo_datetime(formation.get("datemaj"))
    apply_url = web_url(formation, "l:url-formation/l:urlweb") or web_url(
        formation, "l:action/l:url-action/l:urlweb"
    )
    values = {
        "partner_id": partner_id,
        "title": title.display,
        "description": plain_text(child_text(formation, "l:contenu-formation")) or "",
        "objectives": plain_text(child_text(formation, "l:objectif-formation")),
        "organisation_name": organisation_name,
        "occupation_code": occupation_code,
        **place.columns(),
        **apply_columns(apply_url, contact_email(formation, body)),
        "source_url": http_url(formation.get("href")) or apply_url,
        "rncp_codes": all_texts(formation, "l:certification/l:code-RNCP") or None,
        "certifinfo_codes": all_texts(formation, "l:certification/l:code-CERTIFINFO") or None,
        "is_certifying": {"1": True, "0": False}.get(child_text(formation, "l:certifiante") or ""),
        "duration_hours": total_hours(actions),
        "training_body_siret": child_text(body, "l:SIRET-organisme-formation/l:SIRET"),
        "published_at": lheo_datetime(formation.get("datecrea")) or updated_at or context.now,
        "updated_at": updated_at,
        "details": {**details_of(formation, actions[0] if actions else None, body), **occupation_details},
        "search_text": search_text(title.clean, organisation_name, context.occupations.get(occupation_code or "")),
        "content_hash": content_hash,
    }
    return OfferRecord(fit_to_columns(values, context.lengths), sessions)


def stable_id(formation: etree._Element, title: str) -> str:
    """For a formation without @numero: same body, title and actions, same id."""
    siret = child_text(formation, "l:organisme-formation-responsable/l:SIRET-organisme-formation/l:SIRET") or ""
    actions = [action.get("numero") or "" for action in formation.findall("l:action", NS)]
    digest = hashlib.sha256("|".join([siret, title, *actions]).encode("utf-8")).hexdigest()
    return f"sha256-{digest[:24]}"


def contact_email(formation: etree._Element, body: etree._Element | None) -> str | None:
    return child_text(formation, "l:contact-formation/l:coordonnees/l:courriel") or child_text(
        body, "l:coordonnees-organisme/l:coordonnees/l:courriel"
    )


def total_hours(actions: list[etree._Element]) -> int | None:
    for action in actions:
        hours = child_text(action, "l:nombre-heures-total")
        if hours and hours.isdigit():
            return int(hours)
    return None


# --- Sessions and places ------------------------------------------------------------------

def session_values(action: etree._Element, session: etree._Element, place: Place | None) -> dict:
    address = action.find("l:lieu-de-formation/l:coordonnees/l:adresse", NS)
    if address is None:
        address = session.find("l:adresse-inscription/l:adresse", NS)
    return {
        "partner_id": session_id(action, session),
        "start_date": lheo_date(child_text(session, "l:periode/l:debut")),
        "end_date": lheo_date(child_text(session, "l:periode/l:fin")),
        "modality": MODALITIES.get(child_text(action, "l:modalites-enseignement") or "", "onsite"),
        "place_label": session_place_label(action, place),
        "address": address_text(address),
        "commune_code": place.commune_code if place else None,
        "latitude": place.latitude if place else None,
        "longitude": place.longitude if place else None,
        "is_open": RECRUITMENT_OPEN.get(child_text(session, "l:etat-recrutement") or ""),
    }


def session_id(action: etree._Element, session: etree._Element) -> str | None:
    numbers = [number for number in (action.get("numero"), session.get("numero")) if number]
    return "/".join(numbers)[:100] or None


def session_place(action: etree._Element, session: etree._Element, places: PlaceResolver) -> Place | None:
    """Where the training happens, else where one enrols; None when the source says neither."""
    for path, element in (
        ("l:lieu-de-formation/l:coordonnees/l:adresse", action),
        ("l:adresse-inscription/l:adresse", session),
    ):
        address = element.find(path, NS)
        if address is not None:
            return address_place(address, places)
    return None


def body_place(body: etree._Element | None, places: PlaceResolver) -> Place:
    """A training taught only at a distance is placed where its body is, for the tenant's scope."""
    address = body.find("l:coordonnees-organisme/l:coordonnees/l:adresse", NS) if body is not None else None
    return address_place(address, places) if address is not None else Place("country", "France")


def address_place(address: etree._Element, places: PlaceResolver) -> Place:
    return places.resolve(
        insee_code=child_text(address, "l:code-INSEE-commune"),
        postal_code=child_text(address, "l:codepostal"),
        name=child_text(address, "l:ville"),
        latitude=as_float(child_text(address, "l:geolocalisation/l:latitude")),
        longitude=as_float(child_text(address, "l:geolocalisation/l:longitude")),
    )


def session_place_label(action: etree._Element, place: Place | None) -> str | None:
    """'AFPA de Veigné, Veigné (37)': the venue's name, then the town."""
    venue = child_text(action, "l:lieu-de-formation/l:coordonnees/l:nom")
    town = place.place_label if place else None
    return ", ".join(part for part in (venue, town) if part) or None


def address_text(address: etree._Element | None) -> str | None:
    if address is None:
        return None
    lines = all_texts(address, "l:ligne")
    town = " ".join(filter(None, (child_text(address, "l:codepostal"), child_text(address, "l:ville"))))
    return ", ".join(lines + ([town] if town else [])) or None


# --- Details for the offer page -----------------------------------------------------------

def details_of(formation: etree._Element, action: etree._Element | None, body: etree._Element | None) -> dict:
    """What else the source gave; action-level facts come from the first action."""
    def from_action(path: str) -> str | None:
        return plain_text(child_text(action, path)) if action is not None else None

    entry_level = LEVELS.get(child_text(formation, "l:code-niveau-entree") or "")
    if entry_level and action is not None and child_text(action, "l:niveau-entree-obligatoire") == "1":
        entry_level += " – exigé"
    details = {
        "entry_level": entry_level,
        "exit_level": LEVELS.get(child_text(formation, "l:code-niveau-sortie") or ""),
        "expected_results": plain_text(child_text(formation, "l:resultats-attendus")),
        "prerequisites": from_action("l:conditions-specifiques"),
        "rhythm": from_action("l:rythme-formation"),
        "work_study": from_action("l:modalites-alternance"),
        "enrolment": ENTRY_MODES.get(from_action("l:modalites-entrees-sorties") or ""),
        "duration": from_action("l:duree-indicative"),
        "teaching_methods": from_action("l:modalites-pedagogiques"),
        "recruitment": from_action("l:modalites-recrutement"),
        "price": price_text(action),
        "funding": funding(action),
        "accessibility": from_action("l:acces-handicapes"),
        "accommodation": from_action("l:hebergement"),
        "catering": from_action("l:restauration"),
        "transport": from_action("l:transport"),
        "contact": body_contact(body),
    }
    return {key: value for key, value in details.items() if value}


def price_text(action: etree._Element | None) -> str | None:
    if action is None:
        return None
    total, hourly = child_text(action, "l:prix-total-TTC"), child_text(action, "l:prix-horaire-TTC")
    if total and as_float(total) is not None:
        return f"{french_amount(as_float(total))} € TTC"
    if hourly and as_float(hourly) is not None:
        return f"{french_amount(as_float(hourly))} € TTC de l'heure"
    return None


def funding(action: etree._Element | None) -> list[str]:
    if action is None:
        return []
    programmes = all_texts(action, "l:organisme-financeur/l:extras/l:extra[@info='programme-financeur']")
    lines = list(dict.fromkeys(plain_text(p) for p in programmes if plain_text(p)))
    if child_text(action, "l:prise-en-charge-frais-possible") == "1":
        lines.append("Prise en charge des frais possible")
    if action.find("l:session/l:extras[@info='eligibilite-cpf']", NS) is not None:
        lines.append("Éligible au CPF")
    return lines


def body_contact(body: etree._Element | None) -> list[str]:
    """The centre's phone, e-mail and site; never a person's name."""
    if body is None:
        return []
    coordinates = body.find("l:coordonnees-organisme/l:coordonnees", NS)
    if coordinates is None:
        return []
    phone = child_text(coordinates, "l:telfixe/l:numtel") or child_text(coordinates, "l:portable/l:numtel")
    lines = [
        f"Tél. {french_phone(phone)}" if phone else None,
        child_text(coordinates, "l:courriel"),
        web_url(coordinates, "l:web/l:urlweb"),
    ]
    return [line for line in lines if line]


# --- Small readers ------------------------------------------------------------------------

def child_text(element: etree._Element | None, path: str) -> str | None:
    """The stripped text at path, None for missing, empty or LHEO's "-" placeholder."""
    if element is None:
        return None
    text = (element.findtext(path, namespaces=NS) or "").strip()
    return None if text in PLACEHOLDERS else text


def all_texts(element: etree._Element, path: str) -> list[str]:
    texts = ((found.text or "").strip() for found in element.iterfind(path, NS))
    return [text for text in texts if text not in PLACEHOLDERS]


def plain_text(value: str | None) -> str | None:
    """Feed text to plain text: escaped HTML loses its tags and keeps its paragraphs."""
    if not value:
        return None
    if "<" in value:
        value = _PARAGRAPH_END.sub("\n\n", _LINE_BREAK.sub("\n", _LIST_ITEM.sub("\n• ", value)))
        value = html.unescape(nh3.clean(value, tags=set()))
    lines = [" ".join(line.split()) for line in value.splitlines()]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return None if text in PLACEHOLDERS else text


def web_url(element: etree._Element, path: str) -> str | None:
    """An http(s) link; feeds often leave out the scheme ("www.site.fr/page")."""
    return http_url(child_text(element, path))


def http_url(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip()
    if "://" not in value:
        value = "http://" + value
    parts = urlsplit(value)
    return value if parts.scheme in ("http", "https") and "." in parts.netloc else None


def lheo_date(value: str | None) -> date | None:
    """YYYYMMDD; 00000000 and 99999999 mean unknown or permanent."""
    if not value or value in UNKNOWN_DATES or len(value) != 8 or not value.isdigit():
        return None
    try:  # not strptime: six dates a formation, and strptime cost 5 % of an LHEO import
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        return None


def lheo_datetime(value: str | None) -> datetime | None:
    day = lheo_date(value)
    return datetime(day.year, day.month, day.day, tzinfo=timezone.utc) if day else None


def as_float(value: str | None) -> float | None:
    try:
        return float(value.replace(",", ".")) if value else None
    except ValueError:
        return None


def french_amount(amount: float) -> str:
    """1234.5 -> '1 234,50' (narrow no-break space between thousands)."""
    return f"{amount:,.2f}".replace(",", "\u202f").replace(".", ",")


def french_phone(number: str) -> str:
    digits = re.sub(r"\D", "", number)
    if len(digits) == 10:
        return " ".join(digits[i:i + 2] for i in range(0, 10, 2))
    return number
