"""The self-assessment editor in a real browser, with axe (SPEC §11.1)."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.e2e.test_rubric_pages import serious, sign_in

pytestmark = pytest.mark.e2e

# One of the two engineers whose H2 2026 self-assessment the demo leaves as a draft
# (demo/self_assessments.py DRAFTS; the demo org is generated from fixed seeds).
DRAFT_OWNER = "dgoldberg"


def test_engineer_writes_their_self_assessment_with_live_checks(page: Page, demo_server: str):
    csp_errors: list[str] = []
    page.on(
        "console",
        lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None,
    )
    axe = Axe()
    sign_in(page, demo_server, DRAFT_OWNER)
    page.goto(f"{demo_server}/self-assessments/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Self-assessments")
    assert serious(axe.run(page)) == []
    page.get_by_role("link", name="H2 2026").click()
    expect(page.locator("#lint-panel")).to_be_visible()
    expect(page.locator("main")).to_contain_text("(the next level)")
    assert serious(axe.run(page)) == []
    # Typing a vague judgement updates the checks without a page load (htmx).
    page.locator("textarea[name='impact']").fill("I guess I was not strategic enough.")
    expect(page.locator("#lint-panel")).to_contain_text("not strategic", timeout=10_000)
    assert serious(axe.run(page)) == []
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator("main")).to_contain_text("Saved. Your draft is now at version")
    # No sideways scroll on a phone.
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert csp_errors == []


def test_manager_reads_the_self_assessment_beside_their_review(page: Page, demo_server: str):
    axe = Axe()
    sign_in(page, demo_server, "priya")
    page.goto(f"{demo_server}/reviews/")
    page.get_by_role("link", name="Continue writing the review of Sam Okafor").click()
    expect(page.locator("main")).to_contain_text("submitted a self-assessment")
    page.locator("details.self-aside summary").first.click()
    assert serious(axe.run(page)) == []
