"""Asking for feedback, and answering a request."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from core.validation import long_text
from org.models import Person
from reviews.forms.widgets import textarea
from reviews.models import FeedbackRequest, ReviewCycle


class FeedbackRequestForm(forms.Form):
    # The querysets come from the caller's selectors (__init__).
    subject: forms.ModelChoiceField[Person] = forms.ModelChoiceField(
        queryset=None,
        label="Feedback about",
        empty_label=None,
    )
    respondent: forms.ModelChoiceField[Person] = forms.ModelChoiceField(
        queryset=None,
        label="Colleague to ask",
        empty_label="Choose a colleague",
        help_text="The person who will answer. Only they see the answer form.",
    )
    relationship = forms.ChoiceField(
        label="Relationship",
        help_text="How the colleague works with the person the feedback is about.",
        choices=FeedbackRequest.Relationship.choices,
        widget=forms.RadioSelect,
    )
    cycle: forms.ModelChoiceField[ReviewCycle] = forms.ModelChoiceField(
        queryset=None, label="Review cycle", empty_label=None
    )
    message = forms.CharField(
        max_length=4000,
        validators=[long_text],
        required=False,
        widget=textarea(4),
        help_text="Optional. What you would like them to think about.",
    )

    def __init__(
        self,
        *args: Any,
        subjects: QuerySet[Person],
        respondents: QuerySet[Person],
        cycles: QuerySet[ReviewCycle],
        me: Person,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        subject_field: Any = self.fields["subject"]
        subject_field.queryset = subjects
        subject_field.label_from_instance = lambda p: (
            f"{p.full_name} (you)" if p.pk == me.pk else p.full_name
        )
        respondent_field: Any = self.fields["respondent"]
        respondent_field.queryset = respondents
        respondent_field.label_from_instance = lambda p: (
            f"{p.full_name} ({p.team.name})" if p.team_id else p.full_name
        )
        cycle_field: Any = self.fields["cycle"]
        cycle_field.queryset = cycles

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        subject, respondent = data.get("subject"), data.get("respondent")
        if subject is not None and respondent is not None and subject.pk == respondent.pk:
            self.add_error("respondent", "Ask someone other than the person themself.")
        return data


class FeedbackAnswerForm(forms.Form):
    owned = forms.CharField(
        label="What did they own?",
        max_length=8000,
        validators=[long_text],
        required=False,
        widget=textarea(5),
        help_text="Work, decisions or problems they took responsibility for.",
    )
    changed = forms.CharField(
        label="What changed because of their work?",
        max_length=8000,
        validators=[long_text],
        required=False,
        widget=textarea(5),
        help_text="Outcomes you saw: for users, for the team, for you.",
    )
    more_of = forms.CharField(
        label="What could they do more of?",
        max_length=8000,
        validators=[long_text],
        required=False,
        widget=textarea(4),
        help_text="Optional. Behaviour you would like to see more often.",
    )
