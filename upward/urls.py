from __future__ import annotations

from django.urls import path

from upward import views

app_name = "upward"

urlpatterns = [
    path("upward/", views.index, name="index"),
    path("upward/new/", views.new, name="new"),
    path("upward/<int:pk>/", views.detail, name="detail"),
    path("upward/<int:pk>/answer/", views.answer, name="answer"),
    path("upward/<int:pk>/close/", views.close, name="close"),
]
