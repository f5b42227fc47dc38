"""Upward feedback pages. Who sees which round, and what of it: upward.selectors."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import ConflictError
from org.selectors import person_for_user
from org.types import signed_in
from reviews.selectors import cycle_list
from upward import selectors, services
from upward.forms import AnswerForm, RoundForm


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Rounds I am asked to answer, and the rounds I may read."""
    rounds = list(selectors.round_list(user=request.user))
    return render(
        request,
        "upward/index.html",
        {
            "me": person_for_user(request.user),
            "asked": [r for r in rounds if r.is_invited],  # type: ignore[attr-defined]
            "readable": [r for r in rounds if r.is_reader],  # type: ignore[attr-defined]
            "can_start": selectors.subject_choices(user=request.user).exists(),
            "threshold": selectors.threshold(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def new(request: HttpRequest) -> HttpResponse:
    """HR, or someone above a manager, asks the manager's reports."""
    subjects = selectors.subject_choices(user=request.user).select_related("team")
    if not subjects.exists():
        raise PermissionDenied("You can ask for upward feedback on managers in your chain only.")
    version = selectors.prompt_version_default()
    options = [(c.key, c.name) for c in selectors.competency_options(version)]
    form = RoundForm(
        request.POST or None,
        subjects=subjects,
        cycles=cycle_list(user=request.user),
        competencies=options,
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                created = services.round_create(
                    actor=signed_in(request.user),
                    subject=data["subject"],
                    cycle=data["cycle"],
                    competencies=data["competencies"] or None,
                    closes_on=data["closes_on"],
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            except ConflictError as exc:
                form.add_error(None, exc.message)
                status = 409
            else:
                messages.success(
                    request,
                    f"Asked {created.subject.full_name}'s reports for anonymous feedback.",
                )
                return redirect("upward:detail", created.pk)
    context = {"form": form, "has_prompts": bool(options), "threshold": selectors.threshold()}
    return render(request, "upward/new.html", context, status=status)


def _add_errors(form: Any, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.message_dict.items():
        form.add_error(name if name in form.fields else None, errors)


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    upward_round = selectors.round_get(user=request.user, pk=pk)
    context = {
        "round": upward_round,
        "results": selectors.round_results(round=upward_round),
        "threshold": selectors.threshold(),
        "can_close": upward_round.status == "open"
        and selectors.round_can_close(user=request.user, round=upward_round),
        "is_open": services.round_is_open(upward_round),
    }
    return render(request, "upward/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    """The invited report answers, once, without their name."""
    upward_round = selectors.round_get(user=request.user, pk=pk)
    if not upward_round.is_invited:  # type: ignore[attr-defined]
        raise PermissionDenied("Only the people asked can answer.")
    form = AnswerForm(request.POST or None, prompts=upward_round.prompts)
    error = ""
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.round_answer(
                    actor=signed_in(request.user), round=upward_round, answers=form.answers()
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            except ConflictError as exc:
                error = exc.message
                status = 409
            else:
                messages.success(request, "Thank you. Your answer was saved without your name.")
                return redirect("upward:detail", upward_round.pk)
    context = {
        "round": upward_round,
        "form": form,
        "error": error,
        "is_open": services.round_is_open(upward_round),
        "threshold": selectors.threshold(),
    }
    return render(request, "upward/answer.html", context, status=status)


@login_required
@require_POST
def close(request: HttpRequest, pk: int) -> HttpResponse:
    upward_round = selectors.round_get(user=request.user, pk=pk)
    try:
        services.round_close(actor=signed_in(request.user), round=upward_round)
    except ConflictError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "The round is closed. No more answers are taken.")
    return redirect("upward:detail", upward_round.pk)
