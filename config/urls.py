from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.decorators.http import require_GET, require_http_methods
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from home import views as home_views
from org import account_views, import_views, oidc
from org import api as org_api
from org import views as org_views
from org.forms import LoginForm

# The product's error pages, JSON under /api/ (config/error_pages.py).
handler400 = "core.error_pages.bad_request"
handler403 = "core.error_pages.permission_denied"
handler404 = "core.error_pages.page_not_found"
handler500 = "core.error_pages.server_error"

admin.site.site_header = "Levelhead administration"
admin.site.site_title = "Levelhead admin"

urlpatterns = [
    # The API first: each request walks this list in order, and the page includes mounted
    # at "" below hold dozens of patterns an API path would otherwise be tried against.
    path("api/v1/auth/token/", org_api.ObtainTokenView.as_view(), name="api-token"),
    path("api/v1/", include("config.api_router")),
    path("", home_views.home, name="home"),
    path(
        "login/",
        # Methods first: a signed-in user's PUT is refused, not sent on to the home page.
        require_http_methods(["GET", "POST"])(
            oidc.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True)
        ),
        name="login",
    ),
    path("logout/", oidc.sign_out, name="logout"),
    # Company sign-in (org/oidc.py): /oidc/authenticate/, /oidc/callback/.
    path("oidc/authenticate/", oidc.SignInView.as_view(), name="oidc_authentication_init"),
    path("oidc/callback/", oidc.CallbackView.as_view(), name="oidc_authentication_callback"),
    path("login/company/refused/", oidc.sign_in_refused, name="company-sign-in-refused"),
    # Local accounts (org/account_views.py): invitations, reset, change.
    path("people/invitations/", account_views.invitations, name="invitations"),
    path("people/import/", import_views.people_import_page, name="people-import"),
    path(
        "invitation/<uidb64>/<token>/",
        require_http_methods(["GET", "POST"])(account_views.InvitationAcceptView.as_view()),
        name="invitation-accept",
    ),
    path(
        "password-reset/",
        require_http_methods(["GET", "POST"])(account_views.PasswordResetView.as_view()),
        name="password-reset",
    ),
    path(
        "password-reset/sent/",
        require_GET(
            auth_views.PasswordResetDoneView.as_view(
                template_name="registration/password_reset_sent.html"
            )
        ),
        name="password-reset-sent",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        require_http_methods(["GET", "POST"])(account_views.PasswordResetConfirmView.as_view()),
        name="password-reset-confirm",
    ),
    path(
        "me/password/",
        require_http_methods(["GET", "POST"])(account_views.PasswordChangeView.as_view()),
        name="password-change",
    ),
    path("me/", org_views.about_me, name="about-me"),
    path("rubrics/", include("rubrics.urls")),
    path("", include("reviews.urls")),
    path("", include("calibration.urls")),
    path("", include("upward.urls")),
    path("", include("audit.urls")),
    path("outcomes/", include("outcomes.urls")),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The schema and its docs are public: they describe the API (as the source does), not
    # anyone's data. The split view serves Swagger UI's start-up script from this same URL
    # (?script) instead of inline, so the page renders under the CSP.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api-schema", template_name="api/swagger_ui.html"
        ),
        name="api-docs",
    ),
]
