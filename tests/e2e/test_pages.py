"""End to end in Chromium: a dose check, a combination, the emergency guidance, the timeline,
logging an ingestion and seeing its warning, source tooltips and keyboard use."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect


def test_dose_check_shows_emergency_block_first(page: Any, base_url: str) -> None:
    page.goto(base_url + "/")
    page.get_by_label("Substance", exact=True).fill("baclofen")
    page.get_by_label("Dose", exact=True).fill("60mg")
    page.get_by_label("What else have you taken").fill("alcohol")
    page.get_by_label("Earlier doses of this substance today").fill("40mg 3h ago")
    page.get_by_role("button", name="Check this dose").click()
    result = page.locator("#result")
    expect(result).to_be_visible()
    first = result.locator(":scope > *").first
    expect(first).to_have_class(re.compile(r"\bemergency\b"))
    expect(first).to_contain_text("be ready to call for help")
    expect(page.locator(".verdict")).to_contain_text("Danger")
    expect(page.locator(".findings")).to_contain_text("Baclofen with Alcohol")
    # The form keeps what was typed, so the check can be adjusted.
    expect(page.get_by_label("Dose", exact=True)).to_have_value("60mg")


def test_dose_check_bad_unit_explains(page: Any, base_url: str) -> None:
    page.goto(base_url + "/")
    page.get_by_label("Substance", exact=True).fill("baclofen")
    page.get_by_label("Dose", exact=True).fill("50mg")
    page.get_by_label("Route").select_option("intrathecal")
    page.get_by_role("button", name="Check this dose").click()
    expect(page.get_by_role("alert")).to_contain_text("MICROGRAMS")


def test_combination_matrix(page: Any, base_url: str) -> None:
    page.goto(base_url + "/combo")
    page.get_by_label("Two or more substances").fill("baclofen, alcohol, caffeine")
    page.get_by_role("button", name="Check").click()
    matrix = page.locator("table.matrix")
    expect(matrix).to_be_visible()
    row = matrix.locator("tr", has=page.get_by_role("rowheader", name="Baclofen"))
    expect(row).to_contain_text("Dangerous")
    expect(row).to_contain_text("Unknown")
    expect(page.locator(".em-banner")).to_contain_text("dangerous")


def test_emergency_one_click_from_every_page(page: Any, base_url: str) -> None:
    for path in ("/", "/substances/baclofen", "/combo", "/claims", "/timeline", "/journal"):
        page.goto(base_url + path)
        page.get_by_role("link", name="Emergency: what to do").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("taken too much")
        expect(page.locator("main")).to_contain_text("recovery position")


def test_timeline_chart(page: Any, base_url: str) -> None:
    page.goto(base_url + "/timeline")
    page.get_by_label("Dose or regimen").fill("20mg tid for 2d")
    page.get_by_role("button", name="Show the timeline").click()
    expect(page.locator("#chart[data-ready='1'] canvas")).to_be_visible()
    expect(page.locator(".u-legend")).to_contain_text("Median")
    expect(page.locator("#result")).to_contain_text("Peak level")


def test_log_an_ingestion_and_see_its_warning(page: Any, base_url: str) -> None:
    page.goto(base_url + "/journal")
    page.get_by_label("Substance", exact=True).fill("baclofen")
    page.get_by_label("Dose", exact=True).fill("40mg")
    page.get_by_label("When").fill("1h ago")
    page.get_by_role("button", name="Log it").click()
    expect(page.locator("#result")).to_contain_text("Logged Baclofen 40 mg")
    # The one-tap suggestion logs the same dose again, and it is assessed like any other.
    page.get_by_label("Substance", exact=True).fill("alcohol")
    page.get_by_label("Dose", exact=True).fill("3 drinks")
    page.get_by_role("button", name="Log it").click()
    expect(page.locator(".emergency").first).to_contain_text("Danger")
    expect(page.locator("#result")).to_contain_text("Alcohol with Baclofen")
    quick = page.locator("button.quick-log", has_text="Baclofen 40 mg")
    expect(quick).to_be_visible()
    quick.click()
    expect(page.locator("#result")).to_contain_text("Logged Baclofen 40 mg")
    expect(page.locator("#status-title")).to_be_visible()
    expect(page.locator(".history-chart canvas").first).to_be_visible()


def test_source_tooltip_on_tap_and_focus(page: Any, base_url: str) -> None:
    page.goto(base_url + "/substances/baclofen")
    cite = page.locator("a.cite").first
    cite.click()
    expect(cite).to_have_class(re.compile(r"\bopen\b"))
    tip = cite.get_attribute("data-tip")
    assert tip
    assert len(tip) > 10
    page.keyboard.press("Escape")
    expect(cite).not_to_have_class(re.compile(r"\bopen\b"))


def test_keyboard_skip_link_and_form(page: Any, base_url: str) -> None:
    page.goto(base_url + "/")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Skip to content")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_attribute("id", "substance")


def test_phone_width_has_no_horizontal_scroll(browser: Any, base_url: str) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    pages = ["/", "/combo?substances=baclofen,+alcohol,+pregabalin", "/journal", "/claims"]
    pages += ["/substances/baclofen", "/emergency", "/taper?regimen=20mg+tid", "/timeline"]
    for path in pages:
        page.goto(base_url + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, (path, width)
    context.close()
