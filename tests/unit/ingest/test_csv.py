"""CSV feeds with the documented columns."""
import pytest

from app.ingest import FeedError, Rejection
from app.ingest.connectors.csv import CsvConnector
from tests.unit.ingest.conftest import FIXTURES

CONNECTOR = CsvConnector()


def read(location, context):
    return list(CONNECTOR.read(str(location), context))


def test_each_line_becomes_a_job_and_a_line_without_id_is_reported(context):
    items = read(FIXTURES / "csv_sample.csv", context)

    assert [item.partner_id for item in items if not isinstance(item, Rejection)] == ["M-01", "M-02", "M-03"]
    assert [item for item in items if isinstance(item, Rejection)] == [("line 5", "no id")]


def test_the_columns_are_normalised(context):
    jobs = {item.partner_id: CONNECTOR.normalise(item, context).values
            for item in read(FIXTURES / "csv_sample.csv", context) if not isinstance(item, Rejection)}

    baker, seller, driver = jobs["M-01"], jobs["M-02"], jobs["M-03"]
    assert (baker["title"], baker["commune_code"], baker["contract_type"], baker["working_time"]) == (
        "Boulanger H/F", "29233", "CDI", "full_time")
    assert (baker["salary_min"], baker["salary_period"], baker["occupation_code"]) == (1800.0, "MONTH", "D1102")
    assert baker["apply_url"] == "https://fournil.example.org/emploi"
    assert (seller["title"], seller["commune_code"], seller["contract_type"]) == ("Vendeur en boulangerie", "29233", "CDD")
    assert (seller["salary_min"], seller["salary_max"], seller["salary_period"]) == (11.88, 12.5, "HOUR")
    assert (seller["apply_method"], seller["apply_email"]) == ("email", "emploi@fournil.example.org")
    assert seller["expires_at"].date().isoformat() == "2026-12-31"
    assert (driver["location_precision"], driver["departement_code"], driver["occupation_code"]) == (
        "departement", "29", "N4105")
    assert driver["published_at"] == context.now


def test_comma_separated_files_are_read_too(tmp_path, context):
    feed = tmp_path / "jobs.csv"
    feed.write_text('id,title,city\n7,"Maçon, coffreur",Annecy\n', encoding="utf-8")

    [item] = read(feed, context)

    assert CONNECTOR.normalise(item, context).values["title"] == "Maçon, coffreur"


@pytest.mark.parametrize("content", [b"reference;intitule\n1;Serveur\n", b"", b"\xff\xfe\x00i\x00d"])
def test_a_file_without_the_required_columns_or_not_utf8_is_refused(tmp_path, context, content):
    feed = tmp_path / "jobs.csv"
    feed.write_bytes(content)

    with pytest.raises(FeedError):
        read(feed, context)


def test_a_missing_file_is_a_feed_error(tmp_path, context):
    with pytest.raises(FeedError, match="cannot read"):
        read(tmp_path / "absent.csv", context)
