from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from simple_history.admin import SimpleHistoryAdmin

from org import selectors, services
from org.admin_site import HRAdminMixin, ServiceRulesForm
from org.models import (
    AccessLog,
    Activity,
    DemographicDimension,
    LevelChange,
    Person,
    Team,
    User,
)
from org.types import signed_in


class TeamAdminForm(ServiceRulesForm):
    class Meta:
        model = Team
        fields = ["name", "slug", "parent", "description"]

    def validate(self) -> None:
        services.team_validate(self.instance)


@admin.register(Team)
class TeamAdmin(HRAdminMixin, SimpleHistoryAdmin):
    form = TeamAdminForm
    list_display = ["name", "slug", "parent"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    list_select_related = ["parent"]

    def get_queryset(self, request: Any) -> Any:
        return selectors.team_list(user=request.user)

    def save_model(self, request: Any, obj: Team, form: Any, change: bool) -> None:
        data = {k: form.cleaned_data[k] for k in TeamAdminForm.Meta.fields}
        actor = signed_in(request.user)
        if change:
            # ``obj`` already carries the form's values; the service records old and new.
            fresh = selectors.team_get(user=actor, pk=obj.pk)
            services.team_update(actor=actor, team=fresh, **data)
        else:
            obj.pk = services.team_create(actor=actor, **data).pk


class PersonAdminForm(ServiceRulesForm):
    username = forms.CharField(max_length=150, help_text="Login name; cannot change later.")
    is_hr = forms.BooleanField(required=False, label="HR role")

    class Meta:
        model = Person
        fields = [
            "full_name",
            "email",
            "team",
            "function",
            "parent",
            "ladder",
            "level",
            "is_active",
            "employee_id",
            "start_date",
            "location",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["username"].initial = self.instance.user.username
            self.fields["username"].disabled = True
            self.fields["is_hr"].initial = selectors.is_hr(self.instance.user)

    field_names = {"manager": "parent"}

    def validate(self) -> None:
        # Level on the ladder, no reporting loops.
        services.person_validate(self.instance)


@admin.register(Person)
class PersonAdmin(HRAdminMixin, SimpleHistoryAdmin):
    form = PersonAdminForm
    list_display = ["full_name", "team", "function", "ladder", "level", "parent", "is_active"]
    list_filter = ["is_active", "ladder", "team"]
    search_fields = ["full_name", "email", "user__username"]
    autocomplete_fields = ["parent", "team"]
    list_select_related = ["team", "ladder", "parent"]

    def get_queryset(self, request: Any) -> Any:
        # The same scoped selector as the API and the pages.
        return selectors.person_list(user=request.user)

    def save_model(self, request: Any, obj: Person, form: Any, change: bool) -> None:
        data: dict[str, Any] = {k: form.cleaned_data.get(k) for k in PersonAdminForm.Meta.fields}
        data["manager"] = data.pop("parent")
        actor = signed_in(request.user)
        if change:
            # ``obj`` already carries the form's values; the service records old and new.
            fresh = selectors.person_get(user=actor, pk=obj.pk)
            services.person_update(
                actor=actor, person=fresh, is_hr=form.cleaned_data["is_hr"], **data
            )
        else:
            blank_if_none = ("email", "function", "level", "employee_id", "location")
            kwargs: Any = {
                k: ("" if v is None and k in blank_if_none else v) for k, v in data.items()
            }
            created = services.person_create(
                actor=actor,
                username=form.cleaned_data["username"],
                is_hr=form.cleaned_data["is_hr"],
                **kwargs,
            )
            obj.pk = created.pk


class DemographicDimensionAdminForm(ServiceRulesForm):
    class Meta:
        model = DemographicDimension
        fields = ["key", "label", "values", "order"]

    def validate(self) -> None:
        services.dimension_clean(self.instance)


@admin.register(DemographicDimension)
class DemographicDimensionAdmin(HRAdminMixin, SimpleHistoryAdmin):
    form = DemographicDimensionAdminForm
    list_display = ["key", "label", "values", "order"]

    def get_queryset(self, request: Any) -> Any:
        return selectors.dimension_list()

    def save_model(self, request: Any, obj: DemographicDimension, form: Any, change: bool) -> None:
        data = {k: form.cleaned_data[k] for k in DemographicDimensionAdminForm.Meta.fields}
        actor = signed_in(request.user)
        fresh = selectors.dimension_list().get(pk=obj.pk) if change else None
        obj.pk = services.dimension_save(actor=actor, dimension=fresh, **data).pk


class ReadOnlyLogAdmin(HRAdminMixin, admin.ModelAdmin):
    """Append-only logs: readable by HR, never edited or deleted here."""

    def has_add_permission(self, request: Any, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Activity)
class ActivityAdmin(ReadOnlyLogAdmin):
    list_display = ["created_at", "actor", "action", "target_type", "target_id"]
    list_filter = ["action"]
    list_select_related = ["actor"]


@admin.register(LevelChange)
class LevelChangeAdmin(ReadOnlyLogAdmin):
    """Level history: written by applying promotions (calibration.promotions), read here."""

    list_display = ["person", "from_level", "to_level", "effective_on", "applied_at", "reason"]
    list_filter = ["effective_on"]
    search_fields = ["person__full_name"]


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyLogAdmin):
    list_display = ["created_at", "user", "action", "target_type", "target_id", "path"]
    list_filter = ["action"]
    list_select_related = ["user"]


@admin.register(User)
class LoginAdmin(UserAdmin):
    """Logins, for superusers only: reset a password, unlock an account, deactivate a
    login (which ends its sessions and tokens at once, org.access). HR manages people,
    not logins, and never sees this page."""

    list_display = ["username", "email", "is_active", "is_superuser", "last_login"]
    list_filter = ["is_active", "is_superuser", "groups"]

    def has_module_permission(self, request: Any) -> bool:
        return bool(request.user.is_superuser)

    def has_view_permission(self, request: Any, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)

    def has_add_permission(self, request: Any) -> bool:
        return bool(request.user.is_superuser)

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False  # people's records point at their login: deactivate instead
