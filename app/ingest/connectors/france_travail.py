"""France Travail "API Offres d'emploi v2": the API client, and one `resultats[]` item to a job.

The API answers at most 150 offers per call (`range=0-149`, HTTP 206 and `Content-Range:
offres 0-149/980` while more remain, 200 when all fit) and no further than the 3,150th result of
a query. A query over that ceiling is split: by creation-date window first (halves, which cover
every offer), then by département when a window cannot shrink any more (offers placed only in
"France" are then out of reach, and the run says so). 429 and 5xx are retried with backoff.
"""
import html
import json
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

import requests

from app.ingest import FeedError, InvalidRecord, Rejection
from app.ingest.connectors.base import Context, JobFields, OfferRecord, RawRecord, job_record, record_hash
from app.ingest.fetch import TIMEOUT, open_feed
from app.ingest.normalise import Salary, parse_salary

API_BASE = "https://api.francetravail.io/partenaire/offresdemploi/v2"
TOKEN_URL = "https://entreprise.francetravail.fr/connexion/oauth2/access_token?realm=%2Fpartenaire"
SCOPE = "api_offresdemploiv2 o2dsoffre"

EXPERIENCE_LEVELS = {"D": "beginner", "S": "desired", "E": "required"}
REQUIREMENT_MARKS = {"E": "exigé", "S": "souhaité"}


# --- The API client ------------------------------------------------------------------------

@dataclass(frozen=True)
class Window:
    """A creation-date window, both ends included, at the second (the API's precision)."""

    start: datetime
    end: datetime

    def params(self) -> dict:
        return {"minCreationDate": _api_time(self.start), "maxCreationDate": _api_time(self.end)}

    def halves(self) -> tuple["Window", "Window"] | None:
        middle = self.start + (self.end - self.start) / 2
        middle = middle.replace(microsecond=0)
        if middle <= self.start or middle >= self.end:
            return None
        return Window(self.start, middle), Window(middle + timedelta(seconds=1), self.end)


def _api_time(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class FranceTravailApi:
    """OAuth2 client credentials, paging by range, the ceiling split, retries with backoff.

    `sleep` is injectable so that tests never wait; `departements` are the codes a query
    is split by when a date window is at its smallest.
    """

    PAGE_SIZE = 150
    MAX_RESULTS = 3150  # the API serves ranges up to 3000-3149
    RETRIED = {429, 500, 502, 503, 504}

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        http: requests.Session,
        departements: list[str],
        api_base: str = API_BASE,
        token_url: str = TOKEN_URL,
        sleep: Callable[[float], None] = time.sleep,
        max_attempts: int = 6,
        max_results: int = MAX_RESULTS,
    ):
        self.client_id, self.client_secret = client_id, client_secret
        self.http, self.departements = http, departements
        self.api_base, self.token_url = api_base.rstrip("/"), token_url
        self.sleep, self.max_attempts, self.max_results = sleep, max_attempts, max_results
        self._token: str | None = None
        self.unreachable: list[str] = []  # parts of the query the ceiling kept out

    # --- Offers ---------------------------------------------------------------------------

    def search(self, query: dict, window: Window) -> Iterator[dict]:
        """Every offer the query matches in the window, each once."""
        seen: set[str] = set()
        for offer in self._search(query, window):
            if offer.get("id") not in seen:
                seen.add(offer.get("id"))
                yield offer

    def _search(self, query: dict, window: Window) -> Iterator[dict]:
        offers, total = self.page(query, window, 0)
        if total <= self.max_results:
            yield from offers
            for start in range(self.PAGE_SIZE, total, self.PAGE_SIZE):
                yield from self.page(query, window, start)[0]
            return
        halves = window.halves()
        if halves:
            for half in halves:
                yield from self._search(query, half)
        elif "departement" not in query and self.departements:
            self.unreachable.append(f"offers placed only in France created {_api_time(window.start)}")
            for code in self.departements:
                yield from self._search({**query, "departement": code}, window)
        else:
            self.unreachable.append(f"{total - self.max_results} offers of {query} at {_api_time(window.start)}")
            for start in range(0, self.max_results, self.PAGE_SIZE):
                yield from self.page(query, window, start)[0]

    def page(self, query: dict, window: Window, start: int) -> tuple[list[dict], int]:
        """One range of results and the query's total."""
        end = min(start + self.PAGE_SIZE, self.max_results) - 1
        response = self.get("/offres/search", {**query, **window.params(), "range": f"{start}-{end}"})
        with response:
            if response.status_code == 204:
                return [], 0
            offers = response.json().get("resultats") or []
            if response.status_code == 200:
                return offers, start + len(offers)
            match = re.search(r"/(\d+)\s*$", response.headers.get("Content-Range", ""))
            if not match:
                raise FeedError(f"partial answer without Content-Range for range {start}-{end}")
            return offers, int(match[1])

    # --- HTTP -----------------------------------------------------------------------------

    def get(self, path: str, params: dict) -> requests.Response:
        """An answer of 200, 204 or 206; 429 and 5xx retried, an expired token renewed once."""
        renewed = False
        for attempt in range(1, self.max_attempts + 1):
            response = self._request(path, params)
            if response.status_code in (200, 204, 206):
                return response
            response.close()
            if response.status_code == 401 and not renewed:
                self._token, renewed = None, True
                continue
            if response.status_code not in self.RETRIED or attempt == self.max_attempts:
                raise FeedError(f"France Travail answered HTTP {response.status_code} to {path} {params}")
            self.sleep(retry_delay(response, attempt))
        raise FeedError(f"France Travail kept refusing {path}")

    def _request(self, path: str, params: dict) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.token()}", "Accept": "application/json"}
        try:
            return self.http.get(self.api_base + path, params=params, headers=headers, timeout=TIMEOUT)
        except requests.RequestException as error:
            raise FeedError(f"France Travail could not be reached: {error}") from error

    def token(self) -> str:
        if self._token is None:
            data = {"grant_type": "client_credentials", "client_id": self.client_id,
                    "client_secret": self.client_secret, "scope": SCOPE}
            try:
                with self.http.post(self.token_url, data=data, timeout=TIMEOUT) as response:
                    if response.status_code != 200:
                        raise FeedError(f"France Travail refused the credentials (HTTP {response.status_code})")
                    self._token = response.json()["access_token"]
            except (requests.RequestException, ValueError, KeyError) as error:
                raise FeedError(f"no France Travail access token: {error}") from error
        return self._token


def retry_delay(response: requests.Response, attempt: int) -> float:
    """Retry-After when the API gives it (seconds or a date), else 1, 2, 4… seconds, at most 60."""
    value = response.headers.get("Retry-After", "").strip()
    if value.isdigit():
        return min(float(value), 60.0)
    if value:
        try:
            return max(0.0, min((parsedate_to_datetime(value) - datetime.now(timezone.utc)).total_seconds(), 60.0))
        except (TypeError, ValueError):
            pass
    return float(min(2 ** (attempt - 1), 60))


# --- The connector -------------------------------------------------------------------------

class FranceTravailConnector:
    """A file or URL of API results (`[…]` or `{"resultats": […]}`), or the API itself: every
    offer of the query (a full feed), or those created since a date (an increment)."""

    format = "france-travail"
    kind = "job"
    # Wide enough for any offer still open: an offer outside it would expire on a full run.
    FULL_RUN_DAYS = timedelta(days=3650)

    def __init__(self, api: FranceTravailApi | None = None, query: dict | None = None, since: datetime | None = None):
        self.api, self.query, self.since = api, query or {}, since

    def is_full_feed(self, location: str) -> bool:
        """An increment omits the offers created before it: they have not closed for that."""
        return self.since is None

    def read(self, location: str, context: Context) -> Iterator[RawRecord | Rejection]:
        records = self._from_api(context) if self.api is not None else self._from_file(location, context)
        for position, record in enumerate(records, start=1):
            if not isinstance(record, dict) or not record.get("id"):
                yield Rejection(f"record #{position}", "no id")
                continue
            yield RawRecord(str(record["id"]), record_hash(record), record)
        if self.api is not None and self.api.unreachable:
            raise FeedError("over the API's ceiling, not fetched: " + "; ".join(self.api.unreachable))

    def _from_api(self, context: Context) -> Iterator[dict]:
        now = context.now.replace(microsecond=0)
        return self.api.search(self.query, Window(self.since or now - self.FULL_RUN_DAYS, now))

    def _from_file(self, location: str, context: Context) -> list:
        with open_feed(location, context.http) as file:
            try:
                document = json.load(file)
            except (ValueError, UnicodeDecodeError) as error:
                raise FeedError(f"not JSON: {error}") from error
        records = document.get("resultats") if isinstance(document, dict) else document
        if not isinstance(records, list):
            raise FeedError("no list of offers (a list, or an object with resultats)")
        return records

    def normalise(self, raw: RawRecord, context: Context) -> OfferRecord:
        return parse_offer(raw.payload, context, raw.content_hash)


def unescaped(value: str | None) -> str | None:
    """The API's plain text comes HTML-escaped ("Experts &amp; Cadres"): store the text itself,
    the templates escape it once on the way out."""
    return html.unescape(value).strip() if value else value


def parse_offer(record: dict, context: Context, content_hash: str | None = None) -> OfferRecord:
    """JobOffer column values for one `resultats[]` item."""
    published_at = parse_datetime(record.get("dateCreation"))
    if published_at is None:
        raise InvalidRecord("no valid creation date (dateCreation)")
    company = record.get("entreprise") or {}
    salary = record.get("salaire") or {}
    salary_text = salary_text_of(salary)
    work_place = record.get("lieuTravail") or {}
    job = JobFields(
        partner_id=str(record.get("id") or ""),
        title=unescaped(record.get("intitule")) or "",
        content_hash=content_hash or record_hash(record),
        published_at=published_at,
        updated_at=parse_datetime(record.get("dateActualisation")),
        place=context.places.resolve(
            insee_code=work_place.get("commune"),
            postal_code=work_place.get("codePostal"),
            label=work_place.get("libelle"),
            latitude=work_place.get("latitude"),
            longitude=work_place.get("longitude"),
        ),
        description=unescaped(record.get("description")) or "",
        organisation_name=unescaped(company.get("nom")),
        rome_code=record.get("romeCode"),
        source_url=(record.get("origineOffre") or {}).get("urlOrigine"),
        contract_labels=(record.get("natureContrat"), record.get("typeContrat")),
        contract_label=record.get("typeContratLibelle"),
        working_time_labels=(record.get("dureeTravailLibelleConverti"),),
        working_hours_label=record.get("dureeTravailLibelle"),
        salary_text=salary_text,
        # Only France Travail's own label is read for amounts: its comment is free text.
        salary=parse_salary(salary.get("libelle")) if salary.get("libelle") else Salary(),
        details=details_of(record, salary_text),
        extra={
            "experience": EXPERIENCE_LEVELS.get(record.get("experienceExige")),
            "experience_label": record.get("experienceLibelle"),
            "is_apprenticeship": bool(record.get("alternance")),
            "is_accessible_disabled": bool(record.get("accessibleTH")),
            "positions": record.get("nombrePostes"),
        },
        search_words=(record.get("romeLibelle"), record.get("appellationlibelle")),
        **apply_fields(record),
    )
    if not job.title:
        raise InvalidRecord("no title (intitule)")
    return job_record(job, context)


def apply_fields(record: dict) -> dict:
    """The partner's page, then the recruiter's form, then the recruiter's address, and only then
    France Travail's own page (where applying needs a France Travail account)."""
    origin = record.get("origineOffre") or {}
    contact = record.get("contact") or {}
    url = (_linked_partner(record) or {}).get("url") or contact.get("urlPostulation")
    if url:
        return {"apply_url": url}
    if contact.get("courriel"):
        return {"apply_email": contact["courriel"]}
    return {"apply_url": origin.get("urlOrigine")}


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
        "company_description": unescaped(company.get("description")),
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
