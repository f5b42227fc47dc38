"""The upward feedback API (SPEC §11.4), registered by config/api_router.py."""

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

from core.filters import IdFilter
from org.types import signed_in
from upward import selectors, services
from upward.models import UpwardRound
from upward.serializers import AnswerSerializer, RoundCreateSerializer, RoundSerializer


class RoundFilter(filters.FilterSet):
    subject = IdFilter(field_name="subject_id", lookup_expr="exact")
    cycle = IdFilter(field_name="cycle_id", lookup_expr="exact")
    status = filters.ChoiceFilter(field_name="status", choices=UpwardRound.Status.choices)

    class Meta:
        model = UpwardRound
        fields = ["subject", "cycle", "status"]


class RoundViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[UpwardRound],
):
    """Anonymous upward feedback rounds: the subject, their chain and HR read the counts
    and the aggregate; the invited reports answer once. No answer is ever listed."""

    serializer_class = RoundSerializer
    permission_classes = [IsAuthenticated]
    filterset_class = RoundFilter

    def get_queryset(self) -> Any:
        return selectors.with_answers(selectors.round_list(user=self.request.user))

    def get_object(self) -> UpwardRound:
        return selectors.round_get(user=self.request.user, pk=self.kwargs.get("pk"))

    def _out(self, upward_round: UpwardRound) -> dict[str, Any]:
        return RoundSerializer(selectors.round_get(user=self.request.user, pk=upward_round.pk)).data

    @extend_schema(request=RoundCreateSerializer, responses={201: RoundSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not selectors.subject_choices(user=request.user).exists():
            return Response(
                {"detail": "You can ask for upward feedback on managers in your chain only."},
                status=status.HTTP_403_FORBIDDEN,
            )
        data = RoundCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        created = services.round_create(actor=signed_in(request.user), **data.validated_data)
        return Response(self._out(created), status=status.HTTP_201_CREATED)

    @extend_schema(request=AnswerSerializer, responses={201: RoundSerializer})
    @action(detail=True, methods=["post"])
    def answer(self, request: Request, pk: str | None = None) -> Response:
        upward_round = self.get_object()
        data = AnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.round_answer(
            actor=signed_in(request.user),
            round=upward_round,
            answers=data.validated_data["answers"],
        )
        return Response(self._out(upward_round), status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=RoundSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        closed = services.round_close(actor=signed_in(request.user), round=self.get_object())
        return Response(self._out(closed))


def register(router: BaseRouter) -> None:
    """Register this app's viewsets on the API router."""
    router.register("upward-rounds", RoundViewSet, basename="upward-round")


urlpatterns: list[URLPattern] = []
