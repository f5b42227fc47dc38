"""Calibration through the API: open → decide → finalize → write-back → release."""

from __future__ import annotations

import re

import pytest
from django.db import DatabaseError, connection, transaction

from calibration import services
from calibration.models import CalibrationCase, CalibrationSession, DecisionLog
from core.errors import ImmutableError
from reviews.models import Review
from reviews.services.cycles import cycle_transition

CASES = "/api/v1/calibration-cases/"
SESSIONS = "/api/v1/calibration-sessions/"


def decide(client, case, **body):
    case.refresh_from_db()
    return client.patch(f"{CASES}{case.pk}/", {"version": case.version, **body}, format="json")


def test_open_creates_a_case_per_submitted_review_in_scope_and_a_promotion_case(world, calib):
    cases = CalibrationCase.objects.filter(session=calib.session)
    assert {(c.subject_id, c.kind) for c in cases} == {
        (world.engineer.pk, "rating"),
        (world.engineer.pk, "promotion"),
        (world.teammate.pk, "rating"),
    }
    assert calib.case.proposed_rating == "exceeds" and calib.promo_case.target_level == "L5"
    assert CalibrationCase.objects.filter(session=calib.other_session).count() == 1


def test_the_full_path_through_the_api(world, calib, api_for):
    om = api_for("other_manager")
    # A changed rating without a rationale is refused, naming what is missing.
    r = decide(om, calib.case, calibrated_rating="meets")
    assert r.status_code == 400
    assert "rationale" in r.json() and "rubric_refs" in r.json()
    # With a rationale and a rubric reference it is decided and logged.
    r = decide(
        om,
        calib.case,
        calibrated_rating="meets",
        rationale="Execution matches L4 expectations, not beyond them.",
        rubric_refs=[{"level": "L4", "competency": "execution"}],
    )
    assert r.status_code == 200, r.json()
    assert (r.json()["status"], r.json()["calibrated_rating"]) == ("decided", "meets")
    entry = DecisionLog.objects.filter(case=calib.case).get()
    assert (entry.from_value, entry.to_value) == ("exceeds", "meets")
    # Finalizing with cases pending is refused.
    r = api_for("hr").post(f"{SESSIONS}{calib.session.pk}/finalize/")
    assert r.status_code == 409 and r.json()["code"] == "invalid_state"
    # The promotion needs a reason too; the unchanged rating does not.
    r = decide(om, calib.promo_case, promotion_decision="approved")
    assert r.status_code == 400 and "rationale" in r.json()
    r = decide(
        om,
        calib.promo_case,
        promotion_decision="approved",
        rationale="Already leads multi-team work as L5 expects.",
        rubric_refs=[{"level": "L5", "competency": "collaboration"}],
    )
    assert r.status_code == 200
    assert decide(om, calib.teammate_case, calibrated_rating="meets").status_code == 200
    # The facilitator finalizes; ratings and outcomes are written back.
    r = om.post(f"{SESSIONS}{calib.session.pk}/finalize/")
    assert r.status_code == 200 and r.json()["status"] == "finalized"
    review = Review.objects.get(pk=calib.review.pk)
    assert (review.status, review.final_rating, review.promotion_outcome) == (
        "calibrated",
        "meets",
        "approved",
    )
    # Locked afterwards.
    r = decide(
        om,
        calib.case,
        calibrated_rating="exceeds",
        rationale="x",
        rubric_refs=[{"level": "L4", "competency": "execution"}],
    )
    assert r.status_code == 409 and r.json()["code"] == "immutable"
    # The log reads as the story of the session.
    log = om.get(f"{SESSIONS}{calib.session.pk}/log/").json()
    assert [e["action"] for e in log][0] == "session_opened"
    assert [e["action"] for e in log][-1] == "session_finalized"
    # Release: the cycle cannot finalize while another session is open...
    r = api_for("hr").post(
        f"/api/v1/cycles/{calib.cycle.pk}/transition/", {"to": "finalized"}, format="json"
    )
    assert r.status_code == 409 and "Team B calibration" in r.json()["detail"]
    mgr = api_for("manager")
    assert (
        decide(
            mgr, CalibrationCase.objects.get(session=calib.other_session), calibrated_rating="meets"
        ).status_code
        == 200
    )
    assert mgr.post(f"{SESSIONS}{calib.other_session.pk}/finalize/").status_code == 200
    for to in ("finalized", "released"):
        cycle_transition(actor=world.hr.user, cycle=calib.cycle, to=to)
    body = api_for("engineer").get(f"/api/v1/reviews/{calib.review.pk}/").json()
    assert (body["status"], body["final_rating"], body["promotion_outcome"]) == (
        "released",
        "meets",
        "approved",
    )


def test_re_deciding_logs_from_the_previous_decision(world, calib, api_for):
    om = api_for("other_manager")
    refs = [{"level": "L4", "competency": "execution"}]
    decide(om, calib.case, calibrated_rating="meets", rationale="Meets L4.", rubric_refs=refs)
    decide(
        om,
        calib.case,
        calibrated_rating="strongly_exceeds",
        rationale="Far beyond L4.",
        rubric_refs=refs,
    )
    pairs = list(DecisionLog.objects.filter(case=calib.case).values_list("from_value", "to_value"))
    assert pairs == [("exceeds", "meets"), ("meets", "strongly_exceeds")]


def test_a_stale_decision_answers_409_with_the_current_case(world, calib, api_for):
    om = api_for("other_manager")
    version = calib.case.version
    refs = [{"level": "L4", "competency": "execution"}]
    first = om.patch(
        f"{CASES}{calib.case.pk}/",
        {
            "version": version,
            "calibrated_rating": "meets",
            "rationale": "Meets L4.",
            "rubric_refs": refs,
        },
        format="json",
    )
    assert first.status_code == 200
    second = om.patch(
        f"{CASES}{calib.case.pk}/",
        {
            "version": version,
            "calibrated_rating": "below",
            "rationale": "Below.",
            "rubric_refs": refs,
        },
        format="json",
    )
    assert second.status_code == 409 and second.json()["code"] == "stale_version"
    assert second.json()["current"]["calibrated_rating"] == "meets"
    calib.case.refresh_from_db()
    assert calib.case.calibrated_rating == "meets"
    assert DecisionLog.objects.filter(case=calib.case).count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"calibrated_rating": "legendary"}, "calibrated_rating"),
        (
            {
                "calibrated_rating": "meets",
                "rationale": "x",
                "rubric_refs": [{"level": "L9", "competency": "execution"}],
            },
            "rubric_refs",
        ),
        ({"calibrated_rating": "meets", "evidence": [999999]}, "evidence"),
        ({"promotion_decision": "approved"}, "promotion_decision"),
        ({"calibrated_rating": "meets", "rubric_refs": "L4"}, "rubric_refs"),
    ],
)
def test_bad_decisions_answer_400_and_change_nothing(world, calib, api_for, body, field):
    r = decide(api_for("other_manager"), calib.case, **body)
    assert r.status_code == 400 and field in r.json(), r.json()
    calib.case.refresh_from_db()
    assert (calib.case.status, calib.case.version) == ("pending", 1)
    assert not DecisionLog.objects.filter(case=calib.case).exists()


@pytest.mark.parametrize("rating", ["strongly_exceeds", "below"])
def test_no_forced_distribution_every_case_the_same_rating_finalizes(world, calib, rating):
    actor = world.other_manager.user
    refs = [{"level": "L4", "competency": "execution"}]
    for case in CalibrationCase.objects.filter(session=calib.session):
        case.refresh_from_db()
        if case.kind == "promotion":
            services.case_decide(
                actor=actor,
                case=case,
                version=case.version,
                promotion_decision="not_approved",
                rationale="Not yet.",
                rubric_refs=[{"level": "L5", "competency": "execution"}],
            )
        else:
            services.case_decide(
                actor=actor,
                case=case,
                version=case.version,
                calibrated_rating=rating,
                rationale="Per the rubric.",
                rubric_refs=refs,
            )
    session = services.session_finalize(actor=world.hr.user, session=calib.session)
    assert session.status == "finalized"
    assert set(
        Review.objects.filter(calibration_cases__session=session).values_list(
            "final_rating", flat=True
        )
    ) == {rating}


# Words that would mean a distribution target over people. (`target_level` is the level a
# promotion case aims at: a level, not a share of people.)
FORBIDDEN = re.compile(
    r"quota|curve|rank|forced|target_(share|percent|rate|count|dist)"
    r"|expected_(share|count|dist)|bell"
)


def test_nothing_names_a_quota_curve_target_or_rank(client):
    import io

    from django.apps import apps
    from django.conf import settings
    from django.core.management import call_command

    names = [
        f.name
        for m in apps.get_app_configs()
        if m.name in ("org", "rubrics", "reviews", "calibration")
        for model in m.get_models()
        for f in model._meta.get_fields()
    ]
    names += [n.lower() for n in dir(settings) if n.isupper()]
    out = io.StringIO()
    call_command("spectacular", stdout=out)
    properties = re.findall(r"^\s+([a-z_]+):$", out.getvalue(), re.MULTILINE)
    offenders = [n for n in names + properties if FORBIDDEN.search(n.lower())]
    assert offenders == []


def test_the_decision_log_cannot_be_edited_or_deleted(world, calib, api_for, client_for):
    entry = DecisionLog.objects.filter(session=calib.session).first()
    # no API route writes it
    r = api_for("hr").post(f"{SESSIONS}{calib.session.pk}/log/", {}, format="json")
    assert r.status_code == 405
    # the ORM refuses
    with pytest.raises(ImmutableError):
        entry.rationale = "rewritten"
        entry.save()
    with pytest.raises(ImmutableError):
        entry.delete()
    with pytest.raises(ImmutableError):
        DecisionLog.objects.filter(pk=entry.pk).update(rationale="x")
    with pytest.raises(ImmutableError):
        DecisionLog.objects.filter(pk=entry.pk).delete()
    # the database refuses raw SQL
    for sql in (
        "UPDATE calibration_decisionlog SET rationale = 'x' WHERE id = %s",
        "DELETE FROM calibration_decisionlog WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"):
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute(sql, [entry.pk])
    # the admin only reads
    c = client_for("hr")
    assert c.get(f"/admin/calibration/decisionlog/{entry.pk}/change/").status_code == 200
    assert (
        c.post(f"/admin/calibration/decisionlog/{entry.pk}/change/", {"rationale": "x"}).status_code
        == 403
    )
    assert (
        c.post(f"/admin/calibration/decisionlog/{entry.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    entry.refresh_from_db()
    assert entry.rationale != "rewritten"


def test_demographics_never_appear_in_calibration_api_responses(world, calib, api_for):
    from org import services as org_services

    org_services.dimension_save(
        actor=world.root, key="age_band", label="Age band", values=["25-34", "55 and over"]
    )
    org_services.demographics_set(
        actor=world.engineer.user, person=world.engineer, attributes={"age_band": "55 and over"}
    )
    for role in ("other_manager", "hr"):
        c = api_for(role)
        for url in (
            SESSIONS,
            f"{SESSIONS}{calib.session.pk}/",
            CASES,
            f"{CASES}{calib.case.pk}/",
            f"{SESSIONS}{calib.session.pk}/log/",
            f"/api/v1/reviews/{calib.review.pk}/",
        ):
            assert "55 and over" not in c.get(url).content.decode(), url


def test_sessions_need_a_committee_and_known_levels(world, calib, api_for):
    hr = api_for("hr")
    base = {"cycle": calib.cycle.pk, "name": "X", "facilitator": world.director.pk}
    assert hr.post(SESSIONS, {**base, "committee": []}, format="json").status_code == 400
    r = hr.post(
        SESSIONS,
        {**base, "committee": [world.director.pk], "scope": {"levels": ["L99"]}},
        format="json",
    )
    assert r.status_code == 400
    assert CalibrationSession.objects.count() == 2


def test_committee_members_read_the_reviews_and_evidence_of_their_open_sessions(
    world, calib, api_for
):
    om = api_for("other_manager")
    assert om.get(f"/api/v1/reviews/{calib.review.pk}/").status_code == 200
    ids = {e["person"] for e in om.get("/api/v1/evidence/?page_size=200").json()["results"]}
    assert world.engineer.pk in ids
    assert om.get(f"/api/v1/people/{world.engineer.pk}/").status_code == 200
    # but cannot write the review
    r = om.patch(f"/api/v1/reviews/{calib.review.pk}/", {"version": 9}, format="json")
    assert r.status_code in (403, 409)
