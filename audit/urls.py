from django.urls import path

from audit import views

app_name = "audit"

urlpatterns = [
    path("audit/", views.index, name="index"),
    path("audit/<int:cycle_pk>/", views.report, name="report"),
    path("audit/<int:cycle_pk>/report.csv", views.report_csv_download, name="csv"),
]
