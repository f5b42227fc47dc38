"""The review editor's form, starting a review and acknowledging one."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from core.validation import long_text
from reviews.contents import stored_assessments
from reviews.lint import AssessmentText
from reviews.models import Evidence, Review

# The five narrative prompts, in the order the editor and the read view show them.
NARRATIVE_PROMPTS: dict[str, tuple[str, str]] = {
    "ownership": (
        "What did they own?",
        "The systems, projects or responsibilities that were theirs, and how they looked "
        "after them.",
    ),
    "impact": (
        "What changed because of their work?",
        "What is different for users, the team or the business, and how you know.",
    ),
    "outcomes": (
        "What measurable outcome improved?",
        "A number that moved, from what to what, and the evidence that shows it.",
    ),
    "growth": (
        "Where did they grow, and what next?",
        "What they now do better than a year ago, and one or two concrete next steps.",
    ),
    "context": (
        "The story behind the numbers",
        "Anything a reader needs to judge fairly: team changes, incidents, leave, shifting "
        "priorities.",
    ),
}
assert tuple(NARRATIVE_PROMPTS) == Review.NARRATIVE_SECTIONS

TEXT_MAX = 20000
MAX_INT = 2**31 - 1  # ids and versions beyond this are not ours: a form error, not a 500


def rating_name(key: str) -> str:
    return f"a-{key}-rating"


def narrative_name(key: str) -> str:
    return f"a-{key}-narrative"


def evidence_name(key: str) -> str:
    return f"a-{key}-evidence"


class ReviewForm(forms.Form):
    """The whole editor: narrative sections, one rating + narrative + cited evidence per
    competency, the overall rating, a promotion nomination and the version read."""

    version = forms.IntegerField(min_value=1, max_value=MAX_INT, widget=forms.HiddenInput)
    # Set by the editor page: a submit from it carries the content, which is saved first.
    with_content = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        competency_keys: Sequence[str],
        ratings: Sequence[tuple[str, str]],
        evidence: Sequence[Evidence],
        levels_above: Sequence[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.competency_keys = list(competency_keys)
        for section, (label, hint) in NARRATIVE_PROMPTS.items():
            self.fields[section] = forms.CharField(
                label=label,
                help_text=hint,
                required=False,
                max_length=TEXT_MAX,
                validators=[long_text],
                widget=forms.Textarea(attrs={"rows": 5}),
            )
        self.fields["overall_rating"] = forms.ChoiceField(
            label="Overall rating", required=False, choices=[("", "Not chosen yet"), *ratings]
        )
        self.fields["promotion_to"] = forms.ChoiceField(
            label="Promotion nomination",
            required=False,
            choices=[("", "No promotion nomination"), *levels_above],
            help_text="Nominate a level above their current one only when the evidence shows "
            "they already work at it. Calibration decides.",
        )
        evidence_choices = [(e.pk, e.title) for e in evidence]
        for key in self.competency_keys:
            self.fields[rating_name(key)] = forms.ChoiceField(
                required=False,
                choices=[("", "Not rated yet"), *ratings],
                widget=forms.RadioSelect,
            )
            self.fields[narrative_name(key)] = forms.CharField(
                required=False,
                max_length=TEXT_MAX,
                validators=[long_text],
                widget=forms.Textarea(attrs={"rows": 5}),
            )
            self.fields[evidence_name(key)] = forms.TypedMultipleChoiceField(
                required=False,
                coerce=int,
                choices=evidence_choices,
                widget=forms.CheckboxSelectMultiple,
                error_messages={"invalid_choice": "Cite evidence from this person's library only."},
            )

    @staticmethod
    def initial_for(review: Review) -> dict[str, Any]:
        """The saved review as form values (its assessments as stored with it: the review
        must be current, reviews.services.contents.reviews_contents_refresh)."""
        initial: dict[str, Any] = {
            "version": review.version,
            "with_content": True,
            "overall_rating": review.overall_rating,
            "promotion_to": review.promotion_to,
        }
        for section in Review.NARRATIVE_SECTIONS:
            initial[section] = getattr(review, section)
        for a in stored_assessments(review):
            initial[rating_name(a["competency"])] = a["rating"]
            initial[narrative_name(a["competency"])] = a["narrative"]
            initial[evidence_name(a["competency"])] = list(a["evidence"])
        return initial

    def _value(self, name: str, default: Any) -> Any:
        # Lenient on purpose: the live checks read what is valid of a half-written form.
        value = self.cleaned_data.get(name, default)
        return default if value is None else value

    def narrative(self) -> dict[str, str]:
        return {s: self._value(s, "") for s in Review.NARRATIVE_SECTIONS}

    def assessments(self) -> list[dict[str, Any]]:
        return [
            {
                "competency": key,
                "rating": self._value(rating_name(key), ""),
                "narrative": self._value(narrative_name(key), ""),
                "evidence": list(self._value(evidence_name(key), [])),
            }
            for key in self.competency_keys
        ]

    def content(self) -> dict[str, Any]:
        """Keyword arguments for services.review_update (without actor, review, version)."""
        return {
            "narrative": self.narrative(),
            "assessments": self.assessments(),
            "overall_rating": self._value("overall_rating", ""),
            "promotion_to": self._value("promotion_to", ""),
        }

    def lint_items(self) -> list[AssessmentText]:
        return [
            AssessmentText(
                competency=a["competency"],
                rating=a["rating"],
                narrative=a["narrative"],
                evidence_ids=tuple(a["evidence"]),
            )
            for a in self.assessments()
        ]


class StartReviewForm(forms.Form):
    cycle = forms.IntegerField(min_value=1, max_value=MAX_INT)
    subject = forms.IntegerField(min_value=1, max_value=MAX_INT)


class AcknowledgeForm(forms.Form):
    response = forms.CharField(
        label="Your response (optional)",
        help_text="Anything you want on record with your review: agreement, disagreement or "
        "context. Your manager, their managers and HR can read it.",
        required=False,
        max_length=8000,
        validators=[long_text],
        widget=forms.Textarea(attrs={"rows": 5}),
    )
