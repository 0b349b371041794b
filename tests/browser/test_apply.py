"""Applying with the plain form inside the cross-site iframe, by keyboard, with every
third-party cookie blocked; then the follow-up pages. axe-core checks every step."""
from urllib.parse import quote

import pytest
from playwright.sync_api import Frame, expect

from tests.browser.conftest_apply import (  # noqa: F401  (fixtures)
    cookieless_browser, cookieless_page, form_offer_id, links_sent_to, oidc_provider, recruiter_address,
    signing_in_widget,
)
from tests.browser.helpers import IFRAME, describe_violations, run_axe, widget_frame
from tests.unit.apply import cvs

pytestmark = pytest.mark.browser

FOCUSED_ID = "document.hasFocus() && document.activeElement ? document.activeElement.id : null"


def expect_no_axe_violations(frame: Frame, where: str) -> None:
    violations = run_axe(frame)
    assert violations == [], describe_violations(where, violations)


def tab_to(page, frame: Frame, element_id: str, limit: int = 60) -> None:
    """Press Tab until the element has focus (fails if it never does: not reachable by keyboard)."""
    seen = []
    for _ in range(limit):
        if frame.evaluate(FOCUSED_ID) == element_id:
            return
        page.keyboard.press("Tab")
        seen.append(frame.evaluate(FOCUSED_ID))
    pytest.fail(f"Tab never reached #{element_id}; focus went through {seen}")


def test_plain_form_in_the_cross_site_iframe_by_keyboard_without_cookies(
        cookieless_page, site, browser_env, form_offer_id, tmp_path):
    page = cookieless_page
    cv = tmp_path / "cv-camille.pdf"
    cv.write_bytes(cvs.pdf())
    form_path = f"/t/{site.tenant}/jobs/{form_offer_id}/apply"
    page.goto(site.host_url("jobtab=" + quote(form_path, safe="")))
    widget = page.frame_locator(IFRAME)
    expect(widget.get_by_role("heading", level=1)).to_contain_text("Postuler")
    frame = widget_frame(page)
    expect_no_axe_violations(frame, "the empty form")

    # Sent empty first: the errors, summarised and linked, with "Erreur : " in the title.
    tab_to(page, frame, "name")
    page.keyboard.press("Enter")
    expect(widget.locator(".error-summary")).to_be_visible()
    frame = widget_frame(page)
    assert frame.title().startswith("Erreur : ")
    assert widget.locator(".error-summary a").evaluate_all("links => links.map(a => a.hash)") == ["#name", "#email", "#cv"]
    expect_no_axe_violations(frame, "the form with errors")

    tab_to(page, frame, "name")
    page.keyboard.type("Camille Martin")
    page.keyboard.press("Tab")
    page.keyboard.type("camille.martin@example.org")
    page.keyboard.press("Tab")
    page.keyboard.type("06 12 34 56 78")
    tab_to(page, frame, "cv")
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files(str(cv))
    tab_to(page, frame, "message")
    page.keyboard.type("Disponible dès lundi.")
    page.keyboard.press("Tab")  # the honeypot is skipped: next is the submit button
    assert frame.evaluate("document.activeElement.type") == "submit"
    page.keyboard.press("Enter")

    expect(widget.get_by_role("heading", level=1)).to_have_text("Candidature envoyée")
    assert page.context.cookies() == []  # nothing was needed, nothing was set
    expect_no_axe_violations(widget_frame(page), "the confirmation")

    status_link, recruiter_link = (links_sent_to(browser_env["url"], "camille.martin@example.org")[-1],
                                   links_sent_to(browser_env["url"], recruiter_address(browser_env["url"], form_offer_id))[-1])
    page.goto(status_link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Votre candidature")
    expect(page.locator(".application-status")).to_contain_text("en attente")
    expect_no_axe_violations(page.main_frame, "the applicant's status page")

    page.goto(recruiter_link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Candidature de Camille Martin")
    expect_no_axe_violations(page.main_frame, "the recruiter's page")
    page.get_by_role("button", name="Proposer un entretien").press("Enter")
    expect(page.locator(".application-status")).to_contain_text("entretien")

    page.goto(status_link)
    expect(page.locator(".application-status")).to_contain_text("Le recruteur vous propose un entretien")


def test_offer_page_in_the_iframe_leads_to_the_form(page, site, form_offer_id):
    page.goto(site.host_url("jobtab=" + quote(f"/t/{site.tenant}/jobs/{form_offer_id}", safe="")))
    widget = page.frame_locator(IFRAME)
    widget.get_by_role("link", name="Postuler avec le formulaire").click()
    expect(widget.get_by_role("heading", level=1)).to_contain_text("Postuler")


def test_one_click_through_the_top_level_sign_in_window(
        page, site, allowed_site, signing_in_widget, oidc_provider, form_offer_id, tmp_path):
    cv = tmp_path / "cv-camille.odt"
    cv.write_bytes(cvs.odt())
    offer_url = f"{signing_in_widget.url}/t/{site.tenant}/jobs/{form_offer_id}"
    host = allowed_site.serve("/one-click", f'<main><h1>Emploi</h1><iframe title="Offres d\'emploi" '
                                            f'src="{offer_url}" width="800" height="900"></iframe></main>')
    framed_urls = []
    page.on("framenavigated", lambda frame: framed_urls.append(frame.url) if frame != page.main_frame else None)
    page.goto(host)
    widget = page.frame_locator("iframe")
    link = widget.get_by_role("link", name="Ou postuler en un clic avec un compte")
    expect(link).to_have_attribute("target", "_blank")

    with page.context.expect_page() as new_window:
        link.click()
    window = new_window.value
    window.wait_for_load_state()
    expect(window.get_by_role("heading", level=1)).to_have_text("Se connecter pour postuler")
    expect_no_axe_violations(window.main_frame, "the sign-in choice")

    window.get_by_role("link", name="Continuer avec Fournisseur de test").click()
    expect(window.get_by_role("heading", level=1)).to_contain_text("Postuler")
    assert len(oidc_provider.authorize_requests) >= 1
    expect(window.locator("dl.facts")).to_contain_text("Camille Martin")
    expect_no_axe_violations(window.main_frame, "the one-click confirmation")

    window.locator("#cv").set_input_files(str(cv))
    window.get_by_role("button", name="Envoyer ma candidature").click()
    expect(window.get_by_role("heading", level=1)).to_have_text("Candidature envoyée")
    expect_no_axe_violations(window.main_frame, "the one-click confirmation page")

    window.get_by_role("link", name="Suivre mes candidatures").click()
    expect(window.get_by_role("heading", level=1)).to_have_text("Mon espace candidat")
    expect(window.locator(".application-list")).to_contain_text("en attente")
    expect_no_axe_violations(window.main_frame, "the applicant's space")

    # The identity provider was only ever opened top-level, never inside the iframe.
    assert not any(url.startswith(oidc_provider.issuer) for url in framed_urls), framed_urls
