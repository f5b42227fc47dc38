"""The engineer's outcome letter (SPEC §1.5): the final rating, what it means at their
level, what it rests on and why, as a page and as a PDF with the same content.

Who may read it, and from when, is calibration.selectors.letter_review_get's (404 for
reviews the user may not see; subjects see theirs only once released). The letter exists
once the cycle is released: before that the page and the PDF answer 409 with an
explanation.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from calibration import documents, selectors
from calibration.selectors import appeals
from org.selectors import person_for_user
from org.services import access_log_record
from reviews.models import Review


def _not_ready(request: HttpRequest, review: Review) -> HttpResponse:
    return render(
        request,
        "calibration/letter_page.html",
        {"review": review, "not_ready": True, "is_subject": _is_subject(request, review)},
        status=409,
    )


def _is_subject(request: HttpRequest, review: Review) -> bool:
    me = person_for_user(request.user)
    return me is not None and me.pk == review.subject_id


@login_required
@require_GET
def letter(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        review = selectors.letter_review_get(user=request.user, pk=pk)
    except selectors.LetterNotReady as exc:
        return _not_ready(request, exc.review)
    access_log_record(
        user=request.user, action="outcome_letter_page", target=review, path=request.path
    )
    return render(
        request,
        "calibration/letter_page.html",
        {
            **documents.letter_context(review),
            "is_subject": _is_subject(request, review),
            # The appeal the reader may see, or the subject's way to open one.
            "appeal_panel": appeals.review_appeal(user=request.user, review=review),
        },
    )


@login_required
@require_GET
def letter_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        return documents.letter_deliver(user=request.user, pk=pk, path=request.path)
    except selectors.LetterNotReady as exc:
        return _not_ready(request, exc.review)
