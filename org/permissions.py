"""Role gates for the API. Visibility lives in the selectors, not here.

Order matters for SPEC §3: an object the user may not see must answer 404, so write
checks on existing objects run *after* the scoped lookup (object permission), and only
creation is gated up front.
"""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission

from org.selectors import is_hr


class IsHR(BasePermission):
    message = "Only HR can do this."

    def has_permission(self, request: Any, view: Any) -> bool:
        return is_hr(request.user)


class IsHROrReadOnly(BasePermission):
    """Any signed-in user reads what their selector shows; only HR writes."""

    message = "Only HR can change this."

    def has_permission(self, request: Any, view: Any) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        if request.method in SAFE_METHODS:
            return True
        if getattr(view, "detail", False) or getattr(view, "action", None) in (
            "update",
            "partial_update",
            "destroy",
        ):
            return True  # decided in has_object_permission, after the 404 check
        return is_hr(request.user)

    def has_object_permission(self, request: Any, view: Any, obj: Any) -> bool:
        return request.method in SAFE_METHODS or is_hr(request.user)
