from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from org.models import User
from tests.factories import build_world

# The roles of the route matrix (tests/test_routes.py), SPEC §3. Most are the cast member of
# the same name; the others stand for who plays them (see build_route_world):
ROLES = [
    "anonymous",
    "engineer",
    "teammate",  # same team as the engineer, manages no one
    "manager",  # the engineer's manager
    "director",  # the manager's manager (skip level)
    "committee",  # on the committee of the engineer's calibration session, not in the chain
    "respondent",  # asked for feedback on the engineer, not in the chain, not on the team
    "hr",
    "superuser",  # is_superuser, not in the HR group, no person record
    "no_person",  # a signed-in user with no person record
]
ROLE_MEMBERS = {
    "committee": "other_manager",
    "respondent": "other_engineer",
    "superuser": "root",
    "no_person": "no_person",
}


FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    settings.AXES_ENABLED = False
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def page_cache_off(settings):
    """For tests that count what building a page costs: every request builds it."""
    settings.LEVELHEAD_PAGE_CACHE = False


@pytest.fixture
def world(db) -> SimpleNamespace:
    return build_world()


def user_for(world: SimpleNamespace, role: str) -> User | None:
    """The user behind a role of ROLES, or any cast member by its attribute name."""
    if role == "anonymous":
        return None
    member = getattr(world, ROLE_MEMBERS.get(role, role))
    return member if isinstance(member, User) else member.user


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
