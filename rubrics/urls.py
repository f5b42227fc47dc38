from django.urls import path

from rubrics import views

app_name = "rubrics"

urlpatterns = [
    path("", views.ladder_index, name="index"),
    path("<slug:ladder>/", views.ladder_matrix, name="ladder"),
    path("<slug:ladder>/levels/<str:code>/", views.level_detail, name="current-level"),
    path("<slug:ladder>/history/", views.version_history, name="history"),
    path("<slug:ladder>/import/", views.version_import, name="import"),
    path("<slug:ladder>/v<int:number>/", views.ladder_matrix, name="version"),
    path("<slug:ladder>/v<int:number>/levels/<str:code>/", views.level_detail, name="level"),
    path("<slug:ladder>/v<int:number>/rubric.pdf", views.version_pdf, name="pdf"),
    path(
        "<slug:ladder>/v<int:number>/rubric.yaml",
        views.version_export,
        {"fmt": "yaml"},
        name="yaml",
    ),
    path(
        "<slug:ladder>/v<int:number>/rubric.csv",
        views.version_export,
        {"fmt": "csv"},
        name="csv",
    ),
    path("<slug:ladder>/v<int:number>/publish/", views.version_publish, name="publish"),
]
