"""Framing is allowed per tenant on widget routes only; every response carries the basics."""
import pytest

from app.web.security import is_valid_origin
from tests.factories.catalog import make_job, make_tenant, make_training


@pytest.fixture
def tenant(db_session):
    return make_tenant(
        db_session,
        slug="ara",
        allowed_hosts=["https://www.auvergnerhonealpes.fr", "http://localhost:8000", "https://evil.example/path", "*"],
    )


def frame_ancestors(response):
    policy = response.headers["Content-Security-Policy"]
    return next(part for part in policy.split("; ") if part.startswith("frame-ancestors")).split()[1:]


def widget_urls(db_session):
    job = make_job(db_session)
    training = make_training(db_session)
    return ["/t/ara/", "/t/ara/jobs", "/t/ara/trainings", "/t/ara/post", f"/t/ara/jobs/{job.id}",
            f"/t/ara/trainings/{training.id}", "/t/ara/jobs?q=serveur"]


def test_widget_routes_may_be_framed_by_the_tenant_hosts_only(client, db_session, tenant):
    for url in widget_urls(db_session):
        response = client.get(url)
        assert response.status_code == 200, url
        assert frame_ancestors(response) == ["https://www.auvergnerhonealpes.fr", "http://localhost:8000"], url
        assert "X-Frame-Options" not in response.headers, url


def test_other_routes_refuse_framing(client, tenant):
    for url in ("/", "/healthz", "/widget/embed.js", "/t/unknown/jobs", "/no-such-page"):
        response = client.get(url)
        response.close()
        assert frame_ancestors(response) == ["'none'"], url
        assert response.headers["X-Frame-Options"] == "DENY", url


def test_every_route_in_the_url_map_is_classified(app):
    """A new blueprint must decide: widget (framed per tenant) or not (refuses framing)."""
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    widget = {e for e in endpoints if e.startswith(("embed.", "apply.", "posting."))}
    others = endpoints - widget
    assert widget == {"embed.home", "embed.offers", "embed.offer", "embed.post", "embed.theme",
                      "apply.form", "apply.submit", "apply.sent", "apply.elsewhere",
                      # The post tab's question pages (app/recruiters): no cookie, a token bound to the draft.
                      "posting.start", "posting.page", "posting.check", "posting.submit", "posting.sent"}
    # The JSON API is read with fetch (CORS), never framed: it refuses framing like the site.
    assert others == {
        "static", "web.index", "web.widget_asset", "web.health",
        "api.offers", "api.offer", "api.places", "api.occupations", "api.openapi",
        # Reached by signed links from e-mails: personal data, never framed, never cached.
        "applications.status", "applications.withdraw", "applications.erase",
        "applications.recruiter", "applications.recruiter_cv", "applications.recruiter_decision",
        # Sign-in (one callback per provider) and the applicant's space: top-level windows only.
        "accounts.sign_in", "accounts.start", "accounts.callback", "accounts.space", "accounts.replace_cv",
        "accounts.delete_account", "accounts.sign_out", "accounts.one_click", "accounts.applied_elsewhere",
        # Institution staff (app/admin): top-level pages, never framed, never cached.
        "admin.sign_in", "admin.sign_out", "admin.home", "admin.moderation", "admin.posting", "admin.approve",
        "admin.reject", "admin.sources", "admin.source", "admin.run", "admin.settings", "admin.team", "admin.invite",
        "admin.deactivate", "admin.activate", "admin.password_link", "admin.set_password",
        # Recruiters' signed links from e-mails and their space (app/recruiters): never framed.
        "recruiters.static", "recruiters.verify", "recruiters.verified", "recruiters.renew", "recruiters.close",
        "recruiters.space_login", "recruiters.space_request", "recruiters.space_requested", "recruiters.space",
        "recruiters.space_action", "recruiters.space_edit",
    }


def test_security_headers_on_every_response(client, db_session, tenant):
    for url in widget_urls(db_session) + ["/", "/t/unknown/jobs"]:
        response = client.get(url)
        policy = response.headers["Content-Security-Policy"]
        assert "object-src 'none'" in policy and "base-uri 'none'" in policy, url
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy, url
        assert response.headers["X-Content-Type-Options"] == "nosniff", url
        # Flask-WTF needs the Referer on HTTPS POSTs: never "no-referrer".
        assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin", url


def test_hsts_over_https(client, tenant):
    response = client.get("/t/ara/jobs", base_url="https://jobtab.test")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_session_cookie_is_partitioned_for_third_party_iframes(app):
    with app.test_request_context("/", base_url="https://jobtab.test"):
        from flask import session

        session["probe"] = "1"
        response = app.make_response("ok")
        app.session_interface.save_session(app, session, response)
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-session=")
    for attribute in ("Secure", "HttpOnly", "Path=/", "SameSite=None", "Partitioned"):
        assert attribute in cookie
    assert "Domain=" not in cookie


def test_embed_script_is_served_as_javascript(client):
    with client.get("/widget/embed.js") as response:
        assert response.status_code == 200
        assert response.mimetype in ("text/javascript", "application/javascript")
        assert "postMessage" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "origin, valid",
    [
        ("https://www.region.fr", True),
        ("http://localhost:8000", True),
        ("https://www.region.fr/", False),
        ("https://www.region.fr/emploi", False),
        ("*", False),
        ("https://*.region.fr", False),
        ("javascript:alert(1)", False),
        ("'self'", False),
    ],
)
def test_only_plain_origins_reach_the_policy(origin, valid):
    assert is_valid_origin(origin) is valid
