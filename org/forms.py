from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm

from org.accounts import password_sign_in_allowed
from org.models import DemographicDimension


class DemographicsForm(forms.Form):
    """One optional choice per configured dimension; blank means "no answer"."""

    def __init__(self, *args: Any, dimensions: list[DemographicDimension], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for dim in dimensions:
            self.fields[dim.key] = forms.ChoiceField(
                label=dim.label,
                required=False,
                choices=[("", "No answer")] + [(v, v.capitalize()) for v in dim.allowed_values],
            )


class _BoundedUsernameMixin:
    """Refuses a username longer than any account can have with the usual sign-in error.

    Django's sign-in form only puts the length limit on the widget, so an overlong name
    reached ``authenticate()``; django-axes then stored it in a 255-character column and
    PostgreSQL answered 500. No such account can exist, so the reply is the same as for a
    wrong password (and, as for any name that matches no account, nothing is recorded).
    """

    fields: dict[str, forms.Field]
    cleaned_data: dict[str, Any]

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        limit = getattr(self.fields["username"], "max_length", None)
        if username is not None and limit is not None and len(username) > limit:
            raise self.get_invalid_login_error()  # type: ignore[attr-defined]
        return super().clean()  # type: ignore[misc]


class LoginForm(_BoundedUsernameMixin, AuthenticationForm):
    """The sign-in form at /login/. With ``LOCAL_LOGIN=false`` only superusers sign in
    with a password (company sign-in is for everyone else)."""

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        if not password_sign_in_allowed(user):
            raise forms.ValidationError(
                "Sign in with your company account: password sign-in is turned off.",
                code="local_login_off",
            )


class AdminLoginForm(_BoundedUsernameMixin, AdminAuthenticationForm):
    """The sign-in form at /admin/login/ (HR's back office)."""
