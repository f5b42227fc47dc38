"""Who may open whose evidence library, check-ins and the cycle pages: the selectors
the pages call, asked directly."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from reviews.selectors import (
    check_in_people,
    check_in_person_get,
    cycle_admin_get,
    cycle_admin_list,
    cycle_progress,
    library_openable,
    library_person_get,
)
from reviews.services.check_ins import check_in_create
from reviews.services.reviews import review_create
from tests.reviews.conftest import make_cycle

# --- Evidence libraries ----------------------------------------------------------------


@pytest.mark.parametrize("who", ["engineer", "manager", "director", "hr"])
def test_the_person_their_chain_and_hr_open_a_library(world, who):
    user = getattr(world, who).user
    assert library_person_get(user=user, pk=world.engineer.pk) == world.engineer


@pytest.mark.parametrize("who", ["teammate", "other_manager", "other_engineer"])
def test_anyone_else_gets_no_such_person(world, who):
    with pytest.raises(Http404):
        library_person_get(user=getattr(world, who).user, pk=world.engineer.pk)


def test_an_anonymous_caller_opens_no_library(world):
    with pytest.raises(Http404):
        library_person_get(user=AnonymousUser(), pk=world.engineer.pk)
    assert library_openable(user=AnonymousUser(), person_ids=[world.engineer.pk]) == set()


def test_library_openable_answers_for_many_people_at_once(world):
    everyone = [world.engineer.pk, world.teammate.pk, world.other_engineer.pk, world.manager.pk]
    assert library_openable(user=world.manager.user, person_ids=everyone) == {
        world.engineer.pk,
        world.teammate.pk,
        world.manager.pk,
    }
    assert library_openable(user=world.hr.user, person_ids=everyone) == set(everyone)
    # A teammate opens their own library, not their teammate's.
    assert library_openable(user=world.teammate.user, person_ids=everyone) == {world.teammate.pk}


# --- Check-ins -------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["engineer", "manager", "director"])
def test_the_person_and_their_chain_open_check_ins(world, who):
    user = getattr(world, who).user
    assert check_in_person_get(user=user, pk=world.engineer.pk) == world.engineer


@pytest.mark.parametrize("who", ["hr", "teammate", "other_manager"])
def test_hr_and_peers_get_no_such_person_for_check_ins(world, who):
    with pytest.raises(Http404):
        check_in_person_get(user=getattr(world, who).user, pk=world.engineer.pk)


def test_check_in_people_is_the_chain_with_their_latest_check_in(world):
    for day in (datetime.date(2026, 3, 3), datetime.date(2026, 4, 7)):
        check_in_create(
            actor=world.manager.user, person=world.engineer, occurred_on=day, what_changed="x"
        )
    people = {p.pk: p.last_check_in for p in check_in_people(user=world.manager.user)}
    assert people == {world.engineer.pk: datetime.date(2026, 4, 7), world.teammate.pk: None}
    assert list(check_in_people(user=world.engineer.user)) == []
    assert list(check_in_people(user=AnonymousUser())) == []


# --- Cycles ----------------------------------------------------------------------------


def test_hr_administers_cycles(world):
    cycle = make_cycle(world, status="draft")
    assert list(cycle_admin_list(user=world.hr.user)) == [cycle]
    assert cycle_admin_get(user=world.hr.user, pk=cycle.pk) == cycle


@pytest.mark.parametrize("who", ["engineer", "manager", "director"])
def test_to_anyone_but_hr_the_cycle_pages_do_not_exist(world, who):
    cycle = make_cycle(world, status="draft")
    user = getattr(world, who).user
    with pytest.raises(Http404):
        cycle_admin_list(user=user)
    with pytest.raises(Http404):
        cycle_admin_get(user=user, pk=cycle.pk)


def test_cycle_progress_counts_reviews_by_team_and_lists_who_is_late(world):
    cycle = make_cycle(world)
    review_create(actor=world.manager.user, cycle=cycle, subject=world.engineer)
    progress = cycle_progress(user=world.hr.user, cycle=cycle)
    # Columns: not started, draft, submitted, calibrated, released.
    rows = {r["name"]: r["cells"] for r in progress["team_rows"]}
    assert rows == {"Team A": [1, 1, 0, 0, 0], "Team B": [1, 0, 0, 0, 0]}
    assert progress["totals"] == [2, 1, 0, 0, 0]
    assert {p.pk for p in progress["late"]} == {
        world.engineer.pk,
        world.teammate.pk,
        world.other_engineer.pk,
    }
    assert not progress["late_truncated"]


def test_cycle_progress_counts_only_what_the_caller_may_see(world):
    cycle = make_cycle(world)
    review_create(actor=world.manager.user, cycle=cycle, subject=world.engineer)
    progress = cycle_progress(user=world.manager.user, cycle=cycle)
    assert progress["totals"] == [1, 1, 0, 0, 0]
    assert {p.pk for p in progress["late"]} == {world.engineer.pk, world.teammate.pk}
