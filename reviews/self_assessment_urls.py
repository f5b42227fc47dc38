"""The self-assessment pages (reviews/views/self_assessments.py), in the reviews namespace."""

from __future__ import annotations

from django.urls import URLPattern, path

from reviews.views import self_assessments as views

urlpatterns: list[URLPattern] = [
    path("self-assessments/", views.self_assessments, name="self-assessments"),
    path("self-assessments/start/", views.start, name="self-assessment-start"),
    path("self-assessments/<int:pk>/", views.detail, name="self-assessment"),
    path("self-assessments/<int:pk>/edit/", views.edit, name="self-assessment-edit"),
    path("self-assessments/<int:pk>/lint/", views.lint, name="self-assessment-lint"),
    path("self-assessments/<int:pk>/submit/", views.submit, name="self-assessment-submit"),
]
