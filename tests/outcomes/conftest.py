from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from outcomes import services


@pytest.fixture
def ingestion_token(world):
    """(token, secret): an ingestion token created by HR through the real service."""
    return services.ingestion_token_create(actor=world.hr.user, name="CI pipeline")


@pytest.fixture
def bearer(ingestion_token):
    """An API client that sends the ingestion token as `Authorization: Bearer <secret>`."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {ingestion_token[1]}")
    return client
