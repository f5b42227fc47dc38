"""Filters for the raw outcome events. Every filter is about teams and time; there is no
filter by person because no event has one (SPEC §1.4)."""

from __future__ import annotations

from typing import Any

import django_filters as filters
from django import forms
from django_filters.fields import IsoDateTimeField

from core.filters import IdFilter
from outcomes.models import Deployment, HealthSurvey, Incident, SLOReport
from outcomes.selectors.windows import EARLIEST_DATE, LATEST_DATE


class _BoundedIsoDateTimeField(IsoDateTimeField):
    def to_python(self, value: Any) -> Any:
        moment = super().to_python(value)
        # Year 1 or 9999 with an offset would overflow when converted to UTC.
        if moment is not None and not (EARLIEST_DATE.year <= moment.year <= LATEST_DATE.year):
            raise forms.ValidationError(
                f"Use a date between {EARLIEST_DATE.year} and {LATEST_DATE.year}."
            )
        return moment


class MomentFilter(filters.IsoDateTimeFilter):
    """An ISO 8601 date and time within the years the app stores."""

    field_class = _BoundedIsoDateTimeField


class DeploymentFilter(filters.FilterSet):
    team = IdFilter(field_name="team_id", lookup_expr="exact")
    external_id = filters.CharFilter(field_name="external_id", lookup_expr="exact", max_length=200)
    deployed_after = MomentFilter(field_name="deployed_at", lookup_expr="gte")
    deployed_before = MomentFilter(field_name="deployed_at", lookup_expr="lt")
    failed = filters.BooleanFilter(field_name="failed")

    class Meta:
        model = Deployment
        fields = ["team", "external_id", "deployed_after", "deployed_before", "failed"]


class IncidentFilter(filters.FilterSet):
    team = IdFilter(field_name="team_id", lookup_expr="exact")
    external_id = filters.CharFilter(field_name="external_id", lookup_expr="exact", max_length=200)
    started_after = MomentFilter(field_name="started_at", lookup_expr="gte")
    started_before = MomentFilter(field_name="started_at", lookup_expr="lt")
    severity = filters.ChoiceFilter(field_name="severity", choices=Incident.Severity.choices)
    open = filters.BooleanFilter(field_name="resolved_at", lookup_expr="isnull")

    class Meta:
        model = Incident
        fields = ["team", "external_id", "started_after", "started_before", "severity", "open"]


class SLOReportFilter(filters.FilterSet):
    team = IdFilter(field_name="team_id", lookup_expr="exact")
    service = filters.CharFilter(field_name="service", lookup_expr="exact", max_length=120)
    period_start_after = filters.DateFilter(field_name="period_start", lookup_expr="gte")
    period_start_before = filters.DateFilter(field_name="period_start", lookup_expr="lte")

    class Meta:
        model = SLOReport
        fields = ["team", "service", "period_start_after", "period_start_before"]


class HealthSurveyFilter(filters.FilterSet):
    team = IdFilter(field_name="team_id", lookup_expr="exact")
    period_start_after = filters.DateFilter(field_name="period_start", lookup_expr="gte")
    period_start_before = filters.DateFilter(field_name="period_start", lookup_expr="lte")

    class Meta:
        model = HealthSurvey
        fields = ["team", "period_start_after", "period_start_before"]
