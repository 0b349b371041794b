"""The institution staff pages in Chromium: signed in by keyboard only, every page and its error
states checked by axe-core (French, at desktop and phone widths), a posting approved.

Everything happens in the second demo tenant, with offers in Lille: the tenant the other browser
tests read never sees these postings."""
import subprocess
import uuid
from datetime import datetime, timezone

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from app.catalog.models import Source
from app.ingest.models import FeedRun, RejectedRecord
from app.recruiters.models import Posting
from app.tenants.models import Tenant
from tests.browser.conftest import OTHER_TENANT, ROOT, VENV_BIN
from tests.browser.helpers import describe_violations, run_axe
from tests.factories.recruiters import posting_fields

pytestmark = pytest.mark.browser

PASSWORD = "une phrase de passe assez longue"
ADMIN = "admin-navigateur@region.example.org"
FOCUSED_ID = "document.activeElement ? document.activeElement.id : null"


@pytest.fixture(scope="module")
def staff(browser_env, widget_server):
    """An admin made with the real CLI, the password on standard input, and two postings to moderate."""
    result = subprocess.run(
        [str(VENV_BIN / "flask"), "--app", "wsgi", "admin", "create", "--tenant", OTHER_TENANT, "--email", ADMIN,
         "--password-stdin"],
        cwd=ROOT, env=browser_env["env"], input=PASSWORD + "\n", capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    engine = create_engine(browser_env["url"])
    now = datetime.now(timezone.utc)
    with Session(engine) as session:
        tenant_id, tenant_name = session.execute(
            select(Tenant.id, Tenant.name).where(Tenant.slug == OTHER_TENANT)).one()
        postings = []
        for title in ("Agent / Agente d'entretien <script>alert(1)</script>", "Cuisinier / Cuisinière"):
            posting = Posting(
                public_id=str(uuid.uuid4()), tenant_id=tenant_id, status="pending",
                company_name="Estaminet du Vieux-Lille", siret="73282932000074", company_commune_code="59350",
                contact_email="patron@estaminet.example.org", fields=posting_fields(title=title, commune_code="59350"),
                submitted_at=now, email_verified_at=now, created_at=now, updated_at=now,
            )
            session.add(posting)
            postings.append(posting)
        # A run of a partner source with records it left out, for the sources pages.
        source = session.scalars(select(Source).where(Source.kind != "direct").order_by(Source.id)).first()
        run = FeedRun(source_id=source.id, format="csv", status="flagged", started_at=now, finished_at=now,
                      is_full_feed=True, received=3, new=1, updated=0, unchanged=0, expired=0, rejected=2,
                      message="Le flux a diminué de plus de moitié : rien n'a expiré.",
                      rejections=[RejectedRecord(record_id="A-1", reason="titre manquant"),
                                  RejectedRecord(record_id="A-2", reason="commune inconnue : 99999")])
        session.add(run)
        session.commit()
        ids = {"postings": [posting.public_id for posting in postings], "tenant_name": tenant_name,
               "source_id": source.id, "run_id": run.id}
    engine.dispose()
    return ids


def expect_no_violations(page: Page, where: str) -> None:
    violations = run_axe(page.main_frame)
    assert violations == [], describe_violations(where, violations)


def tab_to(page: Page, element_id: str, limit: int = 40) -> None:
    for _ in range(limit):
        if page.evaluate(FOCUSED_ID) == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"#{element_id} never got the focus by Tab")


def sign_in_by_keyboard(page: Page, site, staff) -> None:
    page.goto(f"{site.widget}/admin/")
    expect(page).to_have_url(f"{site.widget}/admin/sign-in?next=/admin/")
    tab_to(page, "email")
    page.keyboard.type(ADMIN)
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED_ID) == "password"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(staff["tenant_name"])


@pytest.mark.parametrize("width", [1280, 320])
def test_every_staff_page_passes_axe(new_context, site, staff, width):
    page = new_context(viewport={"width": width, "height": 800}).new_page()
    page.goto(f"{site.widget}/admin/sign-in")
    expect_no_violations(page, f"sign-in at {width}px")
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_title("Erreur : Se connecter – Espace institution – Jobtab")
    expect_no_violations(page, f"sign-in with errors at {width}px")
    page.get_by_label("Adresse e-mail").fill(ADMIN)
    page.get_by_label("Mot de passe").fill("pas le bon mot de passe")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("alert")).to_contain_text("Adresse e-mail ou mot de passe incorrect.")
    expect_no_violations(page, f"sign-in refused at {width}px")
    page.get_by_label("Adresse e-mail").fill(ADMIN)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()

    paths = ["/admin/", "/admin/moderation", f"/admin/moderation/{staff['postings'][0]}", "/admin/sources",
             "/admin/team", "/admin/settings", "/admin/settings?lang=en", "/admin/password/not-a-link"]
    paths += [f"/admin/sources/{staff['source_id']}", f"/admin/sources/{staff['source_id']}/runs/{staff['run_id']}"]
    for path in paths:
        response = page.goto(site.widget + path)
        assert response.status == (400 if "not-a-link" in path else 200), path
        assert response.headers["cache-control"] == "no-store", path
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        expect_no_violations(page, f"{path} at {width}px")
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= width, f"{path} scrolls sideways at {width}px ({scroll_width}px)"

    page.goto(f"{site.widget}/admin/moderation/{staff['postings'][0]}")
    page.get_by_role("button", name="Refuser l'offre").click()
    expect(page.get_by_role("alert")).to_contain_text("Saisissez le motif du refus")
    expect_no_violations(page, f"posting with a rejection error at {width}px")

    page.goto(f"{site.widget}/admin/settings")
    page.get_by_label("Couleur principale").fill("#ffcc00")
    page.get_by_label("Durée de publication d'une offre, en jours").fill("500")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page).to_have_title("Erreur : Paramètres – Espace institution – Jobtab")
    expect(page.get_by_role("alert")).to_contain_text("contraste de 1,51:1")
    expect_no_violations(page, f"settings with errors at {width}px")

    page.goto(f"{site.widget}/admin/team")
    page.get_by_role("button", name="Envoyer l'invitation").click()
    expect(page.get_by_role("alert")).to_contain_text("Saisissez l'adresse e-mail de la personne.")
    expect_no_violations(page, f"team with errors at {width}px")


def test_sign_in_and_approve_by_keyboard_only(new_context, site, staff):
    page = new_context().new_page()
    sign_in_by_keyboard(page, site, staff)
    page.goto(f"{site.widget}/admin/moderation")
    link = page.get_by_role("link", name="Cuisinier / Cuisinière")
    link.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cuisinier / Cuisinière")
    button = page.get_by_role("button", name="Approuver et publier")
    for _ in range(60):
        if button.evaluate("element => element === document.activeElement"):
            break
        page.keyboard.press("Tab")
    else:
        raise AssertionError("the approve button never got the focus by Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Offre approuvée")
    expect(page.get_by_role("link", name="Cuisinier / Cuisinière")).to_have_count(0)


def test_staff_pages_refuse_to_be_framed(new_context, site, other_site, staff):
    url = other_site.serve("/frames-admin", f'<iframe title="admin" src="{site.widget}/admin/sign-in"></iframe>')
    page = new_context().new_page()
    page.goto(url)
    frame = page.frame_locator("iframe")
    expect(frame.get_by_role("heading", level=1)).to_have_count(0)
