"""Anonymous upward feedback in a real browser, on the demo data: Sam answers from his
home page; Priya reads the totals about her; Marcus sees the other round's notice. Every
page passes axe (no serious or critical finding) and has no sideways scroll at 390 px
and 1280 px."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.e2e.test_rubric_pages import serious, sign_in

pytestmark = pytest.mark.e2e


def _fits(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def _check(page: Page, axe: Axe) -> None:
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        assert _fits(page), f"sideways scroll at {width}px on {page.url}"
    assert serious(axe.run(page)) == []


def test_a_report_answers_anonymously_from_the_home_page(page: Page, demo_server: str):
    axe = Axe()
    sign_in(page, demo_server, "sam")
    page.get_by_role("link", name="You're asked for anonymous feedback on Priya Raman").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Priya Raman")
    _check(page, axe)
    for group in page.locator("fieldset.field--choices").all():
        group.get_by_label("Often").check()
    page.get_by_role("button", name="Send anonymously").click()
    expect(page.locator("main")).to_contain_text("saved without your name")
    _check(page, axe)


def test_the_manager_reads_totals_and_the_director_a_notice(page: Page, demo_server: str):
    axe = Axe()
    sign_in(page, demo_server, "priya")
    page.goto(f"{demo_server}/upward/")
    _check(page, axe)
    page.locator("main table").get_by_role("link", name="Priya Raman").click()
    expect(page.locator("main")).to_contain_text("anonymous answers")
    _check(page, axe)

    page.context.clear_cookies()
    sign_in(page, demo_server, "marcus")
    page.goto(f"{demo_server}/upward/")
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(2)
    rows.nth(0).get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    _check(page, axe)
    page.goto(f"{demo_server}/upward/new/")
    expect(page.get_by_label("Manager", exact=True)).to_be_visible()
    _check(page, axe)
