from __future__ import annotations

from django.http import HttpRequest

from calibration.selectors import sits_on_a_session
from org.selectors import is_hr, manages_anyone, person_for_user


def roles(request: HttpRequest) -> dict[str, object]:
    """Role flags for navigation. Pages still enforce access in their selectors."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    me = person_for_user(user)
    return {
        "me": me,
        "user_is_hr": is_hr(user),
        "user_is_manager": manages_anyone(me),
        "user_on_committee": sits_on_a_session(me),
    }
