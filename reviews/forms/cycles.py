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

    self_assessment_required = forms.BooleanField(
        required=False,
        label="Require self-assessments",
        help_text="A manager's review waits for the person's submitted self-assessment "
        "until its due date has passed.",
    )
    self_assessment_due = forms.DateField(
        required=False,
        label="Self-assessments due",
        widget=DATE,
        validators=[plausible_date],
        help_text="On or after the start. Without a date a required self-assessment is never late.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        due, starts = data.get("self_assessment_due"), data.get("starts_on")
        if due is not None and starts is not None and due < starts:
            self.add_error(
                "self_assessment_due", "The due date must be on or after the cycle's start."
            )
        return data

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
