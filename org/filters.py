from __future__ import annotations

import django_filters as filters

from config.filters import IdFilter
from org.models import Person, Team


class PersonFilter(filters.FilterSet):
    team = IdFilter(field_name="team_id", lookup_expr="exact")
    manager = IdFilter(field_name="parent_id", lookup_expr="exact")
    ladder = IdFilter(field_name="ladder_id", lookup_expr="exact")
    level = filters.CharFilter(field_name="level", lookup_expr="iexact", max_length=20)
    function = filters.CharFilter(field_name="function", lookup_expr="iexact", max_length=100)
    is_active = filters.BooleanFilter(field_name="is_active")
    search = filters.CharFilter(field_name="full_name", lookup_expr="icontains", max_length=200)

    class Meta:
        model = Person
        fields = ["team", "manager", "ladder", "level", "function", "is_active", "search"]


class TeamFilter(filters.FilterSet):
    parent = IdFilter(field_name="parent_id", lookup_expr="exact")
    search = filters.CharFilter(field_name="name", lookup_expr="icontains", max_length=120)

    class Meta:
        model = Team
        fields = ["parent", "search"]
