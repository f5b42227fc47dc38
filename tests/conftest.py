from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import build_world

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
