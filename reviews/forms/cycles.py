"""Creating a review cycle, and moving it to its next status."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from core.validation import plausible_date, single_line
from reviews.forms.widgets import DATE
from reviews.models import ReviewCycle
from rubrics.models import RubricVersion


class CycleForm(forms.Form):
    name = forms.CharField(
        max_length=120, validators=[single_line], help_text="For example “H1 2026”."
    )
    starts_on = forms.DateField(label="Starts on", widget=DATE, validators=[plausible_date])
    ends_on = forms.DateField(label="Ends on", widget=DATE, validators=[plausible_date])
    rubric_versions: forms.ModelMultipleChoiceField[RubricVersion] = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Rubric versions to pin",
        help_text="Published versions only, one per ladder. Reviews are written against them.",
    )

    def __init__(self, *args: Any, versions: QuerySet[RubricVersion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["rubric_versions"]
        field.queryset = versions
        field.label_from_instance = lambda v: f"{v.ladder.name}, version {v.number}"


class TransitionForm(forms.Form):
    to = forms.ChoiceField(choices=ReviewCycle.Status.choices)
    confirm = forms.BooleanField(
        error_messages={"required": "Tick the box to confirm the move."},
    )
