"""Error responses the user sees: the product's pages for HTML, JSON under /api/ (SPEC §3, §4).

Django uses ``handler404``/``handler500`` only when DEBUG is off; with DEBUG on it shows its
technical 404 page, which lists every route and names the view that refused. Where existence
is hidden it must stay hidden in every mode, so ``NotFoundMiddleware`` answers every 404 with
the product's page (or JSON under /api/) whatever DEBUG says. Real errors (500) keep Django's
debug page in development; with DEBUG off they get ``server_error`` below.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views import defaults

API_PREFIX = "/api/"


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        # The same body DRF gives for an object the caller may not see.
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception or Http404())


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(
            {"detail": "A server error occurred.", "code": "server_error"}, status=500
        )
    return defaults.server_error(request)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": "Bad request.", "code": "bad_request"}, status=400)
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(
            {"detail": "You do not have permission to perform this action."}, status=403
        )
    return defaults.permission_denied(request, exception)


class NotFoundMiddleware:
    """Every 404 is the product's own page, also with DEBUG on.

    Sits after CommonMiddleware so that a missing trailing slash still redirects.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # No view matched the address (``resolver_match`` is only set once one does): with
        # DEBUG on, Django has just built its route-listing page. Replace it.
        if settings.DEBUG and response.status_code == 404 and request.resolver_match is None:
            return page_not_found(request)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        # A view refused (Http404): with DEBUG on, Django would name the view that did.
        if isinstance(exception, Http404):
            return page_not_found(request, exception)
        return None
