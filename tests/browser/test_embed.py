"""The widget as an institution's visitors meet it: inside the demo host page, on another site.

The host page is http://localhost:<port>/<tenant>, the widget http://127.0.0.1:<port>: two
sites, so the iframe is cross-site exactly as on an institution's web site.
"""
import re
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import (
    IFRAME,
    expect_iframe_fits_content,
    host_parameter,
    widget_frame,
)

pytestmark = pytest.mark.browser

TABS = ["Offres d'emploi", "Offres de formation", "Déposer une offre"]
INITIAL_MIN_HEIGHT = 480  # what widget/embed.js gives the iframe before the widget reports


def tab_links(frame_locator):
    return frame_locator.get_by_role("navigation", name="Rubriques").get_by_role("link")


def first_offer_link(frame_locator):
    return frame_locator.locator(".offer-card-title a").first


def offer_id(href: str) -> str:
    return re.search(r"/(?:jobs|trainings)/(\d+)", href).group(1)


def test_host_page_shows_the_three_tabs_and_follows_the_visitor(page, site):
    page.goto(site.host_url())
    iframe = page.locator(IFRAME)
    title = iframe.get_attribute("title")
    assert title and site.tenant_name in title
    widget = page.frame_locator(IFRAME)
    expect(tab_links(widget)).to_have_text(TABS)
    expect(tab_links(widget).first).to_have_attribute("aria-current", "page")
    expect(tab_links(widget).nth(1)).not_to_have_attribute("aria-current", "page")
    expect(widget.get_by_role("heading", level=1)).to_have_text("Offres d'emploi")
    expect(widget.locator(".widget-institution")).to_have_text(site.tenant_name)
    assert host_parameter(page) is None

    # The list is taller than the iframe's starting height: the iframe grows to fit it.
    frame = widget_frame(page)
    list_height = expect_iframe_fits_content(page, frame)
    assert list_height > INITIAL_MIN_HEIGHT

    # Open an offer: it loads in the frame, the host URL keeps it, the iframe follows its height.
    link = first_offer_link(widget)
    offer_title = link.inner_text().strip()
    job_id = offer_id(link.get_attribute("href"))
    link.click()
    expect(widget.get_by_role("heading", level=1)).to_have_text(offer_title)
    page.wait_for_url(lambda url: (host_parameter(page) or "").startswith(f"/t/{site.tenant}/jobs/{job_id}"))
    expect_iframe_fits_content(page, widget_frame(page))
    expect(page.locator(IFRAME)).to_be_in_viewport()

    # Back: the list is in the frame again, and the host URL no longer names the offer.
    page.go_back()
    expect(widget.get_by_role("heading", level=1)).to_have_text("Offres d'emploi")
    expect(first_offer_link(widget)).to_have_text(offer_title)
    offer_path = f"/t/{site.tenant}/jobs/{job_id}"
    page.wait_for_url(lambda url: not (host_parameter(page) or "").startswith(offer_path))
    expect_iframe_fits_content(page, widget_frame(page))


def test_a_shared_host_url_reopens_the_same_offer(page, site):
    page.goto(site.widget_url("jobs"))
    link = page.locator(".offer-card-title a").first
    offer_title = link.inner_text().strip()
    path = f"/t/{site.tenant}/jobs/{offer_id(link.get_attribute('href'))}"

    page.goto(site.host_url("jobtab=" + quote(path, safe="")))
    widget = page.frame_locator(IFRAME)
    expect(widget.get_by_role("heading", level=1)).to_have_text(offer_title)
    expect(tab_links(widget).first).to_have_attribute("aria-current", "page")
    assert host_parameter(page) == path
    expect_iframe_fits_content(page, widget_frame(page))


@pytest.mark.parametrize(
    "requested",
    ["//evil.example/x", "https://evil.example/t/auvergne-rhone-alpes/jobs", "/t/hauts-de-france/jobs",
     "/t/auvergne-rhone-alpes/../../healthz", "/t/auvergne-rhone-alpes/%2e%2e/%2E%2E/",
     "/t/auvergne-rhone-alpes//evil.example/jobs"],
)
def test_a_foreign_deep_link_is_ignored(page, site, requested):
    page.goto(site.host_url("jobtab=" + quote(requested, safe="")))
    widget = page.frame_locator(IFRAME)
    expect(widget.get_by_role("heading", level=1)).to_have_text("Offres d'emploi")
    expect(widget.locator(".widget-institution")).to_have_text(site.tenant_name)
    assert page.locator(IFRAME).get_attribute("src") == site.widget_url("jobs")
    assert widget_frame(page).url == site.widget_url("jobs")


def test_trainings_tab_shows_a_training_and_its_sessions(page, site):
    page.goto(site.host_url())
    widget = page.frame_locator(IFRAME)
    tab_links(widget).nth(1).click()
    expect(widget.get_by_role("heading", level=1)).to_have_text("Offres de formation")
    expect(tab_links(widget).nth(1)).to_have_attribute("aria-current", "page")
    expect(tab_links(widget).first).not_to_have_attribute("aria-current", "page")
    page.wait_for_url(lambda url: host_parameter(page) == f"/t/{site.tenant}/trainings")

    # A training with a coming session says so on its card ("Début : …").
    card = widget.locator(".offer-card").filter(has_text="Début :").first
    link = card.locator(".offer-card-title a")
    training_title = link.inner_text().strip()
    link.click()
    expect(widget.get_by_role("heading", level=1)).to_have_text(training_title)
    sessions = widget.get_by_role("table", name=re.compile("Sessions"))
    expect(sessions.get_by_role("columnheader")).to_have_text(["Dates", "Lieu", "Modalité", "Inscriptions"])
    expect(sessions.locator("tbody tr").first).to_contain_text("du ")
    expect_iframe_fits_content(page, widget_frame(page))


def test_post_tab_inside_the_frame(page, site):
    page.goto(site.host_url())
    widget = page.frame_locator(IFRAME)
    tab_links(widget).nth(2).click()
    expect(widget.get_by_role("heading", level=1)).to_have_text("Déposer une offre")
    expect(tab_links(widget).nth(2)).to_have_attribute("aria-current", "page")
    page.wait_for_url(lambda url: host_parameter(page) == f"/t/{site.tenant}/post")
    expect_iframe_fits_content(page, widget_frame(page))


def test_a_missing_offer_shows_the_error_page_in_the_frame(page, site):
    page.goto(site.host_url("jobtab=" + quote(f"/t/{site.tenant}/jobs/999999999", safe="")))
    widget = page.frame_locator(IFRAME)
    expect(widget.get_by_role("heading", level=1)).to_have_text("Page introuvable")
    expect_iframe_fits_content(page, widget_frame(page))  # shorter than the starting height
    widget.get_by_role("link", name="Retour aux offres").click()
    expect(widget.get_by_role("heading", level=1)).to_have_text("Offres d'emploi")
    page.wait_for_url(lambda url: host_parameter(page) is None)
    expect_iframe_fits_content(page, widget_frame(page))


# --- Framing: only the tenant's host sites, and only the widget routes ----------------------

def test_a_site_that_is_not_allowed_gets_no_widget(page, site, other_site):
    url = other_site.serve("/iframe", f'<iframe src="{site.widget_url("jobs")}" title="Offres"></iframe>')
    with page.expect_response(site.widget_url("jobs")) as widget_response:
        page.goto(url)
    response = widget_response.value
    assert response.status == 200  # the server answered, the browser refused to show it
    policy = response.headers["content-security-policy"]
    assert f"frame-ancestors {site.host}" in policy and other_site.origin not in policy
    assert "x-frame-options" not in response.headers
    assert_frame_blocked(page, site)


def test_the_embed_script_on_a_site_that_is_not_allowed_shows_no_widget(page, site, other_site):
    url = other_site.serve("/script", f'<main><h1>Autre site</h1><script src="{site.widget}/widget/embed.js" '
                                      f'data-tenant="{site.tenant}"></script></main>')
    page.goto(url)
    expect(page.locator(IFRAME)).to_have_count(1)
    assert_frame_blocked(page, site)


def test_only_widget_routes_may_be_framed(page, site, allowed_site):
    """On an allowed host site, the tabs show in a frame; the site's own pages do not."""
    url = allowed_site.serve(
        "/cadres",
        f'<iframe id="tab" src="{site.widget_url("jobs")}" title="Offres"></iframe>'
        f'<iframe id="index" src="{site.widget}/" title="Accueil"></iframe>'
        f'<iframe id="asset" src="{site.widget}/healthz" title="Etat"></iframe>',
    )
    with page.expect_response(f"{site.widget}/") as index_response:
        page.goto(url)
    assert index_response.value.status == 200
    assert index_response.value.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in index_response.value.headers["content-security-policy"]
    expect(page.frame_locator("#tab").get_by_role("heading", level=1)).to_have_text("Offres d'emploi")
    for blocked in ("#index", "#asset"):
        frame = page.locator(blocked).element_handle().content_frame()
        assert not frame.url.startswith(site.widget), f"{blocked} was shown in a frame"
        content = frame.content()
        assert "<h1>Jobtab</h1>" not in content and '{"status"' not in content


def assert_frame_blocked(page, site):
    frames = [frame for frame in page.frames if frame is not page.main_frame]
    assert len(frames) == 1
    frame = frames[0]
    # Chromium shows its own error page in place of the refused document.
    assert not frame.url.startswith(site.widget), frame.url
    content = frame.content()
    assert "Offres d'emploi" not in content and site.tenant_name not in content


# --- postMessage: each side checks who speaks ---------------------------------------------

RECORD_MESSAGES = """() => {
    window.__seen = [];
    window.addEventListener("message", (event) => {
        window.__seen.push({origin: event.origin, data: event.data});
    });
}"""


SEEN_FROM = """([origin, height]) => window.__seen.some(
    (m) => m.origin === origin && m.data && m.data.height === height)"""


def test_the_host_ignores_resize_messages_not_from_the_widget(page, site, other_site):
    spy_url = other_site.serve("/pub", "<p>Publicité</p>")
    page.goto(site.host_url())
    frame = widget_frame(page)
    height = expect_iframe_fits_content(page, frame)
    page.evaluate(RECORD_MESSAGES)  # registered after embed.js's listener: runs after it
    forged = {"type": "jobtab:page", "height": 5000, "path": f"/t/{site.tenant}/jobs/1", "title": "x"}

    # From the host page itself: the right shape, but not the widget's origin nor its window.
    page.evaluate("(message) => window.postMessage(message, '*')", forged)
    page.wait_for_function(SEEN_FROM, arg=[site.host, 5000])
    # From another site's frame on the host page (an advertisement, say).
    page.evaluate(
        """(url) => {
            const spy = document.createElement("iframe");
            spy.title = "Publicité";
            spy.src = url;
            document.body.append(spy);
        }""",
        spy_url,
    )
    expect(page.frame_locator("iframe[title=Publicité]").locator("p")).to_have_text("Publicité")
    spy_frame = page.locator("iframe[title=Publicité]").element_handle().content_frame()
    spy_frame.evaluate("(message) => window.parent.postMessage(message, '*')", forged)
    page.wait_for_function(SEEN_FROM, arg=[other_site.origin, 5000])

    assert abs(page.locator(IFRAME).bounding_box()["height"] - height) <= 3
    assert host_parameter(page) is None
    expect_iframe_fits_content(page, frame)


@pytest.mark.parametrize("host, answers", [("other_site", False), ("allowed_site", True)])
def test_the_widget_answers_only_an_allowed_host(request, page, site, host, answers):
    """Even where frame-ancestors is not enforced, the widget talks only to an allowed host."""
    host_site = request.getfixturevalue(host)

    # The CSP header removed on the way, as by an old browser or a careless proxy.
    def without_csp(route):
        response = route.fetch()
        headers = {k: v for k, v in response.headers.items() if k.lower() != "content-security-policy"}
        route.fulfill(response=response, headers=headers)

    page.route(f"{site.widget}/t/**", without_csp)
    url = host_site.serve("/hello", f'<iframe src="{site.widget_url("jobs")}" title="Offres"></iframe>')
    page.goto(url)
    page.evaluate(RECORD_MESSAGES)
    expect(page.frame_locator("iframe").get_by_role("heading", level=1)).to_have_text("Offres d'emploi")
    frame = page.locator("iframe").element_handle().content_frame()
    # A probe in the frame echoes each hello after frame.js saw it; any answer of frame.js
    # to the same hello is posted before the echo, and messages between two windows keep
    # their order.
    frame.evaluate("""() => window.addEventListener("message", (event) => {
        if (event.data && event.data.type === "jobtab:hello") {
            window.parent.postMessage({type: "probe:echo"}, "*");
        }
    })""")
    page.evaluate("() => document.querySelector('iframe').contentWindow"
                  ".postMessage({type: 'jobtab:hello'}, '*')")
    page.wait_for_function("() => window.__seen.some((m) => m.data && m.data.type === 'probe:echo')")
    types = page.evaluate("() => window.__seen.map((m) => m.data && m.data.type)")
    assert types[-1] == "probe:echo"
    assert ("jobtab:page" in types) is answers, types


# --- Without the iframe, and without JavaScript ---------------------------------------------

@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_the_tabs_work_as_full_pages(new_context, site, javascript):
    page = new_context(java_script_enabled=javascript).new_page()
    page.goto(site.widget_url("jobs"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Offres d'emploi")
    expect(tab_links(page)).to_have_text(TABS)
    expect(tab_links(page).first).to_have_attribute("aria-current", "page")

    # Pagination is a plain link.
    first_page_titles = page.locator(".offer-card-title a").all_inner_texts()
    page.get_by_role("navigation", name="Pagination").get_by_role("link", name="Page suivante").click()
    expect(page.locator(".result-count")).to_contain_text("page 2 sur")
    expect(page).to_have_url(re.compile(r"[?&]page=2"))
    assert page.locator(".offer-card-title a").all_inner_texts() != first_page_titles

    # An offer, and back to the same results.
    link = page.locator(".offer-card-title a").first
    offer_title = link.inner_text().strip()
    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(offer_title)
    page.get_by_role("link", name="Retour aux résultats").click()
    expect(page.locator(".result-count")).to_contain_text("page 2 sur")

    # Keyword search: type, press Enter.
    word = max(re.findall(r"\w{4,}", offer_title), key=len)
    page.get_by_label(re.compile("Métier, entreprise ou mot-clé")).fill(word)
    page.get_by_label(re.compile("Métier, entreprise ou mot-clé")).press("Enter")
    expect(page).to_have_url(re.compile(r"[?&]q="))
    expect(page.locator(".result-count")).to_contain_text(f"« {word} »")
    expect(page.locator(".offer-card-title a").filter(has_text=offer_title).first).to_be_visible()

    # The other tabs.
    tab_links(page).nth(1).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Offres de formation")
    tab_links(page).nth(2).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Déposer une offre")


# --- Keyboard only --------------------------------------------------------------------------

# What has the focus inside the frame, if the frame has it: a tab, an offer link or other.
FOCUSED = """() => {
    const element = document.hasFocus() && document.activeElement;
    if (!element || element === document.body) return null;
    const kind = element.closest(".tabs") ? "tab" : element.closest(".offer-card-title") ? "offer" : "other";
    return {kind: kind, text: element.textContent.trim()};
}"""


def test_keyboard_only_from_the_host_page_to_an_offer(page, site):
    page.goto(site.host_url())
    frame = widget_frame(page)
    expect(page.frame_locator(IFRAME).locator(".offer-card").first).to_be_visible()
    visited = []
    for _ in range(40):
        page.keyboard.press("Tab")
        focused = frame.evaluate(FOCUSED)
        if focused:
            visited.append((focused["kind"], focused["text"]))
            if focused["kind"] == "offer":
                break
    else:
        pytest.fail(f"Tab never reached an offer inside the widget; focused in the frame: {visited}")
    tabs_reached = [text for kind, text in visited if kind == "tab"]
    assert tabs_reached == TABS, visited
    offer_title = visited[-1][1]
    page.keyboard.press("Enter")
    widget = page.frame_locator(IFRAME)
    expect(widget.get_by_role("heading", level=1)).to_have_text(offer_title)
    page.wait_for_url(lambda url: (host_parameter(page) or "").startswith(f"/t/{site.tenant}/jobs/"))

    # And out again: Tab is no trap, focus leaves the widget for the host page.
    frame = widget_frame(page)
    for _ in range(200):
        page.keyboard.press("Tab")
        if not frame.evaluate("document.hasFocus()"):
            break
    else:
        pytest.fail("Tab never left the widget")
