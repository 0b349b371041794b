"""Tenant settings (admins only): every value checked, errors re-rendered with values kept."""
from datetime import datetime, timedelta, timezone

import pytest
import time_machine

from app.admin import services
from app.tenants.models import Tenant
from tests.unit.admin.conftest import csrf_token

PROVIDERS = {
    "franceconnect": {"label": "FranceConnect", "discovery_url": "https://fc.example/.well-known/openid-configuration",
                      "client_id": "x", "client_secret": "y"},
    "google": {"label": "Google", "discovery_url": "https://google.example/.well-known/openid-configuration",
               "client_id": "x", "client_secret": "y"},
}


@pytest.fixture(autouse=True)
def providers(app, monkeypatch):
    monkeypatch.setitem(app.config, "OIDC_PROVIDERS", PROVIDERS)


def valid_form(**changes) -> dict:
    data = {
        "name": "Région Auvergne-Rhône-Alpes (emploi)",
        "primary_colour": "#1D4F91",
        "logo_url": "https://www.auvergnerhonealpes.fr/logo.svg",
        "allowed_hosts": "https://www.auvergnerhonealpes.fr/\r\nhttp://localhost:8000\r\n\r\nhttps://WWW.Emploi-ARA.fr:8443",
        "region_codes": ["84"],
        "departement_codes": "69, 74 ;2a",
        "providers_mode": "selected",
        "identity_providers": ["franceconnect"],
        "moderation_policy": "after",
        "offer_duration_days": "90",
    }
    data.update(changes)
    return data


def save(client, **changes):
    return client.post("/admin/settings", data={"csrf_token": csrf_token(client, "/admin/settings"),
                                                 **valid_form(**changes)})


def stored(db_session, tenant) -> Tenant:
    db_session.expire_all()
    return db_session.get(Tenant, tenant.id)


def test_moderators_cannot_open_the_settings(moderator_client, db_session, tenant):
    assert moderator_client.get("/admin/settings").status_code == 403
    token = csrf_token(moderator_client, "/admin/")
    response = moderator_client.post("/admin/settings", data={"csrf_token": token, **valid_form()})
    assert response.status_code == 403
    assert stored(db_session, tenant).name == "Région Auvergne-Rhône-Alpes"
    assert "/admin/settings" not in moderator_client.get("/admin/").get_data(as_text=True)


def test_the_form_shows_the_current_values(admin_client, db_session, tenant):
    text = admin_client.get("/admin/settings").get_data(as_text=True)
    assert 'value="Région Auvergne-Rhône-Alpes"' in text
    assert "https://www.region-test.fr</textarea>" in text
    assert 'value="84" checked' in text
    assert 'value="all" checked' in text  # None: every configured provider
    assert 'value="before" checked' in text and 'value="60"' in text


def test_valid_settings_are_saved_normalised(admin_client, db_session, tenant):
    response = save(admin_client)
    assert response.status_code == 303
    saved = stored(db_session, tenant)
    assert saved.name == "Région Auvergne-Rhône-Alpes (emploi)"
    assert saved.primary_colour == "#1d4f91"
    assert saved.logo_url == "https://www.auvergnerhonealpes.fr/logo.svg"
    assert saved.allowed_hosts == ["https://www.auvergnerhonealpes.fr", "http://localhost:8000",
                                   "https://www.emploi-ara.fr:8443"]
    assert saved.region_codes == ["84"] and saved.departement_codes == ["69", "74", "2A"]
    assert saved.identity_providers == ["franceconnect"]
    assert saved.moderation_policy == "after" and saved.offer_duration_days == 90
    assert "Paramètres enregistrés." in admin_client.get("/admin/settings").get_data(as_text=True)


def test_saved_host_sites_drive_frame_ancestors(admin_client, db_session, tenant):
    save(admin_client)
    policy = admin_client.get("/t/ara/jobs").headers["Content-Security-Policy"]
    assert ("frame-ancestors https://www.auvergnerhonealpes.fr http://localhost:8000 https://www.emploi-ara.fr:8443"
            in policy)


def test_all_providers_is_stored_as_none_and_none_selected_as_empty(admin_client, db_session, tenant):
    save(admin_client, providers_mode="all", identity_providers=["google"])
    assert stored(db_session, tenant).identity_providers is None
    save(admin_client, providers_mode="selected", identity_providers=[])
    assert stored(db_session, tenant).identity_providers == []


def test_without_configured_providers_the_choice_is_hidden_and_kept(app, admin_client, db_session, tenant,
                                                                   monkeypatch):
    db_session.get(Tenant, tenant.id).identity_providers = ["franceconnect"]
    db_session.commit()
    monkeypatch.setitem(app.config, "OIDC_PROVIDERS", {})
    assert 'name="providers_mode"' not in admin_client.get("/admin/settings").get_data(as_text=True)
    form = valid_form()
    del form["providers_mode"], form["identity_providers"]
    response = admin_client.post("/admin/settings", data={"csrf_token": csrf_token(admin_client, "/admin/settings"),
                                                           **form})
    assert response.status_code == 303
    assert stored(db_session, tenant).identity_providers == ["franceconnect"]


def test_empty_optional_fields(admin_client, db_session, tenant):
    assert save(admin_client, logo_url="", allowed_hosts="", departement_codes="", region_codes=[]).status_code == 303
    saved = stored(db_session, tenant)
    assert saved.logo_url is None and saved.allowed_hosts == [] and saved.departement_codes == []


@pytest.mark.parametrize("field, value, message", [
    ("name", "  ", "Saisissez le nom de l&#39;institution."),
    ("primary_colour", "bleu", "Saisissez la couleur au format #rrggbb"),
    ("primary_colour", "#1d4f9", "Saisissez la couleur au format #rrggbb"),
    ("primary_colour", "#ffcc00", "contraste de 1,51:1, il faut au moins 4,5:1"),
    ("primary_colour", "#777777", "contraste de 4,48:1"),
    ("logo_url", "http://www.region.fr/logo.png", "Saisissez l&#39;adresse du logo en https://"),
    ("logo_url", "javascript:alert(1)", "Saisissez l&#39;adresse du logo en https://"),
    ("allowed_hosts", "https://www.region.fr/emploi", "sans chemin ni paramètre"),
    ("allowed_hosts", "https://www.region.fr?x=1", "sans chemin ni paramètre"),
    ("allowed_hosts", "https://*.region.fr", "les jokers (*) ne sont pas acceptés"),
    ("allowed_hosts", "*", "les jokers (*) ne sont pas acceptés"),
    ("allowed_hosts", "http://www.region.fr", "http:// seulement pour localhost"),
    ("allowed_hosts", "www.region.fr", "l&#39;adresse doit commencer par https://"),
    ("allowed_hosts", "javascript:alert(1)", "l&#39;adresse doit commencer par https://"),
    ("allowed_hosts", "https://user@www.region.fr", "ce nom de site n&#39;est pas valide"),
    ("allowed_hosts", "https://www.région.fr", "ce nom de site n&#39;est pas valide"),
    ("allowed_hosts", "https://'self'", "ce nom de site n&#39;est pas valide"),
    ("allowed_hosts", "https://a.fr https://b.fr", "saisissez un seul site par ligne, sans espace"),
    ("region_codes", ["84", "99"], "Choisissez des régions de la liste."),
    ("departement_codes", "69, 20, 999", "Code de département inconnu : 20, 999."),
    ("providers_mode", "sometimes", "Choisissez quels comptes de connexion proposer."),
    ("identity_providers", ["facebook"], "Choisissez des comptes de la liste."),
    ("moderation_policy", "never", "Choisissez quand les offres sont relues."),
    ("offer_duration_days", "6", "Saisissez un nombre de jours entre 7 et 180."),
    ("offer_duration_days", "181", "Saisissez un nombre de jours entre 7 et 180."),
    ("offer_duration_days", "trente", "Saisissez un nombre de jours entre 7 et 180."),
])
def test_invalid_values_are_refused_with_a_clear_message(admin_client, db_session, tenant, field, value, message):
    response = save(admin_client, **{field: value})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert message in text
    assert "<title>Erreur :" in text
    assert 'class="error-summary" role="alert"' in text and f'href="#{field}"' in text
    assert f'id="{field}-error"' in text
    assert stored(db_session, tenant).name == "Région Auvergne-Rhône-Alpes"


def test_values_are_kept_on_error(admin_client):
    text = save(admin_client, offer_duration_days="500", name="Région <b>ARA</b>").get_data(as_text=True)
    assert 'value="Région &lt;b&gt;ARA&lt;/b&gt;"' in text
    assert "https://www.auvergnerhonealpes.fr/\r\nhttp://localhost:8000" in text or \
        "https://www.auvergnerhonealpes.fr/\nhttp://localhost:8000" in text
    assert 'value="2a"' not in text and "69, 74 ;2a" in text
    assert 'value="after" checked' in text and 'value="franceconnect" checked' in text
    assert 'value="500"' in text


@pytest.mark.parametrize("colour, ratio", [("#ffffff", 1.0), ("#000000", 21.0), ("#1d4f91", 8.14), ("#767676", 4.54)])
def test_contrast_ratio_against_white(colour, ratio):
    assert round(services.contrast_ratio(colour, "#ffffff"), 2) == ratio


@pytest.mark.parametrize("value, origin", [
    ("https://www.region.fr", "https://www.region.fr"),
    ("  https://WWW.Region.FR/ ", "https://www.region.fr"),
    ("https://www.region.fr:8443", "https://www.region.fr:8443"),
    ("http://localhost:5000", "http://localhost:5000"),
    ("http://127.0.0.1:5000", "http://127.0.0.1:5000"),
    ("https://xn--rgion-bsa.fr", "https://xn--rgion-bsa.fr"),
])
def test_origins_are_normalised(value, origin):
    assert services.normalise_origin(value) == origin


@pytest.mark.parametrize("value, code", [
    ("https://*.region.fr", "wildcard"), ("ftp://region.fr", "scheme"), ("http://region.fr", "scheme"),
    ("https://region.fr/x", "path"), ("https://region.fr#top", "path"), ("https://region.fr?", "path"),
    ("https://a@region.fr", "host"), ("https://region.fr:99999", "host"), ("https://-region.fr", "host"),
    ("https://region..fr", "host"),
])
def test_origins_refused(value, code):
    with pytest.raises(services.OriginError) as error:
        services.normalise_origin(value)
    assert error.value.code == code


def test_settings_in_english(admin_client):
    text = admin_client.get("/admin/settings?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in text
    assert "Institution settings" in text and "Main colour" in text and "Before publication" in text
    response = save(admin_client, primary_colour="#ffcc00")
    assert response.status_code == 400
    english = admin_client.post("/admin/settings?lang=en", data={
        "csrf_token": csrf_token(admin_client, "/admin/settings"), **valid_form(primary_colour="#ffcc00")})
    assert "the contrast is 1.51:1 and must be at least 4.5:1" in english.get_data(as_text=True)


def test_an_expired_form_keeps_what_was_typed(admin_client, db_session, tenant):
    """Flask-WTF's token lives an hour: past it, the form comes back filled in, with a message."""
    start = datetime.now(timezone.utc)
    with time_machine.travel(start, tick=False):
        token = csrf_token(admin_client, "/admin/settings")
    with time_machine.travel(start + timedelta(hours=2), tick=False):
        response = admin_client.post("/admin/settings", data={"csrf_token": token,
                                                               **valid_form(name="Région ARA renommée")})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Le formulaire a expiré ou ne vient pas de cette page." in text and 'href="#main"' in text
    assert 'value="Région ARA renommée"' in text
    assert stored(db_session, tenant).name == "Région Auvergne-Rhône-Alpes"
