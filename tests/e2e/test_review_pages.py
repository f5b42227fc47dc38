from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.e2e.test_rubric_pages import serious, sign_in

pytestmark = pytest.mark.e2e


def test_manager_writes_a_review_with_live_quality_checks(page: Page, demo_server: str):
    csp_errors: list[str] = []
    page.on(
        "console",
        lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None,
    )
    axe = Axe()
    sign_in(page, demo_server, "priya")
    page.goto(f"{demo_server}/reviews/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert serious(axe.run(page)) == []
    page.get_by_role("link", name="Continue writing").first.click()
    expect(page.locator("#lint-panel")).to_be_visible()
    assert serious(axe.run(page)) == []
    # Typing a vague judgement updates the checks without a page load (htmx).
    impact = page.locator("textarea[name='impact']")
    impact.fill("Honestly not strategic, and lacks presence in meetings.")
    expect(page.locator("#lint-panel")).to_contain_text("lacks presence", timeout=10_000)
    assert csp_errors == []


def test_engineer_reads_their_outcome_letter_and_evidence(page: Page, demo_server: str):
    axe = Axe()
    sign_in(page, demo_server, "sam")
    page.get_by_role("link", name="Your H1 2026 outcome").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator("main")).to_contain_text("L5")  # the promotion outcome
    assert serious(axe.run(page)) == []
    page.goto(f"{demo_server}/evidence/")
    assert serious(axe.run(page)) == []
    page.goto(f"{demo_server}/feedback/")
    assert serious(axe.run(page)) == []


def test_committee_member_works_the_calibration_board(page: Page, demo_server: str):
    axe = Axe()
    sign_in(page, demo_server, "marcus")
    page.goto(f"{demo_server}/calibration/")
    page.get_by_role("link", name="Q3 2026 managers").first.click()
    expect(page.locator("main svg")).to_be_visible()
    assert serious(axe.run(page)) == []
    page.locator("main table a[href*='/calibration/cases/']").first.click()
    expect(page.locator("main")).to_contain_text("What did the person own?")
    assert serious(axe.run(page)) == []
