"""Ingestion tokens write outcome data and nothing else: every other API answers 403
(or 404), pages never accept them, and HR alone creates and revokes them."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.urls import URLPattern, get_resolver
from rest_framework.test import APIClient

from org.models import Activity, Person
from outcomes.models import Deployment, IngestionToken
from outcomes.services import ingestion_token_revoke
from tests.outcomes.helpers import (
    DEPLOYMENTS_URL,
    HEALTH_URL,
    INCIDENTS_URL,
    SLO_URL,
    TOKENS_URL,
    deployment_item,
)

pytestmark = pytest.mark.django_db

INGESTION_ROUTES = {
    "api:deployment-list",
    "api:incident-list",
    "api:slo-report-list",
    "api:health-survey-list",
}
# Signing in with a password ignores every Authorization header (it has no authentication
# classes at all), so a token changes nothing there: it is not "reading" anything.
PASSWORD_SIGN_IN = {"api-token"}


def _api_routes() -> list[tuple[str, str]]:
    """(name, url) of every API route, detail routes filled with id 1."""
    out = []

    def walk(patterns, prefix: str, namespace: str) -> None:
        for p in patterns:
            route = str(p.pattern)
            if isinstance(p, URLPattern):
                if not p.name or "format" in route:
                    continue
                name = f"{namespace}{p.name}"
                url = "/" + prefix + route
                url = re.sub(r"\^|\$", "", url)
                url = re.sub(r"\(\?P<\w+>[^)]+\)|<[^>]+>", "1", url)
                if name.startswith("api") or url.startswith("/api/"):
                    out.append((name, url))
            else:
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                walk(p.url_patterns, prefix + route.lstrip("^"), ns)

    walk(get_resolver().url_patterns, "", "")
    return out


def test_hr_creates_a_token_and_sees_its_secret_once(world, api_for):
    hr = api_for("hr")

    created = hr.post(TOKENS_URL, {"name": "GitHub Actions"}, format="json")

    assert created.status_code == 201
    body = created.json()
    secret = body["secret"]
    assert secret.startswith("lhi_") and len(secret) > 40
    token = IngestionToken.objects.get(pk=body["id"])
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(IngestionToken.objects.values().get(pk=token.pk))
    assert body["key_prefix"] == secret[:12] and body["is_active"] is True
    listed = hr.get(TOKENS_URL).json()["results"]
    assert [t["name"] for t in listed] == ["GitHub Actions"]
    assert "secret" not in listed[0]
    assert Activity.objects.filter(action=Activity.Action.INGESTION_TOKEN_CREATED).count() == 1


def test_the_tokens_service_account_has_no_person_no_password_and_no_staff_rights(
    world, ingestion_token
):
    user = ingestion_token[0].user
    assert not Person.objects.filter(user=user).exists()
    assert not user.has_usable_password()
    assert not (user.is_staff or user.is_superuser)


@pytest.mark.parametrize("role", ["engineer", "manager", "other_manager"])
def test_only_hr_manages_tokens(world, api_for, ingestion_token, role):
    client = api_for(role)
    revoke = f"{TOKENS_URL}{ingestion_token[0].pk}/revoke/"
    assert client.get(TOKENS_URL).status_code == 403
    assert client.post(TOKENS_URL, {"name": "x"}, format="json").status_code == 403
    assert client.post(revoke).status_code == 403
    assert IngestionToken.objects.count() == 1


@pytest.mark.parametrize(
    ("url", "item"),
    [
        (DEPLOYMENTS_URL, lambda w: deployment_item(w.team_a, 1)),
        (
            INCIDENTS_URL,
            lambda w: {
                "team": w.team_a.pk,
                "external_id": "INC-1",
                "started_at": "2026-03-02T10:00:00Z",
                "severity": "sev3",
            },
        ),
        (
            SLO_URL,
            lambda w: {
                "team": w.team_a.pk,
                "service": "api",
                "period_start": "2026-03-01",
                "period_end": "2026-03-31",
                "objective": 0.99,
                "attained": 0.995,
            },
        ),
        (
            HEALTH_URL,
            lambda w: {
                "team": w.team_a.pk,
                "period_start": "2026-03-02",
                "respondents": 7,
                "psychological_safety": 4,
                "workload": 3,
                "clarity": 4,
                "on_call_burden": 2,
                "decision_latency": 2,
            },
        ),
    ],
)
def test_a_token_writes_every_kind_of_outcome_data(world, bearer, ingestion_token, url, item):
    response = bearer.post(url, item(world), format="json")

    assert response.status_code == 201, response.content
    assert bearer.post(url, item(world), format="json").json() == {"created": 0, "unchanged": 1}
    ingestion_token[0].refresh_from_db()
    assert ingestion_token[0].last_used_at is not None


@pytest.mark.parametrize("url", [DEPLOYMENTS_URL, INCIDENTS_URL, SLO_URL, HEALTH_URL])
def test_a_token_cannot_read_even_the_data_it_writes(world, bearer, url):
    assert bearer.get(url).status_code == 403
    assert bearer.options(url).status_code == 403


def test_a_token_is_refused_by_every_other_api_route(world, bearer):
    routes = _api_routes()
    names = {name for name, _ in routes}
    assert {"api:team-scorecard", "api:person-list", "api-schema", *INGESTION_ROUTES} <= names

    checked = 0
    for name, url in routes:
        if name in PASSWORD_SIGN_IN:
            continue
        for method in ("get", "post", "put", "patch", "delete"):
            if name in INGESTION_ROUTES and method == "post":
                continue
            response = getattr(bearer, method)(url, {}, format="json")
            assert response.status_code in (403, 404), (
                f"{method.upper()} {url}: {response.status_code}"
            )
            checked += 1
    assert checked > 60


def test_the_password_sign_in_ignores_a_token(world, bearer):
    assert bearer.post("/api/v1/auth/token/", {}, format="json").status_code == 400


@pytest.mark.parametrize("url", ["/", "/outcomes/", "/outcomes/teams/team-a/", "/admin/", "/me/"])
def test_pages_never_accept_a_token(world, ingestion_token, client, url):
    response = client.get(url, HTTP_AUTHORIZATION=f"Bearer {ingestion_token[1]}")

    assert response.status_code == 302
    assert "login" in response["Location"]


def test_a_revoked_token_answers_401(world, bearer, ingestion_token, api_for):
    token = ingestion_token[0]
    revoked = api_for("hr").post(f"{TOKENS_URL}{token.pk}/revoke/")

    response = bearer.post(DEPLOYMENTS_URL, deployment_item(world.team_a, 1), format="json")

    assert revoked.status_code == 200 and revoked.json()["is_active"] is False
    assert response.status_code == 401
    assert Deployment.objects.count() == 0
    token.user.refresh_from_db()
    assert token.user.is_active is False
    assert Activity.objects.filter(action=Activity.Action.INGESTION_TOKEN_REVOKED).count() == 1


def test_revoking_twice_logs_once(world, ingestion_token):
    token = ingestion_token[0]
    ingestion_token_revoke(actor=world.hr.user, token=token)
    ingestion_token_revoke(actor=world.hr.user, token=token)

    assert Activity.objects.filter(action=Activity.Action.INGESTION_TOKEN_REVOKED).count() == 1


@pytest.mark.parametrize(
    "header",
    ["Bearer wrong", "Bearer", "Bearer a b", "Bearer " + "x" * 500, "Bearer lhi_ñ"],
)
def test_a_wrong_token_answers_401(world, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)

    response = client.post(DEPLOYMENTS_URL, deployment_item(world.team_a, 1), format="json")

    assert response.status_code == 401
    assert Deployment.objects.count() == 0


def test_a_token_does_not_reach_the_admin_even_with_its_service_account(world, ingestion_token):
    from django.test import Client

    client = Client()
    client.force_login(ingestion_token[0].user)

    assert client.get("/admin/").status_code == 302
    assert client.get("/api/v1/outcomes/tokens/").status_code == 403


def test_the_service_account_cannot_write_without_an_active_token(world, ingestion_token):
    """The service checks the token too, not only the API (a session would not do)."""
    from django.core.exceptions import PermissionDenied

    from outcomes import services

    token = ingestion_token[0]
    ingestion_token_revoke(actor=world.hr.user, token=token)
    user = type(token.user).objects.get(pk=token.user_id)
    with pytest.raises(PermissionDenied):
        services.deployments_ingest(
            actor=user,
            items=[
                {
                    "team": world.team_a.pk,
                    "external_id": "x",
                    "deployed_at": "2026-03-01T00:00:00Z",
                    "committed_at": None,
                    "failed": False,
                }
            ],
        )
