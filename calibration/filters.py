from __future__ import annotations

import django_filters as filters

from calibration.models import CalibrationCase, CalibrationSession
from core.filters import IdFilter


class SessionFilter(filters.FilterSet):
    cycle = IdFilter(field_name="cycle_id", lookup_expr="exact")
    status = filters.ChoiceFilter(field_name="status", choices=CalibrationSession.Status.choices)

    class Meta:
        model = CalibrationSession
        fields = ["cycle", "status"]


class CaseFilter(filters.FilterSet):
    session = IdFilter(field_name="session_id", lookup_expr="exact")
    status = filters.ChoiceFilter(field_name="status", choices=CalibrationCase.Status.choices)
    kind = filters.ChoiceFilter(field_name="kind", choices=CalibrationCase.Kind.choices)
    level = filters.CharFilter(field_name="level", lookup_expr="exact", max_length=20)

    class Meta:
        model = CalibrationCase
        fields = ["session", "status", "kind", "level"]
