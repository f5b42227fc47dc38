"""The engineer's outcome letter (SPEC §1.5): the final rating, what it means at their
level, what it rests on and why, as a page and as a PDF with the same content.

Who may read it is decided by reviews.selectors.review_get (404 for reviews the user may
not see; subjects see theirs only once released). The letter exists once the cycle is
released: before that the page and the PDF answer 409 with an explanation.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from calibration import documents
from org.selectors import person_for_user
from org.services import access_log_record
from reviews.models import Review
from reviews.selectors import review_get


def _not_ready(request: HttpRequest, review: Review, *, is_subject: bool) -> HttpResponse:
    return render(
        request,
        "calibration/letter_page.html",
        {"review": review, "not_ready": True, "is_subject": is_subject},
        status=409,
    )


def _is_subject(request: HttpRequest, review: Review) -> bool:
    me = person_for_user(request.user)
    return me is not None and me.pk == review.subject_id


@login_required
@require_GET
def letter(request: HttpRequest, pk: int) -> HttpResponse:
    review = review_get(user=request.user, pk=pk)
    is_subject = _is_subject(request, review)
    if review.status not in documents.LETTER_STATUSES:
        return _not_ready(request, review, is_subject=is_subject)
    access_log_record(
        user=request.user, action="outcome_letter_page", target=review, path=request.path
    )
    return render(
        request,
        "calibration/letter_page.html",
        {**documents.letter_context(review), "is_subject": is_subject},
    )


@login_required
@require_GET
def letter_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    review = review_get(user=request.user, pk=pk)
    if review.status not in documents.LETTER_STATUSES:
        return _not_ready(request, review, is_subject=_is_subject(request, review))
    pdf = documents.letter_pdf(review)
    access_log_record(user=request.user, action="outcome_letter", target=review, path=request.path)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="outcome-{review.pk}.pdf"'
    return response
