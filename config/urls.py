from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from org import api as org_api
from org import views as org_views

admin.site.site_header = "Levelhead administration"
admin.site.site_title = "Levelhead admin"

urlpatterns = [
    path("", org_views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("me/", org_views.about_me, name="about-me"),
    path("rubrics/", include("rubrics.urls")),
    path("", include("reviews.urls")),
    path("", include("calibration.urls")),
    path("", include("audit.urls")),
    path("outcomes/", include("outcomes.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/auth/token/", org_api.ObtainTokenView.as_view(), name="api-token"),
    path("api/v1/", include("config.api_router")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
