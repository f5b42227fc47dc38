from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.fields import ScopedPrimaryKeyField
from core.validation import long_text, past_date, plausible_date, single_line
from org.serializers import person_field, team_field
from reviews import selectors
from reviews.contents import stored_assessments, stored_contents, stored_lint
from reviews.models import CheckIn, Evidence, FeedbackRequest, Review, ReviewCycle
from reviews.representation import evidence_data, evidence_row, review_data
from rubrics.models import RubricVersion


def cycle_field(**kwargs: Any) -> Any:
    return ScopedPrimaryKeyField(
        model=ReviewCycle, selector=selectors.cycle_list, message="No such cycle.", **kwargs
    )


def evidence_field(**kwargs: Any) -> Any:
    return ScopedPrimaryKeyField(
        model=Evidence, selector=selectors.evidence_list, message="No such evidence item.", **kwargs
    )


def rubric_version_field(**kwargs: Any) -> Any:
    from rubrics.selectors import rubric_version_list

    return ScopedPrimaryKeyField(
        model=RubricVersion,
        selector=rubric_version_list,
        message="No such rubric version.",
        **kwargs,
    )


class CycleSerializer(serializers.ModelSerializer[ReviewCycle]):
    rubric_versions: Any = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = ReviewCycle
        fields = [
            "id",
            "name",
            "starts_on",
            "ends_on",
            "status",
            "rubric_versions",
            "self_assessment_required",
            "self_assessment_due",
        ]


class CycleInputSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=120, validators=[single_line])
    starts_on = serializers.DateField(validators=[plausible_date])
    ends_on = serializers.DateField(validators=[plausible_date])
    rubric_versions = rubric_version_field(many=True, required=False)
    self_assessment_required = serializers.BooleanField(
        required=False,
        help_text="Managers' reviews wait for the subject's submitted self-assessment "
        "(until self_assessment_due has passed).",
    )
    self_assessment_due = serializers.DateField(
        required=False,
        allow_null=True,
        validators=[plausible_date],
        help_text="On or after starts_on; none: a required self-assessment is never late.",
    )


class TransitionSerializer(serializers.Serializer[Any]):
    to = serializers.ChoiceField(choices=ReviewCycle.Status.choices)


class EvidenceSerializer(serializers.ModelSerializer[Evidence]):
    # A Person id like every people field (SPEC §5), never the login name: a committee
    # member reading a subject's evidence is not to learn who else holds an account.
    added_by = serializers.IntegerField(
        source="added_by.person.pk",
        default=None,
        allow_null=True,
        read_only=True,
        help_text="The person who added it (null for an account with no person record).",
    )
    scorecard_url = serializers.CharField(
        read_only=True, help_text="For team_outcome evidence: the scorecard window it cites."
    )

    class Meta:
        model = Evidence
        fields = [
            "id",
            "person",
            "kind",
            "title",
            "url",
            "occurred_on",
            "summary",
            "source",
            "added_by",
            "attributed_to",
            "created_at",
            "outcome_team",
            "outcome_start",
            "outcome_end",
            "scorecard_url",
            "competencies",
        ]

    def to_representation(self, instance: Evidence) -> dict[str, Any]:
        # The fields above, written out (reviews.representation): lists build the same
        # dicts from rows.
        return evidence_data(evidence_row(instance))


class EvidenceInputSerializer(serializers.Serializer[Any]):
    person = person_field()
    kind = serializers.ChoiceField(choices=Evidence.Kind.choices, required=False)
    title = serializers.CharField(max_length=200, validators=[single_line])
    url = serializers.URLField(max_length=1000, required=False, allow_blank=True)
    occurred_on = serializers.DateField(validators=[past_date])
    summary = serializers.CharField(
        max_length=8000, validators=[long_text], required=False, allow_blank=True
    )
    outcome_team = team_field(
        required=False,
        allow_null=True,
        help_text="For team_outcome evidence: the team whose scorecard window it cites.",
    )
    outcome_start = serializers.DateField(
        required=False, allow_null=True, validators=[plausible_date]
    )
    outcome_end = serializers.DateField(
        required=False, allow_null=True, validators=[plausible_date]
    )
    # Checked against the person's rubric by the service (evidence_competencies_clean).
    competencies = serializers.ListField(
        child=serializers.CharField(max_length=60),
        required=False,
        help_text="Optional competency keys of the person's ladder this item speaks to.",
    )


class NarrativeSerializer(serializers.Serializer[Any]):
    ownership = serializers.CharField(
        max_length=20000, validators=[long_text], allow_blank=True, required=False
    )
    impact = serializers.CharField(
        max_length=20000, validators=[long_text], allow_blank=True, required=False
    )
    outcomes = serializers.CharField(
        max_length=20000, validators=[long_text], allow_blank=True, required=False
    )
    growth = serializers.CharField(
        max_length=20000, validators=[long_text], allow_blank=True, required=False
    )
    context = serializers.CharField(  # type: ignore[assignment]
        max_length=20000, validators=[long_text], allow_blank=True, required=False
    )


class AssessmentInputSerializer(serializers.Serializer[Any]):
    competency = serializers.CharField(max_length=60)
    rating = serializers.CharField(max_length=60, allow_blank=True, required=False)
    narrative = serializers.CharField(
        max_length=20000, validators=[long_text], allow_blank=True, required=False
    )
    evidence = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        max_length=200,
        required=False,
    )


class LintFindingSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    severity = serializers.CharField()
    message = serializers.CharField()
    field = serializers.CharField()  # type: ignore[assignment]
    match = serializers.CharField()


class AssessmentOutputSerializer(serializers.Serializer[Any]):
    competency = serializers.CharField()
    rating = serializers.CharField()
    narrative = serializers.CharField()
    narrative_html = serializers.CharField(help_text="The narrative as sanitised HTML.")
    evidence = serializers.ListField(child=serializers.IntegerField())


class ReviewSerializer(serializers.ModelSerializer[Review]):
    """A review with its narrative (raw Markdown and sanitised HTML), assessments and
    quality-check findings. The HTML, the assessments and the findings are the ones stored
    with the review (reviews.contents): the object must have been through
    ``reviews_contents_refresh``, and needs nothing selected or prefetched."""

    narrative = serializers.SerializerMethodField()
    narrative_html = serializers.SerializerMethodField()
    assessments = serializers.SerializerMethodField()
    lint = serializers.SerializerMethodField()

    class Meta:
        model = Review
        fields = [
            "id",
            "cycle",
            "subject",
            "author",
            "rubric_version",
            "level",
            "status",
            "version",
            "narrative",
            "narrative_html",
            "assessments",
            "overall_rating",
            "final_rating",
            "promotion_to",
            "promotion_outcome",
            "lint",
            "submitted_at",
            "released_at",
            "acknowledged_at",
            "acknowledgement",
        ]

    def to_representation(self, instance: Review) -> dict[str, Any]:
        # The fields above, written out: one dict per review from its row and its stored
        # contents, not a field-by-field walk of nested serializers.
        return review_data(instance)

    def get_narrative(self, obj: Review) -> dict[str, str]:
        return {s: getattr(obj, s) for s in Review.NARRATIVE_SECTIONS}

    def get_narrative_html(self, obj: Review) -> dict[str, str]:
        return dict(stored_contents(obj)["narrative_html"])

    @extend_schema_field(AssessmentOutputSerializer(many=True))
    def get_assessments(self, obj: Review) -> Any:
        return stored_assessments(obj)

    @extend_schema_field(LintFindingSerializer(many=True))
    def get_lint(self, obj: Review) -> Any:
        return [f.as_dict() for f in stored_lint(obj)]


class ReviewCreateSerializer(serializers.Serializer[Any]):
    cycle = cycle_field()
    subject = person_field()


class ReviewUpdateSerializer(serializers.Serializer[Any]):
    version = serializers.IntegerField(min_value=1, max_value=2**31)
    narrative = NarrativeSerializer(required=False)
    assessments: Any = serializers.ListSerializer(
        child=AssessmentInputSerializer(), max_length=50, required=False
    )
    overall_rating = serializers.CharField(max_length=60, allow_blank=True, required=False)
    promotion_to = serializers.CharField(max_length=20, allow_blank=True, required=False)


class VersionSerializer(serializers.Serializer[Any]):
    version = serializers.IntegerField(
        min_value=1,
        max_value=2**31,
        required=False,
        help_text="The version you read; a newer one answers 409 stale_version.",
    )


class AcknowledgeSerializer(serializers.Serializer[Any]):
    response = serializers.CharField(
        max_length=8000, validators=[long_text], allow_blank=True, required=False
    )


class FeedbackRequestSerializer(serializers.ModelSerializer[FeedbackRequest]):
    class Meta:
        model = FeedbackRequest
        fields = [
            "id",
            "cycle",
            "subject",
            "respondent",
            "requested_by",
            "relationship",
            "message",
            "status",
            "owned",
            "changed",
            "more_of",
            "evidence",
            "created_at",
            "answered_at",
        ]


class FeedbackRequestInputSerializer(serializers.Serializer[Any]):
    cycle = cycle_field()
    subject = person_field()
    # Anyone active may be asked: a cross-functional partner is usually on another team.
    respondent = person_field(directory=True)
    relationship = serializers.ChoiceField(choices=FeedbackRequest.Relationship.choices)
    message = serializers.CharField(
        max_length=4000, validators=[long_text], allow_blank=True, required=False
    )


class FeedbackAnswerSerializer(serializers.Serializer[Any]):
    owned = serializers.CharField(max_length=8000, validators=[long_text], allow_blank=True)
    changed = serializers.CharField(max_length=8000, validators=[long_text], allow_blank=True)
    more_of = serializers.CharField(
        max_length=8000, validators=[long_text], allow_blank=True, required=False
    )


class CheckInSerializer(serializers.ModelSerializer[CheckIn]):
    class Meta:
        model = CheckIn
        fields = [
            "id",
            "person",
            "manager",
            "occurred_on",
            "what_changed",
            "blocked",
            "risks",
            "support",
            "created_at",
        ]


class CheckInInputSerializer(serializers.Serializer[Any]):
    person = person_field()
    occurred_on = serializers.DateField(validators=[plausible_date])
    what_changed = serializers.CharField(
        max_length=8000, validators=[long_text], allow_blank=True, required=False
    )
    blocked = serializers.CharField(
        max_length=8000, validators=[long_text], allow_blank=True, required=False
    )
    risks = serializers.CharField(
        max_length=8000, validators=[long_text], allow_blank=True, required=False
    )
    support = serializers.CharField(
        max_length=8000, validators=[long_text], allow_blank=True, required=False
    )


class PromoteSerializer(serializers.Serializer[Any]):
    item = serializers.ChoiceField(choices=[(p, p) for p in CheckIn.PROMPTS])
    title = serializers.CharField(max_length=200, validators=[single_line])
    kind = serializers.ChoiceField(choices=Evidence.Kind.choices, required=False)
