from __future__ import annotations

from typing import Any

from django.contrib import admin

from calibration.models import CalibrationCase, CalibrationSession, DecisionLog
from org.admin_site import HRAdminMixin


class ReadOnlyAdmin(HRAdminMixin, admin.ModelAdmin):
    """Calibration is decided on the board, through the services; the admin only reads."""

    def has_add_permission(self, request: Any, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(CalibrationSession)
class CalibrationSessionAdmin(ReadOnlyAdmin):
    list_display = ["name", "cycle", "facilitator", "status", "scheduled_at"]
    list_filter = ["status", "cycle"]
    list_select_related = ["cycle", "facilitator"]


@admin.register(CalibrationCase)
class CalibrationCaseAdmin(ReadOnlyAdmin):
    list_display = [
        "subject",
        "session",
        "kind",
        "level",
        "proposed_rating",
        "calibrated_rating",
        "promotion_decision",
        "status",
    ]
    list_filter = ["status", "kind", "session"]
    list_select_related = ["subject", "session"]


@admin.register(DecisionLog)
class DecisionLogAdmin(ReadOnlyAdmin):
    """Append-only: no add, change or delete here (or anywhere)."""

    list_display = ["created_at", "session", "actor", "action", "field", "from_value", "to_value"]
    list_filter = ["action", "session"]
    list_select_related = ["session", "actor"]
