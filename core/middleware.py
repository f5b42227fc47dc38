"""Project middleware."""

from __future__ import annotations

from collections.abc import Callable

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
