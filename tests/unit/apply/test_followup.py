"""After the form: e-mails through the outbox, the applicant's status page, the recruiter's page;
and the counted redirect to a partner's site."""
import re
from datetime import timedelta

import pytest
import time_machine
from lxml import html
from sqlalchemy import func, select

from app.apply.models import Application, ApplyClick, CvAccess, StoredCv
from tests.unit.mail.sink import deliver_to
from tests.factories.catalog import make_job
from tests.unit.apply import cvs
from tests.unit.apply.conftest import application_data
from tests.unit.apply.test_form import post

from tests.unit.mail.sink import SENDER  # noqa: E402


def deliver(db_session, smtp, now=None):
    return deliver_to(smtp, db_session, now)


def link_in(message) -> str:
    """The one link an e-mail carries, as a path on the test client."""
    [url] = re.findall(r"http://jobtab\.test(/\S+)", message.get_content())
    return url


def mail_to(smtp, address):
    return [m for m in smtp.messages if m["To"] == address]


def apply(app, client, db_session, offer, smtp):
    assert post(client, offer, application_data(app, offer)).status_code == 303
    assert deliver(db_session, smtp).sent == 2
    [receipt] = mail_to(smtp, "camille.martin@example.org")
    [notification] = mail_to(smtp, "recrutement@brasserie.example.org")
    return receipt, notification


def test_emails_carry_a_signed_link_and_never_the_cv_phone_or_message(app, client, db_session, offer, smtp):
    receipt, notification = apply(app, client, db_session, offer, smtp)
    for message in (receipt, notification):
        assert not message.is_multipart()
        body = message.get_content()
        assert "06 12 34 56 78" not in body and "disponible dès lundi" not in body
        assert message["From"] == SENDER
    assert receipt["Subject"] == "Votre candidature : Cuisinier / Cuisinière"
    assert notification["Subject"] == "Nouvelle candidature : Cuisinier / Cuisinière"
    assert link_in(receipt).startswith("/applications/")
    assert link_in(notification).startswith("/recruiter/applications/")


def test_recruiter_reads_downloads_the_cv_logged_and_proposes_an_interview(app, client, db_session, offer, smtp):
    receipt, notification = apply(app, client, db_session, offer, smtp)
    page = client.get(link_in(notification))
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert page.headers["X-Frame-Options"] == "DENY"
    document = html.fromstring(page.get_data(as_text=True))
    for value in ("Camille Martin", "camille.martin@example.org", "06 12 34 56 78", "disponible dès lundi"):
        assert value in document.text_content()
    [cv_link] = document.xpath('//a[contains(@href, "/cv")]/@href')

    download = client.get(cv_link)
    assert download.data == cvs.pdf()
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["Cache-Control"] == "no-store"
    download.close()
    [access] = db_session.scalars(select(CvAccess)).all()
    assert access.accessed_by == "recrutement@brasserie.example.org"

    answer = client.post(link_in(notification) + "/decision", data={"decision": "interview"})
    assert answer.status_code == 303
    assert deliver(db_session, smtp).sent == 1
    [decision] = [m for m in mail_to(smtp, "camille.martin@example.org") if m is not receipt]
    assert "vous propose un entretien" in decision.get_content()
    status = client.get(link_in(receipt)).get_data(as_text=True)
    assert "Le recruteur vous propose un entretien" in status


def test_not_retained_with_a_reason_reaches_the_applicant(app, client, db_session, offer, smtp):
    receipt, notification = apply(app, client, db_session, offer, smtp)
    client.post(link_in(notification) + "/decision", data={"decision": "rejected", "reason": "Poste pourvu."})
    deliver(db_session, smtp)
    decision = mail_to(smtp, "camille.martin@example.org")[-1]
    assert "n'a pas été retenue" in decision.get_content() and "Poste pourvu." in decision.get_content()
    status = client.get(link_in(receipt)).get_data(as_text=True)
    assert "Candidature non retenue" in status and "Poste pourvu." in status


def test_applicant_withdraws_then_erases_everything(app, client, db_session, offer, smtp, uploads):
    receipt, notification = apply(app, client, db_session, offer, smtp)
    status_url = link_in(receipt)
    page = client.get(status_url)
    assert page.headers["Cache-Control"] == "no-store" and page.headers["X-Frame-Options"] == "DENY"

    assert client.post(status_url + "/withdraw").status_code == 303
    assert "Candidature retirée" in client.get(status_url).get_data(as_text=True)
    deliver(db_session, smtp)
    assert "a retiré sa candidature" in mail_to(smtp, "recrutement@brasserie.example.org")[-1].get_content()
    assert client.get(link_in(notification) + "/cv").status_code == 404  # a withdrawn CV is not served

    erased = client.post(status_url + "/erase")
    assert erased.status_code == 200 and "Données supprimées" in erased.get_data(as_text=True)
    counts = [db_session.scalar(select(func.count()).select_from(model)) for model in (Application, StoredCv, CvAccess)]
    assert counts == [0, 0, 0]
    assert list(uploads.iterdir()) == []
    assert client.get(status_url).status_code == 404
    assert client.get(link_in(notification)).status_code == 404


def test_links_are_refused_when_forged_expired_or_used_for_another_purpose(app, client, db_session, offer, smtp):
    receipt, notification = apply(app, client, db_session, offer, smtp)
    status_token = link_in(receipt).rsplit("/", 1)[1]
    assert client.get(f"/recruiter/applications/{status_token}").status_code == 404  # another salt
    assert client.get(link_in(receipt) + "x").status_code == 404
    with time_machine.travel(timedelta(days=401)):
        assert client.get(link_in(receipt)).status_code == 404


def test_posts_on_follow_up_pages_from_another_site_are_refused(app, client, db_session, offer, smtp):
    receipt, _notification = apply(app, client, db_session, offer, smtp)
    response = client.post(link_in(receipt) + "/erase", headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 403
    assert db_session.scalar(select(func.count()).select_from(Application)) == 1


# --- Offers published elsewhere -------------------------------------------------------------

def test_apply_elsewhere_redirects_to_the_stored_url_and_counts_the_click(client, db_session, tenant):
    offer = make_job(db_session, apply_method="url", apply_url="https://carrieres.example.org/offres/42")
    page = html.fromstring(client.get(f"/t/ara/jobs/{offer.id}").get_data(as_text=True))
    [link] = page.xpath('//section[@class="apply"]//a')
    assert link.get("href") == f"/t/ara/jobs/{offer.id}/apply-elsewhere"
    assert "Postuler sur le site de" in link.text_content()

    response = client.get(f"/t/ara/jobs/{offer.id}/apply-elsewhere?url=https://evil.example&next=//evil.example")
    assert response.status_code == 303
    assert response.headers["Location"] == "https://carrieres.example.org/offres/42"
    clicks = db_session.scalars(select(ApplyClick)).all()
    assert [(c.offer_id, c.tenant_id) for c in clicks] == [(offer.id, tenant.id)]


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,x", "//evil.example/x", "ftp://example.org/x",
                                 "https://user@evil.example/", None])
def test_apply_elsewhere_never_leaves_for_anything_but_http(client, db_session, tenant, url):
    offer = make_job(db_session, apply_method="url", apply_url=url)
    assert client.get(f"/t/ara/jobs/{offer.id}/apply-elsewhere").status_code == 404
    assert db_session.scalar(select(func.count()).select_from(ApplyClick)) == 0


def test_apply_elsewhere_is_only_for_this_tenant_offers(client, db_session, tenant):
    offer = make_job(db_session, region_code="32", departement_code="59", commune_code="59350",
                     apply_url="https://carrieres.example.org/offres/1")
    assert client.get(f"/t/ara/jobs/{offer.id}/apply-elsewhere").status_code == 404
