"""/api/docs/ renders its operations under the Content-Security-Policy (issue #10 point 20).

The docs are public, like the schema they read (see README, Security): they describe the
API, not anyone's data.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_rubric_pages import sign_in

pytestmark = pytest.mark.e2e


def _watch_console(page: Page) -> list[str]:
    problems: list[str] = []
    page.on(
        "console",
        lambda m: (
            problems.append(m.text)
            if "Content Security Policy" in m.text or m.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda e: problems.append(str(e)))
    return problems


def test_the_api_docs_show_every_operation_without_breaking_the_policy(
    page: Page, demo_server: str
):
    problems = _watch_console(page)
    page.goto(f"{demo_server}/api/docs/")
    expect(page.locator(".opblock").first).to_be_visible()
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/people/").first).to_be_visible()
    assert page.locator(".opblock").count() > 20
    assert problems == []


def test_a_signed_in_person_can_try_an_operation_from_the_docs(page: Page, demo_server: str):
    problems = _watch_console(page)
    sign_in(page, demo_server, "sam")
    page.goto(f"{demo_server}/api/docs/")
    people = page.locator("#operations-v1-v1_people_list")
    people.locator(".opblock-summary").click()
    people.get_by_role("button", name="Try it out").click()
    people.get_by_role("button", name="Execute").click()
    expect(people.locator(".live-responses-table tbody .response-col_status")).to_have_text("200")
    assert problems == []
