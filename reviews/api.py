from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from core.errors import StaleVersionError
from org.permissions import IsHROrReadOnly
from reviews import selectors, services
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
        cycle = services.cycle_create(actor=request.user, **data.validated_data)
        return Response(self._out(cycle), status=status.HTTP_201_CREATED)

    @extend_schema(request=CycleInputSerializer, responses=CycleSerializer)
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        cycle = self.get_object()
        data = CycleInputSerializer(
            data=request.data, partial=kwargs.get("partial", False), context={"request": request}
        )
        data.is_valid(raise_exception=True)
        cycle = services.cycle_update(actor=request.user, cycle=cycle, **data.validated_data)
        return Response(self._out(cycle))

    @extend_schema(request=TransitionSerializer, responses=CycleSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: str | None = None) -> Response:
        cycle = self.get_object()
        data = TransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        cycle = services.cycle_transition(
            actor=request.user, cycle=cycle, to=data.validated_data["to"]
        )
        return Response(self._out(cycle))


class EvidenceViewSet(
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
        item = services.evidence_create(actor=request.user, **data.validated_data)
        return Response(EvidenceSerializer(item).data, status=status.HTTP_201_CREATED)


class ReviewViewSet(
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
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> Any:
        return selectors.review_list(user=self.request.user)

    def _out(self, review: Review) -> dict[str, Any]:
        return ReviewSerializer(selectors.review_get(user=self.request.user, pk=review.pk)).data

    def _with_current(self, exc: StaleVersionError, review: Review) -> StaleVersionError:
        exc.current = self._out(review)
        return exc

    @extend_schema(request=ReviewCreateSerializer, responses={201: ReviewSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = ReviewCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        review = services.review_create(actor=request.user, **data.validated_data)
        return Response(self._out(review), status=status.HTTP_201_CREATED)

    @extend_schema(request=ReviewUpdateSerializer, responses=ReviewSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        review = self.get_object()
        data = ReviewUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            review = services.review_update(
                actor=request.user, review=review, **data.validated_data
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
            review = services.review_submit(
                actor=request.user, review=review, version=data.validated_data.get("version")
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
        review = services.review_acknowledge(
            actor=request.user, review=review, response=data.validated_data.get("response", "")
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
        item = services.feedback_request_create(actor=request.user, **data.validated_data)
        return Response(FeedbackRequestSerializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=FeedbackAnswerSerializer, responses=FeedbackRequestSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request: Request, pk: str | None = None) -> Response:
        item = self.get_object()
        data = FeedbackAnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = services.feedback_answer(actor=request.user, request=item, **data.validated_data)
        return Response(FeedbackRequestSerializer(item).data)

    @extend_schema(request=None, responses=FeedbackRequestSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str | None = None) -> Response:
        item = services.feedback_decline(actor=request.user, request=self.get_object())
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
        item = services.check_in_create(actor=request.user, **data.validated_data)
        return Response(CheckInSerializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PromoteSerializer, responses={201: EvidenceSerializer})
    @action(detail=True, methods=["post"])
    def promote(self, request: Request, pk: str | None = None) -> Response:
        check_in = self.get_object()
        data = PromoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = services.check_in_promote(
            actor=request.user, check_in=check_in, **data.validated_data
        )
        return Response(EvidenceSerializer(item).data, status=status.HTTP_201_CREATED)
