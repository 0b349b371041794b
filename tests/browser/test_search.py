"""Search inside the embedded iframe, keyboard only, autocompletes included; axe on the results.

The autocompletes follow the ARIA combobox pattern: the test reads the roles and states a
screen reader reads (aria-expanded, aria-activedescendant, aria-selected), and picks with the
arrow keys and Enter only.
"""
import pytest
from playwright.sync_api import expect

from tests.browser.helpers import IFRAME, describe_violations, run_axe, widget_frame

pytestmark = pytest.mark.browser

FOCUSED_ID = "() => document.hasFocus() && document.activeElement ? document.activeElement.id : null"


def tab_to(page, frame, element_id: str, presses: int = 40) -> None:
    for _ in range(presses):
        page.keyboard.press("Tab")
        if frame.evaluate(FOCUSED_ID) == element_id:
            return
    pytest.fail(f"Tab never reached #{element_id} inside the widget")


def pick_first_suggestion(page, widget, field_id: str, typed: str) -> str:
    """Type, wait for the listbox, ArrowDown to the first option, Enter; the option's text."""
    field = widget.locator(f"#{field_id}")
    page.keyboard.type(typed, delay=30)
    expect(field).to_have_attribute("aria-expanded", "true")
    listbox = widget.locator(f"#{field_id}-suggestions")
    expect(listbox.get_by_role("option").first).to_be_visible()
    page.keyboard.press("ArrowDown")
    first = listbox.get_by_role("option").first
    expect(first).to_have_attribute("aria-selected", "true")
    expect(field).to_have_attribute("aria-activedescendant", first.get_attribute("id"))
    text = first.text_content()
    page.keyboard.press("Enter")
    expect(field).to_have_attribute("aria-expanded", "false")
    return text


def test_search_by_keyboard_with_both_autocompletes_inside_the_iframe(page, site):
    page.goto(site.host_url())
    frame = widget_frame(page)
    widget = page.frame_locator(IFRAME)
    expect(widget.get_by_role("combobox", name="Métier, entreprise ou mot-clé")).to_be_visible()

    tab_to(page, frame, "q")
    occupation = pick_first_suggestion(page, widget, "q", "aide soi")
    assert occupation.lower().startswith("aide-soignant")
    expect(widget.locator("#q")).to_have_value(occupation)
    expect(widget.locator("#occupation")).to_have_value("J1501")

    tab_to(page, frame, "lieu", presses=3)
    place = pick_first_suggestion(page, widget, "lieu", "Lyo")
    assert place.startswith("Lyon (69)")
    expect(widget.locator("#lieu")).to_have_value("Lyon (69)")
    expect(widget.locator("#commune")).to_have_value("69123")

    page.keyboard.press("Enter")  # the listbox is closed: Enter submits the plain GET form
    page.wait_for_function(
        f"() => document.querySelector('{IFRAME}').contentWindow !== null"
    )
    frame = widget_frame(page)
    expect(widget.locator(".result-count")).to_contain_text("à moins de 30 km de Lyon (69)")
    assert "occupation=J1501" in frame.url and "commune=69123" in frame.url
    expect(widget.locator("#q")).to_have_value(occupation)

    violations = run_axe(frame)
    assert not violations, describe_violations("the results page in the host page", violations)


def test_without_javascript_an_ambiguous_commune_is_asked_with_radio_buttons(new_context, site):
    page = new_context(java_script_enabled=False).new_page()
    page.goto(site.widget_url("jobs?lieu=Saint-Denis"))
    choices = page.get_by_role("group", name="Plusieurs communes s'appellent « Saint-Denis ». Laquelle ?")
    expect(choices).to_be_visible()
    expect(choices.get_by_role("radio")).to_have_count(4)
    choices.get_by_role("radio", name="Saint-Denis – Seine-Saint-Denis (93)").check()
    choices.get_by_role("button", name="Choisir cette commune").click()
    expect(page.locator(".result-count")).to_contain_text("Saint-Denis (93)")
    # No axe here: it runs as JavaScript, which this context refuses (the page with the same
    # fieldset is audited by tests/unit/search/test_form.py's structure checks instead).
