"""A refused or missing page is the product's own 404 page in every mode (SPEC §3), and the
API answers its errors in JSON, a 500 included (SPEC §4)."""

from __future__ import annotations

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import include, path

from config import urls as project_urls


def _explode(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("boom: something nobody planned for")


def _explode_in_api(request: HttpRequest) -> HttpResponse:
    from rest_framework.decorators import api_view, permission_classes
    from rest_framework.permissions import AllowAny

    @api_view(["GET"])
    @permission_classes([AllowAny])
    def view(request: HttpRequest) -> HttpResponse:
        raise RuntimeError("boom inside a DRF view")

    return view(request)


# A test-only URLconf: the project's routes plus views that fail in ways nobody planned for.
urlpatterns = [
    path("api/v1/_test/explode/", _explode_in_api),
    path("api/v1/_test/plain-explode/", _explode),
    path("_test/explode/", _explode),
    path("", include(project_urls.urlpatterns)),
]
# The project's own error views, whichever they are (Django's defaults when it sets none).
handler404 = getattr(project_urls, "handler404", "django.views.defaults.page_not_found")
handler500 = getattr(project_urls, "handler500", "django.views.defaults.server_error")


def _assert_product_404(response: HttpResponse) -> None:
    assert response.status_code == 404
    body = response.content.decode()
    assert "Page not found" in body
    # Nothing of Django's technical page: no route list, no view name, no settings hint.
    assert "URLconf" not in body
    assert "audit.views" not in body
    assert "DEBUG = True" not in body
    assert "api/v1/" not in body


@pytest.mark.parametrize("debug", [True, False])
def test_an_engineer_refused_the_audit_page_sees_the_product_404(
    world, client_for, settings, debug
):
    settings.DEBUG = debug
    _assert_product_404(client_for("engineer").get("/audit/"))


@pytest.mark.parametrize("debug", [True, False])
def test_an_address_that_matches_no_route_shows_the_product_404(world, client_for, settings, debug):
    settings.DEBUG = debug
    _assert_product_404(client_for("engineer").get("/no-such-page/at-all/"))


def test_a_missing_slash_still_redirects_in_debug(world, client_for, settings):
    settings.DEBUG = True
    response = client_for("hr").get("/audit")
    assert response.status_code == 301
    assert response["Location"] == "/audit/"


@pytest.mark.parametrize("debug", [True, False])
def test_an_unknown_api_address_answers_json_404(world, api_for, settings, debug):
    settings.DEBUG = debug
    response = api_for("engineer").get("/api/v1/no-such-resource/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "Not found."}


def test_a_method_the_api_does_not_offer_answers_json_405(world, api_for):
    response = api_for("hr").delete("/api/v1/cycles/")
    assert response.status_code == 405
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]


@pytest.mark.parametrize("url", ["/api/v1/_test/explode/", "/api/v1/_test/plain-explode/"])
def test_an_unexpected_error_in_the_api_answers_json_500(world, settings, url):
    settings.ROOT_URLCONF = __name__
    client = Client(raise_request_exception=False)
    client.force_login(world.engineer.user)
    response = client.get(url)
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == "server_error"
    assert body["detail"]
    assert "boom" not in response.content.decode()


def test_an_unexpected_error_on_a_page_shows_the_product_500_page(world, settings):
    settings.ROOT_URLCONF = __name__
    client = Client(raise_request_exception=False)
    client.force_login(world.engineer.user)
    response = client.get("/_test/explode/")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()
