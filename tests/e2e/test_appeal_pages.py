"""The appeal flow in a browser, with axe on every page (SPEC §11.3): Sam appeals his
released H1 review from the outcome letter, Hana finds it in her queue and upholds it with
a note citing the rubric, and Sam reads the resolution on his review page. Also checked at
390 px: no sideways scroll."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.e2e.test_rubric_pages import serious, sign_in

pytestmark = pytest.mark.e2e

NOTE = "The review's evidence shows the execution expected at this level; the rating stands."


def no_sideways_scroll(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_an_appeal_from_the_letter_to_its_resolution(page: Page, demo_server: str):
    axe = Axe()
    sign_in(page, demo_server, "sam")
    page.get_by_role("link", name="Your H1 2026 outcome").click()
    expect(page.get_by_role("heading", name="Appeal")).to_be_visible()
    page.get_by_role("link", name="Appeal this review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Appeal your review")
    assert serious(axe.run(page)) == []
    page.get_by_label("Why are you appealing?").fill("The on-call work is missing from it.")
    page.get_by_role("button", name="Send the appeal").click()
    expect(page.locator("main")).to_contain_text("The on-call work is missing from it.")
    assert serious(axe.run(page)) == []

    page.context.clear_cookies()
    sign_in(page, demo_server, "hana")
    page.goto(f"{demo_server}/appeals/")
    expect(page.get_by_role("heading", name="Open", exact=False).first).to_be_visible()
    assert serious(axe.run(page)) == []
    page.set_viewport_size({"width": 390, "height": 844})
    assert no_sideways_scroll(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("link", name="Sam", exact=False).first.click()
    expect(page.get_by_role("button", name="Resolve the appeal")).to_be_visible()
    assert serious(axe.run(page)) == []
    page.get_by_label("Upheld: the final rating stands").check()
    page.get_by_label("Note").fill(NOTE)
    page.locator("input[name='rubric_refs']").first.check()
    page.get_by_role("button", name="Resolve the appeal").click()
    expect(page.locator("main")).to_contain_text("The resolution is final")
    assert serious(axe.run(page)) == []
    page.set_viewport_size({"width": 390, "height": 844})
    assert no_sideways_scroll(page)
    page.set_viewport_size({"width": 1280, "height": 900})

    page.context.clear_cookies()
    sign_in(page, demo_server, "sam")
    page.get_by_role("link", name="Your H1 2026 outcome").click()
    page.get_by_role("link", name="Read the full review").click()
    expect(page.locator("main")).to_contain_text("HR upheld the rating on appeal")
    expect(page.locator("main")).to_contain_text(NOTE)
    assert serious(axe.run(page)) == []
