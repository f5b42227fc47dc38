"""Outcome ingestion (SPEC §7), ingestion tokens and the team scorecard.

POST to an ingestion endpoint takes one item or a list of up to 1,000; every item is
checked before anything is written, so a batch is stored whole or not at all. The answer
is ``{"created", "unchanged"}``: 201 when something was stored, 200 when every item was
already known (a re-sent batch).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.views import APIView

from org.permissions import IsHR
from org.selectors import is_hr, team_get
from org.types import signed_in
from outcomes import services
from outcomes.filters import DeploymentFilter, HealthSurveyFilter, IncidentFilter, SLOReportFilter
from outcomes.models import IngestionToken
from outcomes.selectors.events import (
    deployment_list,
    health_survey_list,
    incident_list,
    slo_report_list,
)
from outcomes.selectors.scorecard import team_scorecard
from outcomes.selectors.tokens import ingestion_token_list
from outcomes.serializers import (
    DeploymentInputSerializer,
    DeploymentSerializer,
    HealthSurveyInputSerializer,
    HealthSurveySerializer,
    IncidentInputSerializer,
    IncidentSerializer,
    IngestionTokenCreatedSerializer,
    IngestionTokenInputSerializer,
    IngestionTokenSerializer,
    IngestResultSerializer,
    ScorecardQuerySerializer,
    ScorecardSerializer,
    SLOReportInputSerializer,
    SLOReportSerializer,
    unknown_field_errors,
    validate_batch,
)

PAGING_PARAMS = {"page", "page_size", "format"}


class CanIngestOutcomes(BasePermission):
    """Reads: every signed-in person. Writes: HR and ingestion tokens. Tokens only write."""

    def has_permission(self, request: Any, view: Any) -> bool:
        if isinstance(request.auth, IngestionToken):
            if request.method == "POST":
                return True
            raise PermissionDenied("Ingestion tokens write outcome data; they cannot read it.")
        if not request.user or not request.user.is_authenticated:
            return False
        if request.method in SAFE_METHODS:
            return True
        if not is_hr(request.user):
            raise PermissionDenied("Only HR and ingestion tokens can write outcome data.")
        return True


_F = TypeVar("_F", bound=Callable[..., Any])


def _batch_schema(name: str, item: type[Serializer[Any]]) -> Callable[[_F], _F]:
    return extend_schema(
        request=PolymorphicProxySerializer(
            component_name=f"{name}Batch",
            serializers=[item, item(many=True)],
            resource_type_field_name=None,
            many=False,
        ),
        responses={
            200: OpenApiResponse(IngestResultSerializer, "Every item was already stored."),
            201: OpenApiResponse(IngestResultSerializer, "New items were stored."),
            400: OpenApiResponse(
                description='Nothing written. {"items": {"<index>": {"<field>": ["…"]}}}'
            ),
        },
        description=(
            "One item or a list of up to 1,000. Idempotent: an item whose identity is "
            "already stored changes nothing. All-or-nothing per request."
        ),
    )


class _IngestViewSet(mixins.ListModelMixin, viewsets.GenericViewSet[Any]):
    """List the team-level events (any signed-in person); POST a batch (HR, tokens)."""

    accepts_ingestion_tokens = True  # read by outcomes.auth.IngestionTokenAuthentication
    permission_classes = [CanIngestOutcomes]
    filterset_class: Any
    input_serializer_class: type[Serializer[Any]]
    ingest: Callable[..., services.IngestResult]  # a service function (staticmethod)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # Unknown filters are refused rather than ignored, so that nobody mistakes an
        # ignored ?person= for a filtered answer.
        allowed = set(self.filterset_class.base_filters) | PAGING_PARAMS
        unknown = unknown_field_errors(request.query_params, allowed)
        if unknown:
            raise ValidationError(unknown)
        return super().list(request, *args, **kwargs)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        items = validate_batch(self.input_serializer_class, request.data)
        result = self.ingest(actor=signed_in(request.user), items=items)
        return Response(
            IngestResultSerializer(result).data,
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )


class DeploymentViewSet(_IngestViewSet):
    serializer_class = DeploymentSerializer
    input_serializer_class = DeploymentInputSerializer
    filterset_class = DeploymentFilter
    ingest = staticmethod(services.deployments_ingest)

    def get_queryset(self) -> Any:
        return deployment_list(user=self.request.user)

    @_batch_schema("Deployment", DeploymentInputSerializer)
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().create(request, *args, **kwargs)


class IncidentViewSet(_IngestViewSet):
    serializer_class = IncidentSerializer
    input_serializer_class = IncidentInputSerializer
    filterset_class = IncidentFilter
    ingest = staticmethod(services.incidents_ingest)

    def get_queryset(self) -> Any:
        return incident_list(user=self.request.user)

    @_batch_schema("Incident", IncidentInputSerializer)
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().create(request, *args, **kwargs)


class SLOReportViewSet(_IngestViewSet):
    serializer_class = SLOReportSerializer
    input_serializer_class = SLOReportInputSerializer
    filterset_class = SLOReportFilter
    ingest = staticmethod(services.slo_reports_ingest)

    def get_queryset(self) -> Any:
        return slo_report_list(user=self.request.user)

    @_batch_schema("SLOReport", SLOReportInputSerializer)
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().create(request, *args, **kwargs)


class HealthSurveyViewSet(_IngestViewSet):
    serializer_class = HealthSurveySerializer
    input_serializer_class = HealthSurveyInputSerializer
    filterset_class = HealthSurveyFilter
    ingest = staticmethod(services.health_surveys_ingest)

    def get_queryset(self) -> Any:
        return health_survey_list(user=self.request.user)

    @_batch_schema("HealthSurvey", HealthSurveyInputSerializer)
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().create(request, *args, **kwargs)


class IngestionTokenViewSet(mixins.ListModelMixin, viewsets.GenericViewSet[IngestionToken]):
    """HR manages ingestion tokens. The secret appears once, in the answer to POST."""

    serializer_class = IngestionTokenSerializer
    permission_classes = [IsHR]
    filterset_class = None

    def get_queryset(self) -> Any:
        return ingestion_token_list()

    @extend_schema(
        request=IngestionTokenInputSerializer, responses={201: IngestionTokenCreatedSerializer}
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = IngestionTokenInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        token, secret = services.ingestion_token_create(
            actor=signed_in(request.user), **data.validated_data
        )
        body = {**IngestionTokenSerializer(token).data, "secret": secret}
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=IngestionTokenSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, pk: str | None = None) -> Response:
        token = services.ingestion_token_revoke(
            actor=signed_in(request.user), token=self.get_object()
        )
        return Response(IngestionTokenSerializer(token).data)


class TeamScorecardView(APIView):
    """A team's DORA metrics (with clusters), SLOs, health and incident load over a window,
    compared with the window of equal length just before it (SPEC §7)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter("start", str, required=True, description="YYYY-MM-DD, included."),
            OpenApiParameter("end", str, required=True, description="YYYY-MM-DD, included."),
        ],
        responses=ScorecardSerializer,
    )
    def get(self, request: Request, pk: int) -> Response:
        team = team_get(user=request.user, pk=pk)
        query = ScorecardQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        scorecard = team_scorecard(team=team, **query.validated_data)
        return Response(ScorecardSerializer(scorecard).data)
