from __future__ import annotations

import django_filters as filters

from core.filters import IdFilter
from rubrics.models import RubricVersion


class RubricVersionFilter(filters.FilterSet):
    ladder = IdFilter(field_name="ladder_id", lookup_expr="exact")
    status = filters.ChoiceFilter(field_name="status", choices=RubricVersion.Status.choices)
    number = IdFilter(field_name="number", lookup_expr="exact")

    class Meta:
        model = RubricVersion
        fields = ["ladder", "status", "number"]
