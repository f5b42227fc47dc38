"""The self-assessment API (SPEC §11.1), registered by config/api_router.py."""

from __future__ import annotations

from django.urls import URLPattern
from rest_framework.routers import BaseRouter


def register(router: BaseRouter) -> None:
    """Register this app's viewsets on the API router."""


urlpatterns: list[URLPattern] = []
