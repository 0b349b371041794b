"""schema.org JobPosting JSON-LD, read from a partner's career pages.

The location is one page URL, or a sitemap URL (`….xml`, a `<urlset>` or a `<sitemapindex>` of
them) listing the pages: the sitemap is then the partner's full feed. Each page is fetched
with timeouts and a size cap, and only on the configured URL's site: pages, sitemaps and
redirects that lead elsewhere are not followed (fetch.same_site). A page that cannot be
fetched is reported, and then the run expires nothing (its offer may well still be open). A posting's id is its `identifier` (the
`value` of a PropertyValue), else the page URL.
"""
import io
import json
from collections.abc import Iterator
from urllib.parse import urlsplit

from lxml import etree, html

from app.ingest import FeedError, InvalidRecord, Rejection
from app.ingest.connectors.base import (
    Context,
    JobFields,
    OfferRecord,
    RawRecord,
    first_text,
    job_record,
    record_hash,
)
from app.ingest.fetch import SAFE_XML, fetch_bytes, is_url, refuse_entity_declarations, same_site
from app.ingest.normalise import Salary, likely_period, parse_date, rome_code_in
from app.ingest.places import COUNTRY_NAMES, Place
from app.catalog.text import fold

MAX_PAGES = 10_000
SALARY_UNITS = {"HOUR": "HOUR", "DAY": "DAY", "WEEK": "WEEK", "MONTH": "MONTH", "YEAR": "YEAR"}


class JsonLdConnector:
    format = "jsonld"
    kind = "job"

    def is_full_feed(self, location: str) -> bool:
        """A sitemap lists every page; a single page says nothing of the others."""
        return urlsplit(location).path.lower().endswith(".xml")

    def read(self, location: str, context: Context) -> Iterator[RawRecord | Rejection]:
        if not is_url(location):
            raise FeedError(f"{location} is not an http(s) URL")
        pages = sitemap_pages(location, context) if self.is_full_feed(location) else [location]
        failed = 0
        for page in pages:
            if not same_site(page, location):
                yield Rejection(page, "not on the sitemap's site: not fetched")
                continue
            try:
                postings = job_postings(fetch_bytes(page, context.http, site=location))
            except FeedError as error:
                failed += 1
                yield Rejection(page, str(error))
                continue
            if not postings:
                yield Rejection(page, "no JobPosting in the page's JSON-LD")
            for position, posting in enumerate(postings):
                partner_id = posting_id(posting, page, position)
                yield RawRecord(partner_id, record_hash([page, posting]), (posting, page))
        if failed:
            raise FeedError(f"{failed} of {len(pages)} pages could not be fetched")

    def normalise(self, raw: RawRecord, context: Context) -> OfferRecord:
        posting, page = raw.payload
        return parse_posting(posting, page, context, raw.partner_id, raw.content_hash)


# --- Pages and sitemaps ----------------------------------------------------------------------

def sitemap_pages(url: str, context: Context, depth: int = 0, site: str | None = None) -> list[str]:
    """The page URLs a sitemap lists; a sitemap index is followed one level down. A partner's
    sitemap may only send us to its own site (`fetch.same_site`: its host or subdomains), never
    to an address of ours or of a third party: nor may its redirects or the sitemaps an index
    lists (an index listing another site's sitemap is refused whole)."""
    site = site or url
    root = parse_xml(fetch_bytes(url, context.http, site=site), url)
    locations = [text.strip() for text in root.xpath("//*[local-name()='loc']/text()") if text.strip()]
    if etree.QName(root).localname == "sitemapindex":
        if depth:
            raise FeedError(f"{url}: a sitemap index inside a sitemap index")
        elsewhere = [sitemap for sitemap in locations if not (is_url(sitemap) and same_site(sitemap, site))]
        if elsewhere:
            raise FeedError(f"{url} lists a sitemap off the partner's site ({elsewhere[0]}): refused")
        return [page for sitemap in locations for page in sitemap_pages(sitemap, context, depth + 1, site)][:MAX_PAGES]
    return [location for location in locations if is_url(location)][:MAX_PAGES]


def parse_xml(content: bytes, url: str) -> etree._Element:
    file = io.BytesIO(content)
    refuse_entity_declarations(file)
    try:
        return etree.parse(file, etree.XMLParser(**SAFE_XML)).getroot()
    except etree.XMLSyntaxError as error:
        raise FeedError(f"{url} is not a well-formed sitemap: {error}") from error


def job_postings(page: bytes) -> list[dict]:
    """Every JobPosting object in the page's JSON-LD scripts, @graph and lists included."""
    if not page.strip():
        return []
    document = html.document_fromstring(page)
    postings = []
    for script in document.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text or "", strict=False)
        except ValueError:
            continue
        postings += [item for item in _objects(data) if _is_job_posting(item)]
    return postings


def _objects(data) -> Iterator[dict]:
    if isinstance(data, list):
        for item in data:
            yield from _objects(item)
    elif isinstance(data, dict):
        yield data
        if "@graph" in data:
            yield from _objects(data["@graph"])


def _is_job_posting(item: dict) -> bool:
    kind = item.get("@type")
    return kind == "JobPosting" or (isinstance(kind, list) and "JobPosting" in kind)


def posting_id(posting: dict, page: str, position: int) -> str:
    identifier = posting.get("identifier")
    if isinstance(identifier, dict):
        identifier = identifier.get("value")
    if isinstance(identifier, (str, int)) and str(identifier).strip():
        return str(identifier).strip()
    return page if position == 0 else f"{page}#{position + 1}"


# --- One posting -----------------------------------------------------------------------------

def parse_posting(posting: dict, page: str, context: Context, partner_id: str, content_hash: str) -> OfferRecord:
    published_at = parse_date(_text(posting.get("datePosted")))
    if posting.get("datePosted") and published_at is None:
        raise InvalidRecord(f"unreadable datePosted {str(posting['datePosted'])[:40]!r}")
    employment_types = posting.get("employmentType") or []
    if isinstance(employment_types, str):
        employment_types = [employment_types]
    organisation = posting.get("hiringOrganization")
    category = _text(posting.get("occupationalCategory"))
    url = _text(posting.get("url")) or page
    job = JobFields(
        partner_id=partner_id,
        title=_text(posting.get("title")) or "",
        content_hash=content_hash,
        published_at=published_at,
        expires_at=parse_date(_text(posting.get("validThrough"))),
        place=place_of(posting, context),
        description=_text(posting.get("description")) or "",
        organisation_name=_text(organisation.get("name")) if isinstance(organisation, dict) else _text(organisation),
        rome_code=rome_code_in(category),
        apply_url=url if is_url(url) else None,
        source_url=page,
        contract_labels=tuple(str(kind) for kind in employment_types),
        working_time_labels=tuple(str(kind) for kind in employment_types),
        salary=salary_of(posting.get("baseSalary")),
        details={key: value for key, value in {
            "education": _text(posting.get("educationRequirements")),
            "skills": _text(posting.get("skills")),
            "working_conditions": _text(posting.get("workHours")),
        }.items() if value},
    )
    return job_record(job, context)


def place_of(posting: dict, context: Context) -> Place:
    locations = posting.get("jobLocation") or []
    location = locations[0] if isinstance(locations, list) and locations else locations
    if not isinstance(location, dict):
        return Place("country", "France")
    address = location.get("address") or {}
    if isinstance(address, str):
        return context.places.resolve(name=address)
    geo = location.get("geo") or {}
    country = address.get("addressCountry")
    country = country.get("name") if isinstance(country, dict) else country
    if country and fold(str(country)) not in COUNTRY_NAMES:
        return Place("country", str(country))
    return context.places.resolve(
        postal_code=_text(address.get("postalCode")),
        name=_text(address.get("addressLocality")),
        area_label=_text(address.get("addressRegion")),
        latitude=_number(geo.get("latitude")),
        longitude=_number(geo.get("longitude")),
    )


def salary_of(base_salary) -> Salary:
    """MonetaryAmount {value: QuantitativeValue {value | minValue, maxValue, unitText}}."""
    if not isinstance(base_salary, dict):
        return Salary()
    value = base_salary.get("value")
    if not isinstance(value, dict):
        value = {"value": value}
    low = _number(value.get("minValue")) or _number(value.get("value"))
    high = _number(value.get("maxValue")) or low
    if low is None:
        return Salary()
    unit = SALARY_UNITS.get(str(value.get("unitText") or base_salary.get("unitText") or "").upper())
    return Salary(low, high, unit or likely_period(low))


def _text(value) -> str | None:
    if isinstance(value, list):
        value = ", ".join(str(item) for item in value if item)
    if isinstance(value, dict):
        value = value.get("name") or value.get("value")
    return first_text(value) if value is not None else None


def _number(value) -> float | None:
    try:
        return float(str(value).replace(",", ".")) if value not in (None, "") else None
    except ValueError:
        return None
