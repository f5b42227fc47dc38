from __future__ import annotations

from typing import Any

from org.selectors import is_hr, manages_anyone, person_for_user


def roles(request: Any) -> dict[str, Any]:
    """Role flags for navigation. Pages still enforce access in their selectors."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    me = person_for_user(user)
    from calibration.models import CalibrationSession

    return {
        "me": me,
        "user_is_hr": is_hr(user),
        "user_is_manager": manages_anyone(me),
        "user_on_committee": bool(me and CalibrationSession.objects.filter(committee=me).exists()),
    }
