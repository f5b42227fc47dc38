"""Where I stand (SPEC §11.2): reviews/views/growth.py."""

from __future__ import annotations

from django.urls import URLPattern, path

from reviews.views import evidence, growth

urlpatterns: list[URLPattern] = [
    path("me/growth/", growth.my_growth, name="my-growth"),
    path("me/growth.pdf", growth.my_growth_pdf, name="my-growth-pdf"),
    path("people/<int:pk>/growth/", growth.person_growth, name="person-growth"),
    path("people/<int:pk>/growth.pdf", growth.person_growth_pdf, name="person-growth-pdf"),
    # Re-tagging an evidence item with competencies (reviews/views/evidence.py)
    path(
        "evidence/<int:pk>/competencies/",
        evidence.evidence_competencies_page,
        name="evidence-competencies",
    ),
]
