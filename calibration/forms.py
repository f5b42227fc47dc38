"""Plain forms for the calibration pages. The rules (who decides, when a rationale is
required, which ratings exist) live in calibration.services; these forms only turn a POST
into the arguments the services take."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django import forms
from django.db.models import QuerySet

from core.validation import long_text, single_line
from org.models import Person, Team
from reviews.models import ReviewCycle

MAX_INT = 2**31 - 1  # versions beyond this are not ours: a form error, not a 500
REF_SEPARATOR = "|"


def ref_value(level: str, competency: str) -> str:
    """A rubric expectation as a checkbox value: "L4|execution"."""
    return f"{level}{REF_SEPARATOR}{competency}"


def ref_from_value(value: str) -> dict[str, str]:
    level, _, competency = value.partition(REF_SEPARATOR)
    return {"level": level, "competency": competency}


class PersonChoiceField(forms.ModelChoiceField[Person]):
    def label_from_instance(self, obj: Person) -> str:
        team = f", {obj.team.name}" if obj.team_id and obj.team else ""
        return f"{obj.full_name}{team}"


class PersonMultipleChoiceField(forms.ModelMultipleChoiceField[Person]):
    def label_from_instance(self, obj: Person) -> str:
        team = f", {obj.team.name}" if obj.team_id and obj.team else ""
        return f"{obj.full_name}{team}"


class CycleChoiceField(forms.ModelChoiceField[ReviewCycle]):
    def label_from_instance(self, obj: ReviewCycle) -> str:
        return f"{obj.name} ({obj.get_status_display().lower()})"


class SessionCreateForm(forms.Form):
    """HR creates a session: which cycle, who sits on it, which cases it takes. The
    choices come from the caller's selectors (the view's), set in ``__init__``."""

    cycle = CycleChoiceField(
        queryset=None,
        label="Review cycle",
        help_text="Open or calibrating cycles. A session opens once its cycle is calibrating.",
    )
    name = forms.CharField(label="Name", max_length=120, validators=[single_line])
    facilitator = PersonChoiceField(
        queryset=None,
        label="Facilitator",
        help_text="Runs the session and may finalize it. Always a committee member.",
    )
    committee = PersonMultipleChoiceField(
        queryset=None,
        label="Committee",
        help_text="Hold Ctrl (Cmd on a Mac) to choose several people.",
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    scope_teams: forms.ModelMultipleChoiceField[Team] = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        label="Teams in scope",
        help_text="Sub-teams are included. Choose none to include every team.",
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    scope_levels = forms.CharField(
        required=False,
        max_length=400,
        label="Levels in scope",
        help_text="Level codes separated by commas, for example: L4, L5. Leave empty for "
        "every level.",
    )
    scheduled_at = forms.DateTimeField(
        required=False,
        label="Scheduled for",
        help_text="Optional: when the committee meets.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(
        self,
        *args: Any,
        cycles: QuerySet[ReviewCycle],
        people: QuerySet[Person],
        teams: QuerySet[Team],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cycle"].queryset = cycles  # type: ignore[attr-defined]
        self.fields["facilitator"].queryset = people  # type: ignore[attr-defined]
        self.fields["committee"].queryset = people  # type: ignore[attr-defined]
        self.fields["scope_teams"].queryset = teams  # type: ignore[attr-defined]

    def clean_scope_levels(self) -> list[str]:
        raw = self.cleaned_data.get("scope_levels") or ""
        codes = [c for c in re.split(r"[\s,;]+", raw) if c]
        bad = [c for c in codes if len(c) > 20]
        if bad:
            raise forms.ValidationError("A level code is at most 20 characters.")
        return codes


class CaseDecideForm(forms.Form):
    """One decision on a case: the calibrated rating (rating case) or the promotion
    decision (promotion case), the rationale, and what it rests on."""

    version = forms.IntegerField(min_value=1, max_value=MAX_INT, widget=forms.HiddenInput)
    calibrated_rating = forms.ChoiceField(
        label="Calibrated rating", required=False, widget=forms.RadioSelect
    )
    promotion_decision = forms.ChoiceField(
        label="Promotion decision", required=False, widget=forms.RadioSelect
    )
    rationale = forms.CharField(
        label="Rationale",
        required=False,
        max_length=8000,
        validators=[long_text],
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Required when the rating changes and for every promotion decision: what "
        "in the rubric and the evidence supports it.",
    )
    rubric_refs = forms.MultipleChoiceField(
        label="Rubric expectations it rests on",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    evidence = forms.MultipleChoiceField(
        label="Evidence it cites",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self,
        *args: Any,
        is_promotion: bool,
        ratings: Sequence[tuple[str, str]],
        decisions: Sequence[tuple[str, str]],
        refs: Sequence[tuple[str, str]],
        evidence: Sequence[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if is_promotion:
            del self.fields["calibrated_rating"]
            self.fields["promotion_decision"].choices = list(decisions)  # type: ignore[attr-defined]
        else:
            del self.fields["promotion_decision"]
            self.fields["calibrated_rating"].choices = list(ratings)  # type: ignore[attr-defined]
        self.fields["rubric_refs"].choices = list(refs)  # type: ignore[attr-defined]
        self.fields["evidence"].choices = list(evidence)  # type: ignore[attr-defined]

    def decision(self) -> dict[str, Any]:
        """The service's keyword arguments (evidence as ids; the view turns them into
        objects)."""
        data = self.cleaned_data
        out: dict[str, Any] = {
            "version": data["version"],
            "rationale": data.get("rationale", ""),
            "rubric_refs": [ref_from_value(v) for v in data.get("rubric_refs", [])],
        }
        if "calibrated_rating" in self.fields:
            out["calibrated_rating"] = data.get("calibrated_rating") or None
        else:
            out["promotion_decision"] = data.get("promotion_decision") or None
        return out
