"""What the browser tests do often: find the widget frame, check it fits its content, run axe,
move by keyboard only, read the links the app e-mailed."""
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Error as PlaywrightError, Frame, Page
from sqlalchemy import create_engine, select

from app.mail.models import OutboxMessage

ROOT = Path(__file__).resolve().parents[2]
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]  # 2.2 AA adds target-size
IFRAME = "iframe.jobtab-frame"
HEIGHT_TOLERANCE = 3  # px: rounding between the frame's layout and the host's


def widget_frame(page: Page) -> Frame:
    """The widget's frame inside the host page, once its document has loaded."""
    frame = page.locator(IFRAME).element_handle().content_frame()
    assert frame is not None, "the host page has no widget iframe"
    frame.wait_for_load_state()
    return frame


def host_parameter(page: Page, name: str = "jobtab") -> str | None:
    values = parse_qs(urlsplit(page.url).query).get(name)
    return values[0] if values else None


def content_height(frame: Frame) -> float:
    return frame.evaluate("document.documentElement.getBoundingClientRect().height")


def expect_iframe_fits_content(page: Page, frame: Frame) -> float:
    """The iframe is as tall as the page inside it: no inner scroll bar, no empty band."""
    last = None
    for _ in range(5):  # the content may still be settling (fonts, images): read it again
        height = content_height(frame)
        try:
            page.wait_for_function(
                "([selector, height, tolerance]) => Math.abs("
                "document.querySelector(selector).getBoundingClientRect().height - height) <= tolerance",
                arg=[IFRAME, height, HEIGHT_TOLERANCE],
                timeout=3000,
            )
        except PlaywrightError:
            last = height
            continue
        box = page.locator(IFRAME).bounding_box()
        assert abs(box["height"] - height) <= HEIGHT_TOLERANCE
        inner_scroll = frame.evaluate("document.documentElement.scrollHeight - window.innerHeight")
        assert inner_scroll <= HEIGHT_TOLERANCE, f"the frame scrolls inside by {inner_scroll}px"
        return box["height"]
    box = page.locator(IFRAME).bounding_box()
    raise AssertionError(f"the iframe is {box['height']}px tall, its content {last}px")


def run_axe(frame: Frame, **options) -> list[dict]:
    """axe-core's violations in this frame's document (WCAG 2.0, 2.1 A and AA rules, 2.2 AA)."""
    # Evaluated through the DevTools protocol, so the page's CSP (script-src 'self') allows it.
    if not frame.evaluate("typeof window.axe === 'object'"):
        frame.evaluate(AXE_SCRIPT.read_text(encoding="utf-8"))
    return frame.evaluate(
        """async (options) => {
            const results = await axe.run(document, {
                runOnly: {type: "tag", values: options.tags},
                ...options.extra,
            });
            return results.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
                summary: v.nodes.slice(0, 2).map((n) => n.failureSummary),
            }));
        }""",
        {"tags": AXE_TAGS, "extra": options},
    )


def describe_violations(where: str, violations: list[dict]) -> str:
    lines = [f"axe found {len(violations)} violation(s) on {where}:"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        lines.extend(f"    at {target}" for target in violation["targets"])
        lines.extend(f"    {summary}".replace("\n", "\n    ") for summary in violation["summary"] if summary)
    return "\n".join(lines)


# --- Keyboard-only journeys --------------------------------------------------------------------

FOCUSED_ID = "document.hasFocus() && document.activeElement ? document.activeElement.id : null"


def expect_no_axe_violations(frame: Frame, where: str) -> None:
    violations = run_axe(frame)
    assert violations == [], describe_violations(where, violations)


def tab_to(page: Page, frame: Frame, element_id: str, limit: int = 80) -> None:
    """Press Tab until the element has focus (fails if it never does: not reachable by keyboard)."""
    seen = []
    for _ in range(limit):
        if frame.evaluate(FOCUSED_ID) == element_id:
            return
        page.keyboard.press("Tab")
        seen.append(frame.evaluate(FOCUSED_ID))
    pytest.fail(f"Tab never reached #{element_id}; focus went through {seen}")


def type_into(page: Page, frame: Frame, element_id: str, text: str) -> None:
    tab_to(page, frame, element_id)
    page.keyboard.press("Control+A")
    page.keyboard.type(text)
    page.keyboard.press("Escape")  # close a suggestion list, if one opened


def press_submit(page: Page, frame: Frame) -> None:
    """Tab to the form's submit button inside <main> and press Enter."""
    for _ in range(60):
        if frame.evaluate("document.hasFocus() && document.activeElement && document.activeElement.type === 'submit' "
                          "&& document.activeElement.closest('main') !== null"):
            page.keyboard.press("Enter")
            return
        page.keyboard.press("Tab")
    pytest.fail("no submit button reached by Tab")


def links_in_outbox(database_url: str, recipient: str, pattern: str) -> list[str]:
    """The links matching `pattern` in the e-mails queued for this address, oldest first."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            bodies = connection.scalars(select(OutboxMessage.body).where(OutboxMessage.recipient == recipient)
                                        .order_by(OutboxMessage.id))
            return [url for body in bodies for url in re.findall(pattern, body)]
    finally:
        engine.dispose()
