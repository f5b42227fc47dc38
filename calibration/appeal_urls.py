"""Appeal pages (calibration/views/appeals.py), in the calibration namespace."""

from __future__ import annotations

from django.urls import URLPattern, path

from calibration.views import appeals

urlpatterns: list[URLPattern] = [
    path("appeals/", appeals.queue, name="appeals"),
    path("appeals/<int:pk>/", appeals.detail, name="appeal"),
    path("reviews/<int:pk>/appeal/", appeals.open_appeal, name="appeal-open"),
]
