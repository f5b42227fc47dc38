from __future__ import annotations

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from reviews.services.reviews import review_create, review_update
from tests.factories import bulk_people
from tests.reviews.conftest import add_evidence


def _count(client, url: str) -> int:
    client.get(url)  # warm per-user caches
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def _reviews_for(world, cycle, people):
    for p in people:
        ev = add_evidence(world, p, f"Work of {p.pk}", datetime.date(2026, 3, 1))
        review = review_create(actor=world.manager.user, cycle=cycle, subject=p)
        review_update(
            actor=world.manager.user,
            review=review,
            version=1,
            narrative={"impact": "Seems to be a great team player."},
            assessments=[{"competency": "execution", "rating": "exceeds", "evidence": [ev.pk]}],
        )


def test_review_list_queries_do_not_grow_with_reviews(world, cycle, api_for):
    url = "/api/v1/reviews/?page_size=200"
    people = bulk_people(
        world.root, world.team_a, world.manager, 30, ladder=world.ladder, level="L4"
    )
    _reviews_for(world, cycle, people[:3])
    small = _count(api_for("hr"), url)
    _reviews_for(world, cycle, people[3:])
    assert api_for("hr").get(url).json()["count"] == 30
    assert _count(api_for("hr"), url) == small


def test_evidence_list_queries_do_not_grow(world, api_for):
    url = "/api/v1/evidence/?page_size=200"
    for i in range(3):
        add_evidence(world, world.engineer, f"a{i}", datetime.date(2026, 2, 1))
    small = _count(api_for("manager"), url)
    for i in range(40):
        add_evidence(world, world.engineer, f"b{i}", datetime.date(2026, 2, 1))
    assert _count(api_for("manager"), url) == small
