"""Where I stand in a real browser (SPEC §11.2): Sam's page against the demo, with axe,
at phone and desktop widths, and his manager opening it from his evidence library."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.e2e.test_rubric_pages import serious, sign_in

pytestmark = pytest.mark.e2e


def _fits(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_sam_reads_where_he_stands_at_phone_and_desktop_widths(page: Page, demo_server: str):
    axe = Axe()
    sign_in(page, demo_server, "sam")
    page.goto(f"{demo_server}/evidence/")
    page.locator("main").get_by_role("link", name="Where I stand").click()
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.reload()
        expect(page.get_by_role("heading", level=1)).to_have_text("Where I stand")
        main = page.locator("main")
        expect(
            main.get_by_role("heading", name="Competencies with no evidence yet")
        ).to_be_visible()
        expect(main.get_by_role("heading", name="Technical execution")).to_be_visible()
        expect(main).to_contain_text("Toward L5")
        # The demo leaves Sam competencies with nothing yet toward L5 (demo/growth.py).
        expect(main.locator(".growth-gap").first).to_contain_text("No evidence yet toward L5")
        expect(main.locator(".growth-evidence li").first).to_be_visible()
        assert serious(axe.run(page)) == [], width
        assert _fits(page), f"sideways scroll at {width}px"
    pdf = page.request.get(f"{demo_server}/me/growth.pdf")
    assert pdf.ok and pdf.body().startswith(b"%PDF")


def test_his_manager_opens_the_page_from_his_library(page: Page, demo_server: str):
    axe = Axe()
    sign_in(page, demo_server, "priya")
    people = page.request.get(f"{demo_server}/api/v1/people/?search=Sam%20Okafor").json()
    sam = people["results"][0]["id"]
    page.goto(f"{demo_server}/people/{sam}/evidence/")
    page.get_by_role("link", name="Where Sam Okafor stands").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Where Sam Okafor stands")
    assert serious(axe.run(page)) == []
    # Re-tagging an item from the library is a disclosure with labelled checkboxes.
    page.goto(f"{demo_server}/people/{sam}/evidence/")
    page.locator(".evidence-item__retag summary").first.click()
    expect(page.locator(".evidence-item__retag input[type=checkbox]").first).to_be_visible()
    assert serious(axe.run(page)) == []
