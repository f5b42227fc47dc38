"""The appeals API (SPEC §11.3), registered by config/api_router.py.

``appeals/`` lists the appeals the caller may see (``?status=open|resolved``), opens one
(the subject, on their released review) and shows one; ``appeals/{id}/resolve/`` is HR's.
There is no update or delete: an appeal and its resolution are never edited (405).
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from calibration import appeals
from calibration.appeal_serializers import (
    AppealOpenInputSerializer,
    AppealResolveInputSerializer,
    AppealSerializer,
)
from calibration.models import Appeal
from calibration.selectors import appeals as selectors
from org.types import signed_in
from reviews.selectors import evidence_list, review_row_get


class AppealFilter(filters.FilterSet):
    status = filters.ChoiceFilter(field_name="status", choices=Appeal.Status.choices)

    class Meta:
        model = Appeal
        fields = ["status"]


class AppealViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[Appeal],
):
    serializer_class = AppealSerializer
    permission_classes = [IsAuthenticated]
    filterset_class = AppealFilter

    def get_queryset(self) -> Any:
        return selectors.appeal_list(user=self.request.user)

    def _out(self, appeal: Appeal) -> dict[str, Any]:
        return AppealSerializer(selectors.appeal_get(user=self.request.user, pk=appeal.pk)).data

    @extend_schema(request=AppealOpenInputSerializer, responses={201: AppealSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = AppealOpenInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        # Ids resolve through the caller's selectors: one they may not see reads the same
        # as one that does not exist.
        try:
            review = review_row_get(user=request.user, pk=v["review"])
        except Http404 as exc:
            raise serializers.ValidationError({"review": ["No such review."]}) from exc
        ids = set(v.get("evidence", []))
        cited = list(evidence_list(user=request.user).filter(pk__in=ids))
        if len(cited) != len(ids):
            raise serializers.ValidationError({"evidence": ["No such evidence item."]})
        appeal = appeals.appeal_open(
            actor=signed_in(request.user), review=review, reason=v["reason"], evidence=cited
        )
        return Response(self._out(appeal), status=status.HTTP_201_CREATED)

    @extend_schema(request=AppealResolveInputSerializer, responses=AppealSerializer)
    @action(detail=True, methods=["post"], filterset_class=None)
    def resolve(self, request: Request, pk: str | None = None) -> Response:
        appeal = self.get_object()
        data = AppealResolveInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        appeal = appeals.appeal_resolve(
            actor=signed_in(request.user), appeal=appeal, **data.validated_data
        )
        return Response(self._out(appeal))


def register(router: BaseRouter) -> None:
    """Register this app's viewsets on the API router."""
    router.register("appeals", AppealViewSet, basename="appeal")


urlpatterns: list[Any] = []
