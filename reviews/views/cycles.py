"""HR's review cycle pages: the list with the create form, one cycle's progress, and its
moves. To anyone but HR these pages do not exist (reviews.selectors.cycle_admin_list)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import ConflictError
from core.page_cache import cached_page
from org.types import signed_in
from reviews import selectors
from reviews.forms.cycles import CycleForm, TransitionForm
from reviews.models import ReviewCycle
from reviews.services.cycles import (
    CYCLE_TRANSITIONS,
    cycle_create,
    cycle_open_problems,
    cycle_transition,
)
from reviews.services.self_assessments import cycle_self_assessment_set
from rubrics.models import RubricVersion
from rubrics.selectors import rubric_version_list

Status = ReviewCycle.Status

# What each cycle move does, shown next to its button.
TRANSITION_TEXT = {
    Status.OPEN: (
        "Open the cycle",
        "Managers can start reviews and ask for feedback. The pinned rubric versions "
        "are fixed from now on.",
    ),
    Status.CALIBRATING: (
        "Start calibration",
        "Calibration sessions can be opened on the submitted reviews.",
    ),
    Status.FINALIZED: (
        "Finalize the cycle",
        "Every calibration session must be finalized first. Calibrated ratings are then final.",
    ),
    Status.RELEASED: (
        "Release the reviews",
        "Every submitted review becomes visible to the person it is about. This cannot be undone.",
    ),
}


def _published_versions(request: HttpRequest) -> QuerySet[RubricVersion]:
    return rubric_version_list(user=request.user).filter(status=RubricVersion.Status.PUBLISHED)


@login_required
@require_http_methods(["GET", "POST"])
@cached_page
def cycles(request: HttpRequest) -> HttpResponse:
    """HR's list of review cycles and the form to create one."""
    all_cycles = selectors.cycle_admin_list(user=request.user)
    versions = _published_versions(request)
    # Published versions are the current one of each ladder: pinning them all is the
    # usual choice, so they start ticked.
    form = CycleForm(
        request.POST or None, versions=versions, initial={"rubric_versions": list(versions)}
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            actor = signed_in(request.user)
            try:
                with transaction.atomic():
                    cycle = cycle_create(
                        actor=actor,
                        name=data["name"],
                        starts_on=data["starts_on"],
                        ends_on=data["ends_on"],
                        rubric_versions=list(data["rubric_versions"]),
                    )
                    cycle = cycle_self_assessment_set(
                        actor=actor,
                        cycle=cycle,
                        required=data["self_assessment_required"],
                        due=data["self_assessment_due"],
                    )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, f"Cycle “{cycle.name}” created as a draft.")
                return redirect("reviews:cycle", pk=cycle.pk)
    return render(
        request, "reviews/cycle_list.html", {"cycles": all_cycles, "form": form}, status=status
    )


def _cycle_page(
    request: HttpRequest,
    cycle: ReviewCycle,
    *,
    error: str = "",
    form: TransitionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    moves = [
        {"to": to, "label": TRANSITION_TEXT[to][0], "text": TRANSITION_TEXT[to][1]}
        for to in sorted(CYCLE_TRANSITIONS[Status(cycle.status)])
    ]
    context: dict[str, Any] = {
        "cycle": cycle,
        "versions": sorted(cycle.rubric_versions.all(), key=lambda v: v.ladder.name),
        "moves": moves,
        "problems": (cycle_open_problems(cycle) if cycle.status == Status.DRAFT else []),
        "error": error,
        "form": form,
        **selectors.cycle_progress(user=request.user, cycle=cycle),
        **_promotions(request, cycle),
    }
    return render(request, "reviews/cycle_detail.html", context, status=status)


def _promotions(request: HttpRequest, cycle: ReviewCycle) -> dict[str, Any]:
    if cycle.status not in (Status.FINALIZED, Status.RELEASED):
        return {"promotions": None}
    rows = selectors.cycle_promotions(user=request.user, cycle=cycle)
    return {
        "promotions": rows,
        "promotions_pending": any(row.change is None for row in rows),
        "today": timezone.localdate(),
    }


@login_required
@require_GET
def cycle_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Progress of one cycle for HR, and the next move it can make."""
    cycle = selectors.cycle_admin_get(user=request.user, pk=pk)
    return _cycle_page(request, cycle)


@login_required
@require_POST
def cycle_transition_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a cycle along draft → open → calibrating → finalized → released."""
    cycle = selectors.cycle_admin_get(user=request.user, pk=pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        return _cycle_page(request, cycle, form=form, status=400)
    to = form.cleaned_data["to"]
    try:
        cycle = cycle_transition(actor=signed_in(request.user), cycle=cycle, to=to)
    except ValidationError as exc:
        return _cycle_page(request, cycle, error=" ".join(exc.messages), status=400)
    except ConflictError as exc:
        return _cycle_page(request, cycle, error=exc.message, status=409)
    messages.success(request, f"“{cycle.name}” is now {cycle.get_status_display().lower()}.")
    return redirect("reviews:cycle", pk=cycle.pk)
