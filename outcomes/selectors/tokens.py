"""Ingestion tokens: the service accounts outcome data arrives with."""

from __future__ import annotations

import hashlib

from django.db.models import QuerySet

from org.types import User, Viewer
from outcomes.models import IngestionToken


def _signed_in(user: Viewer) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def ingestion_token_for_secret(secret: str) -> IngestionToken | None:
    """The active token with this secret (compared by hash; the secret is never stored)."""
    if not secret or len(secret) > 200:
        return None
    return (
        IngestionToken.objects.select_related("user")
        .filter(key_hash=hash_secret(secret), revoked_at__isnull=True, user__is_active=True)
        .first()
    )


def ingestion_token_list() -> QuerySet[IngestionToken]:
    return IngestionToken.objects.select_related("created_by").order_by("-created_at", "-id")


def active_ingestion_token(user: Viewer) -> IngestionToken | None:
    """The token a request authenticated with, if its user is a token's service account."""
    token = getattr(user, "_levelhead_ingestion_token", None)
    if token is not None:
        return token if token.revoked_at is None else None
    if not isinstance(user, User) or not user.is_authenticated:
        return None
    return IngestionToken.objects.filter(user=user, revoked_at__isnull=True).first()
