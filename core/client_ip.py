"""The client address that sign-in safety counts against, behind any trusted proxies."""

from __future__ import annotations

from typing import Any

from rest_framework.throttling import BaseThrottle


def client_ip(request: Any) -> str | None:
    """The caller's address for django-axes (``AXES_CLIENT_IP_CALLABLE``).

    One rule for the lockout and the login throttle: DRF's, driven by
    ``REST_FRAMEWORK["NUM_PROXIES"]`` (set from ``TRUSTED_PROXIES``). Axes on its own would
    use REMOTE_ADDR, which behind a load balancer is the balancer for everyone, so the
    lockout would key on the username alone and anyone could lock any account.
    """
    return BaseThrottle().get_ident(request) or None
