"""Development and demo mail: the outbox worker writes .eml files, the demo host page lists them."""
from datetime import datetime, timezone

from app.demo.host import create_host_app
from app.mail.sender import DirectoryMailer, mailer_from_config
from app.mail.services import deliver_due, enqueue

SENDER = "Jobtab <no-reply@jobtab.test>"
T0 = datetime(2026, 11, 23, 8, 0, tzinfo=timezone.utc)


def test_the_mail_directory_replaces_smtp_only_when_configured(tmp_path):
    assert isinstance(mailer_from_config({"MAIL_DIRECTORY": str(tmp_path)}), DirectoryMailer)
    assert not isinstance(mailer_from_config({"MAIL_DIRECTORY": None, "MAIL_SERVER": "localhost", "MAIL_PORT": 25}),
                          DirectoryMailer)


def test_demo_mailbox_shows_what_the_worker_wrote_with_working_links(db_session, tmp_path):
    enqueue(db_session, "recruteur@example.org", "Confirmez votre adresse",
            "Bonjour <b>Léa</b>,\nConfirmez : http://127.0.0.1:5000/t/demo/post/verify/abc.def\nMerci", now=T0)
    db_session.commit()

    result = deliver_due(db_session, DirectoryMailer(str(tmp_path)), SENDER, clock=lambda: T0)
    page = create_host_app("http://127.0.0.1:5000", [{"slug": "demo", "name": "Démo"}], tmp_path).test_client().get("/courriels")

    assert result.sent == 1
    assert len(list(tmp_path.glob("*.eml"))) == 1
    html = page.get_data(as_text=True)
    assert "Confirmez votre adresse" in html
    assert '<a href="http://127.0.0.1:5000/t/demo/post/verify/abc.def">' in html
    assert "&lt;b&gt;Léa&lt;/b&gt;" in html  # the body is text, never markup


def test_demo_mailbox_without_a_directory_says_there_is_nothing(tmp_path):
    page = create_host_app("http://127.0.0.1:5000", [{"slug": "demo", "name": "Démo"}], None).test_client().get("/courriels")
    assert "Aucun courriel" in page.get_data(as_text=True)
