from django.urls import include, path

from reviews.views import check_ins, cycles, evidence, feedback, reviews

app_name = "reviews"

urlpatterns = [
    # The manager's workspace and the review itself (reviews/views/reviews.py)
    path("reviews/", reviews.workspace, name="workspace"),
    path("reviews/start/", reviews.start, name="start"),
    path("reviews/<int:pk>/", reviews.detail, name="detail"),
    path("reviews/<int:pk>/edit/", reviews.edit, name="edit"),
    path("reviews/<int:pk>/lint/", reviews.lint, name="lint"),
    path("reviews/<int:pk>/submit/", reviews.submit, name="submit"),
    path("reviews/<int:pk>/acknowledge/", reviews.acknowledge, name="acknowledge"),
    # Evidence libraries (reviews/views/evidence.py)
    path("evidence/", evidence.my_evidence, name="my-evidence"),
    path("people/<int:pk>/evidence/", evidence.person_evidence, name="person-evidence"),
    # Feedback requests (reviews/views/feedback.py)
    path("feedback/", feedback.feedback_inbox, name="feedback-inbox"),
    path("feedback/new/", feedback.feedback_new, name="feedback-new"),
    path("feedback/<int:pk>/", feedback.feedback_answer_page, name="feedback-answer"),
    # Check-ins (reviews/views/check_ins.py)
    path("check-ins/", check_ins.check_ins, name="check-ins"),
    path("people/<int:pk>/check-ins/", check_ins.person_check_ins, name="person-check-ins"),
    path("check-ins/<int:pk>/promote/", check_ins.check_in_promote_page, name="check-in-promote"),
    # Review cycles, for HR (reviews/views/cycles.py)
    path("cycles/", cycles.cycles, name="cycles"),
    path("cycles/<int:pk>/", cycles.cycle_detail, name="cycle"),
    path("cycles/<int:pk>/transition/", cycles.cycle_transition_page, name="cycle-transition"),
    # Self-assessments (reviews/self_assessment_urls.py) and where I stand (growth_urls.py)
    path("", include("reviews.self_assessment_urls")),
    path("", include("reviews.growth_urls")),
]
