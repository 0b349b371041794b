"""Applying with the plain form inside the cross-site iframe, by keyboard, with every
third-party cookie blocked; then the follow-up pages. axe-core checks every step."""
import re
from urllib.parse import quote

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.conftest_apply import (  # noqa: F401  (fixtures)
    cookieless_browser, cookieless_page, form_offer_id, in_app_page, links_sent_to, oidc_provider, recruiter_address,
    signing_in_widget,
)
from tests.browser.helpers import IFRAME, expect_no_axe_violations, tab_to, widget_frame
from tests.unit.apply import cvs

pytestmark = pytest.mark.browser



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


def test_a_cv_over_5_mb_is_refused_with_everything_typed_kept(page, site, form_offer_id, tmp_path):
    big = tmp_path / "cv-lourd.pdf"
    big.write_bytes(b"%PDF-1.4\n" + b"0" * (20 * 1024 * 1024))
    page.goto(f"{site.widget}/t/{site.tenant}/jobs/{form_offer_id}/apply")
    page.locator("#name").fill("Camille Martin")
    page.locator("#email").fill("camille.martin@example.org")
    page.locator("#message").fill("Disponible dès lundi.")
    page.locator("#cv").set_input_files(str(big))
    page.get_by_role("button", name="Envoyer ma candidature").click()
    expect(page.locator("#cv-error")).to_contain_text("dépasse 5 Mo")
    expect(page.locator("#name")).to_have_value("Camille Martin")
    expect(page.locator("#message")).to_have_value("Disponible dès lundi.")
    expect_no_axe_violations(page.main_frame, "the form refusing a 20 MB CV")


def test_in_an_app_browser_the_plain_form_comes_first_with_a_way_out(in_app_page, site, signing_in_widget,
                                                                      form_offer_id):
    page = in_app_page
    page.goto(f"{signing_in_widget.url}/t/{site.tenant}/jobs/{form_offer_id}")
    apply_links = page.locator("section.apply a")
    expect(apply_links.first).to_have_text("Postuler avec le formulaire")
    way_out = page.get_by_role("link", name="Ouvrir dans mon navigateur (nouvelle fenêtre)")
    expect(way_out).to_have_attribute("target", "_blank")
    expect(page.get_by_label("Adresse de cette page")).to_have_value(
        f"{signing_in_widget.url}/t/{site.tenant}/jobs/{form_offer_id}")
    expect_no_axe_violations(page.main_frame, "the offer page in an in-app browser")

    page.goto(f"{signing_in_widget.url}/account/t/{site.tenant}/sign-in"
              f"?next=/account/apply/{site.tenant}/jobs/{form_offer_id}")
    expect(page.locator("main a.button").first).to_have_text("Postuler avec le formulaire, sans compte")
    expect(page.get_by_role("link", name="Continuer avec Fournisseur de test")).to_be_visible()
    expect(page.get_by_role("link", name="Continuer avec Fournisseur strict")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("La connexion avec Fournisseur strict n'est pas possible")
    expect_no_axe_violations(page.main_frame, "the sign-in choice in an in-app browser")

    page.locator("main a.button").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Postuler")
    expect(page.locator("#name")).to_be_visible()


def test_a_sign_in_return_without_its_cookie_continues_in_a_new_tab(new_context, site, signing_in_widget,
                                                                    oidc_provider, form_offer_id):
    """The return from the provider lands where the session cookie did not follow (blocked even
    partitioned, inside an iframe): a page offers to go on in a new tab, where it succeeds."""
    target = f"/account/apply/{site.tenant}/jobs/{form_offer_id}"
    with requests.Session() as elsewhere:  # where the sign-in began, and its cookie stayed
        elsewhere.trust_env = False
        to_provider = elsewhere.get(f"{signing_in_widget.url}/account/t/{site.tenant}/sign-in/test",
                                    params={"next": target}, allow_redirects=False, timeout=10)
        back = elsewhere.get(to_provider.headers["Location"], allow_redirects=False, timeout=10)
    callbacks = [back.headers["Location"]]
    assert callbacks[0].startswith(f"{signing_in_widget.url}/account/callback/test?")

    page = new_context(locale="fr-FR").new_page()  # no cookie: the session is lost
    page.goto(callbacks[0])
    expect(page.get_by_role("heading", level=1)).to_have_text("Ouvrir dans un nouvel onglet")
    expect_no_axe_violations(page.main_frame, "the continue-in-a-new-tab page")
    with page.context.expect_page() as new_tab:
        page.get_by_role("link", name="Ouvrir dans un nouvel onglet (nouvelle fenêtre)").click()
    tab = new_tab.value
    tab.wait_for_load_state()
    # Signed in, on the offer's one-click page (already sent if an earlier test applied with this account).
    expect(tab).to_have_url(re.compile(re.escape(signing_in_widget.url + target) + "$"))
    expect(tab.get_by_role("heading", level=1)).to_have_text(re.compile(r"Postuler|Candidature envoyée"))
