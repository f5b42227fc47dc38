"""How the review and evidence lists are answered: from rows, not model objects and
field-by-field serializers (reviews.representation), a page of reviews with each one's
stored contents spliced in as the JSON text they are kept in (reviews.contents).

The answers are the same as rendering the serializers' output; tests pin it byte for byte.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from django.db.models import F, QuerySet
from django_filters import FilterSet
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings

from reviews.contents import encode_json
from reviews.representation import (
    EVIDENCE_ROW_COLUMNS,
    EVIDENCE_ROW_JOINS,
    REVIEW_ROW_COLUMNS,
    evidence_data,
    review_json,
)
from reviews.serializers import ReviewSerializer
from reviews.services.contents import reviews_contents_refresh


def unfiltered(request: Request, filterset: type[FilterSet]) -> bool:
    """Whether the request names none of the filterset's filters (so filtering would
    return the queryset as it is, after building and validating an empty form)."""
    return not any(name in request.query_params for name in filterset.base_filters)


class CountedRows:
    """``values()`` rows that pagination counts as the plain queryset they come from: the
    one-to-one joins the rows need change nothing to how many there are, and cost the count
    query its joins."""

    ordered = True

    def __init__(self, rows: QuerySet[Any], *, counted: QuerySet[Any]) -> None:
        self.rows, self.counted = rows, counted

    def count(self) -> int:
        return self.counted.count()

    def __getitem__(self, index: Any) -> Any:
        return self.rows[index]


class Encoded:
    """Response data that is JSON already (``SplicingJSONRenderer`` sends it as is)."""

    def __init__(self, text: str) -> None:
        self.text = text


class SplicingJSONRenderer(JSONRenderer):
    """The JSON renderer, which sends ``Encoded`` data as it is (decoded and rendered
    again only when the client asks for indented JSON)."""

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        if not isinstance(data, Encoded):
            return super().render(data, accepted_media_type, renderer_context)
        if self.get_indent(accepted_media_type or "", dict(renderer_context or {})) is None:
            return data.text.encode()
        return super().render(json.loads(data.text), accepted_media_type, renderer_context)


# The project's other renderers (the browsable API), after the splicing JSON one.
_DEFAULT_RENDERERS: list[type[BaseRenderer]] = api_settings.DEFAULT_RENDERER_CLASSES  # type: ignore[assignment]
OTHER_RENDERERS = [r for r in _DEFAULT_RENDERERS if not issubclass(r, JSONRenderer)]


class EvidenceRowsList:
    """For the evidence viewset: the list from rows."""

    def filter_queryset(self, queryset: Any) -> Any:
        if unfiltered(self.request, self.filterset_class):  # type: ignore[attr-defined]
            return queryset
        return super().filter_queryset(queryset)  # type: ignore[misc]

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # Rows, not objects: the page needs the items' columns and two joined values.
        view: Any = self
        items = view.filter_queryset(view.get_queryset())
        rows = items.values(
            *EVIDENCE_ROW_COLUMNS, **{k: F(v) for k, v in EVIDENCE_ROW_JOINS.items()}
        )
        page = view.paginate_queryset(CountedRows(rows, counted=items))
        assert page is not None  # the API always paginates
        response: Response = view.get_paginated_response([evidence_data(row) for row in page])
        return response


class ReviewRowsList:
    """For the review viewset: the list from rows, and a review from its stored contents
    (both made current first: reviews_contents_refresh)."""

    def filter_queryset(self, queryset: Any) -> Any:
        if unfiltered(self.request, self.filterset_class):  # type: ignore[attr-defined]
            return queryset
        return super().filter_queryset(queryset)  # type: ignore[misc]

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        view: Any = self
        queryset = view.filter_queryset(view.get_queryset())
        if not isinstance(request.accepted_renderer, SplicingJSONRenderer):
            page = view.paginate_queryset(queryset)
            assert page is not None  # the API always paginates
            reviews_contents_refresh(page)
            decoded: Response = view.get_paginated_response(ReviewSerializer(page, many=True).data)
            return decoded
        # JSON: a page of rows, each review's stored contents spliced in as the text they
        # are kept in; the same bytes as rendering the decoded representation.
        rows = view.paginate_queryset(queryset.values(*REVIEW_ROW_COLUMNS))
        assert rows is not None
        reviews_contents_refresh(rows)
        envelope = encode_json(view.get_paginated_response([]).data)
        assert envelope.endswith(',"results":[]}')
        results = ",".join(review_json(row) for row in rows)
        return Response(Encoded(f"{envelope[:-3]}[{results}]}}"))

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        review = self.get_object()  # type: ignore[attr-defined]
        reviews_contents_refresh([review])
        return Response(ReviewSerializer(review).data)
