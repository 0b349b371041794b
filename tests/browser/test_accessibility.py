"""axe-core (WCAG 2.0 and 2.1 A and AA rules, 2.2 AA) and reflow at 320 px, on every kind of widget page,
as a full page and inside the iframe of the demo host page.
"""
import re
from urllib.parse import quote

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.helpers import IFRAME, describe_violations, run_axe, widget_frame

pytestmark = pytest.mark.browser

PAGES = ["jobs", "trainings", "post", "job", "training", "not-found"]
WIDTHS = [1280, 320]
HEIGHT = 720


@pytest.fixture(scope="session")
def page_paths(site):
    """Widget path of each kind of page, an offer of each kind picked from the lists."""
    http = requests.Session()
    http.trust_env = False

    def first_offer(tab: str, must_contain: str = "") -> str:
        html = http.get(site.widget_url(tab), timeout=10).text
        for card in html.split('<li class="offer-card">')[1:]:
            if must_contain in card:
                return re.search(r'href="([^"?]+)', card).group(1)
        pytest.fail(f"no offer in /{tab} whose card contains {must_contain!r}")

    prefix = f"/t/{site.tenant}"
    paths = {
        "jobs": f"{prefix}/jobs",
        "trainings": f"{prefix}/trainings",
        "post": f"{prefix}/post",
        "job": first_offer("jobs"),
        "training": first_offer("trainings", must_contain="Début :"),  # one with sessions
        "not-found": f"{prefix}/jobs/999999999",
    }
    http.close()
    return paths


def no_horizontal_scroll(frame) -> tuple[int, int]:
    return frame.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")


@pytest.mark.parametrize("width", WIDTHS, ids=lambda width: f"{width}px")
@pytest.mark.parametrize("name", PAGES)
def test_full_page(new_context, site, page_paths, name, width):
    page = new_context(viewport={"width": width, "height": HEIGHT}).new_page()
    response = page.goto(site.widget + page_paths[name])
    assert response.status == (404 if name == "not-found" else 200)
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    violations = run_axe(page.main_frame)
    assert not violations, describe_violations(f"{page_paths[name]} at {width}px", violations)
    scroll_width, client_width = no_horizontal_scroll(page.main_frame)
    assert scroll_width <= width, f"{page_paths[name]} scrolls sideways at {width}px ({scroll_width}px wide)"


@pytest.mark.parametrize("width", WIDTHS, ids=lambda width: f"{width}px")
@pytest.mark.parametrize("name", PAGES)
def test_inside_the_host_page(new_context, site, page_paths, name, width):
    page = new_context(viewport={"width": width, "height": HEIGHT}).new_page()
    path = page_paths[name]
    page.goto(site.host_url("" if name == "jobs" else "jobtab=" + quote(path, safe="")))
    expect(page.frame_locator(IFRAME).get_by_role("heading", level=1)).to_be_visible()
    frame = widget_frame(page)
    assert frame.url == site.widget + path

    violations = run_axe(frame)
    assert not violations, describe_violations(f"{path} in the host page at {width}px", violations)
    scroll_width, client_width = no_horizontal_scroll(frame)
    assert scroll_width <= client_width, (
        f"{path} scrolls sideways in its iframe ({scroll_width}px in {client_width}px)"
    )
    scroll_width, _ = no_horizontal_scroll(page.main_frame)
    assert scroll_width <= width, f"the host page scrolls sideways at {width}px ({scroll_width}px wide)"


@pytest.mark.parametrize("width", WIDTHS, ids=lambda width: f"{width}px")
def test_the_host_page_itself(new_context, site, width):
    """The page an institution builds around the iframe: the frame's title above all."""
    page = new_context(viewport={"width": width, "height": HEIGHT}).new_page()
    page.goto(site.host_url())
    expect(page.frame_locator(IFRAME).get_by_role("heading", level=1)).to_be_visible()
    violations = run_axe(page.main_frame, iframes=False)
    assert not violations, describe_violations(f"the demo host page at {width}px", violations)


@pytest.mark.parametrize("width", WIDTHS, ids=lambda width: f"{width}px")
@pytest.mark.parametrize("where", ["site index", "links-only host page"])
def test_other_pages(new_context, site, where, width):
    """The site's index (never framed), and the host page of a site that cannot frame."""
    page = new_context(viewport={"width": width, "height": HEIGHT}).new_page()
    url = site.widget + "/" if where == "site index" else f"{site.host}/{site.tenant}/liens"
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    violations = run_axe(page.main_frame)
    assert not violations, describe_violations(f"the {where} at {width}px", violations)
    scroll_width, _ = no_horizontal_scroll(page.main_frame)
    assert scroll_width <= width, f"the {where} scrolls sideways at {width}px ({scroll_width}px wide)"
