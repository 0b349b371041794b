"""Expiry with reminders (each once) and one-click renewal / closing; the recruiter space by
magic link, with no enumeration; all e-mails through the outbox to a real SMTP server."""
from datetime import datetime, timedelta, timezone

import time_machine
from sqlalchemy import select

from app.apply import services as apply_services
from app.apply.models import Application
from app.recruiters import services
from app.recruiters.models import Posting
from tests.factories.recruiters import make_posting
from tests.unit.recruiters.conftest import deliver, links_in, mail_to

RECRUITER = "patron@brasserie.example.org"


def published(db_session, tenant, now):
    posting = make_posting(db_session, tenant, "published", now=now - timedelta(minutes=5))
    return posting


def run_reminders(app, db_session, now):
    with app.test_request_context():
        report = services.remind_and_expire(db_session, now)
        db_session.commit()
    return report


def reload(db_session, posting) -> Posting:
    db_session.expire_all()
    return db_session.scalar(select(Posting).where(Posting.public_id == posting.public_id))


def test_reminders_7_days_and_1_day_before_each_sent_once_then_expiry(app, client, db_session, tenant, smtp):
    start = datetime.now(timezone.utc).replace(microsecond=0)
    posting = published(db_session, tenant, start)
    expires = posting.expires_at
    assert expires == start + timedelta(days=60)

    assert run_reminders(app, db_session, expires - timedelta(days=8)).reminded == []
    first = run_reminders(app, db_session, expires - timedelta(days=7))
    again = run_reminders(app, db_session, expires - timedelta(days=6))
    assert first.reminded == [(posting.public_id, "reminder_7_days")] and again.reminded == []
    last = run_reminders(app, db_session, expires - timedelta(hours=23))
    assert last.reminded == [(posting.public_id, "reminder_1_day")]
    assert run_reminders(app, db_session, expires - timedelta(hours=1)).reminded == []
    assert deliver(db_session, smtp, now=expires).sent == 2
    seven, one = mail_to(smtp, RECRUITER)
    assert "expire dans 7 jours" in seven["Subject"] and "expire demain" in one["Subject"]
    assert len(links_in(seven)) == 2  # renew, close

    report = run_reminders(app, db_session, expires + timedelta(seconds=1))
    assert report.expired == [posting.public_id]
    posting = reload(db_session, posting)
    assert posting.status == "expired"
    with time_machine.travel(expires + timedelta(minutes=1)):
        assert "Cuisinier / Cuisinière" not in client.get("/t/ara/jobs").text


def test_renewal_link_extends_by_the_tenant_duration_once(app, client, db_session, tenant, smtp):
    tenant.offer_duration_days = 30
    db_session.commit()
    now = datetime.now(timezone.utc)
    posting = published(db_session, tenant, now - timedelta(days=25))
    expires = posting.expires_at
    run_reminders(app, db_session, now)
    deliver(db_session, smtp)
    [reminder] = mail_to(smtp, RECRUITER)
    renew_link, close_link = links_in(reminder)
    page = client.get(renew_link)
    assert page.status_code == 200 and reload(db_session, posting).expires_at == expires  # GET changes nothing
    assert client.post(renew_link).status_code == 200
    posting = reload(db_session, posting)
    assert posting.expires_at == expires + timedelta(days=30)
    assert posting.offer.expires_at == posting.expires_at
    assert posting.reminded_7_days_at is None  # the next period gets its reminders again
    replay = client.post(renew_link)
    assert replay.status_code == 410 and "déjà été utilisé" in replay.text
    assert reload(db_session, posting).expires_at == expires + timedelta(days=30)


def test_renewal_link_expires(app, client, db_session, tenant, smtp):
    now = datetime.now(timezone.utc)
    posting = published(db_session, tenant, now - timedelta(days=55))
    run_reminders(app, db_session, now)
    deliver(db_session, smtp)
    renew_link, _close = links_in(mail_to(smtp, RECRUITER)[0])
    with time_machine.travel(now + timedelta(days=31)):
        response = client.post(renew_link)
    assert response.status_code == 410 and "a expiré" in response.text
    assert reload(db_session, posting).status == "published"


def test_closing_filled_is_one_button_and_hides_the_offer(app, client, db_session, tenant, smtp):
    now = datetime.now(timezone.utc)
    posting = published(db_session, tenant, now - timedelta(days=55))
    run_reminders(app, db_session, now)
    deliver(db_session, smtp)
    _renew, close_link = links_in(mail_to(smtp, RECRUITER)[0])
    assert client.post(close_link).status_code == 200
    posting = reload(db_session, posting)
    assert (posting.status, posting.close_reason) == ("closed", "filled")
    assert posting.offer.expires_at <= datetime.now(timezone.utc)
    assert "Cuisinier / Cuisinière" not in client.get("/t/ara/jobs").text
    assert client.post(close_link).status_code == 410


def test_remind_command_runs_for_cron(app, db_session, tenant, smtp, monkeypatch):
    now = datetime.now(timezone.utc)
    published(db_session, tenant, now - timedelta(days=55))
    make_posting(db_session, tenant, "published", now=now - timedelta(days=61))
    result = app.test_cli_runner().invoke(args=["recruiters", "remind"])
    assert result.exit_code == 0, result.output
    assert "1 reminded, 1 expired" in result.output
    assert deliver(db_session, smtp).sent == 1
    [message] = mail_to(smtp, RECRUITER)
    assert all(link.startswith("/recruiters/") for link in links_in(message))


# --- Recruiter space -------------------------------------------------------------------------

def ask_space_link(client, email):
    return client.post("/recruiters/space", data={"email": email})


def space_link(db_session, smtp, email=RECRUITER):
    deliver(db_session, smtp)
    [message] = [m for m in mail_to(smtp, email) if "gérer vos offres" in m["Subject"]]
    [link] = links_in(message)
    return link


def test_magic_link_answer_is_the_same_whether_or_not_the_address_posted(client, db_session, tenant, smtp):
    make_posting(db_session, tenant, "published")
    known = ask_space_link(client, RECRUITER)
    unknown = ask_space_link(client, "personne@example.org")
    assert (known.status_code, known.headers["Location"]) == (unknown.status_code, unknown.headers["Location"])
    assert client.get(known.headers["Location"]).text == client.get(unknown.headers["Location"]).text
    deliver(db_session, smtp)
    assert len(mail_to(smtp, RECRUITER)) == 1 and mail_to(smtp, "personne@example.org") == []


def test_magic_link_form_errors_and_rate_limit(app, client, db_session, tenant, monkeypatch):
    response = ask_space_link(client, "pas-une-adresse")
    assert response.status_code == 400 and "Erreur :" in response.text and 'value="pas-une-adresse"' in response.text
    monkeypatch.setitem(app.config, "RECRUITER_LINK_LIMIT_PER_EMAIL", "2 per hour")
    for _ in range(2):
        assert ask_space_link(client, RECRUITER).status_code == 303
    refused = ask_space_link(client, RECRUITER)
    assert refused.status_code == 429 and "Trop de demandes" in refused.text


def test_space_lists_offers_and_applications_with_the_recruiter_page(app, client, db_session, tenant, smtp, tmp_path,
                                                                    monkeypatch):
    posting = make_posting(db_session, tenant, "published")
    make_posting(db_session, tenant, "published", contact_email="autre@example.org")
    application = Application(public_id="a1b2", idempotency_key="k1", offer_id=posting.offer_id, tenant_id=tenant.id,
                              name="Camille Martin", email="camille@example.org", message="Bonjour",
                              recruiter_email=RECRUITER, status="received", created_at=datetime.now(timezone.utc))
    db_session.add(application)
    db_session.commit()
    ask_space_link(client, RECRUITER)
    space = client.get(space_link(db_session, smtp))
    assert space.status_code == 200 and space.headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in space.headers["Content-Security-Policy"]
    assert space.text.count("<section class=\"posting\"") == 1  # only this address's offers
    assert "Camille Martin" in space.text
    [recruiter_page] = [href for href in __import__("re").findall(r'href="([^"]+)"', space.text)
                        if "/recruiter/applications/" in href]
    page = client.get(recruiter_page.replace("http://jobtab.test", ""))
    assert page.status_code == 200 and "Camille Martin" in page.text
    assert apply_services.find_by_public_id(db_session, "a1b2") is not None


def test_space_close_renew_and_edit_back_to_moderation(app, client, db_session, tenant, smtp):
    posting = make_posting(db_session, tenant, "published")
    ask_space_link(client, RECRUITER)
    space = space_link(db_session, smtp)
    token = space.rsplit("/", 1)[1]
    expires = posting.expires_at
    assert client.post(f"{space}/{posting.public_id}/renew").status_code == 303
    assert reload(db_session, posting).expires_at > expires

    edit = f"{space}/{posting.public_id}/edit"
    form = client.get(edit)
    assert form.status_code == 200 and 'value="Cuisinier / Cuisinière"' in form.text
    bad = client.post(edit, data={"title": "", "contract_type": "CDD", "working_time": "part_time",
                                  "place": "Lyon", "description": "Nouveau texte"})
    assert bad.status_code == 400 and "Erreur :" in bad.text and "Nouveau texte" in bad.text
    saved = client.post(edit, data={"title": "Second de cuisine", "contract_type": "CDD", "working_time": "part_time",
                                    "place": "Lyon", "commune": "", "description": "Nouveau texte"})
    assert saved.status_code == 303
    posting = reload(db_session, posting)
    assert posting.status == "pending" and posting.fields["title"] == "Second de cuisine"
    assert posting.offer.expires_at <= datetime.now(timezone.utc)  # hidden until approved again
    assert [p.id for p in services.moderation_queue(db_session, tenant.id)] == [posting.id]

    assert client.post(f"{space}/{posting.public_id}/close").status_code == 303
    assert reload(db_session, posting).status == "closed"
    other = make_posting(db_session, tenant, "published", contact_email="autre@example.org")
    assert client.post(f"/recruiters/space/{token}/{other.public_id}/close").status_code == 404
    assert reload(db_session, other).status == "published"


def test_edit_under_policy_after_stays_online_unreviewed(app, client, db_session, tenant, smtp):
    tenant.moderation_policy = "after"
    db_session.commit()
    posting = make_posting(db_session, tenant, "published")
    posting.moderated_at = posting.published_at
    db_session.commit()
    with app.test_request_context():
        services.edit(db_session, reload(db_session, posting),
                      {"title": "Chef de partie", "description": "Texte"}, datetime.now(timezone.utc))
        db_session.commit()
    posting = reload(db_session, posting)
    assert posting.status == "published" and posting.offer.title == "Chef de partie"
    assert posting.moderated_at is None


def test_space_links_expire_and_tampered_ones_are_refused(client, db_session, tenant, smtp):
    make_posting(db_session, tenant, "published")
    ask_space_link(client, RECRUITER)
    space = space_link(db_session, smtp)
    with time_machine.travel(datetime.now(timezone.utc) + timedelta(hours=25)):
        expired = client.get(space)
    assert expired.status_code == 410 and "a expiré" in expired.text
    tampered = client.get(space[:-3] + "xyz")
    assert tampered.status_code == 400 and "n'est pas valide" in tampered.text


def test_abandoned_drafts_and_unverified_submissions_are_deleted_once_they_cannot_be_finished(
        app, db_session, tenant):
    start = datetime.now(timezone.utc).replace(microsecond=0)
    draft = make_posting(db_session, tenant, "draft", now=start)
    unverified = make_posting(db_session, tenant, "unverified", now=start, contact_email="pas-encore@example.org")
    live = published(db_session, tenant, start)
    services.spend_link(db_session, "a-spent-verification-link", "verify", start)
    db_session.commit()

    early = run_reminders(app, db_session, start + timedelta(days=2))
    assert (early.purged_drafts, early.purged_links) == (0, 0)  # the verification link still works
    assert reload(db_session, unverified) is not None

    later = run_reminders(app, db_session, start + timedelta(days=9))
    assert later.purged_drafts == 2
    assert reload(db_session, draft) is None and reload(db_session, unverified) is None
    assert reload(db_session, live).status == "published"
    assert run_reminders(app, db_session, start + timedelta(days=40)).purged_links == 1


def test_the_cron_command_reports_what_it_did(app, db_session, tenant):
    make_posting(db_session, tenant, "draft", now=datetime.now(timezone.utc) - timedelta(days=30))
    db_session.commit()
    result = app.test_cli_runner().invoke(args=["recruiters", "remind"])
    assert result.exit_code == 0, result.output
    assert "1 abandoned drafts deleted" in result.output
