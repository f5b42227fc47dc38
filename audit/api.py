"""The fairness audit API (SPEC §6): HR and superusers only; everyone else gets 404, so
the audit's existence is not revealed (SPEC §3), and anonymous callers 401."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.http import HttpResponse, HttpResponseBase
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import BasePermission
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from audit import documents, services
from audit import serializers as serializers_module
from audit.models import AuditRun
from audit.selectors.access import audit_cycle_get, audit_reader_require
from audit.selectors.outcome_tables import audit_outcomes
from audit.selectors.population import OUTCOMES
from audit.selectors.report_cache import report_part
from audit.serializers import (
    AuditOutcomesQuerySerializer,
    AuditOutcomesSerializer,
    AuditReportPdfStatusSerializer,
    AuditReportQuerySerializer,
    AuditReportSerializer,
)
from core.background_documents import build_status_body
from core.page_cache import kept_api_answer
from core.query_state import code_fingerprint
from org.types import signed_in


class IsAuditReader(BasePermission):
    """Anonymous callers get 401; signed-in ones who may not read the audit get 404 from
    its gate (audit.selectors.access), which the selectors run again. Run here as well so
    that it comes before the query parameters are read: a bad parameter answered 400
    would tell anyone that the endpoint exists."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        audit_reader_require(user=request.user)
        return True


CYCLE = OpenApiParameter(
    "cycle", OpenApiTypes.INT, OpenApiParameter.QUERY, required=True, description="Cycle id."
)
REFUSALS = {
    400: OpenApiResponse(description="A missing or unknown parameter, named in the body."),
    401: OpenApiResponse(description="Not signed in."),
    404: OpenApiResponse(description="Not HR (the audit is not revealed)."),
}


class AuditOutcomesView(APIView):
    permission_classes = [IsAuditReader]

    @extend_schema(
        operation_id="audit_outcomes",
        summary="Outcome rates of one dimension's groups, with tests (SPEC §6)",
        parameters=[
            CYCLE,
            OpenApiParameter(
                "dimension",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                required=True,
                description="team, level, function, ladder, manager, or a demographic "
                "dimension key.",
            ),
            OpenApiParameter(
                "outcome",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                required=True,
                enum=list(OUTCOMES),
            ),
            OpenApiParameter(
                "reference",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                description="The reference group (default: the highest rate).",
            ),
        ],
        responses={200: AuditOutcomesSerializer, **REFUSALS},
    )
    def get(self, request: Request) -> Response:
        query = AuditOutcomesQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        reference = params.get("reference") or None  # "?reference=" means the default
        cycle = audit_cycle_get(user=request.user, pk=params["cycle"])
        data = audit_outcomes(
            user=request.user,
            cycle=cycle,
            dimension=params["dimension"],
            outcome=params["outcome"],
            reference=reference,
        )
        services.audit_run_record(
            actor=signed_in(request.user),
            cycle=cycle,
            kind=AuditRun.Kind.OUTCOMES,
            params={
                "dimension": data["dimension"],
                "outcome": data["outcome"],
                "reference": reference,
                "min_group_size": data["min_group_size"],
            },
            path=request.get_full_path(),
        )
        return Response(AuditOutcomesSerializer(data).data)


def _report_json(report: dict[str, Any]) -> dict[str, bytes]:
    return {"body": JSONRenderer().render(AuditReportSerializer(report).data)}


def _indented(request: Request) -> bool:
    """The client asked for indented JSON (``Accept: application/json; indent=4``)."""
    return "indent" in (request.accepted_media_type or "")


# The report's JSON, with the version of the code that makes it.
_JSON_FAMILY = f"json:{code_fingerprint((Path(serializers_module.__file__),))}"


class AuditReportView(APIView):
    permission_classes = [IsAuditReader]

    @extend_schema(
        operation_id="audit_report",
        summary="The full fairness audit of a cycle (SPEC §6)",
        parameters=[CYCLE],
        responses={200: AuditReportSerializer, **REFUSALS},
    )
    def get(self, request: Request) -> HttpResponseBase:
        query = AuditReportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        cycle = audit_cycle_get(user=request.user, pk=query.validated_data["cycle"])

        def build() -> HttpResponseBase:
            entry = documents.report_entry(user=request.user, cycle=cycle)
            body = report_part(entry, _JSON_FAMILY, "body", _report_json)
            assert body is not None
            if isinstance(request.accepted_renderer, JSONRenderer) and not _indented(request):
                # The JSON made once per computation of the report, as the renderer makes it.
                return HttpResponse(body, content_type=request.accepted_renderer.media_type)
            return Response(json.loads(body))

        # Kept for this caller until the data changes; every answer logged, kept or not.
        response = kept_api_answer(request, "audit.report", build)
        documents.report_view_record(
            user=request.user, cycle=cycle, path=request.get_full_path(), page=False
        )
        return response


class AuditReportPdfView(APIView):
    permission_classes = [IsAuditReader]

    @extend_schema(
        operation_id="audit_report_pdf",
        summary="The fairness audit of a cycle as PDF, built in the background",
        parameters=[CYCLE],
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, "The report PDF."),
            202: AuditReportPdfStatusSerializer,
            **REFUSALS,
        },
    )
    def get(self, request: Request) -> Any:
        """200 with the PDF when it is built for the data as it is now; otherwise starts
        (or finds) the background build and answers 202 with its progress. Ask again
        until it answers 200."""
        query = AuditReportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        cycle = audit_cycle_get(user=request.user, pk=query.validated_data["cycle"])
        pdf = documents.report_pdf_request(user=request.user, cycle=cycle)
        response = documents.report_pdf_deliver(
            user=request.user, cycle=cycle, pdf=pdf, path=request.get_full_path(), attachment=False
        )
        if response is not None:
            return response
        return Response(
            AuditReportPdfStatusSerializer(
                build_status_body(pdf, noun="PDF", url=request.build_absolute_uri())
            ).data,
            status=status.HTTP_202_ACCEPTED,
        )
