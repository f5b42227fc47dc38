"""HTML pages for evidence libraries, feedback requests, check-ins and review cycles.

Each view reads top to bottom: decorators → selector → form → service → redirect or
render. Who may see what is decided by the selectors (SPEC §3); the few extra rules
here (only the person, their managers and HR open a library) are spelled out inline.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import ConflictError
from core.fields import parse_id
from org.models import Person
from org.selectors import (
    is_hr,
    person_choices,
    person_directory,
    person_for_user,
    person_get,
    person_in_chain,
    reporting_chain_ids,
)
from reviews import selectors, services
from reviews.evidence_links import classify_url
from reviews.forms_library import (
    DETECT,
    PROMPT_LABELS,
    URL_SCHEMES,
    CheckInForm,
    CycleForm,
    EvidenceForm,
    FeedbackAnswerForm,
    FeedbackRequestForm,
    PromoteForm,
    TransitionForm,
)
from reviews.models import CheckIn, Evidence, FeedbackRequest, Review, ReviewCycle
from rubrics.models import RubricVersion
from rubrics.selectors import rubric_version_list

Status = ReviewCycle.Status

# How many late people the cycle page lists before it only gives the count.
LATE_LIST_LIMIT = 300
# The words a promoted check-in item's title starts with.
PROMOTE_TITLE_WORDS = 8

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


def _is_in_chain(me: Person | None, person: Person) -> bool:
    """True when ``person`` reports to ``me`` at any depth."""
    return me is not None and person_in_chain(manager=me, person=person)


def _conflict_message(exc: ConflictError) -> str:
    return exc.message


# --- Evidence --------------------------------------------------------------------------


def _library_person(request: HttpRequest, pk: int) -> Person:
    """Someone's library: open to the person, their managers (whole chain) and HR.

    Teammates can see each other's names (person_get) but not each other's evidence,
    so they get the same 404 as anyone else.
    """
    person = person_get(user=request.user, pk=pk)
    me = person_for_user(request.user)
    if is_hr(request.user) or (me is not None and me.pk == person.pk):
        return person
    if not _is_in_chain(me, person):
        raise Http404("No such person.")
    return person


def _evidence_page(request: HttpRequest, person: Person, *, own: bool) -> HttpResponse:
    can_add = selectors.person_can_add_evidence(user=request.user, person=person)
    form = EvidenceForm(request.POST or None, initial={"occurred_on": timezone.localdate()})
    status = 200
    if request.method == "POST":
        if not can_add:
            raise PermissionDenied("You can read this library but not add to it.")
        if form.is_valid():
            data = form.cleaned_data
            try:
                item = services.evidence_create(
                    actor=request.user,
                    person=person,
                    title=data["title"],
                    occurred_on=data["occurred_on"],
                    kind=data["kind"],
                    url=data["url"],
                    summary=data["summary"],
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
                return redirect(_library_url(request, person))
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
    for item in items_qs.select_related("added_by__person"):
        # Only http(s) links become links, whatever reached the database by other routes.
        item.safe_url = item.url if item.url.lower().startswith(URL_SCHEMES) else ""  # type: ignore[attr-defined]
        item.link_label = classify_url(item.safe_url).label  # type: ignore[attr-defined]
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
        "library_url": _library_url(request, person),
    }
    return render(request, "reviews/evidence_library.html", context, status=status)


def _library_url(request: HttpRequest, person: Person) -> str:
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
    person = _library_person(request, pk)
    me = person_for_user(request.user)
    return _evidence_page(request, person, own=me is not None and me.pk == person.pk)


# --- Feedback --------------------------------------------------------------------------


@login_required
def feedback_inbox(request: HttpRequest) -> HttpResponse:
    """Requests waiting for my answer, the ones I dealt with, and the ones I made."""
    me = person_for_user(request.user)
    if me is None:
        return render(request, "reviews/feedback_inbox.html", {"me": None})
    mine = selectors.feedback_list(user=request.user)
    to_me = list(mine.filter(respondent=me))
    made = list(mine.filter(requested_by=me))
    # Answers are evidence: point at the library of people whose library I may open.
    chain = set(reporting_chain_ids(me).values_list("pk", flat=True))
    hr = is_hr(request.user)
    for fb in made:
        fb.library_url = (  # type: ignore[attr-defined]
            reverse("reviews:my-evidence")
            if fb.subject_id == me.pk
            else reverse("reviews:person-evidence", args=[fb.subject_id])
            if hr or fb.subject_id in chain
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
    cycles = selectors.cycle_list(user=request.user).filter(status=Status.OPEN)
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
                fb = services.feedback_request_create(
                    actor=request.user,
                    cycle=data["cycle"],
                    subject=data["subject"],
                    respondent=data["respondent"],
                    relationship=data["relationship"],
                    message=data["message"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            except ConflictError as exc:
                form.add_error(None, _conflict_message(exc))
                status = 409
            else:
                about = "you" if fb.subject_id == me.pk else fb.subject.full_name
                messages.success(
                    request, f"Asked {fb.respondent.full_name} for feedback on {about}."
                )
                return redirect("reviews:feedback-inbox")
    has_cycle = selectors.cycle_list(user=request.user).filter(status=Status.OPEN).exists()
    return render(
        request, "reviews/feedback_new.html", {"form": form, "has_cycle": has_cycle}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def feedback_answer(request: HttpRequest, pk: int) -> HttpResponse:
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
                services.feedback_decline(actor=request.user, request=fb)
                messages.success(request, f"You declined to give feedback on {fb.subject}.")
                return redirect("reviews:feedback-inbox")
            if form.is_valid():
                services.feedback_answer(actor=request.user, request=fb, **form.cleaned_data)
                messages.success(
                    request,
                    f"Thank you. Your feedback on {fb.subject} was saved and added to "
                    "their evidence, with your name on it.",
                )
                return redirect("reviews:feedback-inbox")
        except ValidationError as exc:
            form.add_error(None, exc)
        except ConflictError as exc:
            error = _conflict_message(exc)
            status = 409
            fb = selectors.feedback_get(user=request.user, pk=pk)
    # The answer is evidence on the subject: link to it where the viewer may open it.
    library_url = ""
    if fb.evidence_id and me is not None:
        if me.pk == fb.subject_id:
            library_url = reverse("reviews:my-evidence") + f"#evidence-{fb.evidence_id}"
        elif is_hr(request.user) or _is_in_chain(me, fb.subject):
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


# --- Check-ins -------------------------------------------------------------------------


@login_required
def check_ins(request: HttpRequest) -> HttpResponse:
    """A manager's whole chain with their latest check-in; everyone's own timeline."""
    me = person_for_user(request.user)
    people: list[Person] = []
    if me is not None:
        people = list(
            Person.objects.without_tree_fields()
            .filter(pk__in=reporting_chain_ids(me), is_active=True)
            .select_related("team", "parent")
            .annotate(last_check_in=Max("check_ins__occurred_on"))
            .order_by("full_name", "id")
        )
    return render(request, "reviews/check_in_index.html", {"people": people})


def _check_in_person(request: HttpRequest, pk: int) -> Person:
    """Check-ins belong to the person and their managers: HR and peers get a 404 too."""
    person = person_get(user=request.user, pk=pk)
    me = person_for_user(request.user)
    if me is None or not (me.pk == person.pk or _is_in_chain(me, person)):
        raise Http404("No such person.")
    return person


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
        "kinds": services.HAND_KIND_CHOICES,
        "promote_error": promote_error,
    }
    return render(request, "reviews/check_in_timeline.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def person_check_ins(request: HttpRequest, pk: int) -> HttpResponse:
    """One person's check-ins, newest first, with a form for the next one."""
    person = _check_in_person(request, pk)
    if request.method != "POST":
        return _timeline(request, person)
    form = CheckInForm(request.POST)
    if form.is_valid():
        try:
            services.check_in_create(actor=request.user, person=person, **form.cleaned_data)
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
def check_in_promote(request: HttpRequest, pk: int) -> HttpResponse:
    """Turn one prompt of a check-in into an evidence item on the person."""
    ci = selectors.check_in_get(user=request.user, pk=pk)
    form = PromoteForm(request.POST)
    if form.is_valid():
        try:
            item = services.check_in_promote(actor=request.user, check_in=ci, **form.cleaned_data)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            url = _library_url(request, ci.person) + f"#evidence-{item.pk}"
            messages.success(
                request,
                format_html('Promoted to evidence: <a href="{}">{}</a>', url, item.title),
            )
            return redirect("reviews:person-check-ins", pk=ci.person_id)
    else:
        error = "Give the evidence a title and choose its kind."
    return _timeline(request, ci.person, promote_error=error, status=400)


# --- Cycles ----------------------------------------------------------------------------


def _require_hr(request: HttpRequest) -> None:
    # Cycle administration is HR's; to anyone else these pages do not exist.
    if not is_hr(request.user):
        raise Http404("No such page.")


def _published_versions(request: HttpRequest) -> QuerySet[RubricVersion]:
    return rubric_version_list(user=request.user).filter(status=RubricVersion.Status.PUBLISHED)


@login_required
@require_http_methods(["GET", "POST"])
def cycles(request: HttpRequest) -> HttpResponse:
    """HR's list of review cycles and the form to create one."""
    _require_hr(request)
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
            try:
                cycle = services.cycle_create(
                    actor=request.user,
                    name=data["name"],
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                    rubric_versions=list(data["rubric_versions"]),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, f"Cycle “{cycle.name}” created as a draft.")
                return redirect("reviews:cycle", pk=cycle.pk)
    all_cycles = selectors.cycle_list(user=request.user).prefetch_related("rubric_versions__ladder")
    return render(
        request, "reviews/cycle_list.html", {"cycles": all_cycles, "form": form}, status=status
    )


def _cycle_progress(cycle: ReviewCycle) -> dict[str, Any]:
    """Per-team counts of review states and the people who are late, in three queries.

    "Not started" is an active person on a ladder with no review in the cycle; "late"
    is not started or still a draft. The team is the subject's current team.
    """
    columns = ["not_started", "draft", "submitted", "calibrated", "released"]
    fold = {Review.Status.ACKNOWLEDGED: "released"}
    teams: dict[int | None, dict[str, Any]] = {}

    def row(team_id: int | None, name: str | None) -> Counter[str]:
        entry = teams.setdefault(team_id, {"name": name or "No team", "counts": Counter()})
        counts: Counter[str] = entry["counts"]
        return counts

    reviewed = (
        Review.objects.filter(cycle=cycle)
        .order_by()
        .values_list("subject__team_id", "subject__team__name", "status")
        .annotate(n=Count("id"))
    )
    for team_id, name, state, n in reviewed:
        row(team_id, name)[fold.get(state, state)] += n

    has_review = Review.objects.filter(cycle=cycle, subject=OuterRef("pk"))
    not_started = (
        Person.objects.without_tree_fields()
        .filter(is_active=True, ladder__isnull=False)
        .exclude(Exists(has_review))
        .order_by()
        .values_list("team_id", "team__name")
        .annotate(n=Count("id"))
    )
    for team_id, name, n in not_started:
        row(team_id, name)["not_started"] += n

    late_qs = (
        Person.objects.without_tree_fields()
        .filter(is_active=True)
        .annotate(review_status=Subquery(has_review.values("status")[:1]))
        .filter(
            Q(review_status__isnull=True, ladder__isnull=False)
            | Q(review_status=Review.Status.DRAFT)
        )
        .select_related("team", "parent")
        .order_by("team__name", "full_name", "id")
    )
    late = list(late_qs[: LATE_LIST_LIMIT + 1])
    rows = sorted(teams.values(), key=lambda r: (r["name"] == "No team", r["name"]))
    totals: Counter[str] = Counter()
    for r in rows:
        totals.update(r["counts"])
        r["cells"] = [r["counts"][c] for c in columns]
    return {
        "team_rows": rows,
        "totals": [totals[c] for c in columns],
        "late": late[:LATE_LIST_LIMIT],
        "late_truncated": len(late) > LATE_LIST_LIMIT,
        "late_limit": LATE_LIST_LIMIT,
    }


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
        for to in sorted(services.CYCLE_TRANSITIONS[Status(cycle.status)])
    ]
    context: dict[str, Any] = {
        "cycle": cycle,
        "versions": sorted(cycle.rubric_versions.all(), key=lambda v: v.ladder.name),
        "moves": moves,
        "problems": (services.cycle_open_problems(cycle) if cycle.status == Status.DRAFT else []),
        "error": error,
        "form": form,
        **_cycle_progress(cycle),
    }
    return render(request, "reviews/cycle_detail.html", context, status=status)


def _cycle(request: HttpRequest, pk: int) -> ReviewCycle:
    _require_hr(request)
    qs = selectors.cycle_list(user=request.user).prefetch_related("rubric_versions__ladder")
    try:
        return qs.get(pk=pk)
    except ReviewCycle.DoesNotExist as exc:
        raise Http404("No such cycle.") from exc


@login_required
def cycle_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Progress of one cycle for HR, and the next move it can make."""
    cycle = _cycle(request, pk)
    return _cycle_page(request, cycle)


@login_required
@require_POST
def cycle_transition(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a cycle along draft → open → calibrating → finalized → released."""
    cycle = _cycle(request, pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        return _cycle_page(request, cycle, form=form, status=400)
    to = form.cleaned_data["to"]
    try:
        cycle = services.cycle_transition(actor=request.user, cycle=cycle, to=to)
    except ValidationError as exc:
        return _cycle_page(request, cycle, error=" ".join(exc.messages), status=400)
    except ConflictError as exc:
        return _cycle_page(request, cycle, error=_conflict_message(exc), status=409)
    messages.success(request, f"“{cycle.name}” is now {cycle.get_status_display().lower()}.")
    return redirect("reviews:cycle", pk=cycle.pk)
