"""Indeed-style XML: the sample feed, streaming in constant memory, XML attacks refused."""
import io
import tracemalloc

import pytest

from app.ingest import FeedError, InvalidRecord, Rejection
from app.ingest.connectors.indeed_xml import IndeedXmlConnector, read_jobs
from tests.unit.ingest.conftest import FIXTURES

SAMPLE = FIXTURES / "indeed_sample.xml"
CONNECTOR = IndeedXmlConnector()

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE source [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<source><job><title>&lol9;</title><referencenumber>1</referencenumber></job></source>"""
EXTERNAL_ENTITY = (b'<?xml version="1.0"?><!DOCTYPE source [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
                   b"<source><job><title>&secret;</title><referencenumber>1</referencenumber></job></source>")


def read(location, context):
    return list(CONNECTOR.read(str(location), context))


def offers(context) -> dict[str, dict]:
    return {item.partner_id: CONNECTOR.normalise(item, context).values
            for item in read(SAMPLE, context) if not isinstance(item, Rejection) and item.partner_id != "HDA-1006"}


def test_each_job_is_read_with_its_reference_and_the_one_without_is_reported(context):
    items = read(SAMPLE, context)

    assert [item.partner_id for item in items if not isinstance(item, Rejection)] == [
        "HDA-1001", "HDA-1002", "HDA-1003", "HDA-1004", "HDA-1006"]
    assert [item for item in items if isinstance(item, Rejection)] == [("job #5", "no referencenumber")]


def test_a_job_with_an_unreadable_date_is_invalid(context):
    [raw] = [item for item in read(SAMPLE, context) if getattr(item, "partner_id", None) == "HDA-1006"]

    with pytest.raises(InvalidRecord, match="unreadable <date>"):
        CONNECTOR.normalise(raw, context)


def test_the_first_job_is_fully_normalised(context):
    offer = offers(context)["HDA-1001"]

    assert offer["title"] == "Réceptionniste de nuit (H/F)"
    assert (offer["commune_code"], offer["location_precision"]) == ("74010", "commune")
    assert offer["occupation_code"] == "G1703" and "occupation_inferred" not in offer["details"]
    assert (offer["contract_type"], offer["salary_min"], offer["salary_max"], offer["salary_period"]) == (
        "CDI", 1900.0, 2100.0, "MONTH")
    assert offer["published_at"].isoformat() == "2026-11-02T08:30:00+00:00"
    assert (offer["apply_method"], offer["apply_url"]) == ("url", "https://carrieres.example.org/offres/1001")
    assert offer["details"]["description_format"] == "html"
    assert offer["description"].startswith("<p>Vous accueillez nos clients <strong>la nuit</strong>.</p><ul>")
    assert "script" not in offer["description"] and "javascript" not in offer["description"]
    assert "receptionniste de nuit" in offer["search_text"] and "h f" not in offer["search_text"]


def test_places_come_from_whatever_the_job_gives(context):
    jobs = offers(context)

    assert jobs["HDA-1002"]["commune_code"] == "74056"  # postal code and town
    assert jobs["HDA-1003"]["commune_code"] == "69123"  # "Lyon (69)"
    assert (jobs["HDA-1004"]["location_precision"], jobs["HDA-1004"]["region_code"]) == ("region", "84")


def test_contracts_salaries_and_occupations_of_the_other_jobs(context):
    jobs = offers(context)

    assert (jobs["HDA-1002"]["contract_type"], jobs["HDA-1002"]["working_time"]) == ("CDD", "full_time")
    assert (jobs["HDA-1002"]["salary_min"], jobs["HDA-1002"]["salary_period"]) == (12.0, "HOUR")
    assert jobs["HDA-1002"]["expires_at"].date().isoformat() == "2027-03-31"
    assert jobs["HDA-1002"]["details"].get("description_format") is None  # plain text stays plain
    assert (jobs["HDA-1003"]["contract_type"], jobs["HDA-1003"]["working_time"]) == ("CDD", "part_time")
    assert jobs["HDA-1003"]["occupation_code"] == "I1203"
    assert jobs["HDA-1003"]["details"]["occupation_inferred"].endswith("(I1203)")
    assert (jobs["HDA-1004"]["contract_type"], jobs["HDA-1004"]["salary_min"]) == ("SAI", 11.88)


def test_the_hash_moves_only_with_the_job(context):
    first = {item.partner_id: item.content_hash for item in read(SAMPLE, context) if hasattr(item, "content_hash")}
    changed = SAMPLE.read_bytes().replace(b"Check-in", b"Check-in et check-out")

    second = {item.partner_id: item.content_hash for item in read_jobs(io.BytesIO(changed)) if hasattr(item, "content_hash")}

    assert [pid for pid in first if first[pid] != second[pid]] == ["HDA-1001"]


@pytest.mark.parametrize("payload", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["billion-laughs", "external-entity"])
def test_xml_attacks_are_refused_before_parsing(tmp_path, context, payload):
    feed = tmp_path / "feed.xml"
    feed.write_bytes(payload)

    with pytest.raises(FeedError, match="declares XML entities"):
        read(feed, context)


@pytest.mark.parametrize("payload", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["billion-laughs", "external-entity"])
def test_the_parser_itself_expands_no_entity(payload):
    """Past the prolog check, lxml still neither expands nor fetches (defence in depth)."""
    try:
        items = list(read_jobs(io.BytesIO(payload)))
    except FeedError as error:  # libxml2's amplification guard
        assert "amplification" in str(error) or "entity" in str(error).lower()
        return
    assert [item.payload["title"] for item in items] == [""]


def test_malformed_xml_is_a_feed_error_after_the_jobs_before_it(context):
    truncated = SAMPLE.read_bytes()[: SAMPLE.read_bytes().index(b"HDA-1003")]

    items, error = [], None
    try:
        for item in read_jobs(io.BytesIO(truncated)):
            items.append(item)
    except FeedError as raised:
        error = raised

    assert [item.partner_id for item in items] == ["HDA-1001", "HDA-1002"]
    assert error is not None and "not well-formed" in str(error)


def test_a_large_feed_is_read_in_constant_memory(tmp_path):
    job = ("<job><title><![CDATA[Serveur H/F]]></title><referencenumber>{n}</referencenumber>"
           "<description><![CDATA[" + "Service en salle. " * 50 + "]]></description></job>\n")
    feed = tmp_path / "big.xml"
    with feed.open("w", encoding="utf-8") as file:
        file.write("<source>\n")
        for number in range(20_000):
            file.write(job.format(n=number))
        file.write("</source>\n")

    tracemalloc.start()
    with feed.open("rb") as file:
        count = sum(1 for _item in read_jobs(file))
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    assert count == 20_000
    assert feed.stat().st_size > 15 * 1024**2
    assert peak < 2 * 1024**2  # a 20 MB feed, under 2 MB held at any time
