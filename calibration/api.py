from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from calibration import documents, promotions, selectors, services
from calibration.filters import CaseFilter, SessionFilter
from calibration.models import CalibrationCase, CalibrationSession
from calibration.serializers import (
    AppliedPromotionsSerializer,
    ApplyPromotionsSerializer,
    CaseDecideSerializer,
    CaseSerializer,
    DecisionLogSerializer,
    PacketStatusSerializer,
    SessionInputSerializer,
    SessionSerializer,
    case_list_data,
)
from core.background_documents import build_status_body
from core.errors import StaleVersionError
from core.page_cache import CachedReadsMixin
from org.permissions import IsHROrReadOnly
from org.types import signed_in
from reviews.selectors import cycle_get


class SessionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[CalibrationSession],
):
    """Calibration sessions: HR creates, opens and finalizes them (the facilitator may
    finalize too); committee members see their own sessions; nobody else sees any."""

    serializer_class = SessionSerializer
    permission_classes = [IsHROrReadOnly]
    filterset_class = SessionFilter

    def get_queryset(self) -> Any:
        return selectors.session_list(user=self.request.user)

    def _out(self, session: CalibrationSession) -> dict[str, Any]:
        return SessionSerializer(selectors.session_get(user=self.request.user, pk=session.pk)).data

    @extend_schema(request=SessionInputSerializer, responses={201: SessionSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = SessionInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        scope = v.pop("scope", {}) or {}
        session = services.session_create(
            actor=signed_in(request.user),
            scope_teams=scope.get("teams", []),
            scope_levels=scope.get("levels", []),
            **v,
        )
        return Response(self._out(session), status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=SessionSerializer)
    @action(detail=True, methods=["post"])
    def open(self, request: Request, pk: str | None = None) -> Response:
        session = services.session_open(actor=signed_in(request.user), session=self.get_object())
        return Response(self._out(session))

    @extend_schema(request=None, responses=SessionSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def finalize(self, request: Request, pk: str | None = None) -> Response:
        session = services.session_finalize(
            actor=signed_in(request.user), session=self.get_object()
        )
        return Response(self._out(session))

    @extend_schema(responses=DecisionLogSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def log(self, request: Request, pk: str | None = None) -> Response:
        session = self.get_object()
        return Response(DecisionLogSerializer(selectors.log_list(session=session), many=True).data)

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, "The packet PDF."),
            202: PacketStatusSerializer,
        },
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="packet.pdf",
        url_name="packet",
        pagination_class=None,
        filterset_class=None,
    )
    def packet(self, request: Request, pk: str | None = None) -> Any:
        """200 with the PDF when it is built for the session's current state; otherwise
        starts (or finds) the background build and answers 202 with its progress."""
        try:
            return documents.packet_deliver(
                user=request.user, pk=pk, path=request.path, attachment=False, start=True
            )
        except documents.PacketNotReady as wait:
            return Response(
                build_status_body(wait.packet, noun="packet", url=request.build_absolute_uri()),
                status=status.HTTP_202_ACCEPTED,
            )


class CaseViewSet(
    CachedReadsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[CalibrationCase],
):
    """Calibration cases. PATCH with `calibrated_rating` (rating case) or
    `promotion_decision` (promotion case) and the `version` you read decides the case."""

    serializer_class = CaseSerializer
    permission_classes = [IsAuthenticated]
    filterset_class = CaseFilter
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self) -> Any:
        return selectors.case_list(user=self.request.user)

    def _out(self, case: CalibrationCase) -> dict[str, Any]:
        return CaseSerializer(selectors.case_get(user=self.request.user, pk=case.pk)).data

    def filter_queryset(self, queryset: Any) -> Any:
        # Without any of its parameters the filter set keeps every case: skip building it.
        if not any(name in self.request.query_params for name in CaseFilter.base_filters):
            return queryset
        return super().filter_queryset(queryset)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """A page of cases as rows (``selectors.case_rows``): the same body as
        ``CaseSerializer(many=True)`` gives. Kept per caller until the next write."""
        kept = self._kept_or_none(request)
        if kept is not None:
            return kept  # type: ignore[return-value]
        cases = selectors.case_rows(self.filter_queryset(self.get_queryset()))
        page = self.paginate_queryset(cases)
        rows = list(cases) if page is None else page
        data = case_list_data(rows, selectors.case_evidence_ids([row["id"] for row in rows]))
        return Response(data) if page is None else self.get_paginated_response(data)

    @extend_schema(request=CaseDecideSerializer, responses=CaseSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        case = self.get_object()
        data = CaseDecideSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        v.pop("status", None)
        try:
            case = services.case_decide(actor=signed_in(request.user), case=case, **v)
        except StaleVersionError as exc:
            exc.current = self._out(case)
            raise
        return Response(self._out(case))


class OutcomeLetterView(APIView):
    """The engineer's outcome letter (SPEC §5 ``reviews/{id}/outcome.pdf``): served by
    calibration, which writes it, at the address of the review it explains."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="reviews_outcome_retrieve",
        summary="The engineer's outcome letter: final rating, what it rests on, and why",
        parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, "The letter.")},
        tags=["reviews"],
    )
    def get(self, request: Request, pk: str) -> HttpResponse:
        """409 ``invalid_state`` until the cycle is released; 404 for a review the caller
        may not see."""
        return documents.letter_deliver(user=request.user, pk=pk, path=request.path)


class ApplyPromotionsView(APIView):
    """``POST /api/v1/cycles/{id}/apply-promotions/`` (SPEC §10.6)."""

    @extend_schema(
        operation_id="cycles_apply_promotions",
        summary="Apply the cycle's approved promotions (HR; finalized or released cycles)",
        request=ApplyPromotionsSerializer,
        responses={200: AppliedPromotionsSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        cycle = cycle_get(user=request.user, pk=pk)
        data = ApplyPromotionsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        changes = promotions.promotions_apply(
            actor=request.user, cycle=cycle, effective_on=data.validated_data["effective_on"]
        )
        total = len(promotions.approved_promotions(user=request.user, cycle=cycle))
        body = {"changes": changes, "unchanged": total - len(changes)}
        return Response(AppliedPromotionsSerializer(body).data)
