"""Writing a check-in, and promoting one of its prompts to evidence."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from core.validation import long_text, plausible_date, single_line
from reviews.forms.widgets import DATE, textarea
from reviews.models import CheckIn, Evidence
from reviews.services.evidence import HAND_KIND_CHOICES

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
        widget=textarea(),
    )
    blocked = forms.CharField(
        label=PROMPT_LABELS["blocked"],
        help_text=PROMPT_HINTS["blocked"],
        max_length=8000,
        validators=[long_text],
        required=False,
        widget=textarea(3),
    )
    risks = forms.CharField(
        label=PROMPT_LABELS["risks"],
        help_text=PROMPT_HINTS["risks"],
        max_length=8000,
        validators=[long_text],
        required=False,
        widget=textarea(3),
    )
    support = forms.CharField(
        label=PROMPT_LABELS["support"],
        help_text=PROMPT_HINTS["support"],
        max_length=8000,
        validators=[long_text],
        required=False,
        widget=textarea(3),
    )


class PromoteForm(forms.Form):
    item = forms.ChoiceField(choices=[(p, PROMPT_LABELS[p]) for p in CheckIn.PROMPTS])
    title = forms.CharField(max_length=200, validators=[single_line])
    kind = forms.ChoiceField(choices=HAND_KIND_CHOICES, initial=Evidence.Kind.OTHER)
