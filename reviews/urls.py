from django.urls import path

from reviews import views, views_library

app_name = "reviews"

urlpatterns = [
    # The manager's workspace and the review itself (reviews/views.py)
    path("reviews/", views.workspace, name="workspace"),
    path("reviews/start/", views.start, name="start"),
    path("reviews/<int:pk>/", views.detail, name="detail"),
    path("reviews/<int:pk>/edit/", views.edit, name="edit"),
    path("reviews/<int:pk>/lint/", views.lint, name="lint"),
    path("reviews/<int:pk>/submit/", views.submit, name="submit"),
    path("reviews/<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
    # Evidence, feedback, check-ins and cycles (reviews/views_library.py)
    path("evidence/", views_library.my_evidence, name="my-evidence"),
    path("people/<int:pk>/evidence/", views_library.person_evidence, name="person-evidence"),
    path("feedback/", views_library.feedback_inbox, name="feedback-inbox"),
    path("feedback/new/", views_library.feedback_new, name="feedback-new"),
    path("feedback/<int:pk>/", views_library.feedback_answer, name="feedback-answer"),
    path("check-ins/", views_library.check_ins, name="check-ins"),
    path("people/<int:pk>/check-ins/", views_library.person_check_ins, name="person-check-ins"),
    path("check-ins/<int:pk>/promote/", views_library.check_in_promote, name="check-in-promote"),
    path("cycles/", views_library.cycles, name="cycles"),
    path("cycles/<int:pk>/", views_library.cycle_detail, name="cycle"),
    path("cycles/<int:pk>/transition/", views_library.cycle_transition, name="cycle-transition"),
]
