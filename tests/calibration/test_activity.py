"""Every calibration write leaves an Activity row (org.models.Activity): who did what to
which session or case. The values and the reasons stay in the session's decision log: an
Activity row never carries review text, ratings, rationales or demographics."""

from __future__ import annotations

import json

from calibration.models import CalibrationCase, CalibrationSession
from org import services as org_services
from org.models import Activity
from rubrics.models import Rating

SESSIONS = "/api/v1/calibration-sessions/"
CASES = "/api/v1/calibration-cases/"
RATIONALE = "Above the L4 execution bar: the staged rollout of the billing split."


def _rows(action: str) -> list[Activity]:
    return list(Activity.objects.filter(action=action).order_by("id"))


def test_creating_a_session_records_who_set_its_facilitator_and_committee(world, calib, api_for):
    created = api_for("hr").post(
        SESSIONS,
        {
            "cycle": calib.cycle.pk,
            "name": "Leads calibration",
            "facilitator": world.director.pk,
            "committee": [world.hr.pk],
            "scope": {"levels": ["L5"]},
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    session_id = created.json()["id"]

    row = Activity.objects.get(action="calibration_session_created", target_id=str(session_id))
    assert row.actor == world.hr.user
    assert row.target_type == "calibration.calibrationsession"
    # People as Person ids; the facilitator always sits on the committee.
    assert row.new["facilitator"] == world.director.pk
    assert row.new["committee"] == sorted([world.director.pk, world.hr.pk])
    assert row.new["cycle"] == calib.cycle.pk
    assert row.new["scope"] == {"teams": [], "levels": ["L5"]}


def test_a_refused_session_leaves_no_activity(world, calib, api_for):
    before = Activity.objects.filter(action="calibration_session_created").count()
    refused = api_for("hr").post(
        SESSIONS,
        {
            "cycle": calib.cycle.pk,
            "name": "No committee",
            "facilitator": world.director.pk,
            "committee": [],
        },
        format="json",
    )
    assert refused.status_code == 400
    assert Activity.objects.filter(action="calibration_session_created").count() == before


def test_opening_deciding_and_finalizing_are_recorded_without_ratings_or_reasons(
    world, calib, api_for
):
    org_services.dimension_save(
        actor=world.root, key="age_band", label="Age band", values=["25-34", "55 and over"]
    )
    org_services.demographics_set(
        actor=world.engineer.user, person=world.engineer, attributes={"age_band": "55 and over"}
    )
    member = api_for("other_manager")
    for case in CalibrationCase.objects.filter(session=calib.session):
        refs = [{"level": case.target_level or case.level, "competency": "execution"}]
        body = {"version": case.version, "rationale": RATIONALE, "rubric_refs": refs}
        if case.kind == "promotion":
            body["promotion_decision"] = "approved"
        else:
            body["calibrated_rating"] = "strongly_exceeds"
        decided = member.patch(f"{CASES}{case.pk}/", body, format="json")
        assert decided.status_code == 200, decided.content
    finalized = member.post(f"{SESSIONS}{calib.session.pk}/finalize/")
    assert finalized.status_code == 200, finalized.content

    opened = [
        r for r in _rows("calibration_session_opened") if r.target_id == str(calib.session.pk)
    ]
    assert [(r.actor, r.target_type) for r in opened] == [
        (world.hr.user, "calibration.calibrationsession")
    ]
    assert opened[0].new["cases"] == CalibrationCase.objects.filter(session=calib.session).count()

    decided_rows = _rows("calibration_case_decided")
    cases = CalibrationCase.objects.filter(session=calib.session)
    assert {r.target_id for r in decided_rows} == {str(c.pk) for c in cases}
    assert {r.actor for r in decided_rows} == {world.other_manager.user}
    assert {r.target_type for r in decided_rows} == {"calibration.calibrationcase"}

    [finalized_row] = _rows("calibration_session_finalized")
    assert finalized_row.actor == world.other_manager.user
    assert finalized_row.target_id == str(calib.session.pk)
    assert finalized_row.new["status"] == CalibrationSession.Status.FINALIZED

    ratings = set(Rating.objects.values_list("key", flat=True)) | {"approved", "not_approved"}
    rows = Activity.objects.filter(action__startswith="calibration_")
    assert rows.count() >= 2 + len(decided_rows) + 2  # two sessions created and opened
    for row in rows:
        text = json.dumps([row.old, row.new])
        values = _strings(row.old) | _strings(row.new)
        assert not values & ratings, (row.action, values & ratings)
        assert RATIONALE not in text and "55 and over" not in text
        assert "billing split" not in text  # the review's narrative


def _strings(value: object) -> set[str]:
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        return set().union(*(_strings(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(_strings(v) for v in value)) if value else set()
    return set()
