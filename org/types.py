"""The types of the people who use Levelhead, for services, selectors and views.

``Viewer`` is whoever asks (a selector answers anonymous callers with nothing);
services act for a signed-in ``User`` (the account model, org.models.User)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from org.models import User

Viewer = User | AnonymousUser

__all__ = ["User", "Viewer", "signed_in"]


def signed_in(user: Viewer) -> User:
    """The account behind a request that already required sign-in (login_required, the
    API's IsAuthenticated); anonymous here is refused rather than acted for."""
    if isinstance(user, AnonymousUser) or not user.is_authenticated:
        raise PermissionDenied("Sign in first.")
    return user
