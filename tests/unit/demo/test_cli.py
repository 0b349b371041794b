import json

import pytest
from sqlalchemy import func, select

from app.catalog.models import Offer
from app.tenants.services import get_tenant


@pytest.fixture
def runner(app, db_session):
    return app.test_cli_runner()


def test_demo_load_prints_what_it_loaded(runner, db_session):
    result = runner.invoke(
        args=["demo", "load", "--host-origin", "https://www.region.example.org", "--host-origin", "http://localhost:8000"]
    )

    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["tenants"] == ["auvergne-rhone-alpes", "hauts-de-france"]
    assert summary["rejected"][0]["record"] == "F_XX_XX"
    assert get_tenant(db_session, "auvergne-rhone-alpes").allowed_hosts == [
        "https://www.region.example.org",
        "http://localhost:8000",
    ]


def test_demo_load_refuses_a_host_that_is_not_an_origin(runner, db_session):
    result = runner.invoke(args=["demo", "load", "--host-origin", "https://x.example.org/page; script-src *"])

    assert result.exit_code == 2
    assert "is not an origin" in result.output
    assert get_tenant(db_session, "hauts-de-france") is None


def test_demo_generate_then_catalog_stats(runner, db_session):
    assert runner.invoke(args=["demo", "load"]).exit_code == 0

    result = runner.invoke(args=["demo", "generate", "--jobs", "40", "--trainings", "30", "--seed", "5"])

    assert result.exit_code == 0, result.output
    counts = json.loads(result.stdout)
    assert (counts["jobs"], counts["trainings"]) == (40, 30)
    assert db_session.scalar(select(func.count(Offer.id)).where(Offer.partner_id.startswith("gen-5-"))) == 70
    stats = json.loads(runner.invoke(args=["catalog", "stats"]).stdout)
    assert (stats["jobs"], stats["trainings"], stats["sources"]) == (1127 + 40, 3 + 30, 7)
