"""Upward feedback in the API. A round's representation depends on who asks: readers get
the counts and the aggregate (``results``, null until enough have answered), respondents
get the questions and whether they have answered. No field ever carries an answer row."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from rest_framework import serializers

from core.fields import ScopedPrimaryKeyField
from core.validation import plausible_date
from org.models import Person
from reviews.models import ReviewCycle
from reviews.selectors import cycle_list
from upward import selectors
from upward.models import Frequency, UpwardRound


class PromptSerializer(serializers.Serializer[Any]):
    key = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    level = serializers.CharField()
    expectation = serializers.CharField()


class RoundSerializer(serializers.ModelSerializer[UpwardRound]):
    """``invited``, ``answered`` and ``results`` are null to respondents; ``i_answered`` is
    null to readers who were not asked."""

    subject = serializers.SerializerMethodField()
    prompts = PromptSerializer(many=True)
    choices = serializers.SerializerMethodField()
    invited = serializers.SerializerMethodField()
    answered = serializers.SerializerMethodField()
    i_answered = serializers.SerializerMethodField()
    results = serializers.SerializerMethodField()
    threshold = serializers.SerializerMethodField()

    class Meta:
        model = UpwardRound
        fields = [
            "id",
            "subject",
            "requested_by",
            "cycle",
            "status",
            "created_at",
            "closes_on",
            "prompts",
            "choices",
            "threshold",
            "invited",
            "answered",
            "i_answered",
            "results",
        ]

    def get_subject(self, obj: UpwardRound) -> dict[str, Any]:
        s = obj.subject
        return {"id": s.pk, "full_name": s.full_name, "team": s.team_id}

    def get_choices(self, obj: UpwardRound) -> list[dict[str, str]]:
        return [{"key": k, "label": str(label)} for k, label in Frequency.choices]

    def get_threshold(self, obj: UpwardRound) -> int:
        return selectors.threshold()

    def get_invited(self, obj: UpwardRound) -> int | None:
        return obj.invited_count if obj.is_reader else None  # type: ignore[attr-defined]

    def get_answered(self, obj: UpwardRound) -> int | None:
        return obj.answered_count if obj.is_reader else None  # type: ignore[attr-defined]

    def get_i_answered(self, obj: UpwardRound) -> bool | None:
        return obj.i_answered if obj.is_invited else None  # type: ignore[attr-defined]

    def get_results(self, obj: UpwardRound) -> dict[str, Any] | None:
        results = selectors.round_results(round=obj)
        return asdict(results) if results is not None else None


class RoundCreateSerializer(serializers.Serializer[Any]):
    subject = ScopedPrimaryKeyField(
        model=Person,
        selector=selectors.subject_choices,
        message="Choose a manager in your reporting line who has reports.",
    )
    cycle = ScopedPrimaryKeyField(
        model=ReviewCycle, selector=cycle_list, message="No such cycle.", required=False
    )
    competencies = serializers.ListField(
        child=serializers.SlugField(max_length=60), required=False, max_length=10
    )
    closes_on = serializers.DateField(required=False, validators=[plausible_date])


class AnswerSerializer(serializers.Serializer[Any]):
    """``answers``: {"<competency key>": {"choice": "often", "comment": "…"}} for each
    question of the round (the service checks the keys and choices)."""

    answers = serializers.DictField(child=serializers.DictField())
