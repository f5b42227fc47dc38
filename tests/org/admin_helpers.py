"""Posting the admin's own forms, as HR's browser would."""

from __future__ import annotations

from typing import Any

from django import forms

from org.models import Activity


def admin_form_data(page: Any, **changes: Any) -> dict[str, Any]:
    """The body the admin change page ``page`` (a GET response) posts when saved as it
    stands: the main form, and every inline with its management form. ``changes`` are
    set on top, by the field's full (prefixed) name."""
    data: dict[str, Any] = {}

    def add(form: forms.BaseForm) -> None:
        for name, field in form.fields.items():
            if field.disabled:
                continue
            value = form[name].value()
            if isinstance(field, forms.BooleanField):
                if value:
                    data[form.add_prefix(name)] = "on"
                continue
            data[form.add_prefix(name)] = "" if value is None else value

    add(page.context["adminform"].form)
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        add(formset.management_form)
        for form in formset.forms:
            add(form)
    data.update(changes)
    for key in [k for k, v in data.items() if v is False]:
        del data[key]  # an unticked checkbox is not sent
    data["_save"] = "Save"
    return data


def activity_rows(after: int) -> list[dict[str, Any]]:
    """What was recorded after Activity id ``after``, as the Activity log shows it."""
    return list(
        Activity.objects.filter(pk__gt=after)
        .order_by("pk")
        .values("actor__username", "action", "target_type", "target_id", "old", "new")
    )


def last_activity_id() -> int:
    last = Activity.objects.order_by("-pk").first()
    return last.pk if last else 0
