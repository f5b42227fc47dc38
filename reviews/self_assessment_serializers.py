"""Translating self-assessments to and from JSON (SPEC §11.1)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from org.serializers import person_field
from reviews.lint_terms import Terms
from reviews.models import SelfAssessment
from reviews.selectors.self_assessments import self_assessment_lint
from reviews.serializers import (
    AssessmentInputSerializer,
    LintFindingSerializer,
    NarrativeSerializer,
    cycle_field,
)


class SelfAssessmentItemSerializer(serializers.Serializer[Any]):
    competency = serializers.CharField()
    rating = serializers.CharField(help_text="The self-rating (a rating key), or empty.")
    narrative = serializers.CharField()
    evidence = serializers.ListField(child=serializers.IntegerField())


class SelfAssessmentSerializer(serializers.ModelSerializer[SelfAssessment]):
    """A self-assessment with its items and quality-check findings. The instance needs
    reviews.selectors.self_assessments.with_items; ``context["terms"]`` spares a query per
    object in lists."""

    narrative = serializers.SerializerMethodField()
    assessments = serializers.SerializerMethodField()
    lint = serializers.SerializerMethodField()

    class Meta:
        model = SelfAssessment
        fields = [
            "id",
            "cycle",
            "subject",
            "rubric_version",
            "status",
            "version",
            "narrative",
            "assessments",
            "lint",
            "created_at",
            "updated_at",
            "submitted_at",
        ]

    def get_narrative(self, obj: SelfAssessment) -> dict[str, str]:
        return {s: getattr(obj, s) for s in SelfAssessment.NARRATIVE_SECTIONS}

    @extend_schema_field(SelfAssessmentItemSerializer(many=True))
    def get_assessments(self, obj: SelfAssessment) -> Any:
        return [
            {
                "competency": i.competency,
                "rating": i.rating,
                "narrative": i.narrative,
                "evidence": [e.pk for e in i.evidence.all()],
            }
            for i in sorted(obj.items.all(), key=lambda i: (i.order, i.pk))
        ]

    @extend_schema_field(LintFindingSerializer(many=True))
    def get_lint(self, obj: SelfAssessment) -> Any:
        terms: Terms | None = self.context.get("terms")
        return [f.as_dict() for f in self_assessment_lint(obj, terms=terms)]


class SelfAssessmentCreateSerializer(serializers.Serializer[Any]):
    cycle = cycle_field()
    subject = person_field(
        required=False,
        help_text="Optional; only your own person id (anyone else answers 403).",
    )


class SelfAssessmentUpdateSerializer(serializers.Serializer[Any]):
    version = serializers.IntegerField(min_value=1, max_value=2**31)
    narrative = NarrativeSerializer(required=False)
    assessments: Any = serializers.ListSerializer(
        child=AssessmentInputSerializer(), max_length=50, required=False
    )
