"""The self-assessment editor's form, and starting one."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from core.validation import long_text
from reviews.forms.reviews import MAX_INT, TEXT_MAX, evidence_name, narrative_name, rating_name
from reviews.lint import AssessmentText
from reviews.models import Evidence, SelfAssessment

# The five narrative prompts in the first person, in the order the editor shows them.
SELF_PROMPTS: dict[str, tuple[str, str]] = {
    "ownership": (
        "What did you own?",
        "The systems, projects or responsibilities that were yours, and how you looked after them.",
    ),
    "impact": (
        "What changed because of your work?",
        "What is different for users, the team or the business, and how you know.",
    ),
    "outcomes": (
        "What measurable outcome improved?",
        "A number that moved, from what to what, and the evidence that shows it.",
    ),
    "growth": (
        "Where did you grow, and what next?",
        "What you now do better than a year ago, and where you want to go next.",
    ),
    "context": (
        "The story behind the numbers",
        "Anything a reader needs to judge fairly: team changes, incidents, leave, shifting "
        "priorities.",
    ),
}
assert tuple(SELF_PROMPTS) == SelfAssessment.NARRATIVE_SECTIONS


class SelfAssessmentForm(forms.Form):
    """The whole editor: narrative sections, then per competency an optional self-rating,
    a narrative and the evidence cited; and the version read."""

    version = forms.IntegerField(min_value=1, max_value=MAX_INT, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        competency_keys: Sequence[str],
        ratings: Sequence[tuple[str, str]],
        evidence: Sequence[Evidence],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.competency_keys = list(competency_keys)
        for section, (label, hint) in SELF_PROMPTS.items():
            self.fields[section] = forms.CharField(
                label=label,
                help_text=hint,
                required=False,
                max_length=TEXT_MAX,
                validators=[long_text],
                widget=forms.Textarea(attrs={"rows": 5}),
            )
        choices = [(e.pk, e.title) for e in evidence]
        for key in self.competency_keys:
            self.fields[rating_name(key)] = forms.ChoiceField(
                required=False, choices=[("", "No self-rating"), *ratings]
            )
            self.fields[narrative_name(key)] = forms.CharField(
                required=False, max_length=TEXT_MAX, validators=[long_text]
            )
            self.fields[evidence_name(key)] = forms.TypedMultipleChoiceField(
                required=False,
                coerce=int,
                choices=choices,
                error_messages={"invalid_choice": "Cite evidence from your own library only."},
            )

    @staticmethod
    def initial_for(sa: SelfAssessment) -> dict[str, Any]:
        initial: dict[str, Any] = {"version": sa.version}
        for section in SelfAssessment.NARRATIVE_SECTIONS:
            initial[section] = getattr(sa, section)
        for item in sa.items.all():
            initial[rating_name(item.competency)] = item.rating
            initial[narrative_name(item.competency)] = item.narrative
            initial[evidence_name(item.competency)] = [e.pk for e in item.evidence.all()]
        return initial

    def _value(self, name: str, default: Any) -> Any:
        # Lenient on purpose: the live checks read what is valid of a half-written form.
        value = getattr(self, "cleaned_data", {}).get(name, default)
        return default if value is None else value

    def narrative(self) -> dict[str, str]:
        return {s: self._value(s, "") for s in SelfAssessment.NARRATIVE_SECTIONS}

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
        """Keyword arguments for services.self_assessment_update (without actor, object,
        version)."""
        return {"narrative": self.narrative(), "assessments": self.assessments()}

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


class StartSelfAssessmentForm(forms.Form):
    cycle = forms.IntegerField(min_value=1, max_value=MAX_INT)
