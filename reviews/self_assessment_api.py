"""The self-assessment API (SPEC §11.1), registered by config/api_router.py."""

from __future__ import annotations

from typing import Any

import django_filters as filters
from django.urls import URLPattern
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from core.errors import StaleVersionError
from core.filters import IdFilter
from org.types import signed_in
from reviews.lint_terms import load_terms
from reviews.models import SelfAssessment
from reviews.selectors.self_assessments import self_assessment_get, self_assessment_list
from reviews.self_assessment_serializers import (
    SelfAssessmentCreateSerializer,
    SelfAssessmentSerializer,
    SelfAssessmentUpdateSerializer,
)
from reviews.serializers import VersionSerializer
from reviews.services.self_assessments import (
    self_assessment_create,
    self_assessment_submit,
    self_assessment_update,
)


class SelfAssessmentFilter(filters.FilterSet):
    cycle = IdFilter(field_name="cycle_id", lookup_expr="exact")
    subject = IdFilter(field_name="subject_id", lookup_expr="exact")
    status = filters.ChoiceFilter(field_name="status", choices=SelfAssessment.Status.choices)

    class Meta:
        model = SelfAssessment
        fields = ["cycle", "subject", "status"]


class SelfAssessmentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[SelfAssessment],
):
    """Self-assessments: the subject writes their own; once submitted their manager chain,
    HR and their calibration committee read it. Writes carry the `version` read."""

    serializer_class = SelfAssessmentSerializer
    permission_classes = [IsAuthenticated]
    filterset_class = SelfAssessmentFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> Any:
        return self_assessment_list(user=self.request.user)

    def get_serializer_context(self) -> dict[str, Any]:
        # The phrase lists once per request, not once per object.
        return {**super().get_serializer_context(), "terms": load_terms()}

    def _out(self, sa: SelfAssessment) -> dict[str, Any]:
        current = self_assessment_get(user=self.request.user, pk=sa.pk)
        return SelfAssessmentSerializer(current, context=self.get_serializer_context()).data

    @extend_schema(
        request=SelfAssessmentCreateSerializer, responses={201: SelfAssessmentSerializer}
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = SelfAssessmentCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        sa = self_assessment_create(actor=signed_in(request.user), **data.validated_data)
        return Response(self._out(sa), status=status.HTTP_201_CREATED)

    @extend_schema(request=SelfAssessmentUpdateSerializer, responses=SelfAssessmentSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        sa = self.get_object()
        data = SelfAssessmentUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            sa = self_assessment_update(
                actor=signed_in(request.user), self_assessment=sa, **data.validated_data
            )
        except StaleVersionError as exc:
            exc.current = self._out(sa)
            raise
        return Response(self._out(sa))

    @extend_schema(request=VersionSerializer, responses=SelfAssessmentSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        sa = self.get_object()
        data = VersionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            sa = self_assessment_submit(
                actor=signed_in(request.user),
                self_assessment=sa,
                version=data.validated_data.get("version"),
            )
        except StaleVersionError as exc:
            exc.current = self._out(sa)
            raise
        return Response(self._out(sa))


def register(router: BaseRouter) -> None:
    """Register this app's viewsets on the API router."""
    router.register("self-assessments", SelfAssessmentViewSet, basename="self-assessment")


urlpatterns: list[URLPattern] = []
