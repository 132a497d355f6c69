"""Screenshots of the main pages for the README and docs/web.md (``docs/img/``).

Opt-in, so that test runs never rewrite committed files::

    DOSEWISE_SCREENSHOTS=1 .venv/bin/pytest tests/e2e/test_screenshots.py
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

OUT = Path(__file__).resolve().parents[2] / "docs" / "img"

pytestmark = pytest.mark.skipif(
    os.environ.get("DOSEWISE_SCREENSHOTS") != "1",
    reason="set DOSEWISE_SCREENSHOTS=1 to rewrite docs/img",
)


def shot(page: Any, name: str, height: int = 1100) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": page.viewport_size["width"], "height": height})
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(OUT / name))


def test_screenshots(page: Any, base_url: str, browser: Any) -> None:
    page.goto(base_url + "/")
    page.get_by_label("Substance", exact=True).fill("baclofen")
    page.get_by_label("Dose", exact=True).fill("60mg")
    page.get_by_label("What else have you taken").fill("alcohol")
    page.get_by_label("Earlier doses of this substance today").fill("40mg 3h ago")
    page.get_by_role("button", name="Check this dose").click()
    page.locator("#result").wait_for()
    page.evaluate("document.activeElement.blur()")
    shot(page, "check.png", 1500)

    page.goto(base_url + "/substances/baclofen#dosing")
    page.locator("#dosing").scroll_into_view_if_needed()
    page.locator("#dosing a.cite").first.hover()
    page.screenshot(path=str(OUT / "substance.png"))

    page.goto(base_url + "/combo?substances=baclofen,+alcohol,+pregabalin,+caffeine,+nicotine")
    shot(page, "combo.png", 1000)

    page.goto(base_url + "/timeline?substance=baclofen&regimen=20mg+tid+for+2d")
    page.locator("#chart[data-ready='1']").wait_for()
    page.locator("#chart").scroll_into_view_if_needed()
    page.screenshot(path=str(OUT / "timeline.png"))

    for substance, dose, at in (
        ("baclofen", "20mg", "30 h ago"),
        ("baclofen", "20mg", "26 h ago"),
        ("baclofen", "20mg", "8h ago"),
        ("baclofen", "20mg", "2h ago"),
        ("alcohol", "2 drinks", "1h ago"),
    ):
        page.goto(base_url + "/journal")
        page.get_by_label("Substance", exact=True).fill(substance)
        page.get_by_label("Dose", exact=True).fill(dose)
        page.get_by_label("When").fill(at)
        page.get_by_role("button", name="Log it").click()
        page.locator("#result").wait_for()
    page.goto(base_url + "/journal")
    shot(page, "journal.png", 2000)

    page.goto(base_url + "/taper?regimen=20mg+tid&since=18+months")
    shot(page, "taper.png", 1100)

    phone = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    mobile = phone.new_page()
    mobile.goto(base_url + "/")
    mobile.get_by_label("Substance", exact=True).fill("baclofen")
    mobile.get_by_label("Dose", exact=True).fill("250mg")
    mobile.get_by_role("button", name="Check this dose").click()
    mobile.locator("#result").wait_for()
    mobile.evaluate("window.scrollTo(0, 0)")
    mobile.screenshot(path=str(OUT / "phone-check.png"))
    phone.close()
