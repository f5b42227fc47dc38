from __future__ import annotations

from typing import Any

from rest_framework import serializers

from calibration.models import CalibrationCase, CalibrationSession, DecisionLog
from core.validation import long_text, single_line
from org.models import LevelChange
from org.serializers import person_field, team_field
from reviews.serializers import cycle_field, evidence_field


class ScopeSerializer(serializers.Serializer[Any]):
    teams = serializers.ListField(child=serializers.IntegerField(), required=False)
    levels = serializers.ListField(child=serializers.CharField(max_length=20), required=False)


class SessionSerializer(serializers.ModelSerializer[CalibrationSession]):
    committee: Any = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    scope = serializers.SerializerMethodField()
    rubric_versions = serializers.SerializerMethodField()

    class Meta:
        model = CalibrationSession
        fields = [
            "id",
            "cycle",
            "name",
            "facilitator",
            "committee",
            "scope",
            "scheduled_at",
            "status",
            "rubric_versions",
            "opened_at",
            "finalized_at",
        ]

    def get_scope(self, obj: CalibrationSession) -> dict[str, list[Any]]:
        return {"teams": [t.pk for t in obj.scope_teams.all()], "levels": obj.scope_levels}

    def get_rubric_versions(self, obj: CalibrationSession) -> list[int]:
        """The rubric versions in force: the cycle's, fixed while the session runs."""
        return [v.pk for v in obj.cycle.rubric_versions.all()]


class SessionScopeInputSerializer(serializers.Serializer[Any]):
    teams = team_field(many=True, required=False)
    levels = serializers.ListField(
        child=serializers.CharField(max_length=20), required=False, max_length=50
    )


class SessionInputSerializer(serializers.Serializer[Any]):
    cycle = cycle_field()
    name = serializers.CharField(max_length=120, validators=[single_line])
    facilitator = person_field()
    committee = person_field(many=True, allow_empty=False)
    scope = SessionScopeInputSerializer(required=False)
    scheduled_at = serializers.DateTimeField(required=False, allow_null=True)


class RubricRefSerializer(serializers.Serializer[Any]):
    level = serializers.CharField(max_length=20)
    competency = serializers.CharField(max_length=60)


class CaseSerializer(serializers.ModelSerializer[CalibrationCase]):
    rubric_refs = RubricRefSerializer(many=True, read_only=True)
    evidence: Any = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = CalibrationCase
        fields = [
            "id",
            "session",
            "review",
            "subject",
            "kind",
            "level",
            "proposed_rating",
            "calibrated_rating",
            "target_level",
            "promotion_decision",
            "rationale",
            "rubric_refs",
            "evidence",
            "status",
            "version",
            "decided_at",
        ]


_DATETIME = serializers.DateTimeField()


def case_list_data(rows: list[dict[str, Any]], evidence: dict[int, list[int]]) -> list[Any]:
    """``CaseSerializer(cases, many=True).data`` for rows of ``selectors.case_rows`` and
    their evidence ids, without a model instance or a field object per value: the same
    keys, in the same order, with the same values (tests/calibration pin them equal)."""
    return [
        {
            "id": row["id"],
            "session": row["session_id"],
            "review": row["review_id"],
            "subject": row["subject_id"],
            "kind": row["kind"],
            "level": row["level"],
            "proposed_rating": row["proposed_rating"],
            "calibrated_rating": row["calibrated_rating"],
            "target_level": row["target_level"],
            "promotion_decision": row["promotion_decision"],
            "rationale": row["rationale"],
            "rubric_refs": [
                {"level": str(ref["level"]), "competency": str(ref["competency"])}
                for ref in row["rubric_refs"]
            ],
            "evidence": evidence[row["id"]],
            "status": row["status"],
            "version": row["version"],
            "decided_at": _DATETIME.to_representation(row["decided_at"])
            if row["decided_at"] is not None
            else None,
        }
        for row in rows
    ]


class CaseDecideSerializer(serializers.Serializer[Any]):
    version = serializers.IntegerField(min_value=1, max_value=2**31)
    calibrated_rating = serializers.CharField(max_length=60, required=False, allow_blank=True)
    promotion_decision = serializers.ChoiceField(
        choices=CalibrationCase.PromotionDecision.choices, required=False
    )
    rationale = serializers.CharField(
        max_length=8000, required=False, allow_blank=True, validators=[long_text]
    )
    rubric_refs: Any = serializers.ListSerializer(
        child=RubricRefSerializer(), required=False, max_length=100
    )
    evidence = evidence_field(many=True, required=False)
    status = serializers.ChoiceField(
        choices=[("decided", "decided")],
        required=False,
        help_text="Optional: setting the rating or decision decides the case.",
    )


class DecisionLogSerializer(serializers.ModelSerializer[DecisionLog]):
    # A Person id like every people field (SPEC §5), not the login name.
    actor = serializers.IntegerField(
        source="actor.person.pk", default=None, allow_null=True, read_only=True
    )

    class Meta:
        model = DecisionLog
        fields = [
            "id",
            "case",
            "actor",
            "action",
            "field",
            "from_value",
            "to_value",
            "rationale",
            "created_at",
        ]


class PacketStatusSerializer(serializers.Serializer[Any]):
    status = serializers.CharField()
    progress = serializers.IntegerField()
    detail = serializers.CharField()
    url = serializers.CharField()


class ApplyPromotionsSerializer(serializers.Serializer[Any]):
    effective_on = serializers.DateField(
        help_text="The day the new levels take effect (today or earlier: at once)."
    )


class LevelChangeSerializer(serializers.ModelSerializer[LevelChange]):
    case = serializers.IntegerField(source="source_case_id", read_only=True, allow_null=True)

    class Meta:
        model = LevelChange
        fields = [
            "id",
            "person",
            "from_level",
            "to_level",
            "effective_on",
            "reason",
            "case",
            "recorded_at",
            "applied_at",
        ]
        read_only_fields = fields


class AppliedPromotionsSerializer(serializers.Serializer[Any]):
    changes = LevelChangeSerializer(many=True, help_text="What this call recorded.")
    unchanged = serializers.IntegerField(
        help_text="Approved promotions recorded by an earlier call, left as they were."
    )
