"""The manager's review workspace, the review editor's actions with their live quality
checks, and the read view of a review (SPEC §2 reviews, §3 visibility).

Who may do what is decided by reviews.selectors (review_get → 404 for reviews the user may
not see, review_can_write → 403 for readers who may not write) and reviews.services; the
editor page itself is built in reviews.views.review_editor.
"""

from __future__ import annotations

from collections import Counter
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import ConflictError, StaleVersionError
from core.page_cache import cached_page
from org.models import Person
from org.selectors import is_hr, person_for_user, person_list
from org.types import signed_in
from reviews import selectors
from reviews.appeal_hook import review_appeal
from reviews.contents import stored_contents, stored_panel
from reviews.forms.reviews import NARRATIVE_PROMPTS, AcknowledgeForm, StartReviewForm
from reviews.lint import ERROR, INFO, WARNING
from reviews.models import Review, ReviewCycle
from reviews.services.contents import reviews_contents_refresh
from reviews.services.reviews import (
    review_acknowledge,
    review_create,
    review_submit,
    review_update,
    review_write_refusal,
)
from reviews.views.review_editor import (
    Editor,
    closed_cycle_redirect,
    conflict_page,
    editor_for,
    evidence_row,
    lint_context,
    rebind,
    render_editor,
    split_problems,
    writable_review,
)

NOT_STARTED = "not_started"
STATUS_LABELS = {NOT_STARTED: "Not started", **dict(Review.Status.choices)}


# --- Workspace -------------------------------------------------------------------------


@login_required
@require_GET
@cached_page
def workspace(request: HttpRequest) -> HttpResponse:
    """Everyone in the viewer's reporting chain, by team, with their review in a cycle."""
    me = person_for_user(request.user)
    cycles = list(
        selectors.cycle_list(user=request.user)
        .exclude(status=ReviewCycle.Status.DRAFT)
        .prefetch_related(None)
    )
    if "cycle" in request.GET:
        cycle = next((c for c in cycles if str(c.pk) == request.GET["cycle"]), None)
        if cycle is None:
            raise Http404("No such cycle.")
    else:
        cycle = selectors.cycle_current(among=cycles)

    people: list[Person] = []
    chain = selectors.chain_ids(me) if me is not None else []
    # (A long chain is a subquery, never empty: only an empty list means nobody.)
    if me is not None and (chain or not isinstance(chain, list)):
        people = list(
            selectors.chain_people(me=me, chain=chain).order_by(
                F("team__name").asc(nulls_last=True), "full_name", "id"
            )
        )
    reviews: dict[int, Review] = {}
    if me is not None and cycle is not None and people:
        reviews = {
            r.subject_id: r
            for r in selectors.chain_reviews(me=me, chain=chain)
            .filter(cycle=cycle)
            .select_related("author")
        }
        # The drafts' "to fix" counts come from the checks stored with each review.
        reviews_contents_refresh(reviews.values())

    groups: list[dict[str, Any]] = []
    counts: Counter[str] = Counter()
    for person in people:
        review = reviews.get(person.pk)
        status = review.status if review else NOT_STARTED
        counts[status] += 1
        lint = None
        if review is not None and review.status == Review.Status.DRAFT:
            # The same list as the editor's panel: what stops submission, then findings.
            found = Counter(f.severity for f in stored_panel(review))
            lint = {"errors": found[ERROR], "others": found[WARNING] + found[INFO]}
        row = {
            "person": person,
            "review": review,
            "status": status,
            "status_label": STATUS_LABELS[status],
            "lint": lint,
            "reviewable": bool(person.ladder_id and person.level),
            "can_start": (
                review is None
                and cycle is not None
                and cycle.status == ReviewCycle.Status.OPEN
                and bool(person.ladder_id and person.level)
            ),
        }
        team = person.team.name if person.team else "No team"
        if not groups or groups[-1]["team"] != team:
            groups.append({"team": team, "rows": []})
        groups[-1]["rows"].append(row)

    # The viewer's own reviews, once released to them (SPEC §3).
    own_reviews = (
        list(
            selectors.own_released_reviews(me=me)
            .select_related("cycle")
            .order_by("-cycle__starts_on")
        )
        if me is not None
        else []
    )
    return render(
        request,
        "reviews/review_workspace.html",
        {
            "own_reviews": own_reviews,
            "cycle": cycle,
            "cycles": cycles,
            "groups": groups,
            "people_count": len(people),
            "summary": [(STATUS_LABELS[s], counts[s]) for s in STATUS_LABELS if counts[s]],
            "viewer_is_hr": is_hr(request.user),
        },
    )


@login_required
@require_POST
def start(request: HttpRequest) -> HttpResponse:
    """Start a review from the workspace; any refusal comes back there as a message."""
    form = StartReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a person and a cycle to start a review.")
        return redirect("reviews:workspace")
    cycle = selectors.cycle_list(user=request.user).filter(pk=form.cleaned_data["cycle"]).first()
    back = reverse("reviews:workspace")
    if cycle is not None and cycle.status != ReviewCycle.Status.DRAFT:
        back += "?" + urlencode({"cycle": cycle.pk})
    if cycle is None:
        messages.error(request, "No such review cycle.")
        return redirect(back)
    # Someone the user cannot see gets the same answer as someone outside their chain.
    subject = person_list(user=request.user).filter(pk=form.cleaned_data["subject"]).first()
    if subject is None:
        messages.error(request, "You can review people in your reporting chain only.")
        return redirect(back)
    try:
        review = review_create(actor=signed_in(request.user), cycle=cycle, subject=subject)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except ConflictError as exc:
        messages.error(request, exc.message)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"You started the review of {subject.full_name}.")
        return redirect("reviews:edit", pk=review.pk)
    return redirect(back)


@login_required
@require_http_methods(["GET", "POST"])
@cached_page  # the GET: kept per viewer until anything is written
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    review = writable_review(request, pk)
    if review.status != Review.Status.DRAFT:
        messages.info(
            request, f"This review is {review.get_status_display().lower()}: only drafts change."
        )
        return redirect("reviews:detail", pk=review.pk)
    if (closed := closed_cycle_redirect(request, review)) is not None:
        return closed
    editor = editor_for(request, review)
    if request.method == "GET":
        return render_editor(request, editor, editor.form())

    form = editor.form(request.POST)
    if not form.is_valid():
        return render_editor(request, editor, form, status=400)
    try:
        saved = review_update(
            actor=signed_in(request.user),
            review=review,
            version=form.cleaned_data["version"],
            **form.content(),
        )
    except StaleVersionError:
        return conflict_page(request, editor, form)
    except ValidationError as exc:
        problems = split_problems(form, exc)
        return render_editor(request, editor, form, status=400, problems=problems)
    except ConflictError as exc:
        messages.error(request, exc.message)
        return redirect("reviews:detail", pk=review.pk)
    if saved.version == form.cleaned_data["version"]:
        messages.info(
            request, f"Nothing to save: the draft is unchanged at version {saved.version}."
        )
    else:
        messages.success(request, f"Saved. The draft is now at version {saved.version}.")
    return redirect("reviews:edit", pk=review.pk)


@login_required
@require_POST
def lint(request: HttpRequest, pk: int) -> HttpResponse:
    """The quality checks for the unsaved content of the editor (htmx partial)."""
    review = writable_review(request, pk)
    editor = editor_for(request, review)
    form = editor.form(request.POST)
    form.is_valid()  # checks what is valid; the rest counts as empty
    findings = editor.lint_form(form)
    return render(request, "reviews/_lint.html", lint_context(editor, findings, unsaved=True))


@login_required
@require_POST
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Submit for calibration. From the editor the content on screen is saved first, so
    nothing typed is lost; a refusal re-renders the editor naming every missing piece."""
    review = writable_review(request, pk)
    if review.status != Review.Status.DRAFT:
        messages.info(request, f"This review is already {review.get_status_display().lower()}.")
        return redirect("reviews:detail", pk=review.pk)
    if (closed := closed_cycle_redirect(request, review)) is not None:
        return closed
    editor = editor_for(request, review)
    form = editor.form(request.POST)
    if not form.is_valid():
        return render_editor(
            request, editor, form, status=400, error_heading="The review was not submitted"
        )
    version = form.cleaned_data["version"]
    with_content = form.cleaned_data.get("with_content")
    note = ""
    try:
        if with_content:
            review = review_update(
                actor=signed_in(request.user), review=review, version=version, **form.content()
            )
            if review.version != version:  # a save that changes nothing writes nothing
                version = review.version
                note = f"Your changes were saved as version {version}."
        review = review_submit(actor=signed_in(request.user), review=review, version=version)
    except StaleVersionError:
        return conflict_page(request, editor, form)
    except ValidationError as exc:
        # The save may have gone through: show the review as it is now, with the input.
        current = selectors.review_get(user=request.user, pk=review.pk)
        reviews_contents_refresh([current])
        editor = Editor(review=current, rubric=editor.rubric, evidence=editor.evidence)
        form = rebind(editor, form, version) if with_content else editor.form()
        problems = split_problems(form, exc)
        return render_editor(
            request,
            editor,
            form,
            status=400,
            problems=problems,
            note=note,
            error_heading="The review was not submitted",
        )
    except ConflictError as exc:
        messages.error(request, exc.message)
        return redirect("reviews:detail", pk=review.pk)
    messages.success(
        request,
        f"The review of {review.subject.full_name} is submitted for calibration.",
    )
    return redirect("reviews:detail", pk=review.pk)


# --- Read view and acknowledgement -----------------------------------------------------


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    review = selectors.review_get(user=request.user, pk=pk)
    me = person_for_user(request.user)
    rubric = selectors.rubric_context(review)
    ratings = {r["rating"].key: r for r in rubric["ratings"]}
    assessments = {a.competency: a for a in review.assessments.all()}
    # The narrative HTML is the sanitised HTML stored with the review (reviews.contents).
    reviews_contents_refresh([review])
    contents = stored_contents(review)
    html = {a["competency"]: a["narrative_html"] for a in contents["assessments"]}
    # Reading a review does not open its evidence: a committee member reads it through
    # their session, but the evidence only while that session is open (SPEC §3), so
    # each item is shown only when the evidence selector shows it to the reader.
    readable = set(
        selectors.evidence_list(user=request.user)
        .filter(person_id=review.subject_id)
        .values_list("pk", flat=True)
    )
    period = (review.cycle.starts_on, review.cycle.ends_on)
    competencies = []
    for item in rubric["competencies"]:
        a = assessments.get(item["competency"].key)
        cited = list(a.evidence.all()) if a else []
        competencies.append(
            {
                **item,
                "assessment": a,
                # Stored by reviews.contents from render_markdown (nh3-sanitised) only.
                "narrative_html": mark_safe(html.get(item["competency"].key, "")),  # noqa: S308
                "rating": ratings.get(a.rating) if a and a.rating else None,
                "unknown_rating": a.rating if a and a.rating not in ratings else "",
                "evidence": [evidence_row(e, set(), period) for e in cited if e.pk in readable],
                "evidence_hidden": sum(1 for e in cited if e.pk not in readable),
            }
        )
    is_subject = me is not None and me.pk == review.subject_id
    writable_now = review_write_refusal(review) is None
    return render(
        request,
        "reviews/review_detail.html",
        {
            "review": review,
            "subject": review.subject,
            "rubric": rubric,
            "narrative": [
                (
                    label,
                    getattr(review, section),
                    # Stored by reviews.contents from render_markdown (nh3-sanitised) only.
                    mark_safe(contents["narrative_html"][section]),  # noqa: S308
                )
                for section, (label, _hint) in NARRATIVE_PROMPTS.items()
            ],
            "competencies": competencies,
            "overall": ratings.get(review.overall_rating),
            "final": ratings.get(review.final_rating),
            "is_subject": is_subject,
            "can_edit": writable_now
            and selectors.review_can_write(user=request.user, review=review),
            "ack_form": (
                AcknowledgeForm()
                if is_subject and review.status == Review.Status.RELEASED
                else None
            ),
            # The appeal the viewer may see, or the subject's way to open one (SPEC §11.3).
            "appeal": review_appeal(user=request.user, review=review),
        },
    )


@login_required
@require_POST
def acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    review = selectors.review_get(user=request.user, pk=pk)
    me = person_for_user(request.user)
    if me is None or me.pk != review.subject_id:
        raise PermissionDenied("Only the person reviewed can acknowledge their review.")
    form = AcknowledgeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Keep your response under 8,000 characters.")
        return redirect("reviews:detail", pk=review.pk)
    try:
        review_acknowledge(
            actor=signed_in(request.user), review=review, response=form.cleaned_data["response"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except ConflictError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Thank you. Your acknowledgement is recorded.")
    return redirect("reviews:detail", pk=review.pk)
