from django.urls import path

from outcomes import views

app_name = "outcomes"

urlpatterns = [
    path("", views.organisation, name="index"),
    path("teams/<slug:slug>/", views.team_page, name="team"),
]
