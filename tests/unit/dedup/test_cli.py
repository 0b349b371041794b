"""`flask --app wsgi dedup explain|export|rebuild`."""
import json
from datetime import timedelta

from sqlalchemy import select

from app.catalog.models import Offer
from app.dedup.services import deduplicate_all
from tests.factories.catalog import NOW, make_job, make_source
from tests.unit.dedup.test_services import MARSEILLE, TEXT


def test_export_prints_every_cluster_singletons_included_as_offer_keys(app, db_session):
    source = make_source(db_session, slug="partenaire-a")
    other = make_source(db_session, slug="partenaire-b")
    make_job(db_session, source=source, partner_id="A1", title="Serveur", description=TEXT)
    make_job(db_session, source=other, partner_id="B7", title="Serveuse H/F", description=TEXT)
    make_job(db_session, source=other, partner_id="B8", title="Serveur", description=TEXT, **MARSEILLE)
    deduplicate_all(db_session)
    db_session.commit()

    result = app.test_cli_runner().invoke(args=["dedup", "export"])

    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == [["partenaire-a:A1", "partenaire-b:B7"], ["partenaire-b:B8"]]


def test_explain_prints_the_signals_of_a_pair_and_the_stored_reason(app, db_session):
    source, other = make_source(db_session, slug="partenaire-c"), make_source(db_session, slug="partenaire-d")
    first = make_job(db_session, source=source, partner_id="C1", title="Serveur (H/F)", description=TEXT)
    make_job(db_session, source=other, partner_id="D1", title="Serveuse", description=TEXT)
    far = make_job(db_session, source=other, partner_id="D2", title="Serveur", description=TEXT, **MARSEILLE)
    deduplicate_all(db_session)
    db_session.commit()
    runner = app.test_cli_runner()

    same = runner.invoke(args=["dedup", "explain", str(first.id), "partenaire-d:D1"])
    apart = runner.invoke(args=["dedup", "explain", "partenaire-c:C1", str(far.id)])

    assert same.exit_code == 0, same.output
    assert "Doublons : oui" in same.output and "Même groupe enregistré : oui" in same.output
    assert "+ titre identique après normalisation" in same.output and "+ description 1,00" in same.output
    assert "Raison enregistrée pour partenaire-c:C1 : titre identique après normalisation" in same.output
    assert "Doublons : non" in apart.output and "- lieux distants de 277 km" in apart.output


def test_explain_refuses_an_unknown_offer(app, db_session):
    result = app.test_cli_runner().invoke(args=["dedup", "explain", "999999", "nulle-part:X"])
    assert result.exit_code != 0 and "no offer '999999'" in result.output


def test_rebuild_commits_the_clusters(app, db_session):
    source, other = make_source(db_session), make_source(db_session)
    ids = [
        make_job(db_session, source=each, title="Serveur", description=TEXT, published_at=NOW - timedelta(days=days)).id
        for each, days in ((source, 1), (other, 3))
    ]

    result = app.test_cli_runner().invoke(args=["dedup", "rebuild"])

    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["matched_pairs"] == 1
    hidden = db_session.scalars(select(Offer.duplicate_of_id).where(Offer.id.in_(ids))).all()
    assert sorted(hidden, key=str) == sorted([None, max(ids)], key=str)  # the older one is shown
