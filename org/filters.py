from __future__ import annotations

import django_filters as filters
from django.db.models import QuerySet
from django_filters.constants import EMPTY_VALUES

from core.filters import IdFilter
from org.models import Person, Team
from org.selectors import person_tiers_showing


class PersonFilter(filters.FilterSet):
    """Filters on ``person_list``. A filter on a field only matches rows whose tier shows
    that field, so ``?level=L3`` never tells an engineer which teammates are at L3."""

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

    # The person field (as the API names it) each filter reads.
    SHOWN_AS = {"search": "full_name"}

    def filter_queryset(self, queryset: QuerySet[Person]) -> QuerySet[Person]:
        queryset = super().filter_queryset(queryset)
        for name, value in self.form.cleaned_data.items():
            if value in EMPTY_VALUES:
                continue
            field = self.SHOWN_AS.get(name, name)
            queryset = queryset.filter(person_tier__in=person_tiers_showing(field))
        return queryset


class TeamFilter(filters.FilterSet):
    parent = IdFilter(field_name="parent_id", lookup_expr="exact")
    search = filters.CharFilter(field_name="name", lookup_expr="icontains", max_length=120)

    class Meta:
        model = Team
        fields = ["parent", "search"]
