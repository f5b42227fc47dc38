"""Where I stand (SPEC §11.2): the page and its PDF, for the person themself, their
manager chain and HR. What they show is reviews.selectors.growth.growth_for."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from core.pdf import render_pdf
from org.models import Person
from org.selectors import person_for_user
from org.services import access_log_record
from reviews.selectors.growth import growth_for, growth_person_get


def _context(request: HttpRequest, person: Person, *, own: bool) -> dict[str, Any]:
    return {"growth": growth_for(user=request.user, person=person), "person": person, "own": own}


@login_required
@require_GET
def my_growth(request: HttpRequest) -> HttpResponse:
    """The signed-in person's own page."""
    me = person_for_user(request.user)
    if me is None:
        return render(request, "reviews/growth.html", {"person": None, "own": True})
    return render(request, "reviews/growth.html", _context(request, me, own=True))


@login_required
@require_GET
def person_growth(request: HttpRequest, pk: int) -> HttpResponse:
    """Someone's page, for their manager chain and HR; a person's own id leads to their
    own page, so each has one address."""
    person = growth_person_get(user=request.user, pk=pk)
    me = person_for_user(request.user)
    if me is not None and me.pk == person.pk:
        return redirect("reviews:my-growth")
    return render(request, "reviews/growth.html", _context(request, person, own=False))


def _pdf(request: HttpRequest, person: Person, *, own: bool) -> HttpResponse:
    # One person's document renders in well under a second: no background task.
    pdf = render_pdf("reviews/growth_pdf.html", _context(request, person, own=own))
    access_log_record(user=request.user, action="growth_pdf", target=person, path=request.path)
    response = HttpResponse(pdf, content_type="application/pdf")
    name = slugify(person.full_name) or f"person-{person.pk}"
    response["Content-Disposition"] = f'inline; filename="where-i-stand-{name}.pdf"'
    return response


@login_required
@require_GET
def my_growth_pdf(request: HttpRequest) -> HttpResponse:
    me = person_for_user(request.user)
    if me is None:
        raise Http404("This account has no person record.")
    return _pdf(request, me, own=True)


@login_required
@require_GET
def person_growth_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    person = growth_person_get(user=request.user, pk=pk)
    me = person_for_user(request.user)
    if me is not None and me.pk == person.pk:
        return redirect("reviews:my-growth-pdf")
    return _pdf(request, person, own=False)
