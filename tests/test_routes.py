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
from tests.audit import api_routes as audit_api_routes
from tests.audit import page_routes as audit_page_routes
from tests.calibration import api_routes as calibration_api_routes
from tests.calibration import appeal_routes, board_page_routes, letter_page_routes
from tests.conftest import FAST_HASHERS, ROLES, user_for
from tests.factories import build_world
from tests.org import routes as org_routes
from tests.outcomes import routes as outcome_routes
from tests.reviews import api_routes as review_api_routes
from tests.reviews import (
    growth_routes,
    library_page_routes,
    review_page_routes,
    self_assessment_routes,
)
from tests.route_cases import ANON_HTML, Case
from tests.rubrics import routes as rubric_routes
from tests.upward import routes as upward_routes

# Every row, by app; the page rows of reviews, calibration and audit sit next to their tests.
ROUTES: list[Case] = [
    *org_routes.ROUTES,
    *rubric_routes.ROUTES,
    *review_api_routes.ROUTES,
    *review_page_routes.ROUTES,
    *library_page_routes.ROUTES,
    *calibration_api_routes.ROUTES,
    *board_page_routes.ROUTES,
    *letter_page_routes.ROUTES,
    *audit_api_routes.ROUTES,
    *audit_page_routes.ROUTES,
    *outcome_routes.ROUTES,
    *self_assessment_routes.ROUTES,
    *growth_routes.ROUTES,
    *appeal_routes.ROUTES,
    *upward_routes.ROUTES,
]

# The engineer's voice (SPEC §11): each adds what its routes act on to the route world.
WORLD_EXTENSIONS = [self_assessment_routes, growth_routes, appeal_routes, upward_routes]

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
    for extension in WORLD_EXTENSIONS:
        extension.extend_world(w)
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
            # They send anyone on: signing in and out, and asking for a reset link.
            and case.name not in ("login", "logout", "password-reset")
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
