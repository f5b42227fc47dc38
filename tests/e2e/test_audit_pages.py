from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.e2e.test_rubric_pages import serious, sign_in

pytestmark = pytest.mark.e2e


def test_hr_reads_the_fairness_audit_compares_cycles_and_asks_for_the_pdf(
    page: Page, demo_server: str
):
    csp_errors: list[str] = []
    page.on(
        "console",
        lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None,
    )
    axe = Axe()

    sign_in(page, demo_server, "hana")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Fairness audit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Fairness audit")
    page.get_by_role("link", name="H1 2026", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Fairness audit: H1 2026")
    expect(page.get_by_role("heading", name="Summary of findings")).to_be_visible()
    level_section = page.get_by_role("link", name="Open the section “Level”").get_attribute("href")
    assert level_section
    # Sections arrive as they scroll into view (htmx), each keeping its heading.
    page.locator("#dim-team").scroll_into_view_if_needed()
    expect(page.get_by_role("img", name="High rating rate by team")).to_be_visible()
    page.locator("#comparison-heading").scroll_into_view_if_needed()
    expect(page.locator("#comparison-heading")).to_have_text("Comparison with the previous cycle")
    placeholder = "Open the section “Comparison with the previous cycle”"
    expect(page.get_by_role("link", name=placeholder)).to_have_count(0)
    assert serious(axe.run(page)) == []

    # Without scrolling, a section still has its own address.
    page.goto(demo_server + level_section)
    expect(page.get_by_role("heading", level=1)).to_have_text("Fairness audit: H1 2026")
    expect(page.get_by_role("img", name="High rating rate by level")).to_be_visible()
    assert serious(axe.run(page)) == []
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="H1 2026").click()

    page.get_by_role("link", name="Compare cycles").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Outcome rates across cycles")
    page.get_by_label("Compare groups by").select_option("gender")
    page.get_by_role("button", name="Compare").click()
    expect(page.get_by_role("heading", name="High rating rate by gender")).to_be_visible()
    assert serious(axe.run(page)) == []

    page.go_back()
    page.go_back()
    page.get_by_role("link", name="Build the report as PDF").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Fairness audit as PDF: H1 2026")
    expect(page.get_by_role("status")).to_contain_text("Queued")
    assert serious(axe.run(page)) == []
    assert csp_errors == []
