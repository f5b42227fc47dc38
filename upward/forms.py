"""Forms for the upward feedback pages; the rules live in upward.services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from core.validation import long_text
from org.models import Person
from reviews.models import ReviewCycle
from upward.models import Frequency
from upward.services import COMMENT_MAX


class RoundForm(forms.Form):
    # The querysets come from the caller's selectors (__init__).
    subject: forms.ModelChoiceField[Person] = forms.ModelChoiceField(
        queryset=None,
        label="Manager",
        help_text="Their active direct reports are asked.",
    )
    competencies = forms.MultipleChoiceField(
        label="What to ask about",
        help_text="Three competencies of the Engineering Manager ladder.",
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    cycle: forms.ModelChoiceField[ReviewCycle] = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Review cycle (optional)",
        empty_label="No cycle",
    )
    closes_on = forms.DateField(
        required=False,
        label="Closes on (optional)",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(
        self,
        *args: Any,
        subjects: QuerySet[Person],
        cycles: QuerySet[ReviewCycle],
        competencies: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        subject_field: Any = self.fields["subject"]
        subject_field.queryset = subjects
        subject_field.label_from_instance = lambda p: (
            f"{p.full_name} ({p.team.name})" if p.team else p.full_name
        )
        cycle_field: Any = self.fields["cycle"]
        cycle_field.queryset = cycles
        choice_field: Any = self.fields["competencies"]
        choice_field.choices = competencies
        if not self.is_bound:
            self.initial.setdefault("competencies", [key for key, _ in competencies[:3]])


class AnswerForm(forms.Form):
    """One choice and an optional comment per question of the round."""

    def __init__(self, *args: Any, prompts: list[dict[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.prompts = prompts
        for prompt in prompts:
            key = prompt["key"]
            self.fields[f"choice_{key}"] = forms.ChoiceField(
                label=f"How often does this describe them? ({prompt['name']})",
                choices=Frequency.choices,
                widget=forms.RadioSelect,
            )
            self.fields[f"comment_{key}"] = forms.CharField(
                label=f"A comment on {prompt['name']} (optional)",
                required=False,
                max_length=COMMENT_MAX,
                validators=[long_text],
                widget=forms.Textarea(attrs={"rows": 3}),
            )

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "prompt": p,
                "choice": self[f"choice_{p['key']}"],
                "comment": self[f"comment_{p['key']}"],
            }
            for p in self.prompts
        ]

    def answers(self) -> dict[str, dict[str, str]]:
        data = self.cleaned_data
        return {
            p["key"]: {"choice": data[f"choice_{p['key']}"], "comment": data[f"comment_{p['key']}"]}
            for p in self.prompts
        }
