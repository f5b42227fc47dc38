from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from core.page_cache import CachedReadsMixin
from org.permissions import IsHROrReadOnly
from org.types import signed_in
from rubrics import exchange, selectors, services
from rubrics.filters import RubricVersionFilter
from rubrics.models import Ladder, RubricVersion
from rubrics.serializers import (
    DiffSerializer,
    LadderInputSerializer,
    LadderSerializer,
    PublishSerializer,
    RubricVersionCreateSerializer,
    RubricVersionImportSerializer,
    RubricVersionPutSerializer,
    RubricVersionSerializer,
    RubricVersionUpdateSerializer,
)


class _TextRenderer(BaseRenderer):
    """The export's finished text as it is (errors never get here: see
    ``RubricVersionViewSet.finalize_response``)."""

    charset = "utf-8"

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Any = None,
    ) -> bytes:
        return (data if isinstance(data, str) else "").encode(self.charset)


class YAMLRenderer(_TextRenderer):
    media_type = "application/yaml"
    format = exchange.YAML


class CSVRenderer(_TextRenderer):
    media_type = "text/csv"
    format = exchange.CSV


class ExportNegotiation(DefaultContentNegotiation):
    """``?format=`` (DRF's URL_FORMAT_OVERRIDE) picks the export's renderer; the Accept
    header does not matter. A missing or unknown format still picks one, so that the
    action runs after authentication and the 404 check and answers 400 itself (DRF would
    answer 404 before anyone is authenticated)."""

    def select_renderer(
        self, request: Any, renderers: Any, format_suffix: str | None = None
    ) -> tuple[Any, str]:
        wanted = format_suffix or request.query_params.get(self.settings.URL_FORMAT_OVERRIDE)
        for renderer in renderers:
            if renderer.format == wanted:
                return renderer, renderer.media_type
        return renderers[0], renderers[0].media_type


class LadderViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[Ladder],
):
    serializer_class = LadderSerializer
    permission_classes = [IsHROrReadOnly]

    def get_queryset(self) -> Any:
        return selectors.ladder_list(user=self.request.user)

    def _out(self, ladder: Ladder) -> dict[str, Any]:
        return LadderSerializer(selectors.ladder_get(user=self.request.user, pk=ladder.pk)).data

    @extend_schema(request=LadderInputSerializer, responses={201: LadderSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = LadderInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ladder = services.ladder_create(actor=signed_in(request.user), **data.validated_data)
        return Response(self._out(ladder), status=status.HTTP_201_CREATED)

    @extend_schema(request=LadderInputSerializer, responses=LadderSerializer)
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        ladder = self.get_object()
        data = LadderInputSerializer(data=request.data, partial=kwargs.get("partial", False))
        data.is_valid(raise_exception=True)
        ladder = services.ladder_update(
            actor=signed_in(request.user), ladder=ladder, **data.validated_data
        )
        return Response(self._out(ladder))


class RubricVersionViewSet(
    CachedReadsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet[RubricVersion],
):
    """Rubric versions. Everyone reads published and retired versions; HR also reads and
    writes drafts. Published and retired versions never change (409 ``immutable``)."""

    serializer_class = RubricVersionSerializer
    permission_classes = [IsHROrReadOnly]
    filterset_class = RubricVersionFilter

    def get_queryset(self) -> Any:
        return selectors.with_contents(selectors.rubric_version_list(user=self.request.user))

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        # An export that fails (401, 404, 400) answers JSON like the rest of the API, not
        # an error squeezed into the YAML or CSV renderer.
        if self.action == "export" and response.status_code >= 400 and hasattr(response, "data"):
            response.accepted_renderer = JSONRenderer()
            response.accepted_media_type = JSONRenderer.media_type
        return response

    def _out(self, version: RubricVersion) -> dict[str, Any]:
        fresh = selectors.rubric_version_get(user=self.request.user, pk=version.pk)
        return RubricVersionSerializer(fresh).data

    @extend_schema(request=RubricVersionCreateSerializer, responses={201: RubricVersionSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = RubricVersionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        if v.get("from_version") is not None:
            version = services.rubric_version_clone(
                actor=signed_in(request.user),
                ladder=v["ladder"],
                from_version=v["from_version"],
                change_summary=v.get("change_summary", ""),
            )
        elif not any(k in v for k in services.CONTENT_LISTS):
            # {"ladder"} alone copies the latest published version, or starts empty.
            if selectors.ladder_current_version(v["ladder"]) is not None:
                version = services.rubric_version_clone(
                    actor=signed_in(request.user),
                    ladder=v["ladder"],
                    change_summary=v.get("change_summary", ""),
                )
            else:
                version = services.rubric_version_create(
                    actor=signed_in(request.user),
                    ladder=v["ladder"],
                    change_summary=v.get("change_summary", ""),
                )
        else:
            v.pop("from_version", None)
            version = services.rubric_version_create(actor=signed_in(request.user), **v)
        return Response(self._out(version), status=status.HTTP_201_CREATED)

    @extend_schema(request=RubricVersionPutSerializer, responses=RubricVersionSerializer)
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        version = self.get_object()
        partial = kwargs.get("partial", False)
        serializer_class = RubricVersionUpdateSerializer if partial else RubricVersionPutSerializer
        # Refuse writes to frozen versions before looking at the body: the answer is the
        # same whatever was sent.
        services.check_writable(version)
        data = serializer_class(data=request.data)
        data.is_valid(raise_exception=True)
        version = services.rubric_version_update(
            actor=signed_in(request.user), version=version, **data.validated_data
        )
        return Response(self._out(version))

    @extend_schema(request=RubricVersionUpdateSerializer, responses=RubricVersionSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.update(request, *args, partial=True, **kwargs)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        version = self.get_object()
        services.rubric_version_delete(actor=signed_in(request.user), version=version)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=PublishSerializer, responses=RubricVersionSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        version = self.get_object()
        services.check_writable(version)
        data = PublishSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = services.rubric_version_publish(
            actor=signed_in(request.user), version=version, **data.validated_data
        )
        return Response(self._out(version))

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "against",
                OpenApiTypes.INT,
                required=True,
                description="The version to compare with (the 'from' side of the diff).",
            )
        ],
        responses=DiffSerializer,
    )
    @action(
        detail=True,
        methods=["get"],
        permission_classes=[IsAuthenticated],
        filterset_class=None,
        pagination_class=None,
    )
    def diff(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        version = self.get_object()
        raw = request.query_params.get("against", "")
        if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
            raise ValidationError({"against": ["Give the id of the version to compare with."]})
        other = selectors.rubric_version_get(user=request.user, pk=raw)
        if other.ladder_id != version.ladder_id:
            raise ValidationError({"against": ["Both versions must belong to the same ladder."]})
        return Response(services.rubric_version_diff(old=other, new=version))

    @extend_schema(
        description="The version as a file: YAML (everything, ratings included) or CSV (one "
        "row per level × competency). Importing it again gives a draft with an empty diff.",
        parameters=[
            OpenApiParameter(
                "format",
                OpenApiTypes.STR,
                required=True,
                enum=list(exchange.FORMATS),
                description="yaml: the whole version, ratings included; csv: one row per "
                "level × competency.",
            )
        ],
        responses={
            (200, YAMLRenderer.media_type): OpenApiTypes.STR,
            (200, CSVRenderer.media_type): OpenApiTypes.STR,
        },
    )
    @action(
        detail=True,
        methods=["get"],
        permission_classes=[IsAuthenticated],
        renderer_classes=[YAMLRenderer, CSVRenderer],
        content_negotiation_class=ExportNegotiation,
        filterset_class=None,
        pagination_class=None,
    )
    def export(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        # kwargs: the router's format suffix (``export.csv``) arrives as ``format``.
        version = self.get_object()
        fmt = self.format_kwarg or request.query_params.get("format", "")
        export = exchange.rubric_version_export(
            user=request.user, version=version, fmt=fmt, path=request.path
        )
        return Response(
            export.text,
            headers={"Content-Disposition": f'attachment; filename="{export.filename}"'},
        )

    @extend_schema(
        request={"multipart/form-data": RubricVersionImportSerializer},
        responses={201: RubricVersionSerializer},
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        url_name="import",
        filterset_class=None,
        pagination_class=None,
    )
    def import_file(self, request: Request, **kwargs: Any) -> Response:
        """A new draft from a YAML or CSV export; no existing version changes."""
        data = RubricVersionImportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = exchange.rubric_version_import(
            actor=signed_in(request.user),
            ladder=data.validated_data["ladder"],
            upload=data.validated_data["file"],
        )
        return Response(self._out(version), status=status.HTTP_201_CREATED)
