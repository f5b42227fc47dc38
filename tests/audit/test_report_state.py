"""The cached audit report (page, API, CSV) and its PDF follow the data they are computed
from (issue #10, point 23): the state key is built from the same queries the report
reads, so evidence added, edited or deleted after a report was computed is seen."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.pdf_build import report_pdf_state_key
from audit.selectors.report_cache import report_state_key
from reviews.models import Evidence
from tests.audit import generated_at, seventeen
from tests.calibration.conftest import submitted_review
from tests.factories import make_person
from tests.reviews.conftest import add_evidence

REPORT_URL = "/api/v1/audit/report/"


@pytest.fixture
def org(world):
    return seventeen(world)


def _row(report: dict[str, Any], section: str, group: str) -> dict[str, Any]:
    rows = next(s for s in report[section] if s["dimension"] == "level")["groups"]
    return next(g for g in rows if g["group"] == group)


def _evidence_cells(client, cycle, group: str) -> list[str]:
    """The cells of ``group``'s row in the level table of the page's evidence section."""
    html = client.get(
        reverse("audit:report-section", args=[cycle.pk, "evidence"]), HTTP_HX_REQUEST="true"
    ).content.decode()
    table = html.split("Evidence by level", 1)[1]
    row = re.search(r'<th scope="row">' + group + r"</th>(.*?)</tr>", table, re.S)
    assert row
    return re.findall(r"<td>(.*?)</td>", row.group(1))


def test_evidence_added_edited_or_deleted_after_a_report_changes_the_report(
    org, world, api_for, client_for
):
    api = api_for("hr")
    page = client_for("hr")
    url = reverse("audit:report", args=[org.cycle.pk])
    engineer = world.engineer  # reviewed at L4, with 6 people at L4

    def state() -> tuple[str, str, dict[str, Any]]:
        body = api.get(REPORT_URL, {"cycle": org.cycle.pk}).json()
        shown = generated_at(page.get(url).content.decode())
        assert shown == body["generated_at"]  # one cached report
        org.cycle.refresh_from_db()
        return report_state_key(org.cycle), report_pdf_state_key(org.cycle), body

    key, pdf_key, body = state()
    assert _row(body, "evidence", "L4")["evidence_per_review"] == pytest.approx(2.0)
    assert state()[0] == key  # nothing changed: the same key, read from the cache

    # 1. A new on-call item in the period, for someone already reviewed.
    add_evidence(world, engineer, "late on-call", datetime.date(2025, 10, 1), kind="on_call")
    key1, pdf_key1, body = state()
    assert key1 != key and pdf_key1 != pdf_key
    assert _row(body, "evidence", "L4")["evidence_per_review"] == pytest.approx(13 / 6)
    # The page's evidence section shows the new figure at once: 6 reviews, 2.2 items each.
    assert _evidence_cells(page, org.cycle, "L4")[:2] == ["6", "2.2"]

    # 2. A cited item is edited: it now falls before the period.
    cited = Evidence.objects.get(
        person=engineer, citations__review__cycle=org.cycle, kind="pull_request"
    )
    cited.occurred_on = datetime.date(2024, 1, 15)
    cited.save()
    key2, pdf_key2, body = state()
    assert key2 != key1 and pdf_key2 != pdf_key1
    l4 = _row(body, "evidence", "L4")
    assert l4["evidence_per_review"] == pytest.approx(12 / 6)
    assert _row(body, "language", "L4")["reviews_with_finding"]["outside_period"] == (
        pytest.approx(1 / 6)
    )
    assert _evidence_cells(page, org.cycle, "L4")[:2] == ["6", "2.0"]

    # 3. The cited item is deleted: the review cites one item fewer.
    before = l4["citations_per_review"]
    cited.delete()
    key3, pdf_key3, body = state()
    assert key3 != key2 and pdf_key3 != pdf_key2
    assert _row(body, "evidence", "L4")["citations_per_review"] == pytest.approx(before - 1 / 6)


def test_the_state_key_costs_as_many_queries_for_a_big_cycle_as_for_a_small_one(org, world):
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            report_state_key(org.cycle)
        return len(ctx)

    small = queries()
    for i in range(6):
        person = make_person(
            world.root,
            f"late{i}",
            team=world.team_a,
            manager=world.manager,
            ladder=world.ladder,
            level="L4",
            function="Backend",
        )
        submitted_review(world, org.cycle, person)
        add_evidence(world, person, f"extra {i}", datetime.date(2025, 11, 1), kind="incident")
    assert queries() == small
