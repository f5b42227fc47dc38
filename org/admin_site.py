"""The admin is HR's back office: only HR (and superusers) may enter it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

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


class ServiceRulesForm(forms.ModelForm):
    """An admin form that checks the same rules as the service it saves through, so an
    edit the API would refuse is refused here with the same message, before anything is
    written. ``validate`` is that service's check."""

    field_names: dict[str, str] = {}  # the service's name for a field → the form's

    def validate(self) -> None:
        raise NotImplementedError

    def validate_unique(self) -> None:
        # The service checks uniqueness itself and says so in its own words.
        pass

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]
        try:
            self.validate()
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                name = self.field_names.get(field, field)
                self.add_error(name if name in self.fields else None, errors)
