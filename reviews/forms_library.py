"""Plain forms for the evidence library, feedback, check-ins and cycle pages.

They only check shape (lengths, dates, choices); the rules live in reviews.services.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone

from core.validation import long_text, past_date, plausible_date, single_line
from org.models import Person
from reviews.models import CheckIn, Evidence, FeedbackRequest, ReviewCycle
from reviews.services import HAND_KIND_CHOICES
from rubrics.models import RubricVersion

DETECT = ""
URL_SCHEMES = ("http://", "https://")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

PROMPT_LABELS = {
    "what_changed": "What changed",
    "blocked": "Where blocked",
    "risks": "Which risks are growing",
    "support": "What support would help",
}
PROMPT_HINTS = {
    "what_changed": "Work finished, decisions made, anything that moved since last time.",
    "blocked": "What is stuck, and on whom or what.",
    "risks": "Things that are not a problem yet but are getting bigger.",
    "support": "What the manager or the team could do.",
}


def _textarea(rows: int = 4) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class EvidenceForm(forms.Form):
    title = forms.CharField(
        max_length=200,
        validators=[single_line],
        help_text="A short name you will recognise later.",
    )
    url = forms.CharField(
        label="Link",
        max_length=1000,
        required=False,
        widget=forms.URLInput(attrs={"inputmode": "url"}),
        help_text="Optional. Links to pull requests, incidents and design docs are recognised.",
    )
    occurred_on = forms.DateField(
        label="Date", widget=DATE, validators=[past_date], help_text="When it happened."
    )
    kind = forms.ChoiceField(
        required=False,
        # Feedback kinds come only from answered feedback requests (reviews.services).
        choices=[(DETECT, "Detect from the link"), *HAND_KIND_CHOICES],
        initial=DETECT,
    )
    summary = forms.CharField(
        max_length=8000,
        validators=[long_text],
        required=False,
        widget=_textarea(5),
        help_text="Optional. What you did and what changed because of it. Markdown works.",
    )

    def clean_url(self) -> str:
        url: str = self.cleaned_data["url"].strip()
        if url and not url.lower().startswith(URL_SCHEMES):
            raise ValidationError("Evidence links must start with http:// or https://.")
        return url


class FeedbackRequestForm(forms.Form):
    subject = forms.ModelChoiceField(
        queryset=Person.objects.none(),
        label="Feedback about",
        empty_label=None,
    )
    respondent = forms.ModelChoiceField(
        queryset=Person.objects.none(),
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
    cycle = forms.ModelChoiceField(
        queryset=ReviewCycle.objects.none(), label="Review cycle", empty_label=None
    )
    message = forms.CharField(
        max_length=4000,
        validators=[long_text],
        required=False,
        widget=_textarea(4),
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
        widget=_textarea(5),
        help_text="Work, decisions or problems they took responsibility for.",
    )
    changed = forms.CharField(
        label="What changed because of their work?",
        max_length=8000,
        validators=[long_text],
        required=False,
        widget=_textarea(5),
        help_text="Outcomes you saw: for users, for the team, for you.",
    )
    more_of = forms.CharField(
        label="What could they do more of?",
        max_length=8000,
        validators=[long_text],
        required=False,
        widget=_textarea(4),
        help_text="Optional. Behaviour you would like to see more often.",
    )


class CheckInForm(forms.Form):
    occurred_on = forms.DateField(
        label="Date", widget=DATE, initial=timezone.localdate, validators=[plausible_date]
    )
    what_changed = forms.CharField(
        label=PROMPT_LABELS["what_changed"],
        help_text=PROMPT_HINTS["what_changed"],
        max_length=8000,
        validators=[long_text],
        required=False,
        widget=_textarea(),
    )
    blocked = forms.CharField(
        label=PROMPT_LABELS["blocked"],
        help_text=PROMPT_HINTS["blocked"],
        max_length=8000,
        validators=[long_text],
        required=False,
        widget=_textarea(3),
    )
    risks = forms.CharField(
        label=PROMPT_LABELS["risks"],
        help_text=PROMPT_HINTS["risks"],
        max_length=8000,
        validators=[long_text],
        required=False,
        widget=_textarea(3),
    )
    support = forms.CharField(
        label=PROMPT_LABELS["support"],
        help_text=PROMPT_HINTS["support"],
        max_length=8000,
        validators=[long_text],
        required=False,
        widget=_textarea(3),
    )


class PromoteForm(forms.Form):
    item = forms.ChoiceField(choices=[(p, PROMPT_LABELS[p]) for p in CheckIn.PROMPTS])
    title = forms.CharField(max_length=200, validators=[single_line])
    kind = forms.ChoiceField(choices=HAND_KIND_CHOICES, initial=Evidence.Kind.OTHER)


class CycleForm(forms.Form):
    name = forms.CharField(
        max_length=120, validators=[single_line], help_text="For example “H1 2026”."
    )
    starts_on = forms.DateField(label="Starts on", widget=DATE, validators=[plausible_date])
    ends_on = forms.DateField(label="Ends on", widget=DATE, validators=[plausible_date])
    rubric_versions = forms.ModelMultipleChoiceField(
        queryset=RubricVersion.objects.none(),
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
