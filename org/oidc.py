"""Company sign-in with OpenID Connect (SPEC §10.1), on mozilla-django-oidc.

Configured from the environment (``OIDC_ISSUER``, ``OIDC_CLIENT_ID``,
``OIDC_CLIENT_SECRET``, ``OIDC_PROVIDER_NAME``, ``OIDC_HR_GROUPS``): the provider's
endpoints come from its discovery document (``<issuer>/.well-known/openid-configuration``),
read once per process. The flow is the authorization-code flow with PKCE; ``state`` and
``nonce`` are checked and the ID token's signature is verified against the provider's
JWKS (mozilla-django-oidc does those).

Who may sign in: an existing, active person. The first company sign-in finds them by a
*verified* ``email`` claim and records the provider's ``sub`` (``CompanyIdentity``); later
sign-ins find them by ``sub`` alone, so a changed email address still signs in the same
person. Nobody is created here: an unknown, inactive or unverified sign-in gets a page that
says why, and a log line (the reason, never the claims). With ``OIDC_HR_GROUPS``, each
sign-in grants or removes the HR role by the ``groups`` claim.
"""

from __future__ import annotations

import logging
import threading
from typing import Any
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from core.auth import CachedModelBackend
from org.models import CompanyIdentity, User
from org.selectors import person_for_sign_in
from org.services import hr_role_set

log = logging.getLogger("levelhead.sign_in")

# What a refused sign-in was told, by reason (the page reads it from the session).
REFUSALS = {
    "unknown": "No one with this email address works here, as far as Levelhead knows.",
    "inactive": "This person's access to Levelhead has ended.",
    "unverified": "Your identity provider has not verified this email address.",
    "failed": "The sign-in did not complete. Please try again.",
}
_REFUSAL_KEY = "levelhead_company_sign_in_refused"

_ENDPOINTS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}
_discovered: dict[str, dict[str, Any]] = {}
_lock = threading.Lock()


def configured() -> bool:
    return bool(settings.OIDC_ISSUER and settings.OIDC_RP_CLIENT_ID)


def discovery() -> dict[str, Any]:
    """The provider's discovery document, fetched once per process."""
    issuer = settings.OIDC_ISSUER
    with _lock:
        found = _discovered.get(issuer)
        if found is None:
            response = requests.get(
                f"{issuer}/.well-known/openid-configuration", timeout=settings.OIDC_TIMEOUT
            )
            response.raise_for_status()
            found = response.json()
            if str(found.get("issuer", "")).rstrip("/") != issuer:
                raise SuspiciousOperation("The provider's discovery names another issuer.")
            _discovered[issuer] = found
        return found


def oidc_setting(attr: str, *default: Any) -> Any:
    """mozilla-django-oidc's settings, with the provider's endpoints from discovery."""
    if attr in _ENDPOINTS:
        return discovery()[_ENDPOINTS[attr]]
    return import_from_settings(attr, *default)


class LoginView(auth_views.LoginView):
    """The sign-in page: the company button when company sign-in is set up, the password
    form unless ``LOCAL_LOGIN`` is off."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["company_sign_in"] = settings.OIDC_PROVIDER_NAME if configured() else ""
        context["local_login"] = settings.LOCAL_LOGIN
        return context


def _refuse(request: HttpRequest, reason: str) -> None:
    request.session[_REFUSAL_KEY] = reason
    log.warning("company sign-in refused", extra={"reason": reason})


class CompanySignIn(OIDCAuthenticationBackend):
    """The authentication backend: matches a company sign-in to an existing person."""

    get_settings = staticmethod(oidc_setting)  # type: ignore[assignment]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Django builds every backend for every sign-in, passwords included: reading the
        # provider's endpoints waits for the one callback that needs them.
        self._ready = False

    def authenticate(self, request: Any, **kwargs: Any) -> Any:
        if request is None or "code" not in request.GET or not configured():
            return None
        if not self._ready:
            super().__init__()
            self._ready = True
        return super().authenticate(request, **kwargs)

    def get_user(self, user_id: Any) -> Any:
        # A company sign-in's session names this backend: its login is kept per data
        # version like a password sign-in's (core.auth), inactive logins refused.
        return CachedModelBackend().get_user(user_id)

    def retrieve_matching_jwk(self, token: Any) -> Any:
        """The provider's signing key for ``token``. A token without a ``kid`` header is
        valid when the provider publishes a single key (OpenID Connect Core 10.1); the
        library insists on one, so that case picks the only key of the token's algorithm."""
        if "kid" in jwt.get_unverified_header(token):
            return super().retrieve_matching_jwk(token)
        response = requests.get(self.OIDC_OP_JWKS_ENDPOINT, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        alg = jwt.get_unverified_header(token).get("alg")
        keys = [k for k in response.json().get("keys", []) if k.get("alg", alg) == alg]
        if len(keys) != 1:
            raise SuspiciousOperation("The ID token names no key and the provider has several.")
        return jwt.PyJWK(keys[0])

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        return bool(claims.get("sub"))

    def filter_users_by_claims(self, claims: dict[str, Any]) -> Any:
        issuer = settings.OIDC_ISSUER
        known = CompanyIdentity.objects.filter(issuer=issuer, subject=claims["sub"]).first()
        if known is not None:
            user = known.user
        else:
            email = str(claims.get("email") or "").strip()
            if not email:
                _refuse(self.request, "unknown")
                return User.objects.none()
            if claims.get("email_verified") is not True:
                _refuse(self.request, "unverified")
                return User.objects.none()
            person = person_for_sign_in(email=email)
            if person is None:
                _refuse(self.request, "unknown")
                return User.objects.none()
            user = person.user
        person = person_for_sign_in(user=user)
        if not user.is_active or (person is not None and not person.is_active):
            _refuse(self.request, "inactive")
            return User.objects.none()
        if known is None:
            known = CompanyIdentity.objects.create(user=user, issuer=issuer, subject=claims["sub"])
        known.last_sign_in = timezone.now()
        known.save(update_fields=["last_sign_in"])
        return User.objects.filter(pk=user.pk)

    def update_user(self, user: User, claims: dict[str, Any]) -> User:
        groups = settings.OIDC_HR_GROUPS
        if groups:
            claimed = claims.get("groups") or []
            if isinstance(claimed, str):
                claimed = [claimed]
            hr_role_set(user=user, value=bool(set(map(str, claimed)) & set(groups)))
        return user


class SignInView(OIDCAuthenticationRequestView):
    """``/oidc/authenticate/``: off (404) unless company sign-in is configured."""

    get_settings = staticmethod(oidc_setting)  # type: ignore[assignment]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The endpoints are read per request (get), not at start-up.
        self._init_args = (args, kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        if not configured():
            raise Http404("Company sign-in is not set up.")
        try:
            super().__init__(*self._init_args[0], **self._init_args[1])
        except (requests.RequestException, ValueError, KeyError, SuspiciousOperation):
            log.warning("company sign-in unavailable: discovery failed")
            _refuse(request, "failed")
            return HttpResponseRedirect(reverse("company-sign-in-refused"))
        return super().get(request)  # type: ignore[no-any-return]


class CallbackView(OIDCAuthenticationCallbackView):
    """``/oidc/callback/``: a wrong or replayed ``state`` is refused like any failure."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not configured():
            raise Http404("Company sign-in is not set up.")
        try:
            response = super().get(request)
        except SuspiciousOperation:
            log.warning("company sign-in refused", extra={"reason": "state"})
            response = self.login_failure()
        except requests.RequestException:
            log.warning("company sign-in failed: the provider did not answer")
            response = self.login_failure()
        return response  # type: ignore[no-any-return]

    def login_failure(self) -> HttpResponse:
        self.request.session.setdefault(_REFUSAL_KEY, "failed")
        return HttpResponseRedirect(reverse("company-sign-in-refused"))


@require_GET
def sign_in_refused(request: HttpRequest) -> HttpResponse:
    """The clear page a refused company sign-in lands on (no account is made)."""
    reason = request.session.pop(_REFUSAL_KEY, "failed")
    return render(
        request,
        "registration/company_sign_in_refused.html",
        {"message": REFUSALS.get(reason, REFUSALS["failed"]), "reason": reason},
        status=403,
    )


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    """End the local session; after a company sign-in, also at the provider when it has
    an end-session endpoint."""
    id_token = request.session.get("oidc_id_token")
    logout(request)
    target = reverse(settings.LOGOUT_REDIRECT_URL)
    if id_token and configured():
        try:
            end = discovery().get("end_session_endpoint")
        except (requests.RequestException, ValueError, SuspiciousOperation):
            end = None
        if end:
            back = request.build_absolute_uri(target)
            query = urlencode({"id_token_hint": id_token, "post_logout_redirect_uri": back})
            return HttpResponseRedirect(f"{end}?{query}")
    return HttpResponseRedirect(target)
