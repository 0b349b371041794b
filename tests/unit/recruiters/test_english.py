"""The posting flow and its e-mails in English (French first, English available)."""
from tests.unit.recruiters.conftest import deliver, mail_to
from tests.unit.recruiters.flow import GOOD_ANSWERS, hidden_fields, page_of


def test_flow_and_verification_email_in_english(client, db_session, tenant, smtp):
    tab = client.get("/t/ara/post?lang=en")
    assert "Post your job offer for free" in tab.text
    started = client.post("/t/ara/post/start?lang=en")
    first = started.headers["Location"]
    assert "lang=en" in first
    shown = client.get(first)
    assert page_of(shown).xpath("//h1")[0].text_content() == "Your company"
    refused = client.post(first, data={**hidden_fields(shown), **GOOD_ANSWERS["company"], "siret": "73282932000075"})
    assert refused.status_code == 400 and "check digit is wrong" in refused.text
    assert page_of(refused).xpath("//title")[0].text_content().startswith("Error")


def test_recruiter_writing_in_english_gets_english_emails(client, db_session, tenant, smtp):
    started = client.post("/t/ara/post/start?lang=en")
    base = started.headers["Location"].split("?")[0].rsplit("/", 1)[0]
    for name in ("company", "contact", "offer", "apply"):
        path = f"{base}/{name}?lang=en"
        response = client.post(path, data={**hidden_fields(client.get(path)), **GOOD_ANSWERS[name]})
        assert response.status_code == 303, response.text
    check = f"{base}/check?lang=en"
    assert "Check your offer before sending it" in client.get(check).text
    client.post(check, data=hidden_fields(client.get(check)))
    deliver(db_session, smtp)
    [message] = mail_to(smtp, "patron@brasserie.example.org")
    assert message["Subject"].startswith("Confirm your address to publish")
