"""Every route × every role: who may use it, who is refused, and how (SPEC §3).

`test_every_route_has_role_tests` walks the URL resolver and fails when a route has no
row in ROUTES, so a new page or endpoint cannot ship without its role tests.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.audit import page_routes as audit_page_routes
from tests.calibration import board_page_routes, letter_page_routes
from tests.conftest import ROLES
from tests.outcomes import conftest as outcomes_fixtures
from tests.reviews import library_page_routes, review_page_routes
from tests.route_cases import ANON_API, ANON_HTML, NO_ARGS, Case, everyone, hr_only

ROUTES: list[Case] = [
    # --- HTML pages ------------------------------------------------------------------
    Case("home", "get", NO_ARGS, everyone(200, ANON_HTML)),
    Case("login", "get", NO_ARGS, {**everyone(302, 200)}, note="signed-in users move on"),
    Case("logout", "post", NO_ARGS, everyone(302, 302)),
    Case("about-me", "get", NO_ARGS, everyone(200, ANON_HTML)),
    Case("rubrics:index", "get", NO_ARGS, everyone(200, ANON_HTML)),
    Case("rubrics:ladder", "get", lambda w: [w.ladder.slug], everyone(200, ANON_HTML)),
    Case("rubrics:current-level", "get", lambda w: [w.ladder.slug, "L4"], everyone(200, ANON_HTML)),
    Case("rubrics:history", "get", lambda w: [w.ladder.slug], everyone(200, ANON_HTML)),
    Case("rubrics:version", "get", lambda w: [w.ladder.slug, 1], everyone(200, ANON_HTML)),
    Case(
        "rubrics:version",
        "get",
        lambda w: [w.ladder.slug, 2],
        hr_only(200, 404, ANON_HTML),
        note="draft",
    ),
    Case("rubrics:level", "get", lambda w: [w.ladder.slug, 1, "L5"], everyone(200, ANON_HTML)),
    Case(
        "rubrics:level",
        "get",
        lambda w: [w.ladder.slug, 2, "L5"],
        hr_only(200, 404, ANON_HTML),
        note="draft",
    ),
    Case("rubrics:pdf", "get", lambda w: [w.ladder.slug, 1], everyone(200, ANON_HTML)),
    Case(
        "rubrics:pdf",
        "get",
        lambda w: [w.ladder.slug, 2],
        hr_only(200, 404, ANON_HTML),
        note="draft",
    ),
    Case("rubrics:publish", "get", lambda w: [w.ladder.slug, 2], hr_only(200, 404, ANON_HTML)),
    Case(
        "rubrics:publish",
        "post",
        lambda w: [w.ladder.slug, 2],
        hr_only(302, 404, ANON_HTML),
        data=lambda w: {"confirm": "on"},
    ),
    # --- API documentation -------------------------------------------------------------
    Case("api-schema", "get", NO_ARGS, everyone(200, 200), api=True),
    Case("api-docs", "get", NO_ARGS, everyone(200, 200), api=True),
    Case(
        "api-token",
        "post",
        NO_ARGS,
        everyone(200, 200),
        api=True,
        data=lambda w: {"username": "engineer", "password": "pw-for-tests"},
    ),
    Case("api:api-root", "get", NO_ARGS, everyone(200, ANON_API), api=True),
    # --- Teams ---------------------------------------------------------------------------
    Case("api:team-list", "get", NO_ARGS, everyone(200, ANON_API), api=True),
    Case(
        "api:team-list",
        "post",
        NO_ARGS,
        hr_only(201, 403, ANON_API),
        api=True,
        data=lambda w: {"name": "New team", "slug": "new-team", "parent": w.eng.pk},
    ),
    Case("api:team-detail", "get", lambda w: [w.team_b.pk], everyone(200, ANON_API), api=True),
    Case(
        "api:team-detail",
        "patch",
        lambda w: [w.team_b.pk],
        hr_only(200, 403, ANON_API),
        api=True,
        data=lambda w: {"name": "Team Bee"},
    ),
    Case(
        "api:team-detail",
        "put",
        lambda w: [w.team_b.pk],
        hr_only(200, 403, ANON_API),
        api=True,
        data=lambda w: {"name": "Team Bee", "slug": "team-bee"},
    ),
    # --- People --------------------------------------------------------------------------
    Case("api:person-list", "get", NO_ARGS, everyone(200, ANON_API), api=True),
    Case(
        "api:person-list",
        "post",
        NO_ARGS,
        hr_only(201, 403, ANON_API),
        api=True,
        data=lambda w: {
            "username": "newbie",
            "full_name": "New Person",
            "team": w.team_a.pk,
            "manager": w.manager.pk,
        },
    ),
    Case(
        "api:person-detail",
        "get",
        lambda w: [w.calib.review.subject_id],
        {"anonymous": ANON_API, "engineer": 200, "manager": 200, "other_manager": 200, "hr": 200},
        api=True,
        note="other_manager calibrates the engineer",
    ),
    Case(
        "api:person-detail",
        "get",
        lambda w: [w.director.pk],
        {"anonymous": ANON_API, "engineer": 404, "manager": 404, "other_manager": 404, "hr": 200},
        api=True,
        note="above everyone",
    ),
    Case(
        "api:person-detail",
        "patch",
        lambda w: [w.calib.review.subject_id],
        {"anonymous": ANON_API, "engineer": 403, "manager": 403, "other_manager": 403, "hr": 200},
        api=True,
        data=lambda w: {"function": "Platform"},
    ),
    Case(
        "api:person-detail",
        "put",
        lambda w: [w.director.pk],
        {"anonymous": ANON_API, "engineer": 404, "manager": 404, "other_manager": 404, "hr": 200},
        api=True,
        data=lambda w: {"username": "director", "full_name": "Dana D.", "team": w.eng.pk},
    ),
    Case(
        "api:person-demographics",
        "get",
        lambda w: [w.engineer.pk],
        {"anonymous": ANON_API, "engineer": 200, "manager": 404, "other_manager": 404, "hr": 200},
        api=True,
    ),
    Case(
        "api:person-demographics",
        "put",
        lambda w: [w.engineer.pk],
        {"anonymous": ANON_API, "engineer": 200, "manager": 404, "other_manager": 404, "hr": 200},
        api=True,
        data=lambda w: {"attributes": {}},
    ),
    # --- Demographic dimensions ----------------------------------------------------------
    Case("api:demographic-dimension-list", "get", NO_ARGS, everyone(200, ANON_API), api=True),
    Case(
        "api:demographic-dimension-list",
        "post",
        NO_ARGS,
        hr_only(201, 403, ANON_API),
        api=True,
        data=lambda w: {
            "key": "age_band",
            "label": "Age band",
            "values": ["under 30", "30 and over"],
        },
    ),
    Case(
        "api:demographic-dimension-detail",
        "get",
        lambda w: [w.dimension.pk],
        everyone(200, ANON_API),
        api=True,
    ),
    Case(
        "api:demographic-dimension-detail",
        "patch",
        lambda w: [w.dimension.pk],
        hr_only(200, 403, ANON_API),
        api=True,
        data=lambda w: {"label": "Gender identity"},
    ),
    Case(
        "api:demographic-dimension-detail",
        "put",
        lambda w: [w.dimension.pk],
        hr_only(200, 403, ANON_API),
        api=True,
        data=lambda w: {"key": "gender", "label": "Gender", "values": ["woman", "man"]},
    ),
    # --- Ladders and rubric versions -----------------------------------------------------
    Case("api:ladder-list", "get", NO_ARGS, everyone(200, ANON_API), api=True),
    Case(
        "api:ladder-list",
        "post",
        NO_ARGS,
        hr_only(201, 403, ANON_API),
        api=True,
        data=lambda w: {"name": "Engineering Manager", "slug": "engineering-manager"},
    ),
    Case("api:ladder-detail", "get", lambda w: [w.ladder.pk], everyone(200, ANON_API), api=True),
    Case(
        "api:ladder-detail",
        "patch",
        lambda w: [w.ladder.pk],
        hr_only(200, 403, ANON_API),
        api=True,
        data=lambda w: {"description": "Individual contributors."},
    ),
    Case(
        "api:ladder-detail",
        "put",
        lambda w: [w.ladder.pk],
        hr_only(200, 403, ANON_API),
        api=True,
        data=lambda w: {"name": "Engineering IC", "slug": "engineering-ic"},
    ),
    Case("api:rubric-version-list", "get", NO_ARGS, everyone(200, ANON_API), api=True),
    Case(
        "api:rubric-version-list",
        "post",
        NO_ARGS,
        hr_only(201, 403, ANON_API),
        api=True,
        data=lambda w: {"ladder": w.ladder.pk, "from_version": w.v1.pk},
    ),
    Case(
        "api:rubric-version-detail", "get", lambda w: [w.v1.pk], everyone(200, ANON_API), api=True
    ),
    Case(
        "api:rubric-version-detail",
        "get",
        lambda w: [w.v2.pk],
        hr_only(200, 404, ANON_API),
        api=True,
        note="draft",
    ),
    Case(
        "api:rubric-version-detail",
        "patch",
        lambda w: [w.v2.pk],
        hr_only(200, 404, ANON_API),
        api=True,
        data=lambda w: {"change_summary": "Edited"},
        note="draft",
    ),
    Case(
        "api:rubric-version-detail",
        "patch",
        lambda w: [w.v1.pk],
        hr_only(409, 403, ANON_API),
        api=True,
        data=lambda w: {"change_summary": "Edited"},
        note="published",
    ),
    Case(
        "api:rubric-version-detail",
        "put",
        lambda w: [w.v1.pk],
        hr_only(409, 403, ANON_API),
        api=True,
        data=lambda w: {"levels": []},
        note="published",
    ),
    Case(
        "api:rubric-version-detail",
        "delete",
        lambda w: [w.v1.pk],
        hr_only(409, 403, ANON_API),
        api=True,
        note="published",
    ),
    Case(
        "api:rubric-version-detail",
        "delete",
        lambda w: [w.v2.pk],
        hr_only(204, 404, ANON_API),
        api=True,
        note="draft",
    ),
    Case(
        "api:rubric-version-publish",
        "post",
        lambda w: [w.v2.pk],
        hr_only(200, 404, ANON_API),
        api=True,
        note="draft",
    ),
    Case(
        "api:rubric-version-publish",
        "post",
        lambda w: [w.v1.pk],
        hr_only(409, 403, ANON_API),
        api=True,
        note="published",
    ),
    Case(
        "api:rubric-version-diff",
        "get",
        lambda w: [w.v1.pk],
        everyone(200, ANON_API),
        api=True,
        query="against={v1}",
    ),
    Case(
        "api:rubric-version-diff",
        "get",
        lambda w: [w.v2.pk],
        hr_only(200, 404, ANON_API),
        api=True,
        query="against={v1}",
        note="draft",
    ),
]

# --- Reviews, evidence, feedback, check-ins (the `extras` fixture adds cycle, ev, review,
# fb (the manager asks other_manager about the engineer) and ci to the world) -------------
ROUTES += [
    Case("api:cycle-list", "get", NO_ARGS, everyone(200, ANON_API), api=True),
    Case(
        "api:cycle-list",
        "post",
        NO_ARGS,
        hr_only(201, 403, ANON_API),
        api=True,
        data=lambda w: {
            "name": "H2",
            "starts_on": "2026-07-01",
            "ends_on": "2026-12-31",
            "rubric_versions": [w.v1.pk],
        },
    ),
    Case("api:cycle-detail", "get", lambda w: [w.cycle.pk], everyone(200, ANON_API), api=True),
    Case(
        "api:cycle-detail",
        "patch",
        lambda w: [w.cycle.pk],
        hr_only(200, 403, ANON_API),
        api=True,
        data=lambda w: {"name": "First half"},
    ),
    Case(
        "api:cycle-detail",
        "put",
        lambda w: [w.cycle.pk],
        hr_only(409, 403, ANON_API),
        api=True,
        note="open cycle: dates fixed",
        data=lambda w: {"name": "H1", "starts_on": "2026-01-02", "ends_on": "2026-06-30"},
    ),
    Case(
        "api:cycle-transition",
        "post",
        lambda w: [w.cycle.pk],
        hr_only(200, 403, ANON_API),
        api=True,
        data=lambda w: {"to": "calibrating"},
    ),
    Case("api:evidence-list", "get", NO_ARGS, everyone(200, ANON_API), api=True),
    Case(
        "api:evidence-list",
        "post",
        NO_ARGS,
        {"anonymous": ANON_API, "engineer": 201, "manager": 201, "other_manager": 403, "hr": 403},
        api=True,
        note="other_manager was asked for feedback on the engineer: sees them, may not write",
        data=lambda w: {
            "person": w.engineer.pk,
            "title": "Design doc",
            "occurred_on": "2026-03-03",
        },
    ),
    Case(
        "api:evidence-detail",
        "get",
        lambda w: [w.ev.pk],
        {"anonymous": ANON_API, "engineer": 200, "manager": 200, "other_manager": 404, "hr": 200},
        api=True,
    ),
    Case("api:review-list", "get", NO_ARGS, everyone(200, ANON_API), api=True),
    Case(
        "api:review-list",
        "post",
        NO_ARGS,
        {"anonymous": ANON_API, "engineer": 400, "manager": 201, "other_manager": 400, "hr": 400},
        api=True,
        data=lambda w: {"cycle": w.cycle.pk, "subject": w.teammate.pk},
    ),
    Case(
        "api:review-detail",
        "get",
        lambda w: [w.review.pk],
        {"anonymous": ANON_API, "engineer": 404, "manager": 200, "other_manager": 404, "hr": 200},
        api=True,
        note="draft: not yet released to the subject",
    ),
    Case(
        "api:review-detail",
        "patch",
        lambda w: [w.review.pk],
        {"anonymous": ANON_API, "engineer": 404, "manager": 200, "other_manager": 404, "hr": 403},
        api=True,
        data=lambda w: {"version": 1, "overall_rating": "meets"},
    ),
    Case(
        "api:review-submit",
        "post",
        lambda w: [w.review.pk],
        {"anonymous": ANON_API, "engineer": 404, "manager": 400, "other_manager": 404, "hr": 403},
        api=True,
        data=lambda w: {"version": 1},
        note="incomplete draft",
    ),
    Case(
        "api:review-acknowledge",
        "post",
        lambda w: [w.review.pk],
        {"anonymous": ANON_API, "engineer": 404, "manager": 403, "other_manager": 404, "hr": 403},
        api=True,
        data=lambda w: {},
    ),
    Case("api:feedback-request-list", "get", NO_ARGS, everyone(200, ANON_API), api=True),
    Case(
        "api:feedback-request-list",
        "post",
        NO_ARGS,
        {"anonymous": ANON_API, "engineer": 201, "manager": 201, "other_manager": 400, "hr": 400},
        api=True,
        data=lambda w: {
            "cycle": w.cycle.pk,
            "subject": w.engineer.pk,
            "respondent": w.other_engineer.pk,
            "relationship": "peer",
        },
    ),
    Case(
        "api:feedback-request-detail",
        "get",
        lambda w: [w.fb.pk],
        {"anonymous": ANON_API, "engineer": 200, "manager": 200, "other_manager": 200, "hr": 200},
        api=True,
    ),
    Case(
        "api:feedback-request-answer",
        "post",
        lambda w: [w.fb.pk],
        {"anonymous": ANON_API, "engineer": 403, "manager": 403, "other_manager": 200, "hr": 403},
        api=True,
        data=lambda w: {"owned": "The billing split", "changed": "Faster invoices"},
    ),
    Case(
        "api:feedback-request-decline",
        "post",
        lambda w: [w.fb.pk],
        {"anonymous": ANON_API, "engineer": 403, "manager": 403, "other_manager": 200, "hr": 403},
        api=True,
    ),
    Case("api:check-in-list", "get", NO_ARGS, everyone(200, ANON_API), api=True),
    Case(
        "api:check-in-list",
        "post",
        NO_ARGS,
        {"anonymous": ANON_API, "engineer": 201, "manager": 201, "other_manager": 403, "hr": 403},
        api=True,
        note="other_manager was asked for feedback on the engineer: sees them, may not write",
        data=lambda w: {
            "person": w.engineer.pk,
            "occurred_on": "2026-03-03",
            "what_changed": "Shipped the importer",
        },
    ),
    Case(
        "api:check-in-detail",
        "get",
        lambda w: [w.ci.pk],
        {"anonymous": ANON_API, "engineer": 200, "manager": 200, "other_manager": 404, "hr": 404},
        api=True,
    ),
    Case(
        "api:check-in-promote",
        "post",
        lambda w: [w.ci.pk],
        {"anonymous": ANON_API, "engineer": 201, "manager": 201, "other_manager": 404, "hr": 404},
        api=True,
        data=lambda w: {"item": "what_changed", "title": "Importer"},
    ),
]

# --- Calibration (world.calib: see tests/calibration/conftest.py) ---------------------
ROUTES += [
    Case("api:calibration-session-list", "get", NO_ARGS, everyone(200, ANON_API), api=True),
    Case(
        "api:calibration-session-list",
        "post",
        NO_ARGS,
        hr_only(201, 403, ANON_API),
        api=True,
        data=lambda w: {
            "cycle": w.calib.cycle.pk,
            "name": "Levels 5+",
            "facilitator": w.director.pk,
            "committee": [w.director.pk],
            "scope": {"levels": ["L5"]},
        },
    ),
    Case(
        "api:calibration-session-detail",
        "get",
        lambda w: [w.calib.session.pk],
        {"anonymous": ANON_API, "engineer": 404, "manager": 404, "other_manager": 200, "hr": 200},
        api=True,
    ),
    Case(
        "api:calibration-session-open",
        "post",
        lambda w: [w.calib.session.pk],
        {"anonymous": ANON_API, "engineer": 404, "manager": 404, "other_manager": 403, "hr": 409},
        api=True,
        note="already open",
    ),
    Case(
        "api:calibration-session-finalize",
        "post",
        lambda w: [w.calib.session.pk],
        {"anonymous": ANON_API, "engineer": 404, "manager": 404, "other_manager": 409, "hr": 409},
        api=True,
        note="cases pending",
    ),
    Case(
        "api:calibration-session-log",
        "get",
        lambda w: [w.calib.session.pk],
        {"anonymous": ANON_API, "engineer": 404, "manager": 404, "other_manager": 200, "hr": 200},
        api=True,
    ),
    Case(
        "api:calibration-session-packet",
        "get",
        lambda w: [w.calib.session.pk],
        {"anonymous": ANON_API, "engineer": 404, "manager": 404, "other_manager": 202, "hr": 202},
        api=True,
        note="the committee and HR",
    ),
    Case("api:calibration-case-list", "get", NO_ARGS, everyone(200, ANON_API), api=True),
    Case(
        "api:calibration-case-detail",
        "get",
        lambda w: [w.calib.case.pk],
        {"anonymous": ANON_API, "engineer": 404, "manager": 404, "other_manager": 200, "hr": 200},
        api=True,
    ),
    Case(
        "api:calibration-case-detail",
        "patch",
        lambda w: [w.calib.case.pk],
        {"anonymous": ANON_API, "engineer": 404, "manager": 404, "other_manager": 200, "hr": 403},
        api=True,
        data=lambda w: {"version": 1, "calibrated_rating": "exceeds"},
    ),
    Case(
        "api:review-outcome",
        "get",
        lambda w: [w.review.pk],
        {"anonymous": ANON_API, "engineer": 404, "manager": 409, "other_manager": 404, "hr": 409},
        api=True,
        note="not released yet",
    ),
]


# --- Fairness audit (HR only; everyone else 404) --------------------------------------
class _CycleQuery(str):
    """`test_role_access` formats `query` with {v1} and {v2} only; the audit needs the id of
    `world.cycle` (built by `extras`: the newest cycle), so this query fills it in."""

    def format(self, *args: Any, **kwargs: Any) -> str:
        from reviews.models import ReviewCycle

        return super().format(*args, cycle=ReviewCycle.objects.latest("pk").pk, **kwargs)


ROUTES += [
    Case(
        "api:audit-outcomes",
        "get",
        NO_ARGS,
        hr_only(200, 404, ANON_API),
        api=True,
        query=_CycleQuery("cycle={cycle}&dimension=team&outcome=high_rating"),
    ),
    Case(
        "api:audit-report",
        "get",
        NO_ARGS,
        hr_only(200, 404, ANON_API),
        api=True,
        query=_CycleQuery("cycle={cycle}"),
    ),
    # 202: the PDF is queued for the background worker.
    Case(
        "api:audit-report-pdf",
        "get",
        NO_ARGS,
        hr_only(202, 404, ANON_API),
        api=True,
        query=_CycleQuery("cycle={cycle}"),
    ),
]


# --- Team outcomes -------------------------------------------------------------------------
# Every signed-in person reads team outcomes; HR (and ingestion tokens, tested in
# tests/outcomes/test_tokens.py) writes them; only HR manages ingestion tokens.
DEPLOYMENT = {
    "team": None,
    "external_id": "deploy-1",
    "deployed_at": "2026-03-02T10:00:00Z",
    "committed_at": "2026-03-02T08:00:00Z",
    "failed": False,
}
ROUTES += [
    Case("outcomes:index", "get", NO_ARGS, everyone(200, ANON_HTML)),
    Case("outcomes:team", "get", lambda w: [w.team_b.slug], everyone(200, ANON_HTML)),
    Case(
        "api:team-scorecard",
        "get",
        lambda w: [w.team_b.pk],
        everyone(200, ANON_API),
        api=True,
        query="start=2026-03-01&end=2026-03-31",
    ),
    Case("api:deployment-list", "get", NO_ARGS, everyone(200, ANON_API), api=True),
    Case(
        "api:deployment-list",
        "post",
        NO_ARGS,
        hr_only(201, 403, ANON_API),
        api=True,
        data=lambda w: [{**DEPLOYMENT, "team": w.team_a.pk}],
    ),
    Case("api:incident-list", "get", NO_ARGS, everyone(200, ANON_API), api=True),
    Case(
        "api:incident-list",
        "post",
        NO_ARGS,
        hr_only(201, 403, ANON_API),
        api=True,
        data=lambda w: {
            "team": w.team_a.pk,
            "external_id": "INC-1",
            "started_at": "2026-03-02T10:00:00Z",
            "severity": "sev2",
        },
    ),
    Case("api:slo-report-list", "get", NO_ARGS, everyone(200, ANON_API), api=True),
    Case(
        "api:slo-report-list",
        "post",
        NO_ARGS,
        hr_only(201, 403, ANON_API),
        api=True,
        data=lambda w: {
            "team": w.team_a.pk,
            "service": "api",
            "period_start": "2026-03-01",
            "period_end": "2026-03-31",
            "objective": 0.999,
            "attained": 0.9995,
        },
    ),
    Case("api:health-survey-list", "get", NO_ARGS, everyone(200, ANON_API), api=True),
    Case(
        "api:health-survey-list",
        "post",
        NO_ARGS,
        hr_only(201, 403, ANON_API),
        api=True,
        data=lambda w: {
            "team": w.team_a.pk,
            "period_start": "2026-03-02",
            "respondents": 6,
            "psychological_safety": 4.1,
            "workload": 3.0,
            "clarity": 3.9,
            "on_call_burden": 2.5,
            "decision_latency": 2.8,
        },
    ),
    Case("api:ingestion-token-list", "get", NO_ARGS, hr_only(200, 403, ANON_API), api=True),
    Case(
        "api:ingestion-token-list",
        "post",
        NO_ARGS,
        hr_only(201, 403, ANON_API),
        api=True,
        data=lambda w: {"name": "Deploy pipeline"},
    ),
    Case(
        "api:ingestion-token-revoke",
        "post",
        lambda w: [w.ingestion_token.pk],
        hr_only(200, 403, ANON_API),
        api=True,
    ),
]

# Page routes of the reviews and calibration apps live next to their tests.
ROUTES += review_page_routes.ROUTES + library_page_routes.ROUTES
ROUTES += board_page_routes.ROUTES + letter_page_routes.ROUTES
ROUTES += audit_page_routes.ROUTES

# Namespaces covered by their own role tests: the admin (tests/org/test_admin.py walks
# every registered model for every role).
COVERED_ELSEWHERE = {"admin"}


def _walk(patterns: list[Any], namespace: str = "") -> set[str]:
    names: set[str] = set()
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or ""
            prefix = f"{namespace}{ns}:" if ns else namespace
            if ns in COVERED_ELSEWHERE:
                continue
            names |= _walk(p.url_patterns, prefix)
        elif isinstance(p, URLPattern) and p.name:
            names.add(f"{namespace}{p.name}")
    return names


def test_every_route_has_role_tests() -> None:
    routes = _walk(get_resolver().url_patterns)
    covered = {c.name for c in ROUTES}
    missing = sorted(routes - covered)
    assert not missing, f"Routes without role tests: {missing}"
    for name in covered:
        for case in (c for c in ROUTES if c.name == name):
            assert set(case.expect) == set(ROLES), f"{name} must list every role"


def _cases() -> list[Any]:
    out = []
    for case in ROUTES:
        for role in ROLES:
            label = f"{case.method} {case.name}{' (' + case.note + ')' if case.note else ''}"
            out.append(pytest.param(case, role, id=f"{label} as {role}"))
    return out


@pytest.fixture
def extras(world):
    """Objects the routes act on, attached to the world."""
    import datetime

    from org import services
    from reviews import services as review_services
    from tests.reviews.conftest import make_cycle

    world.dimension = services.dimension_save(
        actor=world.root, key="gender", label="Gender", values=["woman", "man", "non-binary"]
    )
    world.cycle = make_cycle(world)
    world.ev = review_services.evidence_create(
        actor=world.engineer.user,
        person=world.engineer,
        title="Billing split",
        occurred_on=datetime.date(2026, 2, 2),
        url="https://github.com/acme/b/pull/1",
    )
    world.review = review_services.review_create(
        actor=world.manager.user, cycle=world.cycle, subject=world.engineer
    )
    world.fb = review_services.feedback_request_create(
        actor=world.manager.user,
        cycle=world.cycle,
        subject=world.engineer,
        respondent=world.other_manager,
        relationship="cross_functional",
    )
    world.ci = review_services.check_in_create(
        actor=world.manager.user,
        person=world.engineer,
        occurred_on=datetime.date(2026, 2, 9),
        what_changed="Took over the billing on-call",
        risks="Too much context switching",
    )
    return world


# The outcomes fixtures live with the outcomes tests; this makes one of them usable here.
route_ingestion_token = outcomes_fixtures.route_ingestion_token


@pytest.mark.parametrize(("case", "role"), _cases())
def test_role_access(
    case: Case, role: str, world, extras, route_ingestion_token, client_for, api_for
) -> None:
    world.ingestion_token = route_ingestion_token
    client = api_for(role) if case.api else client_for(role)
    url = reverse(case.name, args=case.args(world))
    if case.query:
        url += "?" + case.query.format(v1=world.v1.pk, v2=world.v2.pk)
    kwargs: dict[str, Any] = {}
    if case.data is not None:
        kwargs["data"] = case.data(world)
        if case.api:
            kwargs["format"] = "json"
    response = getattr(client, case.method)(url, **kwargs)
    expected = case.expect[role]
    assert response.status_code == expected, (
        f"{case.method.upper()} {url} as {role}: {response.status_code}, expected {expected}"
    )
    if expected == ANON_HTML and role == "anonymous" and not case.api and case.name != "logout":
        assert response["Location"].startswith(reverse("login"))
