"""API plumbing shared by every app: pagination, error shapes and conflicts (SPEC §4)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import ConflictError


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "too_large"


class Pagination(PageNumberPagination):
    """``?page=`` and ``?page_size=`` (1–200). DRF quietly ignores a page size it cannot use
    and answers 404 to a page that is not a number; both are the client's mistake, so they
    answer 400 naming the parameter. A page past the end is still 404."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        return _whole_number(raw, name=self.page_size_query_param, maximum=self.max_page_size)

    def get_page_number(self, request: Request, paginator: Any) -> int:
        raw = request.query_params.get(self.page_query_param)
        if raw is None:
            return 1
        if raw in self.last_page_strings:
            return int(paginator.num_pages)
        return _whole_number(raw, name=self.page_query_param, maximum=MAX_PAGE)


# Pages are counted in 64-bit integers, like ids; a larger number is malformed, not absent.
MAX_PAGE = 2**63 - 1


def _whole_number(raw: str, *, name: str, maximum: int) -> int:
    # Digits only: int() would also take "+1", " 1" and "1_000".
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= maximum:
        raise exceptions.ValidationError(
            {name: [f"Enter a whole number from 1 to {maximum}."]}, code="invalid"
        )
    return int(raw)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    # Services raise Django's ValidationError for rule violations; DRF alone would 500.
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    if isinstance(exc, ConflictError):
        body: dict[str, Any] = {"detail": exc.message, "code": exc.code}
        if exc.current is not None:
            body["current"] = exc.current
        return Response(body, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    # Django refuses a body over DATA_UPLOAD_MAX_MEMORY_SIZE (or with too many form fields)
    # while the parser reads it; left alone, that is an HTML 400 page.
    if isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
    elif isinstance(exc, TooManyFieldsSent):
        exc = exceptions.ParseError("The request has too many form fields.")
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, PayloadTooLarge):
        response.data["code"] = exc.default_code
    return response
