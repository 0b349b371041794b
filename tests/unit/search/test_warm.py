"""Warming the search's reference indexes before gunicorn forks its workers."""
from sqlalchemy import event

from app import create_app
from app import db as app_db
from app.search import cache
from app.search.places import gazetteer
from app.search.warm import warm_caches
from tests import conftest


def test_after_warming_a_search_reads_no_commune_from_the_database(database, monkeypatch):
    monkeypatch.setattr(cache, "_entries", {})  # as in a freshly started server
    app = create_app(conftest.test_config(database))
    assert warm_caches(app) is True

    statements = []
    engine = app_db.get_engine(app)
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    with app.app_context():
        places = gazetteer(app_db.session)
        app_db.session.remove()
    engine.dispose()

    assert places.departements["74"] == "Haute-Savoie"
    assert not any("communes" in statement for statement in statements)


def test_a_database_without_reference_data_is_not_an_error(tmp_path, monkeypatch):
    monkeypatch.setattr(cache, "_entries", {})
    app = create_app(conftest.test_config(conftest.database_url(tmp_path, "empty_warm_test")))
    assert warm_caches(app) is False
