"""Real concurrent transactions (PostgreSQL): two ingestion requests carrying the same
identities at the same moment. Each answers with what *it* stored, so the two `created`
counts add up to the number of distinct items (SPEC §7: a re-sent item creates nothing)."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.db import connection, connections, transaction
from rest_framework.test import APIClient

from outcomes import services
from outcomes.models import Deployment
from tests.outcomes.helpers import DEPLOYMENTS_URL, at

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="a second transaction waiting on the first needs PostgreSQL row locks; "
        "CI runs the suite on PostgreSQL too",
    ),
]


def _items(team: Any, numbers: range) -> list[dict[str, Any]]:
    return [
        {
            "team": team.pk,
            "external_id": f"race-{n}",
            "deployed_at": at("2026-03-02"),
            "committed_at": None,
            "failed": False,
        }
        for n in numbers
    ]


def _waiting_on_a_lock(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cursor.fetchone()
    return row is not None and row[0] == "Lock"


@pytest.mark.parametrize(
    ("first", "second"),
    [(range(0, 6), range(0, 6)), (range(0, 6), range(3, 10))],
    ids=["identical batches", "overlapping batches"],
)
def test_two_racing_batches_each_count_only_what_they_stored(world, first, second):
    """The first request has stored its items but not committed when the second one
    arrives: the second cannot see them yet, so it must learn from its own insert (which
    waits for the first to commit) which items it stored."""
    team = world.team_a
    distinct = len(set(first) | set(second))
    stored_not_committed = threading.Event()
    commit_now = threading.Event()
    second_pid: list[int] = []
    results: dict[str, Any] = {}

    def first_request() -> None:
        try:
            with transaction.atomic():
                results["first"] = services.deployments_ingest(
                    actor=world.hr.user, items=_items(team, first)
                )
                stored_not_committed.set()
                commit_now.wait(timeout=30)
        except Exception as exc:  # asserted on below
            results["first"] = exc
        finally:
            stored_not_committed.set()
            connections.close_all()

    def second_request() -> None:
        try:
            stored_not_committed.wait(timeout=30)
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                second_pid.append(cursor.fetchone()[0])
            client = APIClient()
            client.force_authenticate(world.hr.user)
            body = [
                {**item, "deployed_at": item["deployed_at"].isoformat()}
                for item in _items(team, second)
            ]
            response = client.post(DEPLOYMENTS_URL, body, format="json")
            results["second"] = (response.status_code, response.json())
        except Exception as exc:  # asserted on below
            results["second"] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first_request), threading.Thread(target=second_request)]
    for t in threads:
        t.start()
    try:
        # Let the first request commit only once the second one is blocked on its rows.
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not (
            second_pid and _waiting_on_a_lock(second_pid[0])
        ):
            time.sleep(0.05)
        assert second_pid and _waiting_on_a_lock(second_pid[0]), "the race did not happen"
    finally:
        commit_now.set()
        for t in threads:
            t.join(timeout=30)

    first_result = results["first"]
    status, second_body = results["second"]
    assert isinstance(first_result, services.IngestResult), first_result
    assert first_result.created == len(first)
    assert second_body["created"] == distinct - len(first), second_body
    assert second_body["unchanged"] == len(second) - second_body["created"]
    assert status == (201 if second_body["created"] else 200)
    assert first_result.created + second_body["created"] == distinct
    assert Deployment.objects.filter(team=team).count() == distinct
