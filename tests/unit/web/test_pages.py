from lxml import html

from app import create_app
from tests.factories.catalog import make_tenant


def test_index_lists_tenants_with_their_tabs_and_embed_code(client, db_session):
    make_tenant(db_session, slug="hdf", name="Région Hauts-de-France")
    document = html.fromstring(client.get("/").get_data(as_text=True))
    assert "Région Hauts-de-France" in document.text_content()
    assert "/t/hdf/jobs" in document.xpath("//a/@href")
    assert 'data-tenant="hdf"' in document.xpath("string(//pre)")


def test_health_check(client):
    assert client.get("/healthz").get_json()["status"] == "ok"


def test_unknown_page_is_a_translated_404(client):
    response = client.get("/nothing-here?lang=en")
    assert response.status_code == 404
    assert html.fromstring(response.get_data(as_text=True)).get("lang") == "en"


def test_unexpected_errors_show_no_traceback(database, tmp_path):
    app = create_app({"JOBTAB_ENV": "production", "SECRET_KEY": "x" * 40, "DATABASE_URL": database})

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    response = app.test_client().get("/boom")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "secret internals" not in body and "Traceback" not in body
    assert "Une erreur est survenue" in body
