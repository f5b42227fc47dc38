"""The manager's review workspace, the review editor with its live quality checks, and the
read view of a review (SPEC §2 reviews, §3 visibility).

Who may do what is decided by reviews.selectors (review_get → 404 for reviews the user may
not see, review_can_write → 403 for readers who may not write) and reviews.services.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import ConflictError, StaleVersionError
from org.models import Person
from org.selectors import is_hr, person_for_user, person_list, reporting_chain_ids
from reviews import selectors, services
from reviews.forms import (
    NARRATIVE_PROMPTS,
    AcknowledgeForm,
    ReviewForm,
    StartReviewForm,
    evidence_name,
    narrative_name,
    rating_name,
)
from reviews.lint import (
    ERROR,
    INFO,
    WARNING,
    EvidenceInfo,
    Finding,
    lint_content,
    lint_review,
    review_blockers,
    rubric_competencies,
    submit_blockers,
    with_blockers,
)
from reviews.lint import load_terms as load_lint_terms
from reviews.models import Evidence, Review, ReviewCycle

NOT_STARTED = "not_started"
STATUS_LABELS = {NOT_STARTED: "Not started", **dict(Review.Status.choices)}

# (severity, heading, what the summary line calls it)
LINT_GROUPS = (
    (ERROR, "Must fix before submitting", "to fix"),
    (WARNING, "Worth a second look", "worth a second look"),
    (INFO, "For your information", "for information"),
)


# --- Workspace -------------------------------------------------------------------------


@login_required
@require_GET
def workspace(request: HttpRequest) -> HttpResponse:
    """Everyone in the viewer's reporting chain, by team, with their review in a cycle."""
    me = person_for_user(request.user)
    cycles = list(selectors.cycle_list(user=request.user).exclude(status=ReviewCycle.Status.DRAFT))
    if "cycle" in request.GET:
        cycle = next((c for c in cycles if str(c.pk) == request.GET["cycle"]), None)
        if cycle is None:
            raise Http404("No such cycle.")
    else:
        cycle = selectors.cycle_current()

    people: list[Person] = []
    if me is not None:
        people = list(
            person_list(user=request.user)
            .filter(pk__in=reporting_chain_ids(me), is_active=True)
            .order_by(F("team__name").asc(nulls_last=True), "full_name", "id")
        )
    reviews: dict[int, Review] = {}
    if me is not None and cycle is not None and people:
        reviews = {
            r.subject_id: r
            for r in selectors.review_list(user=request.user).filter(
                cycle=cycle, subject__in=reporting_chain_ids(me)
            )
        }
    # One query for the phrase lists; each draft's checks then use prefetched contents.
    terms = (
        load_lint_terms()
        if any(r.status == Review.Status.DRAFT for r in reviews.values())
        else None
    )

    # The rubric's competencies for the drafts' "to fix" counts, in one query.
    competencies = rubric_competencies(
        {r.rubric_version_id for r in reviews.values() if r.status == Review.Status.DRAFT}
    )

    groups: list[dict[str, Any]] = []
    counts: Counter[str] = Counter()
    for person in people:
        review = reviews.get(person.pk)
        status = review.status if review else NOT_STARTED
        counts[status] += 1
        lint = None
        if review is not None and review.status == Review.Status.DRAFT:
            # The same list as the editor's panel: what stops submission, then findings.
            blockers = review_blockers(review, competencies=competencies[review.rubric_version_id])
            shown = with_blockers(lint_review(review, terms=terms), blockers)
            found = Counter(f.severity for f in shown)
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
            selectors.review_list(user=request.user)
            .filter(subject=me, status__in=selectors.VISIBLE_TO_SUBJECT)
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
        review = services.review_create(actor=request.user, cycle=cycle, subject=subject)
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


# --- Editor ----------------------------------------------------------------------------


@dataclass
class Editor:
    """What the editor, the live checks and submit all need about one review."""

    review: Review
    rubric: dict[str, Any]
    evidence: list[Evidence]

    @property
    def competency_keys(self) -> list[str]:
        return [c["competency"].key for c in self.rubric["competencies"]]

    @property
    def competency_names(self) -> dict[str, str]:
        return {c["competency"].key: c["competency"].name for c in self.rubric["competencies"]}

    @property
    def rating_labels(self) -> dict[str, str]:
        return {r["rating"].key: r["rating"].label for r in self.rubric["ratings"]}

    def form(self, data: Any = None) -> ReviewForm:
        level = self.rubric["level"]
        return ReviewForm(
            data,
            initial=ReviewForm.initial_for(self.review) if data is None else None,
            competency_keys=self.competency_keys,
            ratings=list(self.rating_labels.items()),
            evidence=self.evidence,
            levels_above=[
                (lv.code, f"{lv.code} · {lv.title}")
                for lv in self.rubric["levels"]
                if level is None or lv.order > level.order
            ],
        )

    @property
    def competency_pairs(self) -> list[tuple[str, str]]:
        return [(c["competency"].key, c["competency"].name) for c in self.rubric["competencies"]]

    def lint_form(self, form: ReviewForm) -> list[Finding]:
        """What the panel lists for the content of a posted form, saved or not: what stops
        it from being submitted, then the quality findings."""
        cited = {i for a in form.assessments() for i in a["evidence"]}
        cycle = self.review.cycle
        items = form.lint_items()
        findings = lint_content(
            narrative=form.narrative(),
            assessments=items,
            baseline_rating=self.rubric["baseline"],
            period=(cycle.starts_on, cycle.ends_on),
            evidence={
                e.pk: EvidenceInfo(id=e.pk, title=e.title, occurred_on=e.occurred_on)
                for e in self.evidence
                if e.pk in cited
            },
            terms=load_lint_terms(),
        )
        blockers = submit_blockers(
            overall_rating=form.content()["overall_rating"],
            assessments=items,
            competencies=self.competency_pairs,
        )
        return with_blockers(findings, blockers)

    def lint_saved(self) -> list[Finding]:
        """The same list for the review as saved."""
        review = self.review
        blockers = review_blockers(review, competencies=self.competency_pairs)
        return with_blockers(lint_review(review, terms=load_lint_terms()), blockers)


def _writable_review(request: HttpRequest, pk: int) -> Review:
    review = selectors.review_get(user=request.user, pk=pk)
    if not selectors.review_can_write(user=request.user, review=review):
        raise PermissionDenied("Only managers above this person can write their review.")
    return review


def _editor(request: HttpRequest, review: Review) -> Editor:
    evidence = (
        selectors.evidence_list(user=request.user)
        .filter(person_id=review.subject_id)
        .order_by("occurred_on", "id")
    )
    return Editor(review=review, rubric=selectors.rubric_context(review), evidence=list(evidence))


def _field_label(field: str, editor: Editor) -> tuple[str, str]:
    """A finding's or error's field as (human label, link to it on the editor)."""
    names = editor.competency_names
    parts = field.split(".")
    if parts[0] == "narrative" and len(parts) == 2 and parts[1] in NARRATIVE_PROMPTS:
        return NARRATIVE_PROMPTS[parts[1]][0], f"#id_{parts[1]}"
    if parts[0] == "assessments" and len(parts) >= 2 and parts[1] in names:
        key, name = parts[1], names[parts[1]]
        what = parts[2] if len(parts) > 2 else ""
        if what == "evidence":
            return f"{name}: cited evidence", f"#competency-{key}-evidence"
        if what == "rating":
            return f"{name}: rating", f"#competency-{key}-rating"
        if what == "narrative":
            return f"{name}: narrative", f"#id_{narrative_name(key)}"
        return name, f"#competency-{key}"
    if field == "evidence":
        return "Cited evidence, whole review", ""
    if field == "overall_rating":
        return "Overall rating", "#id_overall_rating"
    if field == "promotion_to":
        return "Promotion nomination", "#id_promotion_to"
    return "Review", ""


def _lint_context(editor: Editor, findings: list[Finding], *, unsaved: bool) -> dict[str, Any]:
    items = []
    for f in findings:
        label, href = _field_label(f.field, editor)
        items.append({**f.as_dict(), "label": label, "href": href})
    return {
        "lint_groups": [
            {
                "severity": severity,
                "title": title,
                "short": short,
                "items": [i for i in items if i["severity"] == severity],
            }
            for severity, title, short in LINT_GROUPS
        ],
        "lint_total": len(items),
        "lint_unsaved": unsaved,
    }


def _evidence_row(e: Evidence, checked: set[str], period: tuple[Any, Any]) -> dict[str, Any]:
    # Links come from users: only http(s) ones become links.
    href = e.url if e.url.lower().startswith(("http://", "https://")) else ""
    return {
        "item": e,
        "href": href,
        "checked": str(e.pk) in checked,
        "inside": period[0] <= e.occurred_on <= period[1],
    }


def _same_text(a: Any, b: Any) -> bool:
    return str(a or "").replace("\r\n", "\n").strip() == str(b or "").replace("\r\n", "\n").strip()


def _values(bound: Any) -> set[str]:
    value = bound.value()
    if value in (None, ""):
        return set()
    if isinstance(value, list | tuple):
        return {str(v) for v in value}
    return {str(value)}


def _last_saver(review: Review) -> str:
    """Who saved the review last, from its history (only needed on a conflict)."""
    record = review.history.select_related("history_user").first()  # type: ignore[attr-defined]
    user = getattr(record, "history_user", None)
    if user is None:
        return "Someone else"
    person = person_for_user(user)
    return person.full_name if person else user.get_username()


def _render_editor(
    request: HttpRequest,
    editor: Editor,
    form: ReviewForm,
    *,
    status: int = 200,
    problems: dict[str, list[str]] | None = None,
    conflict: Review | None = None,
    note: str = "",
    error_heading: str = "The draft was not saved",
) -> HttpResponse:
    """The editor page. ``problems`` are submit/save refusals keyed like the services'
    errors; ``conflict`` is the review as someone else saved it."""
    review = conflict or editor.review
    problems = problems or {}
    period = (review.cycle.starts_on, review.cycle.ends_on)
    labels = editor.rating_labels
    theirs_by_key = (
        {a.competency: a for a in conflict.assessments.all()} if conflict is not None else {}
    )

    narrative_fields: list[dict[str, Any]] = []
    for section in NARRATIVE_PROMPTS:
        bound = form[section]
        theirs = getattr(conflict, section) if conflict is not None else None
        narrative_fields.append(
            {
                "field": bound,
                "theirs": theirs,
                "differs": conflict is not None and not _same_text(bound.value(), theirs),
            }
        )

    competencies: list[dict[str, Any]] = []
    for item in editor.rubric["competencies"]:
        key = item["competency"].key
        rating_field = form[rating_name(key)]
        evidence_field = form[evidence_name(key)]
        chosen = _values(rating_field)
        cited = _values(evidence_field)
        rows = [_evidence_row(e, cited, period) for e in editor.evidence]
        row_problems = list(problems.get(f"assessments.{key}", []))
        for name in (rating_name(key), narrative_name(key), evidence_name(key)):
            row_problems += [str(m) for m in form.errors.get(name, [])]
        theirs = None
        if conflict is not None:
            saved = theirs_by_key.get(key)
            saved_ids = {str(e.pk) for e in saved.evidence.all()} if saved else set()
            theirs = {
                "rating": labels.get(saved.rating, saved.rating) if saved else "",
                "narrative": saved.narrative if saved else "",
                "evidence": [e.title for e in saved.evidence.all()] if saved else [],
                "differs": (
                    ({saved.rating} - {""} if saved else set()) != chosen
                    or not _same_text(
                        form[narrative_name(key)].value(), saved.narrative if saved else ""
                    )
                    or saved_ids != cited
                ),
            }
        competencies.append(
            {
                **item,
                "key": key,
                "rating_field": rating_field,
                "narrative_field": form[narrative_name(key)],
                "evidence_field": evidence_field,
                "ratings": [
                    {
                        "key": r["rating"].key,
                        "label": r["rating"].label,
                        "definition": r["definition"],
                        "is_baseline": r["rating"].is_baseline,
                        "checked": r["rating"].key in chosen,
                    }
                    for r in editor.rubric["ratings"]
                ],
                "unrated": not chosen,
                "evidence_inside": [r for r in rows if r["inside"]],
                "evidence_outside": [r for r in rows if not r["inside"]],
                "problems": row_problems,
                "theirs": theirs,
            }
        )

    # Every refusal, top of the page, each linked to where it is fixed.
    summary: list[dict[str, str]] = [
        {"message": str(m), "href": ""} for m in form.non_field_errors()
    ]
    for name in ("version", "with_content"):
        summary += [{"message": str(m), "href": ""} for m in form.errors.get(name, [])]
    for key, msgs in problems.items():
        label, href = _field_label(key, editor)
        summary += [{"message": str(m), "href": href} for m in msgs]
    for name, errors in form.errors.items():
        if name in ("__all__", "version", "with_content"):
            continue
        if name in NARRATIVE_PROMPTS or name in ("overall_rating", "promotion_to"):
            label, href = _field_label(
                f"narrative.{name}" if name in NARRATIVE_PROMPTS else name, editor
            )
        else:
            key = name.split("-", 1)[1].rsplit("-", 1)[0]
            label, href = _field_label(f"assessments.{key}", editor)
        summary += [{"message": f"{label}: {m}", "href": href} for m in errors]

    findings = editor.lint_form(form) if form.is_bound else editor.lint_saved()
    # Where the saved version differs from the form, for the conflict notice.
    differences = [
        {"label": item["field"].label, "href": f"#{item['field'].auto_id}"}
        for item in narrative_fields
        if item["differs"]
    ] + [
        {"label": row["competency"].name, "href": f"#competency-{row['key']}"}
        for row in competencies
        if row["theirs"] and row["theirs"]["differs"]
    ]
    theirs_overall = None
    if conflict is not None:
        theirs_overall = {
            "rating": labels.get(conflict.overall_rating, conflict.overall_rating),
            "promotion_to": conflict.promotion_to,
            "differs": not _same_text(form["overall_rating"].value(), conflict.overall_rating)
            or not _same_text(form["promotion_to"].value(), conflict.promotion_to),
        }
    context = {
        "review": review,
        "subject": review.subject,
        "form": form,
        "rubric": editor.rubric,
        "narrative_fields": narrative_fields,
        "competencies": competencies,
        "summary": summary,
        "error_heading": error_heading,
        "overall_problems": problems.get("overall_rating", []),
        "promotion_problems": problems.get("promotion_to", []),
        "conflict": conflict,
        "conflict_by": _last_saver(conflict) if conflict is not None else "",
        "theirs_overall": theirs_overall,
        "differences": differences
        + (
            [{"label": "Overall", "href": "#overall-heading"}]
            if theirs_overall and theirs_overall["differs"]
            else []
        ),
        "note": note,
        "has_evidence": bool(editor.evidence),
        "team_scorecard": selectors.team_context(review),
        **_lint_context(editor, findings, unsaved=form.is_bound),
    }
    return render(request, "reviews/review_edit.html", context, status=status)


def _problems(form: ReviewForm, exc: ValidationError) -> dict[str, list[str]]:
    """Split a service's errors: fields of a bound form get them on the field (so they are
    marked invalid), the rest are returned by key ("assessments.<competency>", …)."""
    if not hasattr(exc, "error_dict"):
        if form.is_bound:
            form.add_error(None, exc)
            return {}
        return {"__all__": list(exc.messages)}
    problems: dict[str, list[str]] = {}
    for key, msgs in exc.message_dict.items():
        on_form = key in ("overall_rating", "promotion_to") or key in NARRATIVE_PROMPTS
        if form.is_bound and on_form:
            form.add_error(key, msgs)
        else:
            problems[key] = list(msgs)
    return problems


def _rebind(editor: Editor, form: ReviewForm, version: int) -> ReviewForm:
    """The same unsaved input, with the version the next save must send."""
    assert isinstance(form.data, QueryDict)  # forms here are bound to request.POST
    data = form.data.copy()
    data["version"] = str(version)
    rebound = editor.form(data)
    rebound.is_valid()
    return rebound


def _conflict(request: HttpRequest, editor: Editor, form: ReviewForm) -> HttpResponse:
    """Someone saved since this form was read: keep the user's input, show theirs, and
    set the version so a deliberate second save goes through."""
    current = selectors.review_get(user=request.user, pk=editor.review.pk)
    if form.cleaned_data.get("with_content"):
        form = _rebind(editor, form, current.version)
    else:
        editor = Editor(review=current, rubric=editor.rubric, evidence=editor.evidence)
        form = editor.form()
    return _render_editor(request, editor, form, status=409, conflict=current)


def _closed_cycle(request: HttpRequest, review: Review) -> HttpResponse | None:
    """A draft whose cycle has moved on is read only: back to the read view, saying why
    (the service refuses the write anyway; this spares the author a form that cannot
    be saved)."""
    refusal = services.review_write_refusal(review)
    if refusal is None:
        return None
    messages.error(request, refusal.message)
    return redirect("reviews:detail", pk=review.pk)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    review = _writable_review(request, pk)
    if review.status != Review.Status.DRAFT:
        messages.info(
            request, f"This review is {review.get_status_display().lower()}: only drafts change."
        )
        return redirect("reviews:detail", pk=review.pk)
    if (closed := _closed_cycle(request, review)) is not None:
        return closed
    editor = _editor(request, review)
    if request.method == "GET":
        return _render_editor(request, editor, editor.form())

    form = editor.form(request.POST)
    if not form.is_valid():
        return _render_editor(request, editor, form, status=400)
    try:
        saved = services.review_update(
            actor=request.user,
            review=review,
            version=form.cleaned_data["version"],
            **form.content(),
        )
    except StaleVersionError:
        return _conflict(request, editor, form)
    except ValidationError as exc:
        problems = _problems(form, exc)
        return _render_editor(request, editor, form, status=400, problems=problems)
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
    review = _writable_review(request, pk)
    editor = _editor(request, review)
    form = editor.form(request.POST)
    form.is_valid()  # checks what is valid; the rest counts as empty
    findings = editor.lint_form(form)
    return render(request, "reviews/_lint.html", _lint_context(editor, findings, unsaved=True))


@login_required
@require_POST
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Submit for calibration. From the editor the content on screen is saved first, so
    nothing typed is lost; a refusal re-renders the editor naming every missing piece."""
    review = _writable_review(request, pk)
    if review.status != Review.Status.DRAFT:
        messages.info(request, f"This review is already {review.get_status_display().lower()}.")
        return redirect("reviews:detail", pk=review.pk)
    if (closed := _closed_cycle(request, review)) is not None:
        return closed
    editor = _editor(request, review)
    form = editor.form(request.POST)
    if not form.is_valid():
        return _render_editor(
            request, editor, form, status=400, error_heading="The review was not submitted"
        )
    version = form.cleaned_data["version"]
    with_content = form.cleaned_data.get("with_content")
    note = ""
    try:
        if with_content:
            review = services.review_update(
                actor=request.user, review=review, version=version, **form.content()
            )
            if review.version != version:  # a save that changes nothing writes nothing
                version = review.version
                note = f"Your changes were saved as version {version}."
        review = services.review_submit(actor=request.user, review=review, version=version)
    except StaleVersionError:
        return _conflict(request, editor, form)
    except ValidationError as exc:
        # The save may have gone through: show the review as it is now, with the input.
        current = selectors.review_get(user=request.user, pk=review.pk)
        editor = Editor(review=current, rubric=editor.rubric, evidence=editor.evidence)
        form = _rebind(editor, form, version) if with_content else editor.form()
        problems = _problems(form, exc)
        return _render_editor(
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
                "rating": ratings.get(a.rating) if a and a.rating else None,
                "unknown_rating": a.rating if a and a.rating not in ratings else "",
                "evidence": [_evidence_row(e, set(), period) for e in cited if e.pk in readable],
                "evidence_hidden": sum(1 for e in cited if e.pk not in readable),
            }
        )
    is_subject = me is not None and me.pk == review.subject_id
    writable_now = services.review_write_refusal(review) is None
    return render(
        request,
        "reviews/review_detail.html",
        {
            "review": review,
            "subject": review.subject,
            "rubric": rubric,
            "narrative": [
                (label, getattr(review, section))
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
        services.review_acknowledge(
            actor=request.user, review=review, response=form.cleaned_data["response"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except ConflictError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Thank you. Your acknowledgement is recorded.")
    return redirect("reviews:detail", pk=review.pk)
