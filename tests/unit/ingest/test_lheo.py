import io
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from app.demo.load import FEEDS_DIR
from app.ingest import FeedError, InvalidRecord
from app.ingest.connectors.lheo import LheoConnector, plain_text, read_formations
from app.ingest.fetch import refuse_entity_declarations
from tests.unit.ingest.conftest import NOW

POEC = (FEEDS_DIR / "trefle_poec_lheo22.xml").read_bytes()


def parse(feed: Path | bytes, context):
    """Every formation normalised, and the ones rejected with why."""
    records, rejections = [], []
    with io.BytesIO(feed) if isinstance(feed, bytes) else feed.open("rb") as file:
        refuse_entity_declarations(file)
        for raw in read_formations(file):
            try:
                records.append(LheoConnector().normalise(raw, context))
            except InvalidRecord as error:
                rejections.append((raw.partner_id, str(error)))
    return records, rejections


def only_record(feed, context):
    records, rejections = parse(feed, context)
    assert rejections == []
    assert len(records) == 1
    return records[0]


def test_the_official_bts_example_becomes_one_training(context):
    record = only_record(FEEDS_DIR / "lheo-schema_exemple-bts-onisep.xml", context)
    offer = record.values

    assert offer["partner_id"] == "9436_18706"
    assert offer["title"] == "BTS négociation et relation client"
    assert offer["organisation_name"] == "Lycée Kerneuzec"
    assert offer["training_body_siret"] == "19290076900014"
    assert (offer["rncp_codes"], offer["certifinfo_codes"], offer["is_certifying"]) == (["474"], ["19004"], True)
    assert offer["occupation_code"] == "D1402"
    assert offer["apply_url"] == "http://www2.cndp.fr/archivage/valid/brochadmin/bouton/c052.htm"
    assert offer["published_at"] == NOW  # the example carries no dates


def test_escaped_html_becomes_plain_text_with_its_structure(context):
    offer = only_record(FEEDS_DIR / "lheo-schema_exemple-bts-onisep.xml", context).values

    assert "<" not in offer["description"] and "<" not in offer["objectives"]
    assert "\n• Gestion de clientèles" in offer["description"]
    assert offer["details"]["expected_results"].startswith("Les objectifs :\nCe BTS forme")


def test_the_training_is_placed_where_its_first_session_is(context):
    record = only_record(FEEDS_DIR / "lheo-schema_exemple-bts-onisep.xml", context)

    assert record.values["commune_code"] == "29233"
    assert (record.values["region_code"], record.values["location_precision"]) == ("53", "commune")
    assert (record.values["latitude"], record.values["longitude"]) == (47.882108, -3.5526545)
    assert record.sessions == [
        {
            "partner_id": "9436_18706/9436_18706",
            "start_date": date(2015, 9, 1),
            "end_date": date(2017, 8, 31),
            "modality": "onsite",
            "place_label": "Quimperlé (29)",
            "address": "Kerneuzec, 29391 QUIMPERLÉ",
            "commune_code": "29233",
            "latitude": 47.882108,
            "longitude": -3.5526545,
            "is_open": None,
        }
    ]


def test_each_action_session_becomes_a_session(context):
    record = only_record(FEEDS_DIR / "trefle_formation_lheo22.xml", context)

    assert [session["partner_id"] for session in record.sessions] == ["07_114782/114782", "07_123324/123324"]
    assert all(session["is_open"] for session in record.sessions)
    assert record.sessions[0]["place_label"] == "AFPA de Veigné, Veigné (37)"
    assert record.values["duration_hours"] == 697
    assert record.values["published_at"] == datetime(2001, 5, 3, tzinfo=timezone.utc)
    assert record.values["updated_at"] == datetime(2017, 12, 13, tzinfo=timezone.utc)
    assert "Éligible au CPF" in record.values["details"]["funding"]


def test_a_distance_training_is_marked_so(context):
    record = only_record(POEC, context)

    assert record.sessions[0]["modality"] == "distance"
    assert record.values["organisation_name"] == "Openclassrooms - OC"
    assert record.values["is_certifying"] is False


def test_lheo_2_3_is_read_and_unknown_dates_are_none(context):
    feed = (
        POEC.replace(b"http://www.lheo.org/2.2", b"http://lheo.gouv.fr/2.3")
        .replace(b"<debut>20180910</debut>", b"<debut>00000000</debut>")
        .replace(b"<fin>20181210</fin>", b"<fin>99999999</fin>")
    )
    session = only_record(feed, context).sessions[0]

    assert (session["start_date"], session["end_date"]) == (None, None)


def test_the_invalid_intercarif_record_is_reported_and_skipped(context):
    records, rejections = parse(FEEDS_DIR / "anotea_intercarif-data-test.xml", context)

    assert records == []
    [(record_id, reason)] = rejections
    assert record_id == "F_XX_XX"
    assert "coordonneFs" in reason
    assert "SIRET" in reason and "length of '15'" in reason


def test_a_broken_formation_does_not_stop_the_rest_of_the_feed(context):
    start, end = POEC.index(b"<formation "), POEC.index(b"</formation>") + len(b"</formation>")
    broken = POEC[start:end].replace(b'numero="24_162227"', b'numero="broken"').replace(
        b"<SIRET>49386136300064</SIRET>", b"<SIRET>049386136300064</SIRET>"
    )
    feed = POEC[:end] + broken + POEC[end:]

    records, rejections = parse(feed, context)

    assert [record.values["partner_id"] for record in records] == ["24_162227"]
    assert [record_id for record_id, _reason in rejections] == ["broken"]


def test_a_formation_without_number_gets_a_stable_id(context):
    feed = POEC.replace(b'numero="24_162227" ', b"")

    first = only_record(feed, context).values["partner_id"]

    assert first.startswith("sha256-")
    assert only_record(feed, context).values["partner_id"] == first


def test_a_file_that_is_not_xml_is_refused(context):
    with pytest.raises(FeedError):
        parse(b"<lheo><offres>", context)


def test_a_document_that_is_not_lheo_is_refused(context):
    with pytest.raises(FeedError, match="not an LHEO document"):
        parse(b"<source><job/></source>", context)


def test_external_entities_are_never_read(context):
    feed = POEC.replace(
        b'<?xml version="1.0" encoding="UTF-8"?>',
        b'<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE lheo [<!ENTITY secret SYSTEM "file:///etc/passwd">]>',
    ).replace(b"Gestionnaire de paie (POEC)", b"&secret;")

    with pytest.raises(FeedError, match="declares XML entities"):
        parse(feed, context)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("<p>Un</p><p>Deux &amp; trois</p>", "Un\n\nDeux & trois"),
        ("Ligne<br/>suivante", "Ligne\nsuivante"),
        ("<ul><li>a</li><li>b</li></ul>", "• a\n• b"),
        ("-", None),
        ("  texte   brut  ", "texte brut"),
    ],
)
def test_plain_text(value, expected):
    assert plain_text(value) == expected
