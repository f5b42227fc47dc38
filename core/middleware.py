"""Project middleware."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict

from csp.constants import HEADER as CSP_HEADER
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

NO_STORE = "no-store, private"


class NoStoreWhenSignedInMiddleware:
    """``Cache-Control: no-store, private`` on every answer to a signed-in caller.

    Pages, PDFs, CSV exports and API answers hold one person's view of reviews and people;
    a shared proxy must not hand them to the next caller and the browser must not keep
    them after sign-out (the back button, a shared computer). The check runs after the
    view, because DRF signs token callers in inside the view (and sets ``request.user``
    then); any request carrying credentials counts, also when they were refused. Static
    files never get here: WhiteNoise answers them earlier in the chain, with its own
    long-lived caching headers.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = bool(user is not None and user.is_authenticated)
        if signed_in or "authorization" in request.headers:
            # Replace rather than merge: a max-age left by a view would contradict no-store.
            response["Cache-Control"] = NO_STORE
        return response


class CSPMiddleware(BaseCSPMiddleware):
    """django-csp's middleware, building the site-wide policy once per process.

    The policy is the same string for every answer unless a view changes it (the
    ``csp_update``/``csp_replace``/``csp_exempt`` decorators) or a page asks for a nonce;
    those answers still go through django-csp's own path. The others get the string built
    for the first of them, instead of rebuilding it from settings on every request.
    """

    _PER_RESPONSE = (
        "_csp_config",
        "_csp_update",
        "_csp_replace",
        "_csp_exempt",
        "_csp_config_ro",
        "_csp_update_ro",
        "_csp_replace_ro",
        "_csp_exempt_ro",
    )

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        super().__init__(get_response)
        self._site_policy: str | None = None

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        plain = getattr(request, "_csp_nonce", None) is None and not any(
            hasattr(response, name) for name in self._PER_RESPONSE
        )
        if not plain or settings.CONTENT_SECURITY_POLICY_REPORT_ONLY or CSP_HEADER in response:
            return super().process_response(request, response)
        if self._site_policy is None:
            self._site_policy = build_policy(**asdict(self.get_policy_parts(request, response)))
        response[CSP_HEADER] = self._site_policy
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)  # type: ignore[attr-defined]
        return response
