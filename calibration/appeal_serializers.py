"""The appeals API's shapes (SPEC §11.3). They only translate: who may open or resolve an
appeal, and what each resolution needs, is calibration.appeals'; which appeals and fields a
caller sees is calibration.selectors.appeals'."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from calibration.models import Appeal
from calibration.selectors.appeals import APPEAL_FIELDS
from calibration.serializers import RubricRefSerializer
from core.validation import long_text

MAX_ID = 2**63 - 1


class AppealSerializer(serializers.ModelSerializer[Appeal]):
    # People fields hold Person ids (SPEC §5): the subject's, and the resolving HR's.
    subject = serializers.IntegerField(source="review.subject_id", read_only=True)
    cycle = serializers.IntegerField(source="review.cycle_id", read_only=True)
    evidence = serializers.SerializerMethodField()
    rubric_refs = RubricRefSerializer(many=True, read_only=True)
    resolved_by = serializers.SerializerMethodField()

    class Meta:
        model = Appeal
        fields = list(APPEAL_FIELDS)
        read_only_fields = fields

    def get_evidence(self, obj: Appeal) -> list[int]:
        # Prefetched by calibration.selectors.appeals.appeal_list.
        return sorted(e.pk for e in obj.evidence.all())

    def get_resolved_by(self, obj: Appeal) -> int | None:
        person = getattr(obj.resolved_by, "person", None) if obj.resolved_by_id else None
        return person.pk if person is not None else None


class AppealOpenInputSerializer(serializers.Serializer[Any]):
    review = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    reason = serializers.CharField(max_length=8000, validators=[long_text])
    evidence = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        max_length=200,
    )


class AppealResolveInputSerializer(serializers.Serializer[Any]):
    resolution = serializers.ChoiceField(choices=Appeal.Resolution.choices)
    resolution_note = serializers.CharField(max_length=8000, validators=[long_text])
    rubric_refs = RubricRefSerializer(many=True)
    rating = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
