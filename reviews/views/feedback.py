"""Feedback pages: the inbox, asking for feedback, and answering (or declining) a request.
Who sees which request is reviews.selectors.feedback_list."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from core.errors import ConflictError
from core.fields import parse_id
from org.models import Person
from org.selectors import person_choices, person_directory, person_for_user, reporting_chain_ids
from org.types import signed_in
from reviews import selectors
from reviews.forms.feedback import FeedbackAnswerForm, FeedbackRequestForm
from reviews.models import FeedbackRequest, ReviewCycle
from reviews.services.feedback import feedback_answer, feedback_decline, feedback_request_create

OPEN = ReviewCycle.Status.OPEN


@login_required
@require_GET
def feedback_inbox(request: HttpRequest) -> HttpResponse:
    """Requests waiting for my answer, the ones I dealt with, and the ones I made."""
    me = person_for_user(request.user)
    if me is None:
        return render(request, "reviews/feedback_inbox.html", {"me": None})
    mine = selectors.feedback_list(user=request.user)
    to_me = list(mine.filter(respondent=me))
    made = list(mine.filter(requested_by=me))
    # Answers are evidence: point at the library of people whose library I may open.
    openable = selectors.library_openable(
        user=request.user, person_ids={fb.subject_id for fb in made}
    )
    for fb in made:
        fb.library_url = (  # type: ignore[attr-defined]
            reverse("reviews:my-evidence")
            if fb.subject_id == me.pk
            else reverse("reviews:person-evidence", args=[fb.subject_id])
            if fb.subject_id in openable
            else ""
        )
    return render(
        request,
        "reviews/feedback_inbox.html",
        {
            "waiting": [fb for fb in to_me if fb.status == FeedbackRequest.Status.PENDING],
            "done": [fb for fb in to_me if fb.status != FeedbackRequest.Status.PENDING],
            "made": made,
        },
    )


def _feedback_form(
    request: HttpRequest, me: Person, data: Any = None, initial: dict[str, Any] | None = None
) -> FeedbackRequestForm:
    subjects = person_choices(user=request.user).filter(
        Q(pk=me.pk) | Q(pk__in=reporting_chain_ids(me))
    )
    # An intentional directory of colleagues: anyone active can be asked for feedback
    # (the picker shows their name and team, which is all the directory gives).
    respondents = person_directory(user=request.user)
    subject = (initial or {}).get("subject")
    if subject is not None:
        respondents = respondents.exclude(pk=subject.pk)
    cycles = selectors.cycle_list(user=request.user).filter(status=OPEN)
    return FeedbackRequestForm(
        data,
        initial=initial,
        subjects=subjects,
        respondents=respondents,
        cycles=cycles,
        me=me,
    )


@login_required
@require_http_methods(["GET", "POST"])
def feedback_new(request: HttpRequest) -> HttpResponse:
    """A manager asks for feedback on someone in their chain, or anyone on themselves."""
    me = person_for_user(request.user)
    if me is None:
        if request.method == "POST":
            raise PermissionDenied("Your account has no person record.")
        return render(request, "reviews/feedback_new.html", {"form": None})
    initial: dict[str, Any] = {"subject": me}
    # parse_id, not str.isdigit(): "²" is a digit to Python and 10**30 overflows the column.
    wanted = parse_id(request.GET.get("subject", ""))
    if wanted is not None:
        preselected = (
            person_choices(user=request.user)
            .filter(Q(pk=me.pk) | Q(pk__in=reporting_chain_ids(me)), pk=wanted)
            .first()
        )
        if preselected is not None:
            initial["subject"] = preselected
    form = _feedback_form(request, me, request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                fb = feedback_request_create(
                    actor=signed_in(request.user),
                    cycle=data["cycle"],
                    subject=data["subject"],
                    respondent=data["respondent"],
                    relationship=data["relationship"],
                    message=data["message"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            except ConflictError as exc:
                form.add_error(None, exc.message)
                status = 409
            else:
                about = "you" if fb.subject_id == me.pk else fb.subject.full_name
                messages.success(
                    request, f"Asked {fb.respondent.full_name} for feedback on {about}."
                )
                return redirect("reviews:feedback-inbox")
    has_cycle = selectors.cycle_list(user=request.user).filter(status=OPEN).exists()
    return render(
        request, "reviews/feedback_new.html", {"form": form, "has_cycle": has_cycle}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def feedback_answer_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The respondent answers (or declines); everyone else in scope sees the status."""
    fb = selectors.feedback_get(user=request.user, pk=pk)
    me = person_for_user(request.user)
    is_respondent = me is not None and fb.respondent_id == me.pk
    form = FeedbackAnswerForm(request.POST or None)
    error = ""
    status = 200
    if request.method == "POST":
        if not is_respondent:
            raise PermissionDenied("Only the person asked can answer.")
        status = 400
        try:
            if "decline" in request.POST:
                feedback_decline(actor=signed_in(request.user), request=fb)
                messages.success(request, f"You declined to give feedback on {fb.subject}.")
                return redirect("reviews:feedback-inbox")
            if form.is_valid():
                feedback_answer(actor=signed_in(request.user), request=fb, **form.cleaned_data)
                messages.success(
                    request,
                    f"Thank you. Your feedback on {fb.subject} was saved and added to "
                    "their evidence, with your name on it.",
                )
                return redirect("reviews:feedback-inbox")
        except ValidationError as exc:
            form.add_error(None, exc)
        except ConflictError as exc:
            error = exc.message
            status = 409
            fb = selectors.feedback_get(user=request.user, pk=pk)
    # The answer is evidence on the subject: link to it where the viewer may open it.
    library_url = ""
    if fb.evidence_id and me is not None:
        if me.pk == fb.subject_id:
            library_url = reverse("reviews:my-evidence") + f"#evidence-{fb.evidence_id}"
        elif selectors.library_openable(user=request.user, person_ids=[fb.subject_id]):
            library_url = (
                reverse("reviews:person-evidence", args=[fb.subject_id])
                + f"#evidence-{fb.evidence_id}"
            )
    context = {
        "fb": fb,
        "form": form,
        "is_respondent": is_respondent,
        "can_answer": is_respondent and fb.status == FeedbackRequest.Status.PENDING,
        "error": error,
        "library_url": library_url,
    }
    return render(request, "reviews/feedback_answer.html", context, status=status)
