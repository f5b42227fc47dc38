"""Role-test rows (imported by tests/test_routes.py): team outcome pages and API."""

from __future__ import annotations

from tests.route_cases import ANON_API, ANON_HTML, NO_ARGS, Case, everyone, hr_only

# Every signed-in person reads team outcomes; HR (and ingestion tokens, tested in
# tests/outcomes/test_tokens.py) writes them; only HR manages ingestion tokens.
DEPLOYMENT = {
    "team": None,
    "external_id": "deploy-1",
    "deployed_at": "2026-03-02T10:00:00Z",
    "committed_at": "2026-03-02T08:00:00Z",
    "failed": False,
}
ROUTES: list[Case] = [
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
