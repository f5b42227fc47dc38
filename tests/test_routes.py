"""Every route × every role: who may use it, who is refused, and how (SPEC §3).

`test_every_route_has_role_tests` walks the URL resolver and fails when a route has no
row in ROUTES, so a new page or endpoint cannot ship without its role tests.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any, cast

import pytest
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from org.models import User
from tests.audit import page_routes as audit_page_routes
from tests.calibration import board_page_routes, letter_page_routes
from tests.conftest import FAST_HASHERS, ROLES, user_for
from tests.factories import build_world
from tests.reviews import library_page_routes, review_page_routes
from tests.route_cases import ANON_API, ANON_HTML, NO_ARGS, Case, everyone, hr_only, roles

ROUTES: list[Case] = [
    # --- HTML pages ------------------------------------------------------------------
    Case("home", "get", NO_ARGS, everyone(200, ANON_HTML)),
    Case("login", "get", NO_ARGS, everyone(302, 200), note="signed-in users move on"),
    Case(
        "login",
        "post",
        NO_ARGS,
        everyone(302, 302),
        data=lambda w: {"username": "engineer", "password": "pw-for-tests"},
        note="anonymous signs in; signed-in users move on",
    ),
    Case("logout", "post", NO_ARGS, everyone(302, ANON_HTML)),
    Case("about-me", "get", NO_ARGS, everyone(200, ANON_HTML)),
    # Saves one's own answers; without a person record there is nothing to save.
    Case(
        "about-me",
        "post",
        NO_ARGS,
        roles(302, ANON_HTML, superuser=200, no_person=200),
        data=lambda w: {"gender": "woman"},
    ),
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
        roles(200, ANON_API, no_person=404),
        api=True,
        note="other_manager calibrates the engineer",
    ),
    Case(
        "api:person-detail",
        "get",
        lambda w: [w.director.pk],
        roles(404, ANON_API, director=200, hr=200, superuser=200),
        api=True,
        note="above everyone",
    ),
    Case(
        "api:person-detail",
        "patch",
        lambda w: [w.calib.review.subject_id],
        roles(403, ANON_API, hr=200, superuser=200, no_person=404),
        api=True,
        data=lambda w: {"function": "Platform"},
    ),
    Case(
        "api:person-detail",
        "put",
        lambda w: [w.director.pk],
        roles(404, ANON_API, director=403, hr=200, superuser=200),
        api=True,
        data=lambda w: {"username": "director", "full_name": "Dana D.", "team": w.eng.pk},
    ),
    Case(
        "api:person-demographics",
        "get",
        lambda w: [w.engineer.pk],
        roles(404, ANON_API, engineer=200, hr=200, superuser=200),
        api=True,
    ),
    Case(
        "api:person-demographics",
        "put",
        lambda w: [w.engineer.pk],
        roles(404, ANON_API, engineer=200, hr=200, superuser=200),
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
        roles(403, ANON_API, engineer=201, manager=201, director=201, no_person=400),
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
        roles(200, ANON_API, teammate=404, respondent=404, no_person=404),
        api=True,
    ),
    Case("api:review-list", "get", NO_ARGS, everyone(200, ANON_API), api=True),
    Case(
        "api:review-list",
        "post",
        NO_ARGS,
        roles(400, ANON_API, manager=201, director=201, superuser=403),
        api=True,
        data=lambda w: {"cycle": w.cycle.pk, "subject": w.teammate.pk},
    ),
    Case(
        "api:review-detail",
        "get",
        lambda w: [w.review.pk],
        roles(404, ANON_API, manager=200, director=200, hr=200, superuser=200),
        api=True,
        note="draft: not yet released to the subject",
    ),
    Case(
        "api:review-detail",
        "patch",
        lambda w: [w.review.pk],
        roles(404, ANON_API, manager=200, director=200, hr=403, superuser=403),
        api=True,
        data=lambda w: {"version": 1, "overall_rating": "meets"},
    ),
    Case(
        "api:review-submit",
        "post",
        lambda w: [w.review.pk],
        roles(404, ANON_API, manager=400, director=400, hr=403, superuser=403),
        api=True,
        data=lambda w: {"version": 1},
        note="incomplete draft",
    ),
    Case(
        "api:review-acknowledge",
        "post",
        lambda w: [w.review.pk],
        roles(404, ANON_API, manager=403, director=403, hr=403, superuser=403),
        api=True,
        data=lambda w: {},
    ),
    Case("api:feedback-request-list", "get", NO_ARGS, everyone(200, ANON_API), api=True),
    Case(
        "api:feedback-request-list",
        "post",
        NO_ARGS,
        roles(400, ANON_API, engineer=201, manager=201, director=201, superuser=403),
        api=True,
        data=lambda w: {
            "cycle": w.cycle.pk,
            "subject": w.engineer.pk,
            "respondent": w.teammate.pk,
            "relationship": "peer",
        },
    ),
    Case(
        "api:feedback-request-detail",
        "get",
        lambda w: [w.fb.pk],
        roles(200, ANON_API, teammate=404, committee=404, no_person=404),
        api=True,
    ),
    Case(
        "api:feedback-request-answer",
        "post",
        lambda w: [w.fb.pk],
        roles(403, ANON_API, teammate=404, committee=404, respondent=200, no_person=404),
        api=True,
        data=lambda w: {"owned": "The billing split", "changed": "Faster invoices"},
    ),
    Case(
        "api:feedback-request-decline",
        "post",
        lambda w: [w.fb.pk],
        roles(403, ANON_API, teammate=404, committee=404, respondent=200, no_person=404),
        api=True,
    ),
    Case("api:check-in-list", "get", NO_ARGS, everyone(200, ANON_API), api=True),
    Case(
        "api:check-in-list",
        "post",
        NO_ARGS,
        roles(403, ANON_API, engineer=201, manager=201, director=201, no_person=400),
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
        roles(404, ANON_API, engineer=200, manager=200, director=200),
        api=True,
    ),
    Case(
        "api:check-in-promote",
        "post",
        lambda w: [w.ci.pk],
        roles(404, ANON_API, engineer=201, manager=201, director=201),
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
        roles(404, ANON_API, committee=200, hr=200, superuser=200),
        api=True,
    ),
    Case(
        "api:calibration-session-open",
        "post",
        lambda w: [w.calib.session.pk],
        roles(404, ANON_API, committee=403, hr=409, superuser=409),
        api=True,
        note="already open",
    ),
    Case(
        "api:calibration-session-finalize",
        "post",
        lambda w: [w.calib.session.pk],
        roles(404, ANON_API, committee=409, hr=409, superuser=409),
        api=True,
        note="cases pending",
    ),
    Case(
        "api:calibration-session-log",
        "get",
        lambda w: [w.calib.session.pk],
        roles(404, ANON_API, committee=200, hr=200, superuser=200),
        api=True,
    ),
    Case(
        "api:calibration-session-packet",
        "get",
        lambda w: [w.calib.session.pk],
        roles(404, ANON_API, committee=202, hr=202, superuser=202),
        api=True,
        note="the committee and HR",
    ),
    Case("api:calibration-case-list", "get", NO_ARGS, everyone(200, ANON_API), api=True),
    Case(
        "api:calibration-case-detail",
        "get",
        lambda w: [w.calib.case.pk],
        roles(404, ANON_API, committee=200, hr=200, superuser=200),
        api=True,
    ),
    Case(
        "api:calibration-case-detail",
        "patch",
        lambda w: [w.calib.case.pk],
        roles(404, ANON_API, committee=200, hr=403, superuser=403),
        api=True,
        data=lambda w: {"version": 1, "calibrated_rating": "exceeds"},
    ),
    Case(
        "api:review-outcome",
        "get",
        lambda w: [w.review.pk],
        roles(404, ANON_API, manager=409, director=409, hr=409, superuser=409),
        api=True,
        note="not released yet",
    ),
]


# --- Fairness audit (HR only; everyone else 404) --------------------------------------
ROUTES += [
    Case(
        "api:audit-outcomes",
        "get",
        NO_ARGS,
        hr_only(200, 404, ANON_API),
        api=True,
        query="cycle={cycle}&dimension=team&outcome=high_rating",
    ),
    Case(
        "api:audit-report",
        "get",
        NO_ARGS,
        hr_only(200, 404, ANON_API),
        api=True,
        query="cycle={cycle}",
    ),
    # 202: the PDF is queued for the background worker.
    Case(
        "api:audit-report-pdf",
        "get",
        NO_ARGS,
        hr_only(202, 404, ANON_API),
        api=True,
        query="cycle={cycle}",
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


METHODS = ("get", "post", "put", "patch", "delete")


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
    for case in ROUTES:
        assert set(case.expect) == set(ROLES), f"{case.name} must list every role"
        assert case.method in METHODS, f"{case.name}: unknown method {case.method}"


def build_route_world() -> SimpleNamespace:
    """The cast (build_world) and what the routes act on, with every role of ROLES in place:

    - cycle: open; ev: the engineer's evidence; review: the manager's draft review of the
      engineer; fb: the manager asked other_engineer (the respondent: Team B, outside the
      chain) about the engineer; ci: a check-in of the engineer; dimension: gender.
    - calib: a calibrating cycle whose Team A session holds the engineer's case; its
      facilitator and only committee member is other_manager (the committee role: Team B's
      manager, outside the engineer's chain). The director is on no committee, so the
      skip-level row shows what the chain alone gives. Team B's session has the manager on
      its committee.
    """
    from org import services as org_services
    from outcomes import services as outcome_services
    from reviews.services.check_ins import check_in_create
    from reviews.services.evidence import evidence_create
    from reviews.services.feedback import feedback_request_create
    from reviews.services.reviews import review_create
    from tests.reviews.conftest import make_cycle

    w = build_world()
    w.dimension = org_services.dimension_save(
        actor=w.root, key="gender", label="Gender", values=["woman", "man", "non-binary"]
    )
    w.cycle = make_cycle(w)
    w.ev = evidence_create(
        actor=w.engineer.user,
        person=w.engineer,
        title="Billing split",
        occurred_on=datetime.date(2026, 2, 2),
        url="https://github.com/acme/b/pull/1",
    )
    w.review = review_create(actor=w.manager.user, cycle=w.cycle, subject=w.engineer)
    w.fb = feedback_request_create(
        actor=w.manager.user,
        cycle=w.cycle,
        subject=w.engineer,
        respondent=w.other_engineer,
        relationship="cross_functional",
    )
    w.ci = check_in_create(
        actor=w.manager.user,
        person=w.engineer,
        occurred_on=datetime.date(2026, 2, 9),
        what_changed="Took over the billing on-call",
        risks="Too much context switching",
    )
    w.calib = _route_calibration(w)
    w.ingestion_token, _secret = outcome_services.ingestion_token_create(
        actor=w.root, name="Route tests"
    )
    return w


def _route_calibration(w: SimpleNamespace) -> SimpleNamespace:
    from calibration import services as calibration
    from calibration.models import CalibrationCase
    from reviews.services.cycles import cycle_create, cycle_transition
    from tests.calibration.conftest import END, START, submitted_review

    cycle = cycle_create(
        actor=w.hr.user, name="H2 2025", starts_on=START, ends_on=END, rubric_versions=[w.v1]
    )
    cycle = cycle_transition(actor=w.hr.user, cycle=cycle, to="open")
    review = submitted_review(w, cycle, w.engineer, rating="exceeds", promotion_to="L5")
    submitted_review(w, cycle, w.teammate, rating="meets")
    submitted_review(w, cycle, w.other_engineer, rating="meets")
    cycle = cycle_transition(actor=w.hr.user, cycle=cycle, to="calibrating")
    session = calibration.session_create(
        actor=w.hr.user,
        cycle=cycle,
        name="Team A calibration",
        facilitator=w.other_manager,
        committee=[w.other_manager],
        scope_teams=[w.team_a],
    )
    session = calibration.session_open(actor=w.hr.user, session=session)
    other_session = calibration.session_create(
        actor=w.hr.user,
        cycle=cycle,
        name="Team B calibration",
        facilitator=w.manager,
        committee=[w.manager],
        scope_teams=[w.team_b],
    )
    other_session = calibration.session_open(actor=w.hr.user, session=other_session)
    return SimpleNamespace(
        cycle=cycle,
        session=session,
        other_session=other_session,
        review=review,
        case=CalibrationCase.objects.get(session=session, review=review, kind="rating"),
    )


@pytest.fixture(scope="module")
def route_world(django_db_setup, django_db_blocker) -> Iterator[SimpleNamespace]:
    """Built once per module (per xdist worker) inside a transaction that is rolled back at
    the end; every test runs in its own savepoint on top (the `db` fixture), and every role's
    request in one more, so no request can change what the next one sees."""
    with django_db_blocker.unblock(), transaction.atomic():
        with override_settings(PASSWORD_HASHERS=FAST_HASHERS, AXES_ENABLED=False):
            world = build_route_world()
        yield world
        transaction.set_rollback(True)


def _client(case: Case, user: User | None) -> Client:
    client: Client = APIClient() if case.api else Client()
    # A 500 is a status like any other here: record it instead of raising.
    client.raise_request_exception = False
    if user is not None:
        if case.api:
            cast(APIClient, client).force_authenticate(user)
        else:
            client.force_login(user)
    return client


def _request(case: Case, world: SimpleNamespace, role: str, method: str) -> HttpResponse:
    url = reverse(case.name, args=case.args(world))
    if case.query:
        url += "?" + case.query.format(v1=world.v1.pk, v2=world.v2.pk, cycle=world.cycle.pk)
    kwargs: dict[str, Any] = {}
    if case.data is not None and method == case.method:
        kwargs["data"] = case.data(world)
        if case.api:
            kwargs["format"] = "json"
    # A GET shares the cache with the roles before it, as users of one server do (the
    # rubric PDF renders once, not once per role); a write starts from a clean one.
    if method != "get":
        cache.clear()
    with transaction.atomic():
        response = getattr(_client(case, user_for(world, role)), method)(url, **kwargs)
        transaction.set_rollback(True)
    return response


def _label(case: Case) -> str:
    return f"{case.method} {case.name}{' (' + case.note + ')' if case.note else ''}"


@pytest.mark.parametrize("case", ROUTES, ids=_label)
def test_role_access(case: Case, route_world: SimpleNamespace, db: None) -> None:
    actual: dict[str, int] = {}
    wrong_redirects: list[str] = []
    for role in ROLES:
        response = _request(case, route_world, role, case.method)
        actual[role] = response.status_code
        if (
            role == "anonymous"
            and response.status_code == ANON_HTML
            and not case.api
            and case.name != "logout"
            and not response["Location"].startswith(reverse("login"))
        ):
            wrong_redirects.append(response["Location"])
    # One dict for every role, so a failure shows every wrong cell at once.
    assert actual == case.expect, f"{case.method.upper()} {case.name}: {actual}"
    assert not wrong_redirects, f"anonymous not sent to login: {wrong_redirects}"


def _only_405(case: Case) -> bool:
    return all(code == 405 for role, code in case.expect.items() if role != "anonymous")


NAMES = sorted({c.name for c in ROUTES})


@pytest.mark.parametrize("name", NAMES)
def test_other_methods_answer_405(name: str, route_world: SimpleNamespace, db: None) -> None:
    """Every method among GET/POST/PUT/PATCH/DELETE that a route has no role test for is
    not served: 405 (to HR, who may do the most)."""
    cases = [c for c in ROUTES if c.name == name]
    served = {c.method for c in cases if not _only_405(c)}
    others = [m for m in METHODS if m not in served]
    actual = {m: _request(cases[0], route_world, "hr", m).status_code for m in others}
    expected = dict.fromkeys(others, 405)
    assert actual == expected, f"{name} (role tests for {sorted(served)})"
