"""Who the audit counts, where it places them, and what happened to them — from reviews
and calibration cases built through the real services."""

from __future__ import annotations

import datetime
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.selectors.outcome_tables import audit_outcomes
from audit.selectors.report import audit_report
from calibration import services as calibration
from calibration.models import CalibrationCase
from org import services as org_services
from org.selectors import is_hr
from reviews.lint import lint_review
from reviews.models import Review
from reviews.services.reviews import review_create, review_submit, review_update
from tests.audit import answer, gender, open_cycle
from tests.calibration.conftest import build_calibration, submitted_review
from tests.factories import make_person
from tests.reviews.conftest import add_evidence

pytestmark = pytest.mark.django_db


def groups(result):
    return {g["group"]: (g["n"], g["count"]) for g in result["groups"]}


def table(world, cycle, dimension, outcome):
    return groups(
        audit_outcomes(
            user=world.hr.user,
            cycle=cycle,
            dimension=dimension,
            outcome=outcome,
            min_group_size=1,
        )
    )


def test_the_population_is_everyone_with_a_submitted_review(world):
    cycle = open_cycle(world)
    submitted_review(world, cycle, world.engineer, rating="exceeds")
    submitted_review(world, cycle, world.other_engineer)
    review_create(actor=world.manager.user, cycle=cycle, subject=world.teammate)
    assert table(world, cycle, "team", "high_rating") == {"Team A": (1, 1), "Team B": (1, 0)}
    assert table(world, cycle, "level", "high_rating") == {"L4": (1, 1), "L5": (1, 0)}


def test_an_empty_cycle_has_no_groups_and_no_tests(world):
    cycle = open_cycle(world)
    result = audit_outcomes(user=world.hr.user, cycle=cycle, dimension="team", outcome="promoted")
    assert result["groups"] == []
    assert result["reference_group"] is None
    assert result["tests"]["chi_square"]["p_value"] is None


def test_people_are_placed_where_the_review_snapshot_says_even_after_they_move(world):
    cycle = open_cycle(world)
    submitted_review(world, cycle, world.engineer, rating="exceeds")
    submitted_review(world, cycle, world.other_engineer)
    org_services.person_update(
        actor=world.hr.user,
        person=world.engineer,
        team=world.team_b,
        level="L5",
        function="SRE",
        manager=world.other_manager,
    )
    assert table(world, cycle, "team", "high_rating") == {"Team A": (1, 1), "Team B": (1, 0)}
    assert table(world, cycle, "level", "high_rating") == {"L4": (1, 1), "L5": (1, 0)}
    assert table(world, cycle, "function", "high_rating") == {"Backend": (1, 1), "SRE": (1, 0)}
    assert table(world, cycle, "manager", "high_rating") == {
        "Mia Manager": (1, 1),
        "Omar Othermanager": (1, 0),
    }
    assert table(world, cycle, "ladder", "high_rating") == {"Engineering IC": (2, 1)}


def test_two_teams_with_the_same_name_are_not_merged(world):
    twin = org_services.team_create(actor=world.root, name="Team A", slug="team-a-2")
    org_services.person_update(actor=world.hr.user, person=world.other_engineer, team=twin)
    cycle = open_cycle(world)
    submitted_review(world, cycle, world.engineer)
    submitted_review(world, cycle, world.other_engineer)
    assert table(world, cycle, "team", "low_rating") == {
        f"Team A (#{world.team_a.pk})": (1, 0),
        f"Team A (#{twin.pk})": (1, 0),
    }


def test_no_answer_and_prefer_not_to_say_form_the_undisclosed_group(world):
    gender(world)
    answer(world, world.engineer, "woman")
    answer(world, world.teammate, "prefer not to say")
    cycle = open_cycle(world)
    submitted_review(world, cycle, world.engineer, rating="exceeds")
    submitted_review(world, cycle, world.teammate, rating="below")
    submitted_review(world, cycle, world.other_engineer)
    assert table(world, cycle, "gender", "high_rating") == {"undisclosed": (2, 0), "woman": (1, 1)}
    assert table(world, cycle, "gender", "low_rating") == {"undisclosed": (2, 1), "woman": (1, 0)}
    # Current answers count: the audit is about who people say they are now.
    answer(world, world.other_engineer, "man")
    assert table(world, cycle, "gender", "low_rating") == {
        "man": (1, 0),
        "undisclosed": (1, 1),
        "woman": (1, 0),
    }


def test_before_calibration_ratings_are_the_authors_overall_ratings(world):
    cycle = open_cycle(world)
    submitted_review(world, cycle, world.engineer, rating="exceeds")
    submitted_review(world, cycle, world.teammate, rating="below")
    submitted_review(world, cycle, world.other_engineer, rating="meets")
    assert table(world, cycle, "level", "high_rating") == {"L3": (1, 0), "L4": (1, 1), "L5": (1, 0)}
    assert table(world, cycle, "level", "low_rating") == {"L3": (1, 1), "L4": (1, 0), "L5": (1, 0)}


def _decide(world, calib):
    refs = [{"level": "L4", "competency": "execution"}]
    calibration.case_decide(
        actor=world.other_manager.user,
        case=calib.case,
        version=calib.case.version,
        calibrated_rating="strongly_exceeds",
        rationale="Led the billing split across three teams.",
        rubric_refs=refs,
    )
    calibration.case_decide(
        actor=world.other_manager.user,
        case=calib.promo_case,
        version=calib.promo_case.version,
        promotion_decision="approved",
        rationale="Already works at L5 scope.",
        rubric_refs=[{"level": "L5", "competency": "execution"}],
    )
    calibration.case_decide(
        actor=world.director.user,
        case=calib.teammate_case,
        version=calib.teammate_case.version,
        calibrated_rating="below",
        rationale="Missed the L3 expectations for execution.",
        rubric_refs=[{"level": "L3", "competency": "execution"}],
    )
    other = CalibrationCase.objects.get(session=calib.other_session)
    calibration.case_decide(
        actor=world.manager.user, case=other, version=other.version, calibrated_rating="meets"
    )


def test_outcomes_follow_calibration_only_once_sessions_are_finalized(world):
    calib = build_calibration(world)
    _decide(world, calib)
    # Decided but not finalized: nothing has changed yet.
    assert table(world, calib.cycle, "level", "calibrated_up") == {
        "L3": (1, 0),
        "L4": (1, 0),
        "L5": (1, 0),
    }
    assert table(world, calib.cycle, "level", "promoted")["L4"] == (1, 0)

    calibration.session_finalize(actor=world.hr.user, session=calib.session)
    calibration.session_finalize(actor=world.hr.user, session=calib.other_session)
    cycle = calib.cycle
    assert table(world, cycle, "level", "high_rating") == {"L3": (1, 0), "L4": (1, 1), "L5": (1, 0)}
    assert table(world, cycle, "level", "low_rating") == {"L3": (1, 1), "L4": (1, 0), "L5": (1, 0)}
    assert table(world, cycle, "level", "promoted") == {"L3": (1, 0), "L4": (1, 1), "L5": (1, 0)}
    assert table(world, cycle, "level", "calibrated_up") == {
        "L3": (1, 0),
        "L4": (1, 1),
        "L5": (1, 0),
    }
    assert table(world, cycle, "level", "calibrated_down") == {
        "L3": (1, 1),
        "L4": (1, 0),
        "L5": (1, 0),
    }
    assert table(world, cycle, "team", "calibrated_down") == {"Team A": (2, 1), "Team B": (1, 0)}

    report = audit_report(user=world.hr.user, cycle=cycle, min_group_size=1)
    section = next(s for s in report["calibration"] if s["dimension"] == "team")
    team_a = next(g for g in section["groups"] if g["group"] == "Team A")
    assert team_a["calibrated_reviews"] == 2
    assert team_a["changed_up_share"] == pytest.approx(0.5)
    assert team_a["changed_down_share"] == pytest.approx(0.5)
    assert team_a["unchanged_share"] == 0


def test_the_language_section_counts_what_lint_review_shows_the_author(world):
    cycle = open_cycle(world)
    submitted_review(world, cycle, world.engineer, rating="exceeds")
    ev = add_evidence(world, world.teammate, "Release train", datetime.date(2025, 9, 1))
    review = review_create(actor=world.manager.user, cycle=cycle, subject=world.teammate)
    review_update(
        actor=world.manager.user,
        review=review,
        version=review.version,
        overall_rating="meets",
        narrative={
            "growth": "Needs to be more confident and is not strategic. A rockstar.",
            "context": "Can be abrasive in reviews.",
        },
        assessments=[
            {"competency": "execution", "rating": "meets", "evidence": [ev.pk], "narrative": ""},
            {"competency": "collaboration", "rating": "meets", "evidence": [ev.pk]},
        ],
    )
    review.refresh_from_db()
    review_submit(actor=world.manager.user, review=review)
    expected: Counter[str] = Counter()
    for r in Review.objects.filter(cycle=cycle):
        expected.update(f.code for f in lint_review(r))
    assert expected["vague_judgement"] >= 1 and expected["personality"] >= 1

    report = audit_report(user=world.hr.user, cycle=cycle, min_group_size=1)
    section = next(s for s in report["language"] if s["dimension"] == "team")
    (team_a,) = section["groups"]
    assert team_a["reviews"] == 2
    for code in report["lint_codes"]:
        assert team_a["findings_per_review"][code] == pytest.approx(expected[code] / 2), code
    assert team_a["vague_judgement_per_review"] == pytest.approx(expected["vague_judgement"] / 2)
    assert team_a["personality_per_review"] == pytest.approx(expected["personality"] / 2)
    assert team_a["specific_share"] == pytest.approx(0.5)
    assert team_a["vague_share"] == pytest.approx(0.5)


def test_the_evidence_section_counts_items_in_the_period_citations_and_invisible_work(world):
    cycle = open_cycle(world)
    # Each cites one pull request and one mentoring item, both in the period.
    submitted_review(world, cycle, world.engineer, rating="exceeds")
    submitted_review(world, cycle, world.teammate, rating="meets")
    add_evidence(world, world.engineer, "Pager week", datetime.date(2025, 10, 2), kind="on_call")
    add_evidence(world, world.engineer, "Old incident", datetime.date(2024, 3, 1), kind="incident")
    add_evidence(world, world.engineer, "Design", datetime.date(2025, 11, 2), kind="design_doc")

    report = audit_report(user=world.hr.user, cycle=cycle, min_group_size=1)
    section = next(s for s in report["evidence"] if s["dimension"] == "team")
    (team_a,) = section["groups"]
    assert team_a["reviews"] == 2
    assert team_a["evidence_per_review"] == 3  # 4 + 2; the 2024 incident is outside
    assert team_a["citations_per_review"] == 2
    assert team_a["invisible_work_share"] == pytest.approx(3 / 6)  # 2 mentoring, on-call
    assert team_a["invisible_cited_share"] == pytest.approx(2 / 3)
    assert team_a["other_cited_share"] == pytest.approx(2 / 3)
    assert team_a["high_rated_reviews"] == 1
    assert team_a["high_rated_citations_per_review"] == 2

    # A mean over fewer high-rated reviews than the minimum group size is not shown.
    report = audit_report(user=world.hr.user, cycle=cycle, min_group_size=2)
    section = next(s for s in report["evidence"] if s["dimension"] == "team")
    (team_a,) = section["groups"]
    assert team_a["suppressed"] is False
    assert team_a["high_rated_reviews"] == 1
    assert team_a["high_rated_citations_per_review"] is None


def _people(world, n: int, start: int):
    return [
        make_person(
            world.root,
            f"extra{i}",
            team=world.team_b,
            manager=world.other_manager,
            ladder=world.ladder,
            level=["L3", "L4", "L5"][i % 3],
            function="Data",
        )
        for i in range(start, start + n)
    ]


def test_the_report_runs_the_same_number_of_queries_for_a_larger_population(world):
    gender(world)
    cycle = open_cycle(world)
    for p in [world.engineer, world.teammate, *_people(world, 2, 0)]:
        answer(world, p, "woman")
        submitted_review(world, cycle, p, rating="exceeds")

    hr = world.hr.user
    assert is_hr(hr)  # the gate's one query, cached on the user: not the report's

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            report = audit_report(user=hr, cycle=cycle, min_group_size=1)
        assert report["results"]
        return len(ctx)

    small = count()
    for i, p in enumerate(_people(world, 9, 10)):
        answer(world, p, ["man", "non-binary", "prefer not to say"][i % 3])
        submitted_review(world, cycle, p, rating=["below", "meets", "exceeds"][i % 3])
        add_evidence(
            world, p, f"on-call {i}", datetime.date(2025, 10, 1), kind="on_call", by=p.parent
        )
    large = count()
    assert small == large
    assert Review.objects.filter(cycle=cycle).count() == 13

    with CaptureQueriesContext(connection) as ctx:
        audit_outcomes(user=world.hr.user, cycle=cycle, dimension="gender", outcome="low_rating")
    outcomes_queries = len(ctx)
    for p in _people(world, 3, 30):
        submitted_review(world, cycle, p)
    with CaptureQueriesContext(connection) as ctx:
        audit_outcomes(user=world.hr.user, cycle=cycle, dimension="gender", outcome="low_rating")
    assert len(ctx) == outcomes_queries
