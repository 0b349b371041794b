"""Posting an offer in the embedded post tab, by keyboard only, with third-party cookies
blocked; verifying the address from the e-mail; moderation; the recruiter space. axe-core
checks every page of the flow, error states included."""
from datetime import datetime, timezone
from urllib.parse import quote

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app import create_app
from app import db as app_db
from app.recruiters import services
from app.recruiters.models import Posting
from tests.browser.conftest_apply import cookieless_browser, cookieless_page  # noqa: F401  (fixtures)
from tests.browser.helpers import (
    FOCUSED_ID, IFRAME, expect_no_axe_violations, links_in_outbox, press_submit, tab_to, type_into, widget_frame,
)
from tests.conftest import test_config as app_config

pytestmark = pytest.mark.browser

RECRUITER = "recrutement@boulangerie-test.example.org"
TITLE = "Boulanger / Boulangère"


def approve_by_moderator(browser_env) -> int:
    """The staff queue calls this service; here the test plays the moderator. The offer's id."""
    app = create_app(app_config(browser_env["url"], PUBLIC_BASE_URL=browser_env["widget_origin"], TESTING=False))
    try:
        with app.test_request_context():
            posting = app_db.session.scalar(select(Posting).where(Posting.contact_email == RECRUITER,
                                                                  Posting.status == "pending"))
            services.approve(app_db.session, posting, "moderation@region.example.org", datetime.now(timezone.utc))
            app_db.session.commit()
            offer_id = posting.offer_id
            app_db.session.remove()
        return offer_id
    finally:
        app_db.get_engine(app).dispose()


def test_post_an_offer_in_the_embedded_tab_by_keyboard_without_cookies(cookieless_page, site, browser_env):
    page = cookieless_page
    page.goto(site.host_url("jobtab=" + quote(f"/t/{site.tenant}/post", safe="")))
    widget = page.frame_locator(IFRAME)
    expect(widget.get_by_role("heading", level=1)).to_have_text("Déposer une offre")
    frame = widget_frame(page)
    expect_no_axe_violations(frame, "the post tab")
    press_submit(page, frame)  # "Commencer"

    # The company page, sent empty: summary, field errors, "Erreur : " in the title, focus on the summary.
    expect(widget.get_by_role("heading", level=1)).to_have_text("Votre entreprise")
    frame = widget_frame(page)
    expect_no_axe_violations(frame, "the company page")
    tab_to(page, frame, "company_name")
    press_submit(page, frame)
    expect(widget.locator(".error-summary")).to_be_visible()
    frame = widget_frame(page)
    assert frame.title().startswith("Erreur : ")
    assert frame.evaluate("document.activeElement.className") == "error-summary"  # focus moved to it
    assert widget.locator(".error-summary a").evaluate_all("links => links.map(a => a.hash)") == [
        "#company_name", "#siret", "#company_place"]
    expect_no_axe_violations(frame, "the company page with errors")

    type_into(page, frame, "company_name", "Boulangerie <script>alert(1)</script>")
    type_into(page, frame, "siret", "732 829 320 00075")  # a wrong Luhn key
    type_into(page, frame, "company_place", "Lyon (69)")
    press_submit(page, frame)
    expect(widget.locator(".error-summary")).to_contain_text("clé de contrôle")
    frame = widget_frame(page)
    expect(widget.locator("#company_name")).to_have_value("Boulangerie <script>alert(1)</script>")
    expect_no_axe_violations(frame, "the company page with a wrong SIRET")
    type_into(page, frame, "siret", "732 829 320 00074")
    press_submit(page, frame)

    expect(widget.get_by_role("heading", level=1)).to_have_text("Votre adresse e-mail")
    frame = widget_frame(page)
    expect_no_axe_violations(frame, "the e-mail page")
    type_into(page, frame, "contact_email", RECRUITER)
    press_submit(page, frame)

    expect(widget.get_by_role("heading", level=1)).to_have_text("Votre offre")
    frame = widget_frame(page)
    expect_no_axe_violations(frame, "the offer page")
    type_into(page, frame, "title", TITLE)
    tab_to(page, frame, "contract_type")
    page.keyboard.press("Space")  # CDI, the first choice
    tab_to(page, frame, "working_time")
    page.keyboard.press("Space")  # full time
    type_into(page, frame, "place", "Lyon")
    type_into(page, frame, "description", "x" * 5001)
    press_submit(page, frame)
    expect(widget.locator(".error-summary")).to_contain_text("5 000 caractères")
    frame = widget_frame(page)
    expect_no_axe_violations(frame, "the offer page with an oversized description")
    tab_to(page, frame, "description")
    page.keyboard.press("Control+A")
    page.keyboard.type("Fabrication du pain.\n\n- pétrissage\n- cuisson")
    press_submit(page, frame)

    expect(widget.get_by_role("heading", level=1)).to_have_text("Comment voulez-vous recevoir les candidatures ?")
    frame = widget_frame(page)
    tab_to(page, frame, "apply_method")  # a radio group is one Tab stop; arrows choose
    page.keyboard.press("ArrowDown")
    assert frame.evaluate(FOCUSED_ID) == "apply_method-url"
    type_into(page, frame, "apply_url", "javascript:alert(1)")
    press_submit(page, frame)
    expect(widget.locator(".error-summary")).to_contain_text("https://")
    frame = widget_frame(page)
    expect_no_axe_violations(frame, "the applications page with a refused address")
    tab_to(page, frame, "apply_method-url")
    page.keyboard.press("ArrowUp")  # back to "through this service"
    type_into(page, frame, "apply_url", "")
    press_submit(page, frame)

    expect(widget.get_by_role("heading", level=1)).to_have_text("Vérifiez votre offre avant de l'envoyer")
    frame = widget_frame(page)
    expect(widget.locator(".summary-list").first).to_contain_text("Boulangerie <script>alert(1)</script>")
    expect_no_axe_violations(frame, "the check page")
    press_submit(page, frame)

    expect(widget.get_by_role("heading", level=1)).to_have_text("Confirmez votre adresse e-mail")
    assert page.context.cookies() == []  # nothing was needed, nothing was set
    expect_no_axe_violations(widget_frame(page), "the sent page")

    # The verification link from the e-mail, in a top-level window.
    [verify_link] = links_in_outbox(browser_env["url"], RECRUITER, r"https?://\S+/recruiters/verify/\S+")
    page.goto(verify_link)
    expect_no_axe_violations(page.main_frame, "the verification page")
    page.get_by_role("button", name="Confirmer mon adresse et envoyer l'offre").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Adresse confirmée")
    expect_no_axe_violations(page.main_frame, "the address confirmed page")
    page.goto(verify_link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Ce lien ne fonctionne pas")
    expect_no_axe_violations(page.main_frame, "the used link page")

    # A moderator approves it: the offer is in the jobs tab, the injected text shown as text.
    offer_id = approve_by_moderator(browser_env)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(site.host_url("jobtab=" + quote(f"/t/{site.tenant}/jobs/{offer_id}", safe="")))
    expect(widget.get_by_role("heading", level=1)).to_contain_text(TITLE)
    expect(widget.locator("main")).to_contain_text("Boulangerie <script>alert(1)</script>")
    expect_no_axe_violations(widget_frame(page), "the published offer")
    assert dialogs == []

    # The recruiter space by magic link.
    page.goto(f"{site.widget}/recruiters/space")
    expect_no_axe_violations(page.main_frame, "the space sign-in page")
    page.get_by_label("Adresse e-mail").fill(RECRUITER)
    page.get_by_label("Adresse e-mail").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Vérifiez votre messagerie")
    expect_no_axe_violations(page.main_frame, "the link sent page")
    [space_link] = links_in_outbox(browser_env["url"], RECRUITER, r"https?://\S+/recruiters/space/\S+")
    page.goto(space_link)
    expect(page.get_by_role("heading", level=2, name=TITLE)).to_be_visible()
    expect_no_axe_violations(page.main_frame, "the recruiter space")
