"""A staff member of one tenant can read or change nothing of another tenant.

The walk covers every route of the admin blueprint, read from the URL map: a new route is
tried automatically, and a new kind of URL argument fails here until it gets another tenant's
object below.
"""
import pytest
from sqlalchemy import select

from app.admin.models import StaffUser
from app.admin.services import TenantSettings
from app.ingest.models import FeedRun
from app.mail.models import OutboxMessage
from app.recruiters import services as recruiters
from app.recruiters.models import Posting
from app.tenants.models import Tenant
from tests.factories.catalog import NOW
from tests.factories.recruiters import make_posting, posting_fields
from tests.unit.admin.conftest import csrf_token, make_staff, sign_in

SECRET_TITLE = "Offre confidentielle de Bourgogne"
OTHER_HOST = "https://www.bourgognefranchecomte.fr"
# Whatever any staff form may ask for: a POST to any route carries all of it.
FORM_DATA = {
    "reason": "Refus venu d'une autre région.",
    "name": "Nom changé par une autre région",
    "primary_colour": "#000000",
    "allowed_hosts": "https://evil.example",
    "region_codes": ["84"],
    "departement_codes": "",
    "providers_mode": "all",
    "moderation_policy": "after",
    "offer_duration_days": "7",
    "email": "x@example.org",
    "password": "x",
}


@pytest.fixture
def foreign(db_session, other_tenant):
    """Another tenant's objects, one for each kind of URL argument."""
    posting = make_posting(db_session, other_tenant, fields=posting_fields(title=SECRET_TITLE))
    direct = recruiters.direct_source(db_session, other_tenant)
    run = FeedRun(source=direct, format="direct", status="succeeded", started_at=NOW, finished_at=NOW)
    db_session.add(run)
    db_session.commit()
    colleague = make_staff(db_session, other_tenant, email="moderation@bfc.example.org", role="moderator")
    return {"public_id": posting.public_id, "source_id": direct.id, "run_id": run.id, "staff_id": colleague.id,
            # A set-password link of the other tenant cannot be made without the secret key.
            "token": "eyJpZCI6MX0.forged.signature"}


def admin_rules(app):
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("admin.")]
    assert len(rules) >= 10
    # Sign-out last: it ends the session the walk uses.
    return sorted(rules, key=lambda rule: rule.endpoint == "admin.sign_out")


def snapshot(db_session, tenant_id):
    db_session.expire_all()
    tenant = db_session.get(Tenant, tenant_id)
    postings = db_session.execute(
        select(Posting.public_id, Posting.status, Posting.moderated_at, Posting.rejection_reason, Posting.offer_id)
        .where(Posting.tenant_id == tenant_id)
    ).all()
    mail = db_session.scalars(select(OutboxMessage.recipient)).all()
    staff = db_session.execute(
        select(StaffUser.email, StaffUser.role, StaffUser.is_active, StaffUser.password_hash, StaffUser.session_token)
        .where(StaffUser.tenant_id == tenant_id).order_by(StaffUser.id)
    ).all()
    return TenantSettings.of(tenant), postings, mail, staff


@pytest.mark.parametrize("role", ["admin", "moderator"])
def test_every_staff_route_refuses_another_tenants_objects(app, client, db_session, tenant, other_tenant, foreign,
                                                           role, monkeypatch):
    monkeypatch.setitem(app.config, "STAFF_SIGN_IN_LIMIT_PER_ADDRESS", "1000 per minute")
    monkeypatch.setitem(app.config, "STAFF_SIGN_IN_LIMIT_PER_EMAIL", "1000 per minute")
    make_staff(db_session, other_tenant, email="admin@bfc.example.org", role="admin")
    staff_email = make_staff(db_session, tenant, role=role).email
    secrets = (SECRET_TITLE, foreign["public_id"], other_tenant.name, OTHER_HOST, "admin@bfc.example.org",
               "moderation@bfc.example.org")
    other_id = other_tenant.id
    before = snapshot(db_session, other_id)
    walked = []
    for rule in admin_rules(app):
        unknown = set(rule.arguments) - set(foreign)
        assert not unknown, f"{rule.endpoint}: give the walk another tenant's object for {unknown}"
        url = rule.build(foreign, append_unknown=False)[1]
        for method in sorted(rule.methods & {"GET", "POST"}):
            if sign_in(client, staff_email).status_code != 303:
                raise AssertionError("sign-in failed")
            if method == "GET":
                response = client.get(url)
            else:
                response = client.post(url, data={**FORM_DATA, "csrf_token": csrf_token(client, "/admin/")})
            text = response.get_data(as_text=True)
            walked.append((rule.endpoint, method, response.status_code))
            if rule.arguments:
                # 400: a set-password link that is not one (the page says so); else not found / not allowed.
                expected = (400,) if rule.endpoint == "admin.set_password" else (403, 404)
                assert response.status_code in expected, (rule.endpoint, method, response.status_code)
            else:
                # Pages without an object in the URL are about the staff member's own tenant.
                assert response.status_code in (200, 302, 303, 400, 403), (rule.endpoint, method, response.status_code)
            for secret in secrets:
                assert secret not in text, (rule.endpoint, method, secret)
    assert snapshot(db_session, other_id) == before
    statuses = {(endpoint, method): status for endpoint, method, status in walked}
    assert statuses[("admin.posting", "GET")] == statuses[("admin.approve", "POST")] == 404
    assert statuses[("admin.reject", "POST")] == statuses[("admin.run", "GET")] == 404
    assert statuses[("admin.settings", "GET")] == (200 if role == "admin" else 403)
    for endpoint in ("admin.deactivate", "admin.activate", "admin.password_link"):
        assert statuses[(endpoint, "POST")] == (404 if role == "admin" else 403), endpoint
    assert {endpoint for endpoint, _method, _status in walked} == {rule.endpoint for rule in admin_rules(app)}


def test_every_staff_route_needs_sign_in(app, client, db_session, foreign):
    for rule in admin_rules(app):
        url = rule.build(foreign, append_unknown=False)[1]
        for method in sorted(rule.methods & {"GET", "POST"}):
            response = client.open(url, method=method, data=FORM_DATA if method == "POST" else None)
            if rule.endpoint in ("admin.sign_in", "admin.set_password"):  # public pages
                assert response.status_code in (200, 400), (rule.endpoint, method)
                continue
            assert response.status_code == 302, (rule.endpoint, method)
            assert response.headers["Location"].startswith("/admin/sign-in?next=/admin"), rule.endpoint


def test_staff_pages_are_never_framed_nor_cached(app, admin_client, db_session, foreign):
    for rule in admin_rules(app):
        if "GET" not in rule.methods or rule.endpoint == "admin.sign_out":
            continue
        response = admin_client.get(rule.build(foreign, append_unknown=False)[1])
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"], rule.endpoint
        assert response.headers["X-Frame-Options"] == "DENY", rule.endpoint
        assert response.headers["Cache-Control"] == "no-store", rule.endpoint


def test_own_tenant_objects_work_with_the_same_urls(admin_client, db_session, tenant):
    """The walk above is meaningful: with the staff member's own posting, the pages answer."""
    posting = make_posting(db_session, tenant, fields=posting_fields(title="Offre de la région"))
    assert admin_client.get(f"/admin/moderation/{posting.public_id}").status_code == 200
