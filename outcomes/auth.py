"""`Authorization: Bearer <secret>` for ingestion tokens (CI/CD systems, incident tools).

A token authenticates only on views that declare ``accepts_ingestion_tokens = True`` (the
outcome ingestion endpoints); every other API view answers 403, so a leaked token can
write outcome data but never read anything. HTML pages never run DRF authentication, so
they never accept a token.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from outcomes.models import IngestionToken
from outcomes.selectors.tokens import ingestion_token_for_secret

KEYWORD = b"bearer"
# last_used_at is informational: write it at most once a minute per token.
LAST_USED_RESOLUTION_SECONDS = 60


def _view_accepts_tokens(request: Any) -> bool:
    match = getattr(getattr(request, "_request", None), "resolver_match", None)
    view_class = getattr(getattr(match, "func", None), "cls", None)
    return getattr(view_class, "accepts_ingestion_tokens", False) is True


class IngestionTokenAuthentication(BaseAuthentication):
    def authenticate(self, request: Any) -> tuple[Any, IngestionToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Give the token as 'Bearer <secret>'.")
        try:
            secret = parts[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed("Invalid ingestion token.") from exc
        token = ingestion_token_for_secret(secret)
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid or revoked ingestion token.")
        if not _view_accepts_tokens(request):
            raise exceptions.PermissionDenied("Ingestion tokens can only write outcome data.")
        now = timezone.now()
        if token.last_used_at is None or (
            (now - token.last_used_at).total_seconds() > LAST_USED_RESOLUTION_SECONDS
        ):
            IngestionToken.objects.filter(pk=token.pk).update(last_used_at=now)
        user = token.user
        # Services recognise the token's service account without another query.
        user._levelhead_ingestion_token = token  # type: ignore[attr-defined]
        return user, token

    def authenticate_header(self, request: Any) -> str:
        return 'Bearer realm="api"'


class IngestionTokenScheme(OpenApiAuthenticationExtension):
    """Documents the Bearer scheme on the ingestion endpoints only (elsewhere it is refused)."""

    target_class = "outcomes.auth.IngestionTokenAuthentication"
    name = "ingestionToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An ingestion token (created by HR): writes outcome data only.",
        }

    def get_security_requirement(self, auto_schema: Any) -> Any:
        view_accepts = getattr(auto_schema.view, "accepts_ingestion_tokens", False) is True
        if view_accepts and auto_schema.method == "POST":
            return {self.name: []}
        return None
