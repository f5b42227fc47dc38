"""Check-in pages: a manager's chain with their latest check-in, one person's timeline,
and promoting a prompt to evidence. Check-ins are the person's and their managers' only
(reviews.selectors.check_in_person_get, check_in_list)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.html import format_html
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from org.models import Person
from org.selectors import person_for_user
from org.types import signed_in
from reviews import selectors
from reviews.forms.check_ins import PROMPT_LABELS, CheckInForm, PromoteForm
from reviews.models import CheckIn
from reviews.services.check_ins import check_in_create, check_in_promote
from reviews.services.evidence import HAND_KIND_CHOICES
from reviews.views.evidence import library_url

# The words a promoted check-in item's title starts with.
PROMOTE_TITLE_WORDS = 8


@login_required
@require_GET
def check_ins(request: HttpRequest) -> HttpResponse:
    """A manager's whole chain with their latest check-in; everyone's own timeline."""
    people = list(selectors.check_in_people(user=request.user))
    return render(request, "reviews/check_in_index.html", {"people": people})


def _first_words(text: str) -> str:
    words = text.split()
    title = " ".join(words[:PROMOTE_TITLE_WORDS]).rstrip(".,;:!?")
    if len(words) > PROMOTE_TITLE_WORDS:
        title += "…"
    return title[:200]


def _timeline(
    request: HttpRequest,
    person: Person,
    *,
    form: CheckInForm | None = None,
    promote_error: str = "",
    status: int = 200,
) -> HttpResponse:
    me = person_for_user(request.user)
    entries = []
    for ci in selectors.check_in_list(user=request.user).filter(person=person):
        prompts = [
            {
                "key": key,
                "label": PROMPT_LABELS[key],
                "text": getattr(ci, key),
                "title": _first_words(getattr(ci, key)),
            }
            for key in CheckIn.PROMPTS
        ]
        entries.append({"check_in": ci, "prompts": prompts})
    context = {
        "person": person,
        "own": me is not None and me.pk == person.pk,
        "entries": entries,
        "form": form or CheckInForm(),
        "kinds": HAND_KIND_CHOICES,
        "promote_error": promote_error,
    }
    return render(request, "reviews/check_in_timeline.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def person_check_ins(request: HttpRequest, pk: int) -> HttpResponse:
    """One person's check-ins, newest first, with a form for the next one."""
    person = selectors.check_in_person_get(user=request.user, pk=pk)
    if request.method != "POST":
        return _timeline(request, person)
    form = CheckInForm(request.POST)
    if form.is_valid():
        try:
            check_in_create(actor=signed_in(request.user), person=person, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                f"Check-in of {date_format(form.cleaned_data['occurred_on'], 'j F Y')} saved.",
            )
            return redirect("reviews:person-check-ins", pk=person.pk)
    return _timeline(request, person, form=form, status=400)


@login_required
@require_POST
def check_in_promote_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Turn one prompt of a check-in into an evidence item on the person."""
    ci = selectors.check_in_get(user=request.user, pk=pk)
    form = PromoteForm(request.POST)
    if form.is_valid():
        try:
            item = check_in_promote(actor=signed_in(request.user), check_in=ci, **form.cleaned_data)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            url = library_url(request, ci.person) + f"#evidence-{item.pk}"
            messages.success(
                request,
                format_html('Promoted to evidence: <a href="{}">{}</a>', url, item.title),
            )
            return redirect("reviews:person-check-ins", pk=ci.person_id)
    else:
        error = "Give the evidence a title and choose its kind."
    return _timeline(request, ci.person, promote_error=error, status=400)
