from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e


def serious(results) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("levelhead-demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base}/")


def test_engineer_reads_the_rubric_matrix_and_their_level(page: Page, demo_server: str):
    csp_errors: list[str] = []
    page.on(
        "console",
        lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None,
    )
    axe = Axe()

    sign_in(page, demo_server, "sam")
    page.get_by_role("link", name="Rubrics", exact=True).first.click()
    page.get_by_role("link", name="Open the rubric").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Engineering IC")
    expect(page.get_by_role("table")).to_contain_text("Senior Software Engineer")
    assert serious(axe.run(page)) == []

    page.goto(f"{demo_server}/rubrics/engineering-ic/levels/L5/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("L5")
    expect(page.locator("main")).to_contain_text("Technical execution")
    assert serious(axe.run(page)) == []
    assert csp_errors == []


def test_home_and_about_me_are_accessible(page: Page, demo_server: str):
    axe = Axe()
    sign_in(page, demo_server, "sam")
    assert serious(axe.run(page)) == []
    page.goto(f"{demo_server}/me/")
    expect(page.locator("main")).to_contain_text("Checkout")
    assert serious(axe.run(page)) == []
