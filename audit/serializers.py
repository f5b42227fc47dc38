"""Input checks for the audit's query parameters, and the response shapes (which also
describe the endpoints in the OpenAPI schema)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

MAX_ID = 2**63 - 1


# --- Query parameters -------------------------------------------------------------------
class AuditReportQuerySerializer(serializers.Serializer[Any]):
    cycle = serializers.IntegerField(min_value=1, max_value=MAX_ID)


class AuditOutcomesQuerySerializer(AuditReportQuerySerializer):
    # Checked against the known dimensions and outcomes by the selector, which names the
    # choices in its message.
    dimension = serializers.CharField(max_length=50)
    outcome = serializers.CharField(max_length=50)
    reference = serializers.CharField(max_length=200, required=False, allow_blank=True)


# --- Outcome table ----------------------------------------------------------------------
def _ci95() -> serializers.ListField:
    return serializers.ListField(
        child=serializers.FloatField(),
        min_length=2,
        max_length=2,
        allow_null=True,
        help_text="95% Wilson score interval [low, high]; null when suppressed.",
    )


class AuditGroupSerializer(serializers.Serializer[Any]):
    group = serializers.CharField()
    n = serializers.IntegerField(allow_null=True)
    count = serializers.IntegerField(allow_null=True)
    rate = serializers.FloatField(allow_null=True)
    ci95 = _ci95()
    impact_ratio = serializers.FloatField(
        allow_null=True, help_text="rate / reference rate; null when the reference rate is 0."
    )
    below_four_fifths = serializers.BooleanField(allow_null=True)
    suppressed = serializers.BooleanField()


class AuditChiSquareSerializer(serializers.Serializer[Any]):
    statistic = serializers.FloatField(allow_null=True)
    dof = serializers.IntegerField(allow_null=True)
    p_value = serializers.FloatField(allow_null=True)


class AuditFisherExactSerializer(serializers.Serializer[Any]):
    odds_ratio = serializers.FloatField(
        allow_null=True,
        help_text="(first group's odds)/(second group's odds), names ascending; null when "
        "undefined or infinite.",
    )
    p_value = serializers.FloatField(allow_null=True)


class AuditCmhSerializer(serializers.Serializer[Any]):
    odds_ratio = serializers.FloatField(allow_null=True, help_text="Mantel–Haenszel, by level.")
    statistic = serializers.FloatField(allow_null=True)
    p_value = serializers.FloatField(allow_null=True)


class AuditTestsSerializer(serializers.Serializer[Any]):
    chi_square = AuditChiSquareSerializer()
    fisher_exact = AuditFisherExactSerializer()
    cmh_by_level = AuditCmhSerializer()


class AuditOutcomesSerializer(serializers.Serializer[Any]):
    cycle = serializers.IntegerField()
    dimension = serializers.CharField()
    outcome = serializers.CharField()
    min_group_size = serializers.IntegerField()
    reference_group = serializers.CharField(allow_null=True)
    withheld = serializers.BooleanField(
        help_text="No group is shown for this outcome: the groups too small to report would "
        "be identifiable (everybody in the cycle shares the outcome)."
    )
    groups = AuditGroupSerializer(many=True)
    tests = AuditTestsSerializer()


# --- Report -----------------------------------------------------------------------------
class AuditChiSquareAdjustedSerializer(AuditChiSquareSerializer):
    p_value_adjusted = serializers.FloatField(allow_null=True)


class AuditFisherExactAdjustedSerializer(AuditFisherExactSerializer):
    p_value_adjusted = serializers.FloatField(allow_null=True)


class AuditCmhAdjustedSerializer(AuditCmhSerializer):
    p_value_adjusted = serializers.FloatField(allow_null=True)


class AuditReportTestsSerializer(serializers.Serializer[Any]):
    chi_square = AuditChiSquareAdjustedSerializer()
    fisher_exact = AuditFisherExactAdjustedSerializer()
    cmh_by_level = AuditCmhAdjustedSerializer()


class AuditResultSerializer(serializers.Serializer[Any]):
    dimension = serializers.CharField()
    outcome = serializers.CharField()
    reference_group = serializers.CharField(allow_null=True)
    withheld = serializers.BooleanField(
        help_text="No group is shown for this outcome: the groups too small to report would "
        "be identifiable (everybody in the cycle shares the outcome)."
    )
    groups = AuditGroupSerializer(many=True)
    tests = AuditReportTestsSerializer()


class AuditReportCycleSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    status = serializers.CharField()


# A field called "label" shadows Field.label for the type checker only: DRF's metaclass
# moves declared fields out of the class attributes.
class AuditDimensionSerializer(serializers.Serializer[Any]):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    kind = serializers.CharField(help_text="org | demographic")


class AuditOutcomeSerializer(serializers.Serializer[Any]):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    higher_is_less_favourable = serializers.BooleanField()


def _rates() -> serializers.DictField:
    return serializers.DictField(child=serializers.FloatField(), allow_null=True)


class AuditLanguageGroupSerializer(serializers.Serializer[Any]):
    group = serializers.CharField()
    suppressed = serializers.BooleanField()
    reviews = serializers.IntegerField(allow_null=True)
    findings_per_review = _rates()
    reviews_with_finding = _rates()
    vague_judgement_per_review = serializers.FloatField(allow_null=True)
    personality_per_review = serializers.FloatField(allow_null=True)
    specific_share = serializers.FloatField(allow_null=True)
    vague_share = serializers.FloatField(allow_null=True)


class AuditLanguageSectionSerializer(serializers.Serializer[Any]):
    dimension = serializers.CharField()
    groups = AuditLanguageGroupSerializer(many=True)


class AuditEvidenceGroupSerializer(serializers.Serializer[Any]):
    group = serializers.CharField()
    suppressed = serializers.BooleanField()
    reviews = serializers.IntegerField(allow_null=True)
    evidence_per_review = serializers.FloatField(allow_null=True)
    citations_per_review = serializers.FloatField(allow_null=True)
    invisible_work_share = serializers.FloatField(allow_null=True)
    invisible_cited_share = serializers.FloatField(allow_null=True)
    other_cited_share = serializers.FloatField(allow_null=True)
    high_rated_reviews = serializers.IntegerField(allow_null=True)
    high_rated_citations_per_review = serializers.FloatField(allow_null=True)


class AuditEvidenceSectionSerializer(serializers.Serializer[Any]):
    dimension = serializers.CharField()
    withheld = serializers.ListField(
        child=serializers.CharField(),
        help_text="Fields empty in every row: they would give the count of an outcome "
        "withheld for this dimension.",
    )
    groups = AuditEvidenceGroupSerializer(many=True)


class AuditCalibrationGroupSerializer(serializers.Serializer[Any]):
    group = serializers.CharField()
    suppressed = serializers.BooleanField()
    calibrated_reviews = serializers.IntegerField(allow_null=True)
    changed_up_share = serializers.FloatField(allow_null=True)
    changed_down_share = serializers.FloatField(allow_null=True)
    unchanged_share = serializers.FloatField(allow_null=True)


class AuditCalibrationSectionSerializer(serializers.Serializer[Any]):
    dimension = serializers.CharField()
    withheld = serializers.ListField(
        child=serializers.CharField(),
        help_text="Fields empty in every row: they would give the count of an outcome "
        "withheld for this dimension.",
    )
    groups = AuditCalibrationGroupSerializer(many=True)


class AuditFindingSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField(help_text="gap | difference | simpson")
    dimension = serializers.CharField()
    outcome = serializers.CharField()
    groups = serializers.ListField(child=serializers.CharField())
    statistic = serializers.CharField(help_text="chi_square | cmh_by_level")
    p_value_adjusted = serializers.FloatField(allow_null=True)
    significant = serializers.BooleanField(
        help_text="The chi-square adjusted p-value is below 0.05 (for a simpson note: the "
        "pooled gap it qualifies). Other gaps may well be chance."
    )
    text = serializers.CharField()


class AuditComparisonGroupSerializer(serializers.Serializer[Any]):
    group = serializers.CharField()
    rate = serializers.FloatField(allow_null=True, help_text="This cycle; null when not shown.")
    suppressed = serializers.BooleanField()
    previous_rate = serializers.FloatField(
        allow_null=True, help_text="The previous cycle; null when not shown or absent."
    )
    previous_suppressed = serializers.BooleanField()
    change = serializers.FloatField(
        allow_null=True, help_text="rate − previous_rate, when both are shown."
    )


class AuditComparisonResultSerializer(serializers.Serializer[Any]):
    dimension = serializers.CharField()
    outcome = serializers.CharField()
    groups = AuditComparisonGroupSerializer(many=True)


class AuditComparisonSerializer(serializers.Serializer[Any]):
    previous_cycle = AuditReportCycleSerializer(
        allow_null=True, help_text="The latest cycle that started before this one."
    )
    results = AuditComparisonResultSerializer(many=True)


class AuditReportSerializer(serializers.Serializer[Any]):
    cycle = AuditReportCycleSerializer()
    generated_at = serializers.DateTimeField()
    min_group_size = serializers.IntegerField()
    dimensions = AuditDimensionSerializer(many=True)
    outcomes = AuditOutcomeSerializer(many=True)
    lint_codes = serializers.ListField(child=serializers.CharField())
    invisible_work_kinds = serializers.ListField(child=serializers.CharField())
    results = AuditResultSerializer(many=True)
    language = AuditLanguageSectionSerializer(many=True)
    evidence = AuditEvidenceSectionSerializer(many=True)
    calibration = AuditCalibrationSectionSerializer(many=True)
    comparison = AuditComparisonSerializer()
    findings = AuditFindingSerializer(many=True)
    notes = serializers.ListField(child=serializers.CharField())


class AuditReportPdfStatusSerializer(serializers.Serializer[Any]):
    status = serializers.CharField(help_text="queued | running | failed")
    progress = serializers.IntegerField(help_text="0–100")
    detail = serializers.CharField()
    url = serializers.CharField(help_text="Ask this URL again to follow the build.")
