"""Input and output shapes for team outcomes. Input serializers only translate and check
single fields; ``validate_batch`` turns a request body into items or a 400 that names
each bad item by its index:

    {"items": {"3": {"deployed_at": ["Enter a valid date and time."]}}}
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any

from django.utils import timezone
from rest_framework import serializers

from core.filters import MAX_ID
from core.validation import single_line
from org.models import Team
from outcomes.models import (
    MIN_SURVEY_RESPONDENTS,
    SCORE_MAX,
    SCORE_MIN,
    Deployment,
    HealthSurvey,
    Incident,
    IngestionToken,
    SLOReport,
)
from outcomes.selectors.dora import CLUSTERS
from outcomes.selectors.windows import EARLIEST_DATE, LATEST_DATE, MAX_WINDOW_DAYS

MAX_ITEMS_PER_REQUEST = 1000
# A clock may run a little fast; anything later than this is a mistake, not a deployment.
FUTURE_TOLERANCE = dt.timedelta(days=1)
PRIVACY_MESSAGE = (
    f"Fewer than {MIN_SURVEY_RESPONDENTS} respondents: an aggregate this small could reveal "
    "individual answers, so it is not accepted."
)
PERSON_FIELD_MESSAGE = "Outcome data describes teams only; people cannot be named here."
# Keys that would tie outcome data to a person. They are refused like every unknown key,
# with a message that says why.
PERSON_KEYS = frozenset(
    {
        "person",
        "people",
        "person_id",
        "user",
        "user_id",
        "username",
        "email",
        "author",
        "engineer",
        "subject",
        "assignee",
        "responder",
        "responders",
        "deployer",
        "committer",
        "owner",
        "manager",
        "respondent",
        "respondents_ids",
    }
)


def unknown_field_errors(data: Any, fields: Any) -> dict[str, list[str]]:
    if not isinstance(data, Mapping):
        return {}
    unknown = sorted(str(k) for k in data if k not in fields)[:20]
    return {
        k: [PERSON_FIELD_MESSAGE if k.lower() in PERSON_KEYS else "Unknown field."] for k in unknown
    }


class StrictInputSerializer(serializers.Serializer[Any]):
    """Refuses keys it does not know, so a misspelt or person field never passes silently."""

    def to_internal_value(self, data: Any) -> Any:
        errors = unknown_field_errors(data, self.fields)
        if errors:
            raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


class FiniteFloatField(serializers.FloatField):
    """A float that is a real number ("NaN" and "Infinity" are refused)."""

    def to_internal_value(self, data: Any) -> float:
        value = super().to_internal_value(data)
        if not math.isfinite(value):
            raise serializers.ValidationError("A finite number is required.")
        return value


def _check_moment(value: dt.datetime, field: str) -> dict[str, list[str]]:
    if not (EARLIEST_DATE.year <= value.year <= LATEST_DATE.year):
        return {field: [f"Use a date between {EARLIEST_DATE.year} and {LATEST_DATE.year}."]}
    if value > timezone.now() + FUTURE_TOLERANCE:
        return {field: ["This time is in the future."]}
    return {}


def _check_day(value: dt.date, field: str) -> dict[str, list[str]]:
    if not (EARLIEST_DATE <= value <= LATEST_DATE):
        return {field: [f"Use a date between {EARLIEST_DATE.year} and {LATEST_DATE.year}."]}
    return {}


def _team_field() -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="Team id.")


class DeploymentInputSerializer(StrictInputSerializer):
    team = _team_field()
    external_id = serializers.CharField(
        max_length=200, validators=[single_line], help_text="Your CI/CD system's id."
    )
    deployed_at = serializers.DateTimeField()
    committed_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Time of the oldest commit deployed; leave out if unknown.",
    )
    failed = serializers.BooleanField(required=False, default=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        errors = _check_moment(attrs["deployed_at"], "deployed_at")
        committed = attrs.get("committed_at")
        if committed is not None:
            errors |= _check_moment(committed, "committed_at")
            if committed > attrs["deployed_at"]:
                errors.setdefault("committed_at", []).append(
                    "The commit time must not be after the deployment time."
                )
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class IncidentInputSerializer(StrictInputSerializer):
    team = _team_field()
    external_id = serializers.CharField(
        max_length=200, validators=[single_line], help_text="Your incident tool's id."
    )
    started_at = serializers.DateTimeField()
    resolved_at = serializers.DateTimeField(
        required=False, allow_null=True, default=None, help_text="null while the incident is open."
    )
    caused_by_deployment = serializers.CharField(
        max_length=200,
        validators=[single_line],
        required=False,
        allow_blank=True,
        allow_null=True,
        default="",
        help_text="external_id of the team's deployment that caused it, if known.",
    )
    severity = serializers.ChoiceField(choices=Incident.Severity.choices)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        errors = _check_moment(attrs["started_at"], "started_at")
        resolved = attrs.get("resolved_at")
        if resolved is not None:
            errors |= _check_moment(resolved, "resolved_at")
            if resolved < attrs["started_at"]:
                errors.setdefault("resolved_at", []).append(
                    "An incident cannot be resolved before it started."
                )
        if errors:
            raise serializers.ValidationError(errors)
        attrs["caused_by_deployment"] = attrs.get("caused_by_deployment") or ""
        return attrs


class SLOReportInputSerializer(StrictInputSerializer):
    team = _team_field()
    service = serializers.CharField(max_length=120, validators=[single_line])
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    objective = FiniteFloatField(min_value=0, max_value=1, help_text="A fraction, e.g. 0.999.")
    attained = FiniteFloatField(min_value=0, max_value=1, help_text="A fraction, e.g. 0.9994.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        errors = _check_day(attrs["period_start"], "period_start") | _check_day(
            attrs["period_end"], "period_end"
        )
        if not errors and attrs["period_end"] < attrs["period_start"]:
            errors["period_end"] = ["The period cannot end before it starts."]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


def _score_field(help_text: str) -> FiniteFloatField:
    return FiniteFloatField(min_value=SCORE_MIN, max_value=SCORE_MAX, help_text=help_text)


class HealthSurveyInputSerializer(StrictInputSerializer):
    team = _team_field()
    period_start = serializers.DateField()
    respondents = serializers.IntegerField(
        max_value=1_000_000, help_text=f"At least {MIN_SURVEY_RESPONDENTS} (privacy)."
    )
    psychological_safety = _score_field("Team mean, 1–5; higher is healthier.")
    workload = _score_field("Team mean, 1–5; higher means a heavier workload.")
    clarity = _score_field("Team mean, 1–5; higher is healthier.")
    on_call_burden = _score_field("Team mean, 1–5; higher means a heavier on-call burden.")
    decision_latency = _score_field("Team mean, 1–5; higher means slower decisions.")

    def validate_respondents(self, value: int) -> int:
        if value < MIN_SURVEY_RESPONDENTS:
            raise serializers.ValidationError(PRIVACY_MESSAGE)
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        errors = _check_day(attrs["period_start"], "period_start")
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


def validate_batch(
    serializer_class: type[serializers.Serializer[Any]],
    data: Any,
    *,
    max_items: int = MAX_ITEMS_PER_REQUEST,
) -> list[dict[str, Any]]:
    """One object or a list of them → validated items, or a ValidationError naming every
    bad item by its index (as a string) and field. Team ids are checked in one query."""
    items = [data] if isinstance(data, Mapping) else data
    if not isinstance(items, list):
        raise serializers.ValidationError(
            {"non_field_errors": ["Send one item (a JSON object) or a list of items."]}
        )
    if len(items) > max_items:
        raise serializers.ValidationError(
            {"items": [f"Send at most {max_items:,} items at once (this has {len(items):,})."]}
        )
    errors: dict[str, Any] = {}
    valid: dict[int, dict[str, Any]] = {}
    # One serializer validates every item, as DRF's ListSerializer does: building one per
    # item would deep-copy its fields a thousand times.
    child = serializer_class()
    for i, item in enumerate(items):
        try:
            valid[i] = dict(child.run_validation(item))
        except serializers.ValidationError as exc:
            detail = exc.detail
            errors[str(i)] = detail if isinstance(detail, dict) else {"non_field_errors": detail}
    team_ids = {v["team"] for v in valid.values()}
    known = set(Team.objects.filter(pk__in=team_ids).values_list("pk", flat=True))
    for i, v in valid.items():
        if v["team"] not in known:
            errors[str(i)] = {"team": [f"No team with id {v['team']}."]}
    if errors:
        raise serializers.ValidationError({"items": errors})
    return list(valid.values())


class IngestResultSerializer(serializers.Serializer[Any]):
    created = serializers.IntegerField(help_text="Items stored by this request.")
    unchanged = serializers.IntegerField(
        help_text="Items whose identity was already stored (or repeated in the batch)."
    )


# --- Outputs ----------------------------------------------------------------------------------
class DeploymentSerializer(serializers.ModelSerializer[Deployment]):
    class Meta:
        model = Deployment
        fields = ["id", "team", "external_id", "deployed_at", "committed_at", "failed"]


class IncidentSerializer(serializers.ModelSerializer[Incident]):
    class Meta:
        model = Incident
        fields = [
            "id",
            "team",
            "external_id",
            "started_at",
            "resolved_at",
            "caused_by_deployment",
            "severity",
        ]


class SLOReportSerializer(serializers.ModelSerializer[SLOReport]):
    class Meta:
        model = SLOReport
        fields = ["id", "team", "service", "period_start", "period_end", "objective", "attained"]


class HealthSurveySerializer(serializers.ModelSerializer[HealthSurvey]):
    class Meta:
        model = HealthSurvey
        fields = [
            "id",
            "team",
            "period_start",
            "respondents",
            "psychological_safety",
            "workload",
            "clarity",
            "on_call_burden",
            "decision_latency",
        ]


class IngestionTokenSerializer(serializers.ModelSerializer[IngestionToken]):
    created_by = serializers.CharField(source="created_by.username", default=None, read_only=True)

    class Meta:
        model = IngestionToken
        fields = [
            "id",
            "name",
            "key_prefix",
            "created_by",
            "created_at",
            "last_used_at",
            "revoked_at",
            "is_active",
        ]


class IngestionTokenCreatedSerializer(IngestionTokenSerializer):
    secret = serializers.CharField(
        read_only=True, help_text="Shown once: only a hash is stored. Send it as a Bearer token."
    )

    class Meta(IngestionTokenSerializer.Meta):
        fields = [*IngestionTokenSerializer.Meta.fields, "secret"]


class IngestionTokenInputSerializer(StrictInputSerializer):
    name = serializers.CharField(max_length=120, validators=[single_line])


# --- The scorecard ------------------------------------------------------------------------------
class ScorecardQuerySerializer(serializers.Serializer[Any]):
    start = serializers.DateField(help_text="First day of the window (included).")
    end = serializers.DateField(help_text="Last day of the window (included).")

    def to_internal_value(self, data: Any) -> Any:
        unknown = unknown_field_errors(data, self.fields)
        unknown.pop("format", None)  # DRF's ?format=json
        if unknown:
            raise serializers.ValidationError(unknown)
        return super().to_internal_value(data)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs["start"], attrs["end"]
        errors = _check_day(start, "start") | _check_day(end, "end")
        if not errors and start > end:
            errors["end"] = ["The window cannot end before it starts."]
        if not errors and (end - start).days + 1 > MAX_WINDOW_DAYS:
            errors["end"] = [f"Choose a window of at most {MAX_WINDOW_DAYS} days."]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class SLOSummarySerializer(serializers.Serializer[Any]):
    service = serializers.CharField()
    objective = serializers.FloatField()
    attained = serializers.FloatField()
    met = serializers.BooleanField()
    error_budget_remaining = serializers.FloatField(
        allow_null=True, help_text="1 = untouched, 0 = spent, below 0 = overspent."
    )
    reports = serializers.IntegerField()


class HealthSummarySerializer(serializers.Serializer[Any]):
    surveys = serializers.IntegerField()
    respondents = serializers.IntegerField(help_text="Respondents of the latest survey.")
    psychological_safety = serializers.FloatField()
    workload = serializers.FloatField()
    clarity = serializers.FloatField()
    on_call_burden = serializers.FloatField()
    decision_latency = serializers.FloatField()
    index = serializers.FloatField(help_text="1–5, higher is healthier.")


class IncidentLoadSerializer(serializers.Serializer[Any]):
    incidents = serializers.IntegerField(allow_null=True)
    incidents_per_week = serializers.FloatField(allow_null=True)
    out_of_hours_pages = serializers.IntegerField(allow_null=True)
    out_of_hours_pages_per_week = serializers.FloatField(allow_null=True)


def _cluster_field() -> serializers.ChoiceField:
    return serializers.ChoiceField(choices=CLUSTERS, allow_null=True)


class WindowMetricsSerializer(serializers.Serializer[Any]):
    start = serializers.DateField()
    end = serializers.DateField()
    days = serializers.IntegerField()
    deployment_count = serializers.IntegerField()
    failed_deployment_count = serializers.IntegerField()
    deployment_frequency_per_day = serializers.FloatField(allow_null=True)
    deployment_frequency_cluster = _cluster_field()
    lead_time_median_hours = serializers.FloatField(allow_null=True)
    lead_time_cluster = _cluster_field()
    change_failure_rate = serializers.FloatField(allow_null=True)
    change_failure_rate_cluster = _cluster_field()
    time_to_restore_median_hours = serializers.FloatField(allow_null=True)
    time_to_restore_cluster = _cluster_field()
    incident_load = IncidentLoadSerializer(source="*")
    slos = SLOSummarySerializer(many=True)
    health = HealthSummarySerializer(allow_null=True)


class TrendSerializer(serializers.Serializer[Any]):
    key = serializers.CharField()
    # A declared field named "label" shadows Field.label only for the type checker: DRF
    # moves declared fields out of the class attributes.
    label = serializers.CharField()  # type: ignore[assignment]
    current = serializers.FloatField(allow_null=True)
    previous = serializers.FloatField(allow_null=True)
    direction = serializers.ChoiceField(choices=["up", "down", "steady"], allow_null=True)
    relative_change = serializers.FloatField(allow_null=True)
    assessment = serializers.ChoiceField(choices=["better", "worse", "steady"], allow_null=True)
    text = serializers.CharField()


class FlagSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    title = serializers.CharField()
    message = serializers.CharField()


class ScorecardSerializer(WindowMetricsSerializer):
    """The current window's figures at the top level, then the previous window, the trends
    between the two and the flags."""

    team = serializers.IntegerField()
    team_name = serializers.CharField()
    team_slug = serializers.CharField()
    previous = WindowMetricsSerializer()
    trends = TrendSerializer(many=True)
    flags = FlagSerializer(many=True)
    dora_report = serializers.CharField()
    dora_report_year = serializers.IntegerField()

    def to_representation(self, instance: Any) -> dict[str, Any]:
        return {
            "team": instance.team_id,
            "team_name": instance.team_name,
            "team_slug": instance.team_slug,
            **WindowMetricsSerializer(instance.current).data,
            "previous": WindowMetricsSerializer(instance.previous).data,
            "trends": TrendSerializer(instance.trend_list, many=True).data,
            "flags": FlagSerializer(instance.flags, many=True).data,
            "dora_report": instance.dora_report,
            "dora_report_year": instance.dora_report_year,
        }
