from __future__ import annotations

from typing import Any

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from core.errors import StaleVersionError
from core.page_cache import CachedReadsMixin
from org.permissions import IsHROrReadOnly
from org.types import signed_in
from reviews import selectors
from reviews.api_lists import (
    OTHER_RENDERERS,
    EvidenceRowsList,
    ReviewRowsList,
    SplicingJSONRenderer,
)
from reviews.filters import CheckInFilter, CycleFilter, EvidenceFilter, FeedbackFilter, ReviewFilter
from reviews.models import CheckIn, Evidence, FeedbackRequest, Review, ReviewCycle
from reviews.serializers import (
    AcknowledgeSerializer,
    CheckInInputSerializer,
    CheckInSerializer,
    CycleInputSerializer,
    CycleSerializer,
    EvidenceInputSerializer,
    EvidenceSerializer,
    FeedbackAnswerSerializer,
    FeedbackRequestInputSerializer,
    FeedbackRequestSerializer,
    PromoteSerializer,
    ReviewCreateSerializer,
    ReviewSerializer,
    ReviewUpdateSerializer,
    TransitionSerializer,
    VersionSerializer,
)
from reviews.services.check_ins import check_in_create, check_in_promote
from reviews.services.contents import reviews_contents_refresh
from reviews.services.cycles import cycle_create, cycle_transition, cycle_update
from reviews.services.evidence import evidence_create
from reviews.services.feedback import feedback_answer, feedback_decline, feedback_request_create
from reviews.services.reviews import (
    review_acknowledge,
    review_create,
    review_submit,
    review_update,
)
from reviews.services.self_assessments import cycle_self_assessment_set


def _split_self_assessment(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A cycle body's own fields, and its self-assessment settings (their own service:
    they may change while the cycle is open)."""
    fields = dict(data)
    settings: dict[str, Any] = {}
    if "self_assessment_required" in fields:
        settings["required"] = fields.pop("self_assessment_required")
    if "self_assessment_due" in fields:
        settings["due"] = fields.pop("self_assessment_due")
    return fields, settings


class CycleViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[ReviewCycle],
):
    """Review cycles: everyone reads them; HR creates, edits drafts and moves them."""

    serializer_class = CycleSerializer
    permission_classes = [IsHROrReadOnly]
    filterset_class = CycleFilter

    def get_queryset(self) -> Any:
        return selectors.cycle_list(user=self.request.user)

    def _out(self, cycle: ReviewCycle) -> dict[str, Any]:
        return CycleSerializer(selectors.cycle_get(user=self.request.user, pk=cycle.pk)).data

    @extend_schema(request=CycleInputSerializer, responses={201: CycleSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = CycleInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        fields, settings = _split_self_assessment(data.validated_data)
        with transaction.atomic():
            cycle = cycle_create(actor=signed_in(request.user), **fields)
            if settings:
                cycle_self_assessment_set(actor=signed_in(request.user), cycle=cycle, **settings)
        return Response(self._out(cycle), status=status.HTTP_201_CREATED)

    @extend_schema(request=CycleInputSerializer, responses=CycleSerializer)
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        cycle = self.get_object()
        data = CycleInputSerializer(
            data=request.data, partial=kwargs.get("partial", False), context={"request": request}
        )
        data.is_valid(raise_exception=True)
        fields, settings = _split_self_assessment(data.validated_data)
        with transaction.atomic():
            if fields or not settings:
                cycle = cycle_update(actor=signed_in(request.user), cycle=cycle, **fields)
            if settings:
                cycle = cycle_self_assessment_set(
                    actor=signed_in(request.user), cycle=cycle, **settings
                )
        return Response(self._out(cycle))

    @extend_schema(request=TransitionSerializer, responses=CycleSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: str | None = None) -> Response:
        cycle = self.get_object()
        data = TransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        cycle = cycle_transition(
            actor=signed_in(request.user), cycle=cycle, to=data.validated_data["to"]
        )
        return Response(self._out(cycle))


class EvidenceViewSet(
    CachedReadsMixin,
    EvidenceRowsList,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[Evidence],
):
    """A person's evidence library: the person and their managers read and add; HR reads."""

    serializer_class = EvidenceSerializer
    permission_classes = [IsAuthenticated]
    filterset_class = EvidenceFilter

    def get_queryset(self) -> Any:
        return selectors.evidence_list(user=self.request.user)

    @extend_schema(request=EvidenceInputSerializer, responses={201: EvidenceSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = EvidenceInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        item = evidence_create(actor=signed_in(request.user), **data.validated_data)
        return Response(EvidenceSerializer(item).data, status=status.HTTP_201_CREATED)


class ReviewViewSet(
    CachedReadsMixin,
    ReviewRowsList,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[Review],
):
    """Narrative reviews. Writes carry the `version` read; a newer one answers 409
    `stale_version` with the current review under `current`."""

    serializer_class = ReviewSerializer
    permission_classes = [IsAuthenticated]
    filterset_class = ReviewFilter
    renderer_classes = [SplicingJSONRenderer, *OTHER_RENDERERS]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> Any:
        return selectors.review_rows(user=self.request.user)

    def _out(self, review: Review) -> dict[str, Any]:
        current = selectors.review_row_get(user=self.request.user, pk=review.pk)
        reviews_contents_refresh([current])
        return ReviewSerializer(current).data

    def _with_current(self, exc: StaleVersionError, review: Review) -> StaleVersionError:
        exc.current = self._out(review)
        return exc

    @extend_schema(request=ReviewCreateSerializer, responses={201: ReviewSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = ReviewCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        review = review_create(actor=signed_in(request.user), **data.validated_data)
        return Response(self._out(review), status=status.HTTP_201_CREATED)

    @extend_schema(request=ReviewUpdateSerializer, responses=ReviewSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        review = self.get_object()
        data = ReviewUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            review = review_update(
                actor=signed_in(request.user), review=review, **data.validated_data
            )
        except StaleVersionError as exc:
            raise self._with_current(exc, review) from None
        return Response(self._out(review))

    @extend_schema(request=VersionSerializer, responses=ReviewSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        review = self.get_object()
        data = VersionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            review = review_submit(
                actor=signed_in(request.user),
                review=review,
                version=data.validated_data.get("version"),
            )
        except StaleVersionError as exc:
            raise self._with_current(exc, review) from None
        return Response(self._out(review))

    @extend_schema(request=AcknowledgeSerializer, responses=ReviewSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: str | None = None) -> Response:
        review = self.get_object()
        data = AcknowledgeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        review = review_acknowledge(
            actor=signed_in(request.user),
            review=review,
            response=data.validated_data.get("response", ""),
        )
        return Response(self._out(review))


class FeedbackRequestViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[FeedbackRequest],
):
    """Feedback requests: visible to who asked, who is asked, the subject, the subject's
    managers and HR. Answering turns the answer into attributed evidence."""

    serializer_class = FeedbackRequestSerializer
    permission_classes = [IsAuthenticated]
    filterset_class = FeedbackFilter

    def get_queryset(self) -> Any:
        return selectors.feedback_list(user=self.request.user)

    @extend_schema(
        request=FeedbackRequestInputSerializer, responses={201: FeedbackRequestSerializer}
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = FeedbackRequestInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        item = feedback_request_create(actor=signed_in(request.user), **data.validated_data)
        return Response(FeedbackRequestSerializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=FeedbackAnswerSerializer, responses=FeedbackRequestSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request: Request, pk: str | None = None) -> Response:
        item = self.get_object()
        data = FeedbackAnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = feedback_answer(actor=signed_in(request.user), request=item, **data.validated_data)
        return Response(FeedbackRequestSerializer(item).data)

    @extend_schema(request=None, responses=FeedbackRequestSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str | None = None) -> Response:
        item = feedback_decline(actor=signed_in(request.user), request=self.get_object())
        return Response(FeedbackRequestSerializer(item).data)


class CheckInViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[CheckIn],
):
    """1:1 notes between a person and their managers; invisible to HR and peers."""

    serializer_class = CheckInSerializer
    permission_classes = [IsAuthenticated]
    filterset_class = CheckInFilter

    def get_queryset(self) -> Any:
        return selectors.check_in_list(user=self.request.user)

    @extend_schema(request=CheckInInputSerializer, responses={201: CheckInSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = CheckInInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        item = check_in_create(actor=signed_in(request.user), **data.validated_data)
        return Response(CheckInSerializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PromoteSerializer, responses={201: EvidenceSerializer})
    @action(detail=True, methods=["post"])
    def promote(self, request: Request, pk: str | None = None) -> Response:
        check_in = self.get_object()
        data = PromoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = check_in_promote(
            actor=signed_in(request.user), check_in=check_in, **data.validated_data
        )
        return Response(EvidenceSerializer(item).data, status=status.HTTP_201_CREATED)
