from django.urls import path

from audit import views

app_name = "audit"

urlpatterns = [
    path("audit/", views.index, name="index"),
    path("audit/compare/", views.comparison, name="compare"),
    path("audit/<int:cycle_pk>/", views.report, name="report"),
    path(
        "audit/<int:cycle_pk>/dimensions/<slug:key>/",
        views.report_dimension,
        name="report-dimension",
    ),
    path("audit/<int:cycle_pk>/sections/<slug:key>/", views.report_section, name="report-section"),
    path("audit/<int:cycle_pk>/report.csv", views.report_csv_download, name="csv"),
    path("audit/<int:cycle_pk>/pdf/", views.pdf_page, name="pdf"),
    path("audit/<int:cycle_pk>/pdf/status/", views.pdf_status, name="pdf-status"),
    path("audit/<int:cycle_pk>/report.pdf", views.pdf_download, name="pdf-download"),
]
