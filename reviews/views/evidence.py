"""The evidence library pages: the signed-in person's own, and someone else's for their
managers (read and add) and HR (read only). Who may open which library is
reviews.selectors.library_person_get."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_http_methods, require_POST

from org.models import Person
from org.selectors import is_hr, person_for_user
from org.types import signed_in
from reviews import selectors
from reviews.evidence_links import classify_url
from reviews.forms.evidence import DETECT, URL_SCHEMES, EvidenceForm
from reviews.models import Evidence
from reviews.selectors.growth import competency_choices
from reviews.services.evidence import evidence_competencies_set, evidence_create


def _evidence_page(request: HttpRequest, person: Person, *, own: bool) -> HttpResponse:
    can_add = selectors.person_can_add_evidence(user=request.user, person=person)
    choices = competency_choices(person)
    form = EvidenceForm(
        request.POST or None,
        initial={"occurred_on": timezone.localdate()},
        competency_choices=choices,
    )
    status = 200
    if request.method == "POST":
        if not can_add:
            raise PermissionDenied("You can read this library but not add to it.")
        if form.is_valid():
            data = form.cleaned_data
            try:
                item = evidence_create(
                    actor=signed_in(request.user),
                    person=person,
                    title=data["title"],
                    occurred_on=data["occurred_on"],
                    kind=data["kind"],
                    url=data["url"],
                    summary=data["summary"],
                    competencies=data.get("competencies") or [],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                detected = data["kind"] == DETECT and item.kind != Evidence.Kind.OTHER
                note = (
                    f" The link was recognised as: {item.get_kind_display()}." if detected else ""
                )
                month = date_format(item.occurred_on, "F Y")
                messages.success(request, f"Added “{item.title}” under {month}.{note}")
                return redirect(library_url(request, person))
        status = 400

    items_qs = selectors.evidence_list(user=request.user).filter(person=person)
    kind_counts = {
        row["kind"]: row["n"] for row in items_qs.order_by().values("kind").annotate(n=Count("id"))
    }
    kind = request.GET.get("kind", "")
    if kind not in Evidence.Kind.values:
        kind = ""
    if kind:
        items_qs = items_qs.filter(kind=kind)
    months: list[dict[str, Any]] = []
    names = dict(choices)
    for item in items_qs.select_related("added_by__person"):
        # Only http(s) links become links, whatever reached the database by other routes.
        item.safe_url = item.url if item.url.lower().startswith(URL_SCHEMES) else ""  # type: ignore[attr-defined]
        item.link_label = classify_url(item.safe_url).label  # type: ignore[attr-defined]
        # Tags by name; a key a later rubric dropped still reads as what it was.
        item.competency_names = [names.get(k, k) for k in item.competencies or []]  # type: ignore[attr-defined]
        label = date_format(item.occurred_on, "F Y")
        if not months or months[-1]["label"] != label:
            months.append({"label": label, "slug": f"{item.occurred_on:%Y-%m}", "items": []})
        months[-1]["items"].append(item)
    context: dict[str, Any] = {
        "person": person,
        "own": own,
        "can_add": can_add,
        "form": form,
        "months": months,
        "kind": kind,
        "kind_label": Evidence.Kind(kind).label if kind else "",
        "kinds": [
            {"value": value, "label": label, "count": kind_counts[value]}
            for value, label in Evidence.Kind.choices
            if kind_counts.get(value)
        ],
        "total": sum(kind_counts.values()),
        "library_url": library_url(request, person),
        "competency_choices": choices,
        # Where they stand is for the person, their chain and HR: not a committee member.
        "growth_url": (
            reverse("reviews:my-growth")
            if own
            else reverse("reviews:person-growth", args=[person.pk])
            if can_add or is_hr(request.user)
            else ""
        ),
    }
    return render(request, "reviews/evidence_library.html", context, status=status)


def library_url(request: HttpRequest, person: Person) -> str:
    me = person_for_user(request.user)
    if me is not None and me.pk == person.pk:
        return reverse("reviews:my-evidence")
    return reverse("reviews:person-evidence", args=[person.pk])


@login_required
@require_http_methods(["GET", "POST"])
def my_evidence(request: HttpRequest) -> HttpResponse:
    """The signed-in person's own evidence library: a running brag document."""
    me = person_for_user(request.user)
    if me is None:
        if request.method == "POST":
            raise PermissionDenied("Your account has no person record.")
        return render(request, "reviews/evidence_library.html", {"person": None, "own": True})
    return _evidence_page(request, me, own=True)


@login_required
@require_http_methods(["GET", "POST"])
def person_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    """Someone else's library, for their managers (read and add) and HR (read only)."""
    person = selectors.library_person_get(user=request.user, pk=pk)
    me = person_for_user(request.user)
    return _evidence_page(request, person, own=me is not None and me.pk == person.pk)


@login_required
@require_POST
def evidence_competencies_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Re-tag one item of a library: the person and their managers (SPEC §11.2). The form
    offers only the rubric's competencies, so a refusal here is a hand-made request."""
    item = selectors.evidence_get(user=request.user, pk=pk)
    try:
        evidence_competencies_set(
            actor=signed_in(request.user),
            item=item,
            competencies=request.POST.getlist("competencies"),
        )
    except ValidationError as exc:
        return render(
            request, "reviews/growth_tags_error.html", {"errors": exc.messages}, status=400
        )
    messages.success(request, f"Saved the competencies of “{item.title}”.")
    return redirect(library_url(request, item.person) + f"#evidence-{item.pk}")
