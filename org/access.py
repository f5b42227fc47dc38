"""Leavers lose access at once (SPEC §10.3).

Deactivating a login, whichever way it happens (the people API or page, the admin, an
import, a shell), ends every session it opened and deletes its API tokens in the same
transaction, so its next request is refused. The rule lives on the login's own save
(``login_saved``), not in each path that can deactivate: a path added later cannot forget
it. Sessions are found through the ``SignIn`` rows recorded at each sign-in, so ending them
reads no other session.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.conf import settings
from django.db import transaction
from rest_framework.authtoken.models import Token

from org.models import SignIn, User


def sign_in_record(sender: Any, request: Any, user: User, **kwargs: Any) -> None:
    """``user_logged_in`` receiver: remember the session the login opened."""
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    if session_key:
        SignIn.objects.get_or_create(session_key=session_key, defaults={"user": user})


def sign_out_record(sender: Any, request: Any, user: User | None, **kwargs: Any) -> None:
    """``user_logged_out`` receiver: the session is over; forget it."""
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    if session_key:
        SignIn.objects.filter(session_key=session_key).delete()


def access_end(*, user: User) -> None:
    """End every session ``user`` opened and delete their API tokens."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    with transaction.atomic():
        keys = list(
            SignIn.objects.select_for_update()
            .filter(user=user)
            .values_list("session_key", flat=True)
        )
        for key in keys:
            store(session_key=key).delete()
        SignIn.objects.filter(user=user).delete()
        Token.objects.filter(user=user).delete()


def login_saving(sender: Any, instance: User, update_fields: Any = None, **kwargs: Any) -> None:
    """``pre_save`` receiver: note whether an active login is being deactivated."""
    instance._levelhead_deactivating = False  # type: ignore[attr-defined]
    if instance.pk is None or instance.is_active:
        return
    if update_fields is not None and "is_active" not in update_fields:
        return
    was_active = (
        User.objects.filter(pk=instance.pk).values_list("is_active", flat=True).first() or False
    )
    instance._levelhead_deactivating = was_active  # type: ignore[attr-defined]


def login_saved(sender: Any, instance: User, **kwargs: Any) -> None:
    """``post_save`` receiver: a login just deactivated loses its sessions and tokens
    (inside the saving transaction when there is one)."""
    if getattr(instance, "_levelhead_deactivating", False):
        instance._levelhead_deactivating = False  # type: ignore[attr-defined]
        access_end(user=instance)
