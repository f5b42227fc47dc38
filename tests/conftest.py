from __future__ import annotations

import os

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright tests share the loop

from types import SimpleNamespace  # noqa: E402

import pytest  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.test import Client  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from tests.factories import build_world  # noqa: E402

ROLES = ["anonymous", "engineer", "manager", "other_manager", "hr"]


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.AXES_ENABLED = False
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(db) -> SimpleNamespace:
    return build_world()


def user_for(world: SimpleNamespace, role: str):
    if role == "anonymous":
        return None
    return getattr(world, role).user


@pytest.fixture
def client_for(world):
    """client_for(role) → a Django test client signed in as that member of the cast."""

    def make(role: str) -> Client:
        c = Client()
        user = user_for(world, role)
        if user is not None:
            c.force_login(user)
        return c

    return make


@pytest.fixture
def api_for(world):
    """api_for(role) → a DRF API client authenticated as that member of the cast."""

    def make(role: str) -> APIClient:
        c = APIClient()
        user = user_for(world, role)
        if user is not None:
            c.force_authenticate(user)
        return c

    return make
