from __future__ import annotations

import django_filters as filters
from django.db.models import QuerySet

from core.filters import IdFilter
from org.models import Team
from org.selectors import team_subtree_ids
from reviews.models import CheckIn, Evidence, FeedbackRequest, Review, ReviewCycle


def _in_team(queryset: QuerySet, field: str, team_id: int) -> QuerySet:
    team = Team.objects.filter(pk=team_id).first()
    if team is None:
        return queryset.none()
    return queryset.filter(**{f"{field}__in": team_subtree_ids(team)})


class CycleFilter(filters.FilterSet):
    status = filters.ChoiceFilter(field_name="status", choices=ReviewCycle.Status.choices)

    class Meta:
        model = ReviewCycle
        fields = ["status"]


class ReviewFilter(filters.FilterSet):
    cycle = IdFilter(field_name="cycle_id", lookup_expr="exact")
    subject = IdFilter(field_name="subject_id", lookup_expr="exact")
    author = IdFilter(field_name="author_id", lookup_expr="exact")
    team = IdFilter(method="filter_team", help_text="The subject's team, with its sub-teams.")
    status = filters.ChoiceFilter(field_name="status", choices=Review.Status.choices)

    class Meta:
        model = Review
        fields = ["cycle", "subject", "author", "team", "status"]

    def filter_team(self, queryset: QuerySet, name: str, value: int) -> QuerySet:
        return _in_team(queryset, "subject__team", value)


class EvidenceFilter(filters.FilterSet):
    person = IdFilter(field_name="person_id", lookup_expr="exact")
    kind = filters.ChoiceFilter(field_name="kind", choices=Evidence.Kind.choices)
    occurred_after = filters.DateFilter(field_name="occurred_on", lookup_expr="gte")
    occurred_before = filters.DateFilter(field_name="occurred_on", lookup_expr="lte")

    class Meta:
        model = Evidence
        fields = ["person", "kind", "occurred_after", "occurred_before"]


class FeedbackFilter(filters.FilterSet):
    cycle = IdFilter(field_name="cycle_id", lookup_expr="exact")
    subject = IdFilter(field_name="subject_id", lookup_expr="exact")
    respondent = IdFilter(field_name="respondent_id", lookup_expr="exact")
    status = filters.ChoiceFilter(field_name="status", choices=FeedbackRequest.Status.choices)

    class Meta:
        model = FeedbackRequest
        fields = ["cycle", "subject", "respondent", "status"]


class CheckInFilter(filters.FilterSet):
    person = IdFilter(field_name="person_id", lookup_expr="exact")

    class Meta:
        model = CheckIn
        fields = ["person"]
