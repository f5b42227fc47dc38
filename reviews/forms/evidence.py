"""The form that adds an item to an evidence library."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from core.validation import long_text, past_date, single_line
from reviews.forms.widgets import DATE, textarea
from reviews.services.evidence import HAND_KIND_CHOICES

# The kind choice that lets the link decide (reviews.evidence_links).
DETECT = ""
URL_SCHEMES = ("http://", "https://")


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
        widget=textarea(5),
        help_text="Optional. What you did and what changed because of it. Markdown works.",
    )

    competencies = forms.MultipleChoiceField(
        label="Competencies",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Optional. The competencies of the rubric this speaks to.",
    )

    def __init__(
        self, *args: Any, competency_choices: list[tuple[str, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        # The person's rubric competencies; with no published rubric there is nothing to tag.
        if competency_choices:
            self.fields["competencies"].choices = competency_choices  # type: ignore[attr-defined]
        else:
            del self.fields["competencies"]

    def clean_url(self) -> str:
        url: str = self.cleaned_data["url"].strip()
        if url and not url.lower().startswith(URL_SCHEMES):
            raise ValidationError("Evidence links must start with http:// or https://.")
        return url
