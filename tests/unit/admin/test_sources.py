"""Partner sources as staff see them: shared, read-only, last runs and rejected records; no
tenant's direct-posting source, no feed URL (it may hold an API key)."""
from datetime import timedelta

from app.ingest.models import FeedRun, RejectedRecord
from tests.factories.catalog import NOW, make_source


def make_run(session, source, status="succeeded", started_at=NOW, rejected=(), message=None, **counts):
    run = FeedRun(source=source, format="csv", location="https://feeds.example.org/offres.csv?api_key=SECRET-KEY",
                  is_full_feed=True, status=status, message=message, started_at=started_at,
                  finished_at=started_at + timedelta(minutes=2), rejected=len(rejected), **counts)
    run.rejections = [RejectedRecord(record_id=record_id, reason=reason) for record_id, reason in rejected]
    session.add(run)
    session.commit()
    return run


def test_sources_list_shows_each_last_run_and_flagged_runs(moderator_client, db_session):
    source = make_source(db_session, name="Agence intérim Alpes", format="csv",
                         url="https://feeds.example.org/offres.csv?api_key=SECRET-KEY")
    make_run(db_session, source, status="flagged", started_at=NOW - timedelta(days=1), new=5)
    make_run(db_session, source, new=12, updated=3, unchanged=40, expired=2, rejected=[("A-1", "titre manquant")])
    make_source(db_session, name="Jamais importée")
    make_source(db_session, name="Offres directes d'une région", kind="direct")
    response = moderator_client.get("/admin/sources")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "Agence intérim Alpes" in text and "Jamais importée" in text
    assert "Offres directes d&#39;une région" not in text
    assert "<td>12</td><td>3</td><td>40</td><td>2</td><td>1</td>" in text  # the last run only
    assert "SECRET-KEY" not in text and "feeds.example.org" not in text


def test_a_source_shows_its_recent_runs(moderator_client, db_session):
    source = make_source(db_session, name="Agence intérim Alpes", format="csv")
    older = make_run(db_session, source, started_at=NOW - timedelta(days=1))
    newer = make_run(db_session, source, status="failed")
    text = moderator_client.get(f"/admin/sources/{source.id}").get_data(as_text=True)
    assert text.index(f"/runs/{newer.id}") < text.index(f"/runs/{older.id}")
    assert "échoué" in text


def test_a_run_lists_its_rejected_records_with_their_reasons(moderator_client, db_session):
    source = make_source(db_session, format="csv")
    run = make_run(db_session, source, rejected=[("A-1", "titre manquant"), ("A-2", "<b>commune</b> inconnue")],
                   message="3 lignes ignorées dans https://feeds.example.org/offres.csv?api_key=SECRET-KEY")
    text = moderator_client.get(f"/admin/sources/{source.id}/runs/{run.id}").get_data(as_text=True)
    assert "A-1" in text and "titre manquant" in text
    assert "&lt;b&gt;commune&lt;/b&gt; inconnue" in text
    assert "https://feeds.example.org/offres.csv?…" in text and "SECRET-KEY" not in text


def test_rejected_records_are_paged(moderator_client, db_session):
    source = make_source(db_session, format="csv")
    run = make_run(db_session, source, rejected=[(f"R-{n:03d}", "date invalide") for n in range(1, 131)])
    first = moderator_client.get(f"/admin/sources/{source.id}/runs/{run.id}").get_data(as_text=True)
    assert "R-001" in first and "R-100" in first and "R-101" not in first
    assert "page=2" in first and 'rel="next"' in first
    second = moderator_client.get(f"/admin/sources/{source.id}/runs/{run.id}?page=2").get_data(as_text=True)
    assert "R-101" in second and "R-130" in second and "R-100" not in second
    assert moderator_client.get(f"/admin/sources/{source.id}/runs/{run.id}?page=3").status_code == 404


def test_a_run_is_found_only_under_its_own_source(moderator_client, db_session):
    source, other = make_source(db_session, format="csv"), make_source(db_session, format="csv")
    run = make_run(db_session, other)
    assert moderator_client.get(f"/admin/sources/{source.id}/runs/{run.id}").status_code == 404
    assert moderator_client.get("/admin/sources/999999").status_code == 404


def test_direct_posting_sources_are_not_shown(moderator_client, db_session):
    direct = make_source(db_session, kind="direct", name="Région voisine")
    run = make_run(db_session, direct)
    assert moderator_client.get(f"/admin/sources/{direct.id}").status_code == 404
    assert moderator_client.get(f"/admin/sources/{direct.id}/runs/{run.id}").status_code == 404


def test_sources_are_read_only_for_staff(app):
    """Shared by every tenant: switching one off would change other tenants' offers, so only the
    operator does it (`flask feeds configure --inactive`)."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("admin.sources", "admin.source", "admin.run"):
            assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, rule
