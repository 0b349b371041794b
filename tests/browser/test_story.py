"""The whole story of a directly posted offer, by keyboard only (Tab, typing, Enter, Space,
arrows; never a click), in French, in a Chromium that blocks third-party cookies:

1. a recruiter posts an offer in the "Déposer une offre" tab of the widget, inside the demo
   host page (a cross-site iframe);
2. verifies the address with the link from the e-mail (read from the outbox table), top level;
3. a moderator, made with `flask admin create`, signs in at /admin and approves the posting;
4. a job seeker finds the offer in the jobs tab, opens it and applies with the plain form;
5. the recruiter asks for the magic link to the recruiter space, opens it, finds the offer
   and its application, and reads the application.

axe-core checks every page visited, inside the iframe and at top level. Opening a link from
an e-mail is a `goto` (the person follows it from their mail program); everything else is keys.
"""
import re
import subprocess

import pytest
from playwright.sync_api import Frame, Locator, Page, expect

from tests.browser.conftest import ROOT, TENANT, VENV_BIN
from tests.browser.conftest_apply import cookieless_browser, cookieless_page  # noqa: F401  (fixtures)
from tests.browser.helpers import (
    FOCUSED_ID, IFRAME, describe_violations, links_in_outbox, press_submit, run_axe, tab_to, type_into, widget_frame,
)
from tests.unit.apply import cvs

pytestmark = pytest.mark.browser

TITLE = "Boulanger de nuit TESTSTORY"
COMPANY = "Fournil de la Croix-Rousse"
RECRUITER = "recrutement@fournil-teststory.example.org"
APPLICANT = "Dominique Fournier"
APPLICANT_EMAIL = "dominique.fournier@teststory.example.org"
MODERATOR = "moderation-teststory@region.example.org"
PASSWORD = "une phrase de passe pour modérer"
IS_FOCUSED = "element => element.ownerDocument.hasFocus() && element.ownerDocument.activeElement === element"


@pytest.fixture(scope="module")
def moderator(browser_env, widget_server):
    """A moderator of the tenant, made with the real CLI, the password on standard input."""
    result = subprocess.run(
        [str(VENV_BIN / "flask"), "--app", "wsgi", "admin", "create", "--tenant", TENANT, "--email", MODERATOR,
         "--role", "moderator", "--password-stdin"],
        cwd=ROOT, env=browser_env["env"], input=PASSWORD + "\n", capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, f"flask admin create failed:\n{result.stdout}\n{result.stderr}"
    return MODERATOR


# --- Helpers -----------------------------------------------------------------------------------

def expect_no_axe_violations(frame: Frame, where: str, visited: list[str]) -> None:
    violations = run_axe(frame)
    assert violations == [], describe_violations(where, violations)
    visited.append(where)


def tab_to_element(page: Page, target: Locator, what: str, limit: int = 120) -> None:
    """Press Tab until this element (in whichever frame) has focus."""
    target.wait_for(state="visible")
    for _ in range(limit):
        if target.evaluate(IS_FOCUSED):
            return
        page.keyboard.press("Tab")
    pytest.fail(f"Tab never reached {what}")


def open_widget_tab(page: Page, name: str) -> Frame:
    """Tab to one of the widget's tabs (its nav, inside the iframe) and follow it with Enter."""
    widget = page.frame_locator(IFRAME)
    tab_to_element(page, widget.get_by_role("navigation", name="Rubriques").get_by_role("link", name=name),
                   f"the « {name} » tab")
    page.keyboard.press("Enter")
    expect(widget.get_by_role("heading", level=1)).to_have_text(name)
    return widget_frame(page)


# --- The story ---------------------------------------------------------------------------------

def test_post_verify_moderate_find_apply_and_read_by_keyboard_only(
        cookieless_page, new_context, site, browser_env, moderator, tmp_path):
    page = cookieless_page  # fr-FR, third-party cookies blocked
    widget = page.frame_locator(IFRAME)
    audited: list[str] = []

    # 1. The recruiter posts the offer in the embedded "Déposer une offre" tab.
    page.goto(site.host_url())
    expect(widget.get_by_role("heading", level=1)).to_have_text("Offres d'emploi")
    expect(widget.locator(".offer-card")).not_to_have_count(1)  # step 4 tells the search from this by its count
    violations = run_axe(page.main_frame, iframes=False)
    assert violations == [], describe_violations("the demo host page", violations)
    audited.append("the demo host page")
    frame = open_widget_tab(page, "Déposer une offre")
    expect_no_axe_violations(frame, "the post tab", audited)
    press_submit(page, frame)  # "Commencer"

    expect(widget.get_by_role("heading", level=1)).to_have_text("Votre entreprise")
    frame = widget_frame(page)
    expect_no_axe_violations(frame, "the company page", audited)
    type_into(page, frame, "company_name", COMPANY)
    type_into(page, frame, "siret", "732 829 320 00074")
    type_into(page, frame, "company_place", "Lyon (69)")
    press_submit(page, frame)

    expect(widget.get_by_role("heading", level=1)).to_have_text("Votre adresse e-mail")
    frame = widget_frame(page)
    expect_no_axe_violations(frame, "the e-mail page", audited)
    type_into(page, frame, "contact_email", RECRUITER)
    press_submit(page, frame)

    expect(widget.get_by_role("heading", level=1)).to_have_text("Votre offre")
    frame = widget_frame(page)
    expect_no_axe_violations(frame, "the offer page", audited)
    type_into(page, frame, "title", TITLE)
    tab_to(page, frame, "contract_type")
    page.keyboard.press("Space")  # CDI, the first choice
    tab_to(page, frame, "working_time")
    page.keyboard.press("Space")  # full time
    type_into(page, frame, "place", "Lyon")
    type_into(page, frame, "salary_text", "2 100 € brut par mois")
    tab_to(page, frame, "description")
    page.keyboard.type("Fabrication du pain, de nuit.\n\n- pétrissage\n- façonnage\n- cuisson")
    press_submit(page, frame)

    expect(widget.get_by_role("heading", level=1)).to_have_text("Comment voulez-vous recevoir les candidatures ?")
    frame = widget_frame(page)
    expect_no_axe_violations(frame, "the applications page", audited)
    tab_to(page, frame, "apply_method")
    assert frame.evaluate("document.getElementById('apply_method').checked")  # "through this service", by default
    press_submit(page, frame)

    expect(widget.get_by_role("heading", level=1)).to_have_text("Vérifiez votre offre avant de l'envoyer")
    frame = widget_frame(page)
    expect(widget.locator("main")).to_contain_text(TITLE)
    expect(widget.locator("main")).to_contain_text(COMPANY)
    expect_no_axe_violations(frame, "the check page", audited)
    press_submit(page, frame)

    expect(widget.get_by_role("heading", level=1)).to_have_text("Confirmez votre adresse e-mail")
    expect(widget.locator("main")).to_contain_text(RECRUITER)
    expect_no_axe_violations(widget_frame(page), "the sent page", audited)
    assert page.context.cookies() == []  # nothing was needed, nothing was set

    # 2. The verification link from the e-mail, opened top level in the recruiter's browser.
    [verify_link] = links_in_outbox(browser_env["url"], RECRUITER, r"https?://\S+/recruiters/verify/\S+")
    mail = page.context.new_page()
    mail.goto(verify_link)
    expect(mail.get_by_role("heading", level=1)).to_have_text("Confirmez votre adresse e-mail")
    expect(mail.locator("main")).to_contain_text(TITLE)
    expect_no_axe_violations(mail.main_frame, "the verification page", audited)
    tab_to_element(mail, mail.get_by_role("button", name="Confirmer mon adresse et envoyer l'offre"),
                   "the confirm button")
    mail.keyboard.press("Enter")
    expect(mail.get_by_role("heading", level=1)).to_have_text("Adresse confirmée")
    expect(mail.locator("main")).to_contain_text("sera relue par l'équipe")  # moderation before publication
    expect_no_axe_violations(mail.main_frame, "the address confirmed page", audited)
    mail.close()

    # 3. A moderator signs in (top level, another browser) and approves the posting.
    staff = new_context().new_page()
    staff.goto(f"{site.widget}/admin/sign-in")
    expect(staff.get_by_role("heading", level=1)).to_have_text("Se connecter à l'espace institution")
    expect_no_axe_violations(staff.main_frame, "the staff sign-in page", audited)
    tab_to(staff, staff.main_frame, "email")
    staff.keyboard.type(moderator)
    staff.keyboard.press("Tab")
    assert staff.evaluate(FOCUSED_ID) == "password"
    staff.keyboard.type(PASSWORD)
    staff.keyboard.press("Enter")
    expect(staff.get_by_role("heading", level=1)).to_have_text(site.tenant_name)
    expect_no_axe_violations(staff.main_frame, "the staff home page", audited)

    tab_to_element(staff, staff.get_by_role("navigation", name="Espace institution")
                   .get_by_role("link", name="Modération"), "the « Modération » section")
    staff.keyboard.press("Enter")
    expect(staff.get_by_role("heading", level=1)).to_have_text("Offres à modérer")
    queued = staff.get_by_role("link", name=TITLE, exact=True)
    expect(queued).to_have_count(1)
    expect_no_axe_violations(staff.main_frame, "the moderation queue", audited)

    tab_to_element(staff, queued, "the posting in the queue")
    staff.keyboard.press("Enter")
    expect(staff.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(staff.locator("main")).to_contain_text(COMPANY)
    expect_no_axe_violations(staff.main_frame, "the posting under review", audited)
    tab_to_element(staff, staff.get_by_role("button", name="Approuver et publier"), "the approve button")
    staff.keyboard.press("Enter")
    expect(staff.get_by_role("status")).to_contain_text("Offre approuvée")
    expect(staff.get_by_role("heading", level=1)).to_have_text("Offres à modérer")
    expect(staff.get_by_role("link", name=TITLE, exact=True)).to_have_count(0)
    expect_no_axe_violations(staff.main_frame, "the moderation queue after approval", audited)
    # The recruiter is told (the moderation outcome e-mail links to the published offer).
    assert links_in_outbox(browser_env["url"], RECRUITER, r"https?://\S+/t/" + re.escape(TENANT) + r"/jobs/\d+"), \
        "no e-mail told the recruiter the offer was approved"

    # 4. A job seeker finds it in the jobs tab, opens it, applies with the plain form.
    page.bring_to_front()
    frame = open_widget_tab(page, "Offres d'emploi")
    tab_to(page, frame, "q")
    page.keyboard.type("TESTSTORY")
    page.keyboard.press("Enter")  # no option was chosen with the arrows: Enter submits the GET form
    expect(widget.locator(".offer-card")).to_have_count(1)  # the jobs tab listed many: this is the search
    frame = widget_frame(page)
    assert "q=TESTSTORY" in frame.url, frame.url
    expect(widget.locator(".result-count")).to_be_visible()
    result = widget.locator(".offer-card").get_by_role("link", name=TITLE, exact=True)
    expect(result).to_have_count(1)
    expect_no_axe_violations(frame, "the search results", audited)

    tab_to_element(page, result, "the offer in the results")
    page.keyboard.press("Enter")
    expect(widget.get_by_role("heading", level=1)).to_contain_text(TITLE)
    expect(widget.locator("main")).to_contain_text(COMPANY)
    expect(widget.locator("main")).to_contain_text("pétrissage")
    frame = widget_frame(page)
    expect_no_axe_violations(frame, "the published offer", audited)

    tab_to_element(page, widget.get_by_role("link", name="Postuler avec le formulaire"), "the apply link")
    page.keyboard.press("Enter")
    expect(widget.get_by_role("heading", level=1)).to_contain_text("Postuler")
    expect(widget.get_by_role("heading", level=1)).to_contain_text(TITLE)
    frame = widget_frame(page)
    expect_no_axe_violations(frame, "the application form", audited)

    cv = tmp_path / "cv-dominique.pdf"
    cv.write_bytes(cvs.pdf())
    tab_to(page, frame, "name")
    page.keyboard.type(APPLICANT)
    page.keyboard.press("Tab")
    assert frame.evaluate(FOCUSED_ID) == "email"
    page.keyboard.type(APPLICANT_EMAIL)
    tab_to(page, frame, "cv")
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")  # the keyboard opens the file chooser; the test answers it
    chooser.value.set_files(str(cv))
    tab_to(page, frame, "message")
    page.keyboard.type("Boulanger depuis dix ans, disponible tout de suite.")
    page.keyboard.press("Tab")  # the honeypot is skipped: next is the submit button
    assert frame.evaluate("document.activeElement.type") == "submit"
    page.keyboard.press("Enter")

    expect(widget.get_by_role("heading", level=1)).to_have_text("Candidature envoyée")
    expect_no_axe_violations(widget_frame(page), "the application sent page", audited)
    assert page.context.cookies() == []

    # 5. The recruiter asks for the magic link to the recruiter space, from the post tab.
    frame = open_widget_tab(page, "Déposer une offre")
    with page.context.expect_page() as new_window:
        tab_to_element(page, widget.get_by_role("link", name=re.compile("^Gérer mes offres et lire les candidatures")),
                       "the recruiter space link")
        page.keyboard.press("Enter")
    space = new_window.value
    space.wait_for_load_state()
    expect(space.get_by_role("heading", level=1)).to_have_text("Mon espace recruteur")
    expect_no_axe_violations(space.main_frame, "the recruiter space sign-in page", audited)
    tab_to(space, space.main_frame, "email")
    space.keyboard.type(RECRUITER)
    space.keyboard.press("Enter")
    expect(space.get_by_role("heading", level=1)).to_have_text("Vérifiez votre messagerie")
    expect_no_axe_violations(space.main_frame, "the link sent page", audited)

    [space_link] = links_in_outbox(browser_env["url"], RECRUITER, r"https?://\S+/recruiters/space/\S+")
    space.goto(space_link)
    expect(space.get_by_role("heading", level=1)).to_have_text("Mes offres")
    posting = space.get_by_role("region", name=TITLE)
    expect(posting).to_contain_text("Candidatures (1)")
    application = posting.get_by_role("link", name=APPLICANT, exact=True)
    expect(application).to_have_count(1)
    expect_no_axe_violations(space.main_frame, "the recruiter space", audited)

    tab_to_element(space, application, "the application in the recruiter space")
    space.keyboard.press("Enter")
    expect(space.get_by_role("heading", level=1)).to_have_text(f"Candidature de {APPLICANT}")
    expect(space.locator("main")).to_contain_text(APPLICANT_EMAIL)
    expect(space.locator("main")).to_contain_text("Boulanger depuis dix ans")
    expect(space.get_by_role("link", name=re.compile("^Télécharger le CV"))).to_contain_text("cv-dominique.pdf")
    expect_no_axe_violations(space.main_frame, "the application in the recruiter space", audited)

