"""Signed-in answers are never stored by browsers or shared caches (issue #10 point 19).

A page, a PDF, a CSV or an API answer for one person must not be kept by a proxy (which
would hand it to the next person) or left in the browser's cache after sign-out.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from tests.reviews.conftest import make_cycle

NO_STORE = {"no-store", "private"}


@pytest.fixture
def world(world):
    world.cycle = make_cycle(world)
    return world


def _directives(response) -> set[str]:
    return {d.strip() for d in response.get("Cache-Control", "").split(",") if d.strip()}


def _session(world, role: str) -> Client:
    client = Client()
    client.force_login(getattr(world, role).user)
    return client


def _token(world, role: str) -> Client:
    token, _ = Token.objects.get_or_create(user=getattr(world, role).user)
    return Client(headers={"Authorization": f"Token {token.key}"})


@pytest.mark.parametrize(
    ("role", "url", "content_type"),
    [
        ("engineer", lambda w: reverse("home"), "text/html"),
        ("engineer", lambda w: reverse("rubrics:pdf", args=[w.ladder.slug, 1]), "application/pdf"),
        ("hr", lambda w: reverse("audit:csv", args=[w.cycle.pk]), "text/csv"),
        ("engineer", lambda w: "/api/v1/people/", "application/json"),
    ],
    ids=["page", "pdf", "csv", "api"],
)
def test_signed_in_answers_are_not_stored(world, role, url, content_type):
    response = _session(world, role).get(url(world))
    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    assert NO_STORE <= _directives(response)


@pytest.mark.parametrize(
    ("role", "url", "status"),
    [
        ("engineer", lambda w: "/api/v1/people/", 200),
        ("hr", lambda w: f"/api/v1/audit/report.pdf?cycle={w.cycle.pk}", 202),
    ],
    ids=["list", "pdf-status"],
)
def test_token_authenticated_api_answers_are_not_stored(world, role, url, status):
    response = _token(world, role).get(url(world))
    assert response.status_code == status
    assert NO_STORE <= _directives(response)


def test_a_refusal_to_a_signed_in_user_is_not_stored_either(world):
    response = _session(world, "engineer").get(reverse("audit:csv", args=[world.cycle.pk]))
    assert response.status_code == 404
    assert NO_STORE <= _directives(response)


def test_static_files_stay_cacheable(world, settings):
    # Served by WhiteNoise from the source folders, as under `make run`.
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    response = _session(world, "engineer").get("/static/css/levelhead.css")
    assert response.status_code == 200
    assert "no-store" not in _directives(response)
