from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html

from core.errors import ConflictError
from org.admin_site import HRAdminMixin
from rubrics import services
from rubrics.models import (
    Competency,
    Expectation,
    Ladder,
    Level,
    Rating,
    RatingDefinition,
    RubricVersion,
)


@admin.register(Ladder)
class LadderAdmin(HRAdminMixin, admin.ModelAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


class DraftOnlyInline(admin.TabularInline):
    """Inline rows of a version: editable while it is a draft, read-only once frozen."""

    extra = 0

    def _editable(self, request: Any, obj: RubricVersion | None) -> bool:
        from org.selectors import is_hr

        return is_hr(request.user) and (obj is None or not obj.is_frozen)

    def has_view_permission(self, request: Any, obj: Any = None) -> bool:
        from org.selectors import is_hr

        return is_hr(request.user)

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return self._editable(request, obj)

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return self._editable(request, obj)

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return self._editable(request, obj)

    def formfield_for_foreignkey(self, db_field: Any, request: Any, **kwargs: Any) -> Any:
        # Offer only the levels/competencies/ratings of the version being edited.
        version_id = request.resolver_match.kwargs.get("object_id")
        if db_field.name in ("level", "competency", "rating"):
            model = db_field.remote_field.model
            kwargs["queryset"] = model.objects.filter(version_id=version_id or 0)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class LevelInline(DraftOnlyInline):
    model = Level
    fields = ["code", "title", "order", "summary"]


class CompetencyInline(DraftOnlyInline):
    model = Competency
    fields = ["key", "name", "order", "description"]


class ExpectationInline(DraftOnlyInline):
    model = Expectation
    fields = ["level", "competency", "text", "examples"]

    def get_queryset(self, request: Any) -> Any:
        return super().get_queryset(request).select_related("level", "competency")


class RatingInline(DraftOnlyInline):
    model = Rating
    fields = ["key", "label", "order", "is_baseline", "definition"]


class RatingDefinitionInline(DraftOnlyInline):
    model = RatingDefinition
    fields = ["rating", "level", "text"]
    verbose_name = "rating definition for a level"

    def get_queryset(self, request: Any) -> Any:
        return super().get_queryset(request).select_related("rating", "level")


@admin.register(RubricVersion)
class RubricVersionAdmin(HRAdminMixin, admin.ModelAdmin):
    list_display = ["ladder", "number", "status", "published_at", "site_link"]
    list_filter = ["ladder", "status"]
    fields = ["ladder", "number", "status", "change_summary", "published_by", "published_at"]
    readonly_fields = ["number", "status", "published_by", "published_at"]
    inlines = [
        LevelInline,
        CompetencyInline,
        ExpectationInline,
        RatingInline,
        RatingDefinitionInline,
    ]
    actions = ["copy_as_new_draft"]

    @admin.display(description="Page")
    def site_link(self, obj: RubricVersion) -> str:
        url = reverse("rubrics:version", args=[obj.ladder.slug, obj.number])
        label = "Review and publish" if not obj.is_frozen else "View"
        if not obj.is_frozen:
            url = reverse("rubrics:publish", args=[obj.ladder.slug, obj.number])
        return format_html('<a href="{}">{}</a>', url, label)

    def get_queryset(self, request: Any) -> Any:
        return super().get_queryset(request).select_related("ladder")

    def get_readonly_fields(self, request: Any, obj: Any = None) -> Any:
        if obj is not None:
            return ["ladder", *self.readonly_fields]
        return self.readonly_fields

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        if obj is not None and obj.is_frozen:
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request: Any, obj: RubricVersion, form: Any, change: bool) -> None:
        if change:
            services.check_writable(obj)
            super().save_model(request, obj, form, change)
            return
        created = services.rubric_version_create(
            actor=request.user, ladder=obj.ladder, change_summary=obj.change_summary
        )
        obj.pk, obj.number = created.pk, created.number

    @admin.action(description="Copy as a new draft")
    def copy_as_new_draft(self, request: Any, queryset: Any) -> None:
        for version in queryset:
            try:
                new = services.rubric_version_clone(
                    actor=request.user, ladder=version.ladder, from_version=version
                )
            except (ValidationError, ConflictError) as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                self.message_user(request, f"Created draft v{new.number} of {new.ladder}.")
