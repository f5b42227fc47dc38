"""Every route × every role: who may use it, who is refused, and how (SPEC §3).

`test_every_route_has_role_tests` walks the URL resolver and fails when a route has no
row in ROUTES, so a new page or endpoint cannot ship without its role tests.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.conftest import ROLES
from tests.outcomes import conftest as outcomes_fixtures

ANON_HTML = 302  # HTML pages send anonymous visitors to the login page
ANON_API = 401


@dataclass
class Case:
    name: str
    method: str
    args: Callable[[Any], list[Any]]
    expect: dict[str, int]
    data: Callable[[Any], dict[str, Any]] | None = None
    api: bool = False
    note: str = ""
    query: str = ""
    id: str = field(default="")


def everyone(code: int, anon: int) -> dict[str, int]:
    return {"anonymous": anon, **{r: code for r in ROLES if r != "anonymous"}}


def hr_only(code: int, others: int, anon: int) -> dict[str, int]:
    return {
        "anonymous": anon,
        **{r: others for r in ROLES if r not in ("anonymous", "hr")},
        "hr": code,
    }


NO_ARGS: Callable[[Any], list[Any]] = lambda w: []  # noqa: E731

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
        lambda w: [w.engineer.pk],
        {"anonymous": ANON_API, "engineer": 200, "manager": 200, "other_manager": 404, "hr": 200},
        api=True,
    ),
    Case(
        "api:person-detail",
        "patch",
        lambda w: [w.engineer.pk],
        {"anonymous": ANON_API, "engineer": 403, "manager": 403, "other_manager": 404, "hr": 200},
        api=True,
        data=lambda w: {"function": "Platform"},
    ),
    Case(
        "api:person-detail",
        "put",
        lambda w: [w.engineer.pk],
        {"anonymous": ANON_API, "engineer": 403, "manager": 403, "other_manager": 404, "hr": 200},
        api=True,
        data=lambda w: {"username": "engineer", "full_name": "Erin E.", "team": w.team_a.pk},
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
def dimension(world):
    from org import services

    return services.dimension_save(
        actor=world.root, key="gender", label="Gender", values=["woman", "man", "non-binary"]
    )


# The outcomes fixtures live with the outcomes tests; this makes one of them usable here.
route_ingestion_token = outcomes_fixtures.route_ingestion_token


@pytest.mark.parametrize(("case", "role"), _cases())
def test_role_access(
    case: Case, role: str, world, dimension, route_ingestion_token, client_for, api_for
) -> None:
    world.dimension = dimension
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
