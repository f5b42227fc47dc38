"""The home page: what each role can do next."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core.page_cache import cached_page
from org import selectors
from reviews.selectors import VISIBLE_TO_SUBJECT, feedback_list, review_list
from rubrics.selectors import ladder_list
from upward.selectors import pending_invitations


@login_required
@require_GET
@cached_page
def home(request: HttpRequest) -> HttpResponse:
    """What each role can do next."""
    me = selectors.person_for_user(request.user)
    reports = (
        list(
            selectors.person_choices(user=request.user)
            .filter(parent=me)
            .select_related("team", "ladder")
            .order_by("full_name")
        )
        if me
        else []
    )
    ladders = list(ladder_list(user=request.user))
    my_ladder = next((lad for lad in ladders if me and lad.pk == me.ladder_id), None)
    my_released = (
        list(
            review_list(user=request.user)
            .filter(subject=me, status__in=VISIBLE_TO_SUBJECT)
            .select_related("cycle")
        )
        if me
        else []
    )
    pending_feedback = (
        feedback_list(user=request.user).filter(respondent=me, status="pending").count()
        if me
        else 0
    )
    # Anonymous upward feedback waiting for my answer (SPEC §11.4).
    upward_asks = list(pending_invitations(user=request.user)) if me else []
    return render(
        request,
        "home/home.html",
        {
            "reports": reports,
            "ladders": ladders,
            "my_ladder": my_ladder,
            "my_released": my_released,
            "pending_feedback": pending_feedback,
            "upward_asks": upward_asks,
        },
    )
