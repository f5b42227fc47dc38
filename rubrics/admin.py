from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils.html import format_html

from core.errors import ConflictError
from org.admin_site import HRAdminMixin, ServiceRulesForm
from org.selectors import is_hr
from org.types import signed_in
from rubrics import selectors, services
from rubrics.models import (
    Competency,
    Expectation,
    Ladder,
    Level,
    Rating,
    RatingDefinition,
    RubricVersion,
)


class LadderAdminForm(ServiceRulesForm):
    class Meta:
        model = Ladder
        fields = ["name", "slug", "description"]

    def validate(self) -> None:
        services.ladder_validate(self.instance)


@admin.register(Ladder)
class LadderAdmin(HRAdminMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    form = LadderAdminForm
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request: Any) -> Any:
        return selectors.ladder_list(user=request.user)

    def save_model(self, request: Any, obj: Ladder, form: Any, change: bool) -> None:
        data = {k: form.cleaned_data[k] for k in LadderAdminForm.Meta.fields}
        actor = signed_in(request.user)
        if change:
            # ``obj`` already carries the form's values; the service saves them.
            fresh = selectors.ladder_get(user=actor, pk=obj.pk)
            services.ladder_update(actor=actor, ladder=fresh, **data)
        else:
            obj.pk = services.ladder_create(actor=actor, **data).pk


class DraftContentsFormSet(BaseInlineFormSet):  # type: ignore[type-arg]
    """One inline of a draft. The inlines of one page know each other (``siblings``, in
    page order), so that the last checks the draft's contents as a whole with the same
    rules as the API (``services.validate_contents``) before anything is written."""

    def __init__(self, *args: Any, siblings: list[DraftContentsFormSet], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.siblings = siblings
        siblings.append(self)

    def clean(self) -> None:
        super().clean()
        if self is not self.siblings[-1] or not all(
            s.is_valid() for s in self.siblings if s is not self
        ):
            return
        try:
            services.validate_contents(draft_contents(self.siblings))
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from exc


def _rows(formset: BaseInlineFormSet) -> list[forms.ModelForm]:  # type: ignore[type-arg]
    """The forms of an inline that stay: kept rows and filled-in new ones."""
    deleted = set(formset.deleted_forms)
    return [
        form
        for form in formset.forms
        if form not in deleted and (form.instance.pk is not None or form.has_changed())
    ]


def draft_contents(formsets: list[Any]) -> dict[str, list[dict[str, Any]]]:
    """The contents a draft's inlines describe, as the lists the services take (the API's
    shape): rows refer to levels by code and competencies and ratings by key, as edited."""
    by_model = {fs.model: _rows(fs) for fs in formsets}
    data = {m: [f.cleaned_data for f in by_model.get(m, [])] for m in by_model}
    # A row that points at a level, competency or rating renamed on the same page
    # follows the new code or key; one that points at a removed row keeps the old one
    # (and is refused as unknown).
    code = {f.instance.pk: f.cleaned_data["code"] for f in by_model.get(Level, [])}
    key = {f.instance.pk: f.cleaned_data["key"] for f in by_model.get(Competency, [])}
    rating_key = {f.instance.pk: f.cleaned_data["key"] for f in by_model.get(Rating, [])}
    definitions: dict[str, dict[str, str]] = {}
    for d in data.get(RatingDefinition, []):
        rating = rating_key.get(d["rating"].pk, d["rating"].key)
        definitions.setdefault(rating, {})[code.get(d["level"].pk, d["level"].code)] = d["text"]
    return {
        "levels": [
            {"code": d["code"], "title": d["title"], "order": d["order"], "summary": d["summary"]}
            for d in data.get(Level, [])
        ],
        "competencies": [
            {
                "key": d["key"],
                "name": d["name"],
                "description": d["description"],
                "order": d["order"],
            }
            for d in data.get(Competency, [])
        ],
        "expectations": [
            {
                "level": code.get(d["level"].pk, d["level"].code),
                "competency": key.get(d["competency"].pk, d["competency"].key),
                "text": d["text"],
                "examples": d["examples"],
            }
            for d in data.get(Expectation, [])
        ],
        "ratings": [
            {
                "key": d["key"],
                "label": d["label"],
                "order": d["order"],
                "is_baseline": d["is_baseline"],
                "definition": d["definition"],
                "level_definitions": definitions.get(d["key"], {}),
            }
            for d in data.get(Rating, [])
        ],
    }


def _same_rows(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> bool:
    """The same rows in any order (the inlines and the stored version sort differently)."""

    def canon(rows: list[dict[str, Any]]) -> list[str]:
        return sorted(json.dumps(r, sort_keys=True, default=str) for r in rows)

    return canon(a) == canon(b)


class DraftOnlyInline(admin.TabularInline):  # type: ignore[type-arg]
    """Inline rows of a version: editable while it is a draft, read-only once frozen."""

    extra = 0
    formset = DraftContentsFormSet

    def _editable(self, request: Any, obj: RubricVersion | None) -> bool:
        return is_hr(request.user) and (obj is None or not obj.is_frozen)

    def has_view_permission(self, request: Any, obj: Any = None) -> bool:
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
class RubricVersionAdmin(HRAdminMixin, admin.ModelAdmin):  # type: ignore[type-arg]
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

    def get_formset_kwargs(self, request: Any, obj: Any, inline: Any, prefix: str) -> Any:
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        # The page's inlines, in order, for DraftContentsFormSet's check of the whole.
        kwargs["siblings"] = request.__dict__.setdefault("_draft_formsets", [])
        return kwargs

    def save_model(self, request: Any, obj: RubricVersion, form: Any, change: bool) -> None:
        # Nothing is written here: the version and its inlines are one write, through the
        # same service as the API, in save_related.
        if change:
            services.check_writable(obj)

    def save_related(self, request: Any, form: Any, formsets: Any, change: bool) -> None:
        obj: RubricVersion = form.instance
        actor = signed_in(request.user)
        contents = draft_contents(formsets)
        summary = form.cleaned_data.get("change_summary", "")
        if change:
            # Replace only the lists the page changed, as an API PATCH names them.
            stored = selectors.version_as_data(selectors.rubric_version_get(user=actor, pk=obj.pk))
            changed = {k: v for k, v in contents.items() if not _same_rows(v, stored[k])}
            services.rubric_version_update(
                actor=actor, version=obj, change_summary=summary, **changed
            )
        else:
            created = services.rubric_version_create(
                actor=actor, ladder=obj.ladder, change_summary=summary, **contents
            )
            obj.pk, obj.number = created.pk, created.number
        for formset in formsets:
            # The admin's change message reads what a formset saved; the service wrote it.
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

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
