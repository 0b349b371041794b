"""Runs through `flask feeds …`: upsert by partner id, idempotence, expiry, broken and shrunken
feeds, rejected records, the lock, the offer ids handed to deduplication."""
import json
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from app.catalog.models import JobOffer, Offer, Source, TrainingOffer, TrainingSession
from app.demo.load import FEEDS_DIR
from app.ingest import services
from app.ingest.cli import run_feed
from app.ingest.connectors import connector_for
from app.ingest.fetch import http_session
from app.ingest.models import FeedRun, RejectedRecord
from tests.factories.catalog import make_source
from tests.unit.ingest.conftest import FIXTURES

SAMPLE = FIXTURES / "indeed_sample.xml"


@pytest.fixture
def runner(app, db_session):
    return app.test_cli_runner()


def feeds(runner, *args):
    result = runner.invoke(args=["feeds", *args])
    summaries = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    return result, summaries


def import_feed(runner, location, source="hotels", format_="indeed-xml", *options):
    result, summaries = feeds(runner, "import", "--format", format_, "--source", source, *options, str(location))
    assert summaries, result.output + repr(result.exception)
    return result, summaries[-1]


def indeed_feed(tmp_path, jobs: int, name="feed.xml", **changes) -> str:
    """An Indeed feed of `jobs` jobs; `changes` maps a reference to a new title."""
    entries = []
    for number in range(jobs):
        reference = f"REF-{number}"
        title = changes.get(reference, f"Serveur / Serveuse {number}")
        entries.append(f"<job><title>{title}</title><date>2026-10-30</date><referencenumber>{reference}</referencenumber>"
                       f"<company>Brasserie {number}</company><city>Annecy</city><postalcode>74000</postalcode>"
                       f"<description>Service en salle.</description><jobtype>CDI</jobtype></job>")
    path = tmp_path / name
    path.write_text(f"<source>{''.join(entries)}</source>", encoding="utf-8")
    return str(path)


def offers_of(db_session, slug) -> list[Offer]:
    return list(db_session.scalars(select(Offer).join(Offer.source).where(Source.slug == slug).order_by(Offer.partner_id)))


def open_offers(db_session, slug, now) -> list[str]:
    return [o.partner_id for o in offers_of(db_session, slug) if o.expires_at is None or o.expires_at > now]


def counts(summary) -> dict:
    return {key: summary[key] for key in ("received", "new", "updated", "unchanged", "expired", "rejected")}


def test_importing_the_sample_loads_its_jobs_and_reports_its_rejections(runner, db_session):
    result, summary = import_feed(runner, SAMPLE)

    assert result.exit_code == 0
    assert summary["status"] == "succeeded"
    assert counts(summary) == {"received": 5, "new": 4, "updated": 0, "unchanged": 0, "expired": 0, "rejected": 2}
    assert [offer.partner_id for offer in offers_of(db_session, "hotels")] == ["HDA-1001", "HDA-1002", "HDA-1003", "HDA-1004"]
    run = db_session.get(FeedRun, summary["run"])
    assert sorted(run.new_offer_ids) == sorted(offer.id for offer in offers_of(db_session, "hotels"))
    assert [(r.record_id, r.reason) for r in run.rejections] == [
        ("job #5", "no referencenumber"), ("HDA-1006", "unreadable <date> 'hier'")]


def test_importing_twice_changes_nothing(runner, db_session):
    import_feed(runner, SAMPLE)
    before = {offer.id: (offer.content_hash, offer.title, offer.expires_at) for offer in offers_of(db_session, "hotels")}

    _result, summary = import_feed(runner, SAMPLE)

    assert counts(summary) == {"received": 5, "new": 0, "updated": 0, "unchanged": 4, "expired": 0, "rejected": 2}
    run = db_session.get(FeedRun, summary["run"])
    assert (run.new_offer_ids, run.updated_offer_ids) == ([], [])
    after = {offer.id: (offer.content_hash, offer.title, offer.expires_at) for offer in offers_of(db_session, "hotels")}
    assert after == before


def test_a_changed_job_is_updated_in_place(runner, db_session, tmp_path):
    import_feed(runner, indeed_feed(tmp_path, 10))
    ids = {offer.partner_id: offer.id for offer in offers_of(db_session, "hotels")}

    _result, summary = import_feed(runner, indeed_feed(tmp_path, 10, **{"REF-3": "Chef de rang"}))

    assert (summary["new"], summary["updated"], summary["unchanged"]) == (0, 1, 9)
    assert db_session.get(FeedRun, summary["run"]).updated_offer_ids == [ids["REF-3"]]
    changed = db_session.get(JobOffer, ids["REF-3"])
    assert (changed.title, changed.occupation_code) == ("Chef de rang", "G1810")


def test_jobs_missing_from_a_full_feed_expire_and_come_back_when_listed_again(runner, db_session, tmp_path):
    import_feed(runner, indeed_feed(tmp_path, 10))

    _result, summary = import_feed(runner, indeed_feed(tmp_path, 8))

    run = db_session.get(FeedRun, summary["run"])
    assert (summary["status"], summary["expired"]) == ("succeeded", 2)
    assert sorted(open_offers(db_session, "hotels", run.started_at)) == sorted(f"REF-{n}" for n in range(8))
    expired = [o for o in offers_of(db_session, "hotels") if o.partner_id in ("REF-8", "REF-9")]
    assert all(offer.expires_at == run.started_at for offer in expired)

    _result, summary = import_feed(runner, indeed_feed(tmp_path, 10))

    assert (summary["updated"], summary["unchanged"], summary["expired"]) == (2, 8, 0)
    assert len(open_offers(db_session, "hotels", datetime.now(timezone.utc))) == 10


def test_a_feed_that_shrinks_by_90_percent_expires_nothing_and_is_flagged(runner, db_session, tmp_path):
    import_feed(runner, indeed_feed(tmp_path, 20))

    result, summary = import_feed(runner, indeed_feed(tmp_path, 2))

    assert result.exit_code == 1
    assert (summary["status"], summary["expired"]) == ("flagged", 0)
    assert "lists 2 offers where the source had 20 open" in summary["message"]
    assert len(open_offers(db_session, "hotels", datetime.now(timezone.utc))) == 20


def test_a_feed_that_answers_500_expires_nothing_and_is_flagged(runner, db_session, tmp_path, server):
    import_feed(runner, indeed_feed(tmp_path, 5))
    server.serve("/feed.xml", "Internal Server Error", status=500, content_type="text/plain")

    result, summary = import_feed(runner, server.url("/feed.xml"))

    assert result.exit_code == 1
    assert (summary["status"], summary["received"], summary["expired"]) == ("flagged", 0, 0)
    assert "HTTP 500" in summary["message"]
    assert len(open_offers(db_session, "hotels", datetime.now(timezone.utc))) == 5


def test_a_feed_downloaded_over_http_is_imported(runner, db_session, tmp_path, server):
    server.serve("/feed.xml", SAMPLE.read_bytes())

    _result, summary = import_feed(runner, server.url("/feed.xml"))

    assert (summary["status"], summary["new"]) == ("succeeded", 4)


def test_malformed_xml_keeps_what_it_read_and_expires_nothing(runner, db_session, tmp_path):
    import_feed(runner, indeed_feed(tmp_path, 10))
    broken = tmp_path / "broken.xml"
    changed = indeed_feed(tmp_path, 10, name="next.xml", **{"REF-1": "Barman"})
    broken.write_text((tmp_path / changed).read_text()[:900])

    _result, summary = import_feed(runner, broken)

    assert summary["status"] == "flagged" and "not well-formed" in summary["message"]
    assert (summary["updated"], summary["expired"]) == (1, 0)
    assert len(open_offers(db_session, "hotels", datetime.now(timezone.utc))) == 10


def test_an_xml_bomb_is_refused_and_expires_nothing(runner, db_session, tmp_path):
    import_feed(runner, indeed_feed(tmp_path, 3))
    bomb = tmp_path / "bomb.xml"
    bomb.write_text('<?xml version="1.0"?><!DOCTYPE source [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
                    "<source><job><title>&b;</title><referencenumber>1</referencenumber></job></source>")

    _result, summary = import_feed(runner, bomb)

    assert (summary["status"], summary["received"], summary["expired"]) == ("flagged", 0, 0)
    assert "declares XML entities" in summary["message"]


def test_a_partial_import_expires_nothing(runner, db_session, tmp_path):
    import_feed(runner, indeed_feed(tmp_path, 10))

    _result, summary = import_feed(runner, indeed_feed(tmp_path, 3), "hotels", "indeed-xml", "--partial")

    assert (summary["status"], summary["expired"], summary["unchanged"]) == ("succeeded", 0, 3)


def test_a_repeated_reference_is_kept_once_and_reported(runner, db_session, tmp_path):
    feed = tmp_path / "twice.xml"
    job = "<job><title>Serveur</title><referencenumber>R1</referencenumber><city>Annecy</city></job>"
    feed.write_text(f"<source>{job}{job.replace('Serveur', 'Barman')}</source>")

    _result, summary = import_feed(runner, feed)

    assert (summary["new"], summary["rejected"]) == (1, 1)
    assert [o.title for o in offers_of(db_session, "hotels")] == ["Serveur"]


def test_over_long_values_fit_their_columns(runner, db_session, tmp_path):
    feed = tmp_path / "long.xml"
    feed.write_text(f"<source><job><title>{'Serveur ' * 80}</title><referencenumber>{'R' * 150}</referencenumber>"
                    f"<url>https://example.org/{'x' * 1200}</url><company>{'B' * 400}</company></job></source>")

    _result, summary = import_feed(runner, feed)

    [offer] = offers_of(db_session, "hotels")
    assert summary["new"] == 1
    assert (len(offer.title), len(offer.organisation_name), len(offer.partner_id)) == (300, 300, 100)
    assert offer.apply_url is None
    _result, again = import_feed(runner, feed)
    assert again["unchanged"] == 1  # the shortened id is stable


def test_lheo_trainings_load_with_sessions_and_an_invalid_record_is_reported(runner, db_session):
    _result, summary = import_feed(runner, FEEDS_DIR / "trefle_formation_lheo22.xml", "carif", "lheo")
    _result, invalid = import_feed(runner, FEEDS_DIR / "anotea_intercarif-data-test.xml", "intercarif", "lheo")

    assert (summary["new"], summary["rejected"]) == (1, 0)
    [training] = offers_of(db_session, "carif")
    assert isinstance(training, TrainingOffer) and len(training.sessions) == 2
    assert (invalid["status"], invalid["new"], invalid["rejected"]) == ("succeeded", 0, 1)
    [rejection] = db_session.scalars(select(RejectedRecord).where(RejectedRecord.run_id == invalid["run"]))
    assert rejection.record_id == "F_XX_XX" and "SIRET" in rejection.reason


def test_an_updated_training_gets_its_new_sessions(runner, db_session, tmp_path):
    feed = (FEEDS_DIR / "trefle_formation_lheo22.xml").read_bytes()
    import_feed(runner, FEEDS_DIR / "trefle_formation_lheo22.xml", "carif", "lheo")
    moved = tmp_path / "moved.xml"
    moved.write_bytes(feed.replace(b"<debut>20171204</debut>", b"<debut>20180108</debut>"))

    _result, summary = import_feed(runner, moved, "carif", "lheo")

    assert summary["updated"] == 1
    [training] = offers_of(db_session, "carif")
    assert sorted(s.start_date.isoformat() for s in training.sessions) == ["2017-10-30", "2018-01-08"]
    assert db_session.scalar(select(func.count(TrainingSession.id)).where(TrainingSession.offer_id == training.id)) == 2


def test_france_travail_results_and_csv_import_too(runner, db_session):
    _result, france_travail = import_feed(runner, FEEDS_DIR / "ft_offres_147.json", "ft", "france-travail")
    _result, csv = import_feed(runner, FIXTURES / "csv_sample.csv", "fournil", "csv")

    assert (france_travail["status"], france_travail["new"]) == ("succeeded", 147)
    assert (csv["status"], csv["new"], csv["rejected"]) == ("succeeded", 3, 1)


def lock(db_session, source_id, until):
    db_session.get(Source, source_id).locked_until = until
    db_session.commit()


def test_a_busy_source_is_refused_and_a_stale_lock_taken_over(runner, db_session, tmp_path):
    source_id = make_source(db_session, slug="hotels", format="indeed-xml").id
    lock(db_session, source_id, datetime.now(timezone.utc) + timedelta(minutes=30))

    result, _summaries = feeds(runner, "import", "--format", "indeed-xml", "--source", "hotels", str(SAMPLE))

    assert result.exit_code == 1 and "being read by another run" in result.output
    assert db_session.scalar(select(func.count(FeedRun.id)).where(FeedRun.source_id == source_id)) == 0

    lock(db_session, source_id, datetime.now(timezone.utc) - timedelta(minutes=1))
    _result, summary = import_feed(runner, SAMPLE)
    assert summary["status"] == "succeeded"
    assert db_session.get(Source, source_id).locked_until is None


def test_an_error_of_ours_fails_the_run_and_frees_the_source(app, db_session, monkeypatch):
    source = make_source(db_session, slug="hotels", format="indeed-xml")
    source_id = source.id

    def broken_expiry(*_args, **_kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "expire_offers", broken_expiry)
    with app.app_context(), http_session() as http, pytest.raises(RuntimeError):
        run_feed(source, connector_for("indeed-xml"), str(SAMPLE), http)

    run = db_session.scalar(select(FeedRun).where(FeedRun.source_id == source_id))
    assert (run.status, run.message) == ("failed", "RuntimeError: disk full")
    assert offers_of(db_session, "hotels") == []  # the run's writes were rolled back
    assert db_session.get(Source, source_id).locked_until is None


def test_runs_and_rejections_are_listed(runner, db_session):
    _result, summary = import_feed(runner, SAMPLE)

    runs = runner.invoke(args=["feeds", "runs", "--source", "hotels"])
    rejected = runner.invoke(args=["feeds", "rejected", str(summary["run"])])

    assert f"#{summary['run']}" in runs.output and "succeeded" in runs.output and "new=4" in runs.output
    assert rejected.output.splitlines() == ["job #5\tno referencenumber", "HDA-1006\tunreadable <date> 'hier'"]


def test_configured_sources_are_synced(runner, db_session, server):
    server.serve("/feed.xml", SAMPLE.read_bytes())
    server.serve("/jobs.csv", (FIXTURES / "csv_sample.csv").read_bytes(), content_type="text/csv")
    feeds(runner, "configure", "hotels", "--format", "indeed-xml", "--url", server.url("/feed.xml"))
    feeds(runner, "configure", "fournil", "--format", "csv", "--url", server.url("/jobs.csv"), "--kind", "employer")
    feeds(runner, "configure", "paused", "--format", "csv", "--url", server.url("/none.csv"), "--inactive")

    result, summaries = feeds(runner, "sync")

    assert result.exit_code == 0, result.output
    assert sorted((s["source"], s["status"], s["new"]) for s in summaries) == [
        ("fournil", "succeeded", 3), ("hotels", "succeeded", 4)]


def test_the_france_travail_api_is_synced_then_read_incrementally(runner, db_session, server, monkeypatch):
    from tests.unit.ingest.test_france_travail_api import API, FakeFranceTravail

    api_server = FakeFranceTravail(server)
    monkeypatch.setenv("FT_TEST_CLIENT_ID", "client")
    monkeypatch.setenv("FT_TEST_CLIENT_SECRET", "secret")
    feeds(runner, "configure", "france-travail-api", "--format", "france-travail", "--url", server.url(API),
          "--kind", "public_service", "--credentials-env", "FT_TEST", "--query", '{"codeROME": "M1801"}')
    source = db_session.scalar(select(Source).where(Source.slug == "france-travail-api"))
    source.config = {**source.config, "token_url": server.url("/token")}
    db_session.commit()

    result, [full] = feeds(runner, "sync", "--source", "france-travail-api")
    _result, [increment] = feeds(runner, "sync", "--source", "france-travail-api")

    assert result.exit_code == 0, result.output
    assert (full["status"], full["new"]) == ("succeeded", 980)
    assert db_session.get(FeedRun, full["run"]).is_full_feed
    assert api_server.searches[0]["codeROME"] == "M1801"
    assert not db_session.get(FeedRun, increment["run"]).is_full_feed
    assert (increment["received"], increment["expired"]) == (0, 0)  # nothing created since: nothing expires


def test_new_and_updated_offers_go_to_deduplication(runner, db_session, tmp_path):
    from app.dedup import services as dedup_services

    _result, summary = import_feed(runner, indeed_feed(tmp_path, 5))

    run = db_session.get(FeedRun, summary["run"])
    assert hasattr(dedup_services, "deduplicate_offers")
    assert services.deduplicate_run(db_session, run) is True
