"""The admin is HR's back office: only HR (and superusers) may enter it."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from org.forms import AdminLoginForm
from org.selectors import is_hr


class LevelheadAdminSite(admin.AdminSite):
    site_header = "Levelhead administration"
    site_title = "Levelhead admin"
    index_title = "HR back office"
    login_form = AdminLoginForm

    def has_permission(self, request: Any) -> bool:
        return bool(request.user.is_active and is_hr(request.user))


class HRAdminMixin:
    """Model admin whose every permission is the HR role (the Django per-model
    permissions are not used: roles are the product's permission model)."""

    def has_module_permission(self, request: Any) -> bool:
        return is_hr(request.user)

    def has_view_permission(self, request: Any, obj: Any = None) -> bool:
        return is_hr(request.user)

    def has_add_permission(self, request: Any, *args: Any) -> bool:
        return is_hr(request.user)

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return is_hr(request.user)

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
