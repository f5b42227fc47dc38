from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from core.page_cache import CachedReadsMixin
from org.permissions import IsHROrReadOnly
from org.types import signed_in
from rubrics import selectors, services
from rubrics.filters import RubricVersionFilter
from rubrics.models import Ladder, RubricVersion
from rubrics.serializers import (
    DiffSerializer,
    LadderInputSerializer,
    LadderSerializer,
    PublishSerializer,
    RubricVersionCreateSerializer,
    RubricVersionPutSerializer,
    RubricVersionSerializer,
    RubricVersionUpdateSerializer,
)


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
    def publish(self, request: Request, pk: str | None = None) -> Response:
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
    def diff(self, request: Request, pk: str | None = None) -> Response:
        version = self.get_object()
        raw = request.query_params.get("against", "")
        if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
            raise ValidationError({"against": ["Give the id of the version to compare with."]})
        other = selectors.rubric_version_get(user=request.user, pk=raw)
        if other.ladder_id != version.ladder_id:
            raise ValidationError({"against": ["Both versions must belong to the same ladder."]})
        return Response(services.rubric_version_diff(old=other, new=version))
