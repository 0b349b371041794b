"""schema.org JobPosting JSON-LD from career pages and sitemaps, served on 127.0.0.1."""
import json
from datetime import datetime, timezone

import pytest
from werkzeug.wrappers import Response

from app.ingest import FeedError, Rejection
from app.ingest.connectors.jsonld import JsonLdConnector

CONNECTOR = JsonLdConnector()

POSTING = {
    "@context": "https://schema.org/",
    "@type": "JobPosting",
    "title": "Technicien de maintenance H/F",
    "description": "<p>Maintenance des lignes.</p><ul><li>Diagnostic</li></ul><script>bad()</script>",
    "identifier": {"@type": "PropertyValue", "name": "Usine des Alpes", "value": "UA-42"},
    "datePosted": "2026-10-30",
    "validThrough": "2026-12-31T23:59:59+01:00",
    "employmentType": ["FULL_TIME", "TEMPORARY"],
    "hiringOrganization": {"@type": "Organization", "name": "Usine des Alpes"},
    "jobLocation": {"@type": "Place", "address": {"@type": "PostalAddress", "addressLocality": "Annecy",
                                                  "postalCode": "74000", "addressCountry": "FR"},
                    "geo": {"@type": "GeoCoordinates", "latitude": 45.9, "longitude": 6.12}},
    "baseSalary": {"@type": "MonetaryAmount", "currency": "EUR",
                   "value": {"@type": "QuantitativeValue", "minValue": 2100, "maxValue": 2400, "unitText": "MONTH"}},
    "occupationalCategory": "I1304",
}


def career_page(*objects) -> str:
    # "</" escaped, as pages must: a "</script>" inside the JSON would end the element.
    blocks = (json.dumps(item).replace("</", "<\\/") for item in objects)
    scripts = "".join(f'<script type="application/ld+json">{block}</script>' for block in blocks)
    return f"<!doctype html><html><head><title>Offre</title>{scripts}</head><body><h1>Offre</h1></body></html>"


def sitemap(*urls: str, index: bool = False) -> str:
    tag, item = ("sitemapindex", "sitemap") if index else ("urlset", "url")
    entries = "".join(f"<{item}><loc>{url}</loc></{item}>" for url in urls)
    return f'<?xml version="1.0" encoding="UTF-8"?><{tag} xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</{tag}>'


def read(location, context):
    return list(CONNECTOR.read(location, context))


def test_a_page_posting_is_read_and_normalised(server, context):
    server.serve("/offres/42", career_page(POSTING), content_type="text/html")

    [raw] = read(server.url("/offres/42"), context)
    offer = CONNECTOR.normalise(raw, context).values

    assert raw.partner_id == "UA-42"
    assert (offer["title"], offer["organisation_name"], offer["occupation_code"]) == (
        "Technicien de maintenance H/F", "Usine des Alpes", "I1304")
    assert (offer["commune_code"], offer["latitude"], offer["longitude"]) == ("74010", 45.9, 6.12)
    assert (offer["salary_min"], offer["salary_max"], offer["salary_period"]) == (2100.0, 2400.0, "MONTH")
    assert (offer["contract_type"], offer["working_time"]) == ("CDD", "full_time")
    assert offer["expires_at"] == datetime(2026, 12, 31, 22, 59, 59, tzinfo=timezone.utc)
    assert offer["description"] == "<p>Maintenance des lignes.</p><ul><li>Diagnostic</li></ul>"
    assert offer["details"]["description_format"] == "html"
    assert (offer["apply_url"], offer["source_url"]) == (server.url("/offres/42"), server.url("/offres/42"))


def test_a_posting_without_identifier_is_known_by_its_page(server, context):
    posting = {key: value for key, value in POSTING.items() if key != "identifier"}
    server.serve("/offres/43", career_page({"@context": "https://schema.org", "@graph": [
        {"@type": "Organization", "name": "Usine des Alpes"}, posting]}), content_type="text/html")

    [raw] = read(server.url("/offres/43"), context)

    assert raw.partner_id == server.url("/offres/43")


def test_a_sitemap_lists_the_pages_of_a_full_feed(server, context):
    server.serve("/offres/1", career_page({**POSTING, "identifier": "UA-1"}), content_type="text/html")
    server.serve("/offres/2", career_page({**POSTING, "identifier": "UA-2"}, {"@type": "WebSite"}), content_type="text/html")
    server.serve("/offres/3", career_page({"@type": "Organization", "name": "Pas une offre"}), content_type="text/html")
    server.serve("/sitemap-offres.xml", sitemap(*(server.url(f"/offres/{n}") for n in (1, 2, 3))))
    server.serve("/sitemap.xml", sitemap(server.url("/sitemap-offres.xml"), index=True))

    items = read(server.url("/sitemap.xml"), context)

    assert CONNECTOR.is_full_feed(server.url("/sitemap.xml")) and not CONNECTOR.is_full_feed(server.url("/offres/1"))
    assert [item.partner_id for item in items if not isinstance(item, Rejection)] == ["UA-1", "UA-2"]
    assert [item for item in items if isinstance(item, Rejection)] == [
        (server.url("/offres/3"), "no JobPosting in the page's JSON-LD")]


def test_a_page_that_fails_is_reported_and_the_feed_marked_incomplete(server, context):
    server.serve("/offres/1", career_page({**POSTING, "identifier": "UA-1"}), content_type="text/html")
    server.serve("/offres/2", "boom", status=500, content_type="text/plain")
    server.serve("/sitemap.xml", sitemap(server.url("/offres/1"), server.url("/offres/2")))
    items = []

    with pytest.raises(FeedError, match="1 of 2 pages could not be fetched"):
        for item in CONNECTOR.read(server.url("/sitemap.xml"), context):
            items.append(item)

    assert [getattr(item, "partner_id", None) for item in items] == ["UA-1", None]
    assert "HTTP 500" in items[1].reason


def test_a_sitemap_only_leads_to_its_own_site(server, context):
    elsewhere = server.url("/offres/1").replace("127.0.0.1", "localhost")
    server.serve("/sitemap.xml", sitemap(elsewhere))

    assert read(server.url("/sitemap.xml"), context) == [(elsewhere, "not on the sitemap's site: not fetched")]
    assert [request.path for request in server.requests] == ["/sitemap.xml"]


def redirect(server, path: str, location: str, status: int = 302) -> None:
    server.routes[path] = lambda _request: Response("", status=status, headers={"Location": location})


def test_a_page_redirected_within_its_site_is_read(server, context):
    server.serve("/offres/42-maintenance", career_page(POSTING), content_type="text/html")
    redirect(server, "/offres/42", "/offres/42-maintenance", status=301)  # relative, as sites write it

    [raw] = read(server.url("/offres/42"), context)

    assert raw.partner_id == "UA-42"
    assert [request.path for request in server.requests] == ["/offres/42", "/offres/42-maintenance"]


def test_a_page_redirected_off_its_site_is_not_followed(server, context):
    elsewhere = server.url("/interne").replace("127.0.0.1", "localhost")  # another host, same server
    server.serve("/interne", career_page(POSTING), content_type="text/html")
    server.serve("/offres/1", career_page({**POSTING, "identifier": "UA-1"}), content_type="text/html")
    redirect(server, "/offres/2", elsewhere)
    server.serve("/sitemap.xml", sitemap(server.url("/offres/1"), server.url("/offres/2")))

    items = []
    with pytest.raises(FeedError, match="1 of 2 pages could not be fetched"):
        for item in CONNECTOR.read(server.url("/sitemap.xml"), context):
            items.append(item)

    assert items[0].partner_id == "UA-1"
    assert items[1] == (server.url("/offres/2"), f"{server.url('/offres/2')} redirects to {elsewhere}, off the partner's site: not followed")
    assert "/interne" not in [request.path for request in server.requests]


def test_a_sitemap_redirected_off_its_site_is_refused(server, context):
    redirect(server, "/sitemap.xml", server.url("/autre.xml").replace("127.0.0.1", "localhost"), status=307)
    server.serve("/autre.xml", sitemap(server.url("/offres/1")))

    with pytest.raises(FeedError, match="off the partner's site: not followed"):
        read(server.url("/sitemap.xml"), context)
    assert [request.path for request in server.requests] == ["/sitemap.xml"]


def test_a_sitemap_index_listing_another_sites_sitemap_is_refused(server, context):
    server.serve("/sitemap.xml", sitemap(server.url("/s1.xml").replace("127.0.0.1", "localhost"), index=True))

    with pytest.raises(FeedError, match="lists a sitemap off the partner's site"):
        read(server.url("/sitemap.xml"), context)
    assert [request.path for request in server.requests] == ["/sitemap.xml"]


def test_endless_redirects_within_the_site_stop(server, context):
    redirect(server, "/offres/1", "/offres/1")

    with pytest.raises(FeedError, match="could not be fetched"):
        list(CONNECTOR.read(server.url("/offres/1"), context))
    assert len(server.requests) == 6  # the page, then MAX_REDIRECTS (5) hops


def test_a_sitemap_declaring_entities_is_refused(server, context):
    server.serve("/sitemap.xml", '<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                                 "<urlset><url><loc>&x;</loc></url></urlset>")

    with pytest.raises(FeedError, match="declares XML entities"):
        read(server.url("/sitemap.xml"), context)


def test_only_http_urls_are_read(context):
    with pytest.raises(FeedError, match="not an http"):
        read("/etc/passwd", context)
