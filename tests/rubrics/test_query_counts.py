"""Lists and rubric pages run the same number of SQL queries however many rows they show
(SPEC §8): the small case is measured, the large case must match it exactly."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rubrics import services
from rubrics.models import Ladder
from tests.factories import make_ladder
from tests.rubrics.helpers import LADDERS_URL, VERSIONS_URL

# These count what building a page costs: every request builds it (no kept pages).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_off")]

SIX_COMPETENCIES = [
    "execution",
    "collaboration",
    "design",
    "operations",
    "mentoring",
    "communication",
]


def _count(client, url, **params) -> int:
    client.get(url, params)  # warm-up: per-user caches are filled alike in both cases
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200, response.content[:500]
    return len(ctx.captured_queries)


def _same_count(client, url, expected: int, assert_num_queries, **params):
    client.get(url, params)
    with assert_num_queries(expected):
        response = client.get(url, params)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("role", ["engineer", "hr"])
def test_the_ladder_list_costs_the_same_for_one_or_six_ladders(
    world, api_for, role, django_assert_num_queries
):
    client = api_for(role)
    small = _count(client, LADDERS_URL)
    for i in range(5):
        make_ladder(world.root, slug=f"ladder-{i}", name=f"Ladder {i}")

    response = _same_count(client, LADDERS_URL, small, django_assert_num_queries)

    assert response.json()["count"] == 6
    assert all(lad["current_version"] is not None for lad in response.json()["results"])


@pytest.mark.parametrize("role", ["engineer", "hr"])
def test_the_version_list_costs_the_same_for_one_or_five_versions(
    world, api_for, role, django_assert_num_queries
):
    ladder, first = make_ladder(world.root, slug="solo", name="Solo")
    client = api_for(role)
    small = _count(client, VERSIONS_URL, ladder=ladder.pk)
    latest = first
    for _ in range(2):
        latest = services.rubric_version_clone(actor=world.root, ladder=ladder)
        services.rubric_version_publish(actor=world.root, version=latest)
    for _ in range(2):
        services.rubric_version_clone(actor=world.root, ladder=ladder)
    # Everyone sees the published and retired ones; HR sees the drafts too.
    expected_rows = 5 if role == "hr" else 3

    response = _same_count(client, VERSIONS_URL, small, django_assert_num_queries, ladder=ladder.pk)

    body = response.json()
    assert body["count"] == expected_rows
    assert all(len(v["expectations"]) == 6 for v in body["results"])


def test_the_version_list_costs_the_same_for_small_and_large_rubrics(
    world, api_for, django_assert_num_queries
):
    client = api_for("hr")
    narrow, _ = make_ladder(
        world.root,
        slug="narrow",
        name="Narrow",
        level_codes=["N1", "N2"],
        competency_keys=["execution"],
    )
    wide, _ = make_ladder(
        world.root,
        slug="wide",
        name="Wide",
        level_codes=[f"L{i}" for i in range(1, 8)],
        competency_keys=SIX_COMPETENCIES,
    )
    small = _count(client, VERSIONS_URL, ladder=narrow.pk)

    response = _same_count(client, VERSIONS_URL, small, django_assert_num_queries, ladder=wide.pk)

    assert len(response.json()["results"][0]["expectations"]) == 42


@pytest.fixture
def narrow_and_wide(world):
    make_ladder(
        world.root,
        slug="narrow",
        name="Narrow",
        level_codes=["N1", "N2", "N3"],
        competency_keys=["execution", "collaboration"],
    )
    make_ladder(
        world.root,
        slug="wide",
        name="Wide",
        level_codes=[f"L{i}" for i in range(1, 8)],
        competency_keys=SIX_COMPETENCIES,
    )


@pytest.mark.parametrize("role", ["engineer", "hr"])
def test_the_matrix_page_costs_the_same_for_three_or_seven_levels(
    world, client_for, role, narrow_and_wide, django_assert_num_queries
):
    client = client_for(role)
    small = _count(client, "/rubrics/narrow/")

    response = _same_count(client, "/rubrics/wide/", small, django_assert_num_queries)

    assert len(response.context["matrix"].rows) == 7
    assert "At L7, communication looks like this." in response.content.decode()


@pytest.mark.parametrize("role", ["engineer", "hr"])
def test_the_level_page_costs_the_same_for_small_and_large_rubrics(
    world, client_for, role, narrow_and_wide, django_assert_num_queries
):
    client = client_for(role)
    small = _count(client, "/rubrics/narrow/levels/N2/")

    response = _same_count(client, "/rubrics/wide/levels/L4/", small, django_assert_num_queries)

    assert len(response.context["competencies"]) == 6
    assert response.context["previous_level"].code == "L3"
    assert "At L4, mentoring looks like this." in response.content.decode()


def test_the_rubric_index_costs_the_same_for_one_or_six_ladders(
    world, client_for, django_assert_num_queries
):
    client = client_for("hr")
    small = _count(client, "/rubrics/")
    for i in range(5):
        ladder, _ = make_ladder(world.root, slug=f"ladder-{i}", name=f"Ladder {i}")
        services.rubric_version_clone(actor=world.root, ladder=ladder)

    response = _same_count(client, "/rubrics/", small, django_assert_num_queries)

    assert len(response.context["rows"]) == 6


def test_the_history_page_costs_the_same_for_small_and_large_rubrics(
    world, client_for, narrow_and_wide, django_assert_num_queries
):
    client = client_for("hr")
    for slug in ("narrow", "wide"):
        services.rubric_version_clone(actor=world.root, ladder=Ladder.objects.get(slug=slug))
    small = _count(client, "/rubrics/narrow/history/", **{"from": 1, "to": 2})

    response = _same_count(
        client, "/rubrics/wide/history/", small, django_assert_num_queries, **{"from": 1, "to": 2}
    )

    assert response.context["diff"]["is_empty"] is True
