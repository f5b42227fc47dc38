from __future__ import annotations

import pytest
import requests
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.e2e.test_rubric_pages import serious

pytestmark = pytest.mark.e2e


def test_sam_signs_in_with_the_company_account_through_the_provider(
    page: Page, demo_server: str, oidc_provider: str
):
    # What the company's directory says of Sam.
    claims = {"email": "sam@example.org", "email_verified": True, "name": "Sam Okafor"}
    assert requests.put(f"{oidc_provider}/users/sam-at-example", json=claims, timeout=10).ok

    page.goto(f"{demo_server}/login/")
    assert serious(Axe().run(page)) == []
    page.get_by_role("link", name="Sign in with Example SSO").click()
    # The provider's own page, on its own address.
    page.wait_for_url(f"{oidc_provider}/oauth2/authorize**")
    page.locator("input[name=sub]").fill("sam-at-example")
    page.get_by_role("button", name="Authorize").click()

    # Back at Levelhead, signed in as Sam.
    page.wait_for_url(f"{demo_server}/")
    expect(page.get_by_text("Signed in as")).to_contain_text("Sam Okafor")

    # Signing out continues at the provider's end-session page, which leads back here.
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{oidc_provider}/oauth2/end_session**")
    page.goto(f"{demo_server}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Levelhead")
