"""Indeed-style XML job feeds: `<source><job><title>…</title><referencenumber>…</referencenumber>…`.

The format most French multiposting tools and career sites export (ZipRecruiter and others use
the same tags). Feeds reach hundreds of megabytes: they are parsed as a stream, each `<job>`
cleared once read, so memory stays flat whatever the size. A `<job>`'s id is its
`<referencenumber>`; the feed is complete by Indeed's rules, so what it no longer lists expires.
"""
import re
from collections.abc import Iterator

from lxml import etree

from app.catalog.text import fold
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
from app.ingest.fetch import SAFE_XML, open_feed, refuse_entity_declarations
from app.ingest.normalise import parse_date, rome_code_in
from app.ingest.places import COUNTRY_NAMES, Place

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class IndeedXmlConnector:
    format = "indeed-xml"
    kind = "job"

    def is_full_feed(self, location: str) -> bool:
        return True

    def read(self, location: str, context: Context) -> Iterator[RawRecord | Rejection]:
        with open_feed(location, context.http) as file:
            refuse_entity_declarations(file)
            yield from read_jobs(file)

    def normalise(self, raw: RawRecord, context: Context) -> OfferRecord:
        return parse_job(raw.payload, context, raw.partner_id, raw.content_hash)


def read_jobs(file) -> Iterator[RawRecord | Rejection]:
    """Each <job> as {tag: text}, in feed order, one element in memory at a time."""
    events = etree.iterparse(file, events=("end",), tag="job", remove_comments=True, **SAFE_XML)
    try:
        for position, (_event, job) in enumerate(events, start=1):
            fields = {child.tag.lower(): (child.text or "").strip() for child in job if isinstance(child.tag, str)}
            reference = fields.get("referencenumber")
            if reference:
                yield RawRecord(reference, record_hash(fields), fields)
            else:
                yield Rejection(f"job #{position}", "no referencenumber")
            job.clear()
            # Earlier siblings would pile up under <source>: drop them too.
            while job.getprevious() is not None:
                del job.getparent()[0]
    except etree.XMLSyntaxError as error:
        raise FeedError(f"not well-formed XML: {error}") from error


def parse_job(fields: dict, context: Context, partner_id: str, content_hash: str) -> OfferRecord:
    published_at = parse_date(fields.get("date"))
    if fields.get("date") and published_at is None:
        raise InvalidRecord(f"unreadable <date> {fields['date'][:40]!r}")
    url = fields.get("url") or None
    email = fields.get("email") if _EMAIL.match(fields.get("email") or "") else None
    rome_code = rome_code_in(fields.get("category"))
    job = JobFields(
        partner_id=partner_id,
        title=fields.get("title") or "",
        content_hash=content_hash,
        published_at=published_at,
        expires_at=parse_date(fields.get("expirationdate")),
        place=place_of(fields, context),
        description=fields.get("description") or "",
        organisation_name=first_text(fields.get("company")),
        rome_code=rome_code,
        apply_url=url,
        apply_email=email,
        source_url=url,
        contract_labels=tuple(re.split(r"\s*,\s*", fields.get("jobtype") or "")),
        contract_label=first_text(fields.get("jobtype")),
        working_time_labels=(fields.get("jobtype"),),
        salary_text=first_text(fields.get("salary")),
        details={
            key: value
            for key, value in {
                "education": fields.get("education"),
                "experience_details": fields.get("experience"),
                "sector": fields.get("category") if not rome_code else None,
                "partner": fields.get("sourcename"),
                "remote": fields.get("remotetype"),
            }.items()
            if value
        },
        search_words=(fields.get("category"),),
    )
    return job_record(job, context)


def place_of(fields: dict, context: Context) -> Place:
    country = fields.get("country") or ""
    if country and fold(country) not in COUNTRY_NAMES:
        return Place("country", country.strip())
    return context.places.resolve(
        postal_code=fields.get("postalcode"), name=fields.get("city"), area_label=fields.get("state")
    )
