"""Approved promotions take effect (SPEC §10.6): HR applies a finalized cycle's approved
promotions once; each person's level changes from the effective date and the step is
recorded in their level history; applying again changes nothing."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from calibration import services
from calibration.models import CalibrationCase
from org.models import LevelChange, Person
from reviews.services.cycles import cycle_transition

URL = "/api/v1/cycles/{}/apply-promotions/"


def _finalize(world, calib, *, approve: bool = True) -> None:
    refs = [{"level": "L5", "competency": "execution"}]
    for case in CalibrationCase.objects.filter(session=calib.session):
        decision = (
            {"promotion_decision": "approved" if approve else "not_approved"}
            if case.kind == "promotion"
            else {"calibrated_rating": case.proposed_rating}
        )
        services.case_decide(
            actor=world.other_manager.user,
            case=case,
            version=case.version,
            rationale="Per the rubric.",
            rubric_refs=refs,
            **decision,
        )
    other = CalibrationCase.objects.get(session=calib.other_session)
    services.case_decide(
        actor=world.manager.user, case=other, version=other.version, calibrated_rating="meets"
    )
    services.session_finalize(actor=world.hr.user, session=calib.session)
    services.session_finalize(actor=world.hr.user, session=calib.other_session)
    cycle_transition(actor=world.hr.user, cycle=calib.cycle, to="finalized")


def _level(person: Person) -> str:
    return Person.objects.get(pk=person.pk).level


def test_hr_sees_who_moves_and_applies_it_once(world, calib, api_for, client_for):
    _finalize(world, calib)
    page = client_for("hr").get(f"/cycles/{calib.cycle.pk}/").content.decode()
    assert "Approved promotions" in page and "Not applied yet" in page
    assert "Erin Engineer" in page and "Apply promotions" in page

    today = timezone.localdate()
    first = api_for("hr").post(
        URL.format(calib.cycle.pk), {"effective_on": today.isoformat()}, format="json"
    )
    assert first.status_code == 200, first.content
    body = first.json()
    assert body["unchanged"] == 0
    [change] = body["changes"]
    assert (change["person"], change["from_level"], change["to_level"]) == (
        world.engineer.pk,
        "L4",
        "L5",
    )
    assert change["case"] == calib.promo_case.pk and change["applied_at"]
    assert _level(world.engineer) == "L5"
    assert "Team A calibration" in LevelChange.objects.get().reason

    again = api_for("hr").post(
        URL.format(calib.cycle.pk), {"effective_on": "2030-01-01"}, format="json"
    )
    assert again.status_code == 200
    assert again.json() == {"changes": [], "unchanged": 1}
    assert LevelChange.objects.count() == 1 and _level(world.engineer) == "L5"

    # The person sees the new level and where it came from; HR's page says it is done.
    mine = client_for("engineer").get("/me/").content.decode()
    assert "L4 → <strong>L5</strong>" in mine
    page = client_for("hr").get(f"/cycles/{calib.cycle.pk}/").content.decode()
    assert "Every approved promotion has been applied." in page


def test_a_future_date_changes_the_level_on_that_day(world, calib, api_for):
    _finalize(world, calib)
    day = timezone.localdate() + datetime.timedelta(days=10)
    answer = api_for("hr").post(
        URL.format(calib.cycle.pk), {"effective_on": day.isoformat()}, format="json"
    )
    assert answer.status_code == 200 and answer.json()["changes"][0]["applied_at"] is None
    call_command("apply_level_changes")
    assert _level(world.engineer) == "L4"
    with time_machine.travel(day + datetime.timedelta(hours=12)):
        call_command("apply_level_changes")
    assert _level(world.engineer) == "L5"
    call_command("apply_level_changes")
    assert LevelChange.objects.filter(applied_at__isnull=False).count() == 1


def test_a_promotion_not_approved_changes_nobody(world, calib, api_for):
    _finalize(world, calib, approve=False)
    answer = api_for("hr").post(
        URL.format(calib.cycle.pk), {"effective_on": "2025-12-31"}, format="json"
    )
    assert answer.json() == {"changes": [], "unchanged": 0}
    assert _level(world.engineer) == "L4" and not LevelChange.objects.exists()


def test_before_the_cycle_is_finalized_it_answers_409(world, calib, api_for):
    answer = api_for("hr").post(
        URL.format(calib.cycle.pk), {"effective_on": "2025-12-31"}, format="json"
    )
    assert answer.status_code == 409
    assert not LevelChange.objects.exists()


@pytest.mark.parametrize(
    "body", [{}, {"effective_on": "2025-02-30"}, {"effective_on": "soon"}, {"effective_on": None}]
)
def test_bad_input_answers_400_and_writes_nothing(world, calib, api_for, body):
    _finalize(world, calib)
    answer = api_for("hr").post(URL.format(calib.cycle.pk), body, format="json")
    assert answer.status_code == 400 and "effective_on" in answer.json()
    assert not LevelChange.objects.exists() and _level(world.engineer) == "L4"


@pytest.mark.parametrize("role", ["engineer", "manager", "director", "other_manager"])
def test_only_hr_applies_promotions(world, calib, api_for, client_for, role):
    _finalize(world, calib)
    api = api_for(role).post(
        URL.format(calib.cycle.pk), {"effective_on": "2025-12-31"}, format="json"
    )
    assert api.status_code == 403
    page = client_for(role).post(
        f"/cycles/{calib.cycle.pk}/apply-promotions/", {"effective_on": "2025-12-31"}
    )
    assert page.status_code == 404
    assert not LevelChange.objects.exists()


def test_hr_applies_them_from_the_cycle_page(world, calib, client_for):
    _finalize(world, calib)
    hr = client_for("hr")
    bad = hr.post(f"/cycles/{calib.cycle.pk}/apply-promotions/", {"effective_on": "31/12"})
    assert bad.status_code == 400 and "Effective from" in bad.content.decode()
    assert not LevelChange.objects.exists()
    done = hr.post(
        f"/cycles/{calib.cycle.pk}/apply-promotions/",
        {"effective_on": timezone.localdate().isoformat()},
        follow=True,
    )
    assert done.status_code == 200
    assert "1 promotion(s) recorded" in done.content.decode()
    assert _level(world.engineer) == "L5"
