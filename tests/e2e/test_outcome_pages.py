from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.e2e.test_rubric_pages import serious, sign_in

pytestmark = pytest.mark.e2e


def test_engineer_compares_teams_and_reads_their_teams_scorecard(page: Page, demo_server: str):
    csp_errors: list[str] = []
    page.on(
        "console",
        lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None,
    )
    axe = Axe()

    sign_in(page, demo_server, "sam")
    page.get_by_role("link", name="Team outcomes", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Team outcomes")
    table = page.get_by_role("table")
    expect(table).to_contain_text("Developer Experience")
    expect(table).to_contain_text("Payments Platform")
    assert serious(axe.run(page)) == []

    # Sort by lead time, longest first: the column says so to assistive technology.
    page.get_by_role("link", name="Lead time, days (median)").click()
    page.get_by_role("link", name="Lead time, days (median)").click()
    expect(page.locator("th[aria-sort]")).to_have_attribute("aria-sort", "descending")

    page.get_by_role("link", name="Checkout", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Checkout: team outcomes")
    expect(page.locator("#flag-lead_time_up_incidents_stable")).to_be_visible()
    expect(
        page.get_by_role("img", name="Lead time for changes over the last 12 periods")
    ).to_be_visible()
    expect(
        page.get_by_role("table", name="DORA performance clusters (2023) for each measure")
    ).to_be_visible()
    assert serious(axe.run(page)) == []

    page.get_by_text("Numbers behind the chart").first.click()
    expect(
        page.get_by_role("table", name="Deployment frequency in each of the last 12 periods")
    ).to_be_visible()
    page.get_by_label("Period", exact=True).select_option("quarter")
    page.get_by_role("button", name="Show").click()
    expect(page.locator(".lede")).to_contain_text("compared with the")
    assert serious(axe.run(page)) == []
    assert csp_errors == []
