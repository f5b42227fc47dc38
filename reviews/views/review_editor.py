"""The review editor page: the form with the rubric beside it, the live quality panel,
and the conflict view when someone else saved first. The views that serve it are in
reviews.views.reviews."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render

from org.selectors import person_for_user
from reviews import selectors
from reviews.contents import stored_panel
from reviews.forms.reviews import (
    NARRATIVE_PROMPTS,
    ReviewForm,
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
    submit_blockers,
    with_blockers,
)
from reviews.lint_terms import load_terms
from reviews.models import Evidence, Review, SelfAssessment
from reviews.selectors.self_assessments import self_assessment_for_review
from reviews.services.contents import reviews_contents_refresh
from reviews.services.reviews import review_write_refusal
from reviews.services.self_assessments import review_self_assessment_problem
from reviews.views.evidence_options import library_items, link_of, options

# (severity, heading, what the summary line calls it)
LINT_GROUPS = (
    (ERROR, "Must fix before submitting", "to fix"),
    (WARNING, "Worth a second look", "worth a second look"),
    (INFO, "For your information", "for information"),
)


# The blocker the editor lists while the cycle waits for the subject's self-assessment.
SELF_ASSESSMENT_PENDING = "self_assessment_pending"


@dataclass
class Editor:
    """What the editor, the live checks and submit all need about one review."""

    review: Review
    rubric: dict[str, Any]
    evidence: list[Evidence]

    @cached_property
    def self_assessment(self) -> SelfAssessment | None:
        """The subject's submitted self-assessment in this cycle, shown beside each
        competency (whoever writes the review may read it once submitted)."""
        return self_assessment_for_review(review=self.review)

    def waiting(self) -> list[Finding]:
        """The self-assessment blocker (SPEC §11.1), when the cycle requires one."""
        problem = review_self_assessment_problem(self.review)
        if problem is None:
            return []
        return [
            Finding(
                code=SELF_ASSESSMENT_PENDING,
                severity=ERROR,
                message=problem,
                field="self_assessment",
            )
        ]

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
            terms=load_terms(),
        )
        blockers = submit_blockers(
            overall_rating=form.content()["overall_rating"],
            assessments=items,
            competencies=self.competency_pairs,
        )
        return [*self.waiting(), *with_blockers(findings, blockers)]

    def lint_saved(self) -> list[Finding]:
        """The same list for the review as saved: stored with it (reviews.contents)."""
        return [*self.waiting(), *stored_panel(self.review)]


def writable_review(request: HttpRequest, pk: int) -> Review:
    review = selectors.review_page_get(user=request.user, pk=pk)
    if not selectors.review_can_write(user=request.user, review=review):
        raise PermissionDenied("Only managers above this person can write their review.")
    return review


def editor_for(request: HttpRequest, review: Review) -> Editor:
    evidence = (
        selectors.evidence_list(user=request.user)
        .filter(person_id=review.subject_id)
        .select_related(None)  # the editor shows an item's own fields only
        .order_by("occurred_on", "id")
    )
    # The form starts from the assessments stored with the review, and the panel from its
    # stored checks.
    reviews_contents_refresh([review])
    return Editor(
        review=review,
        rubric=selectors.rubric_context(review),
        evidence=list(evidence),
    )


def field_label(field: str, editor: Editor) -> tuple[str, str]:
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
    if field == "self_assessment":
        return "Their self-assessment", ""
    return "Review", ""


def lint_context(editor: Editor, findings: list[Finding], *, unsaved: bool) -> dict[str, Any]:
    items = []
    for f in findings:
        label, href = field_label(f.field, editor)
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


def evidence_row(e: Evidence, checked: set[str], period: tuple[Any, Any]) -> dict[str, Any]:
    return {
        "item": e,
        "href": link_of(e),
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


def render_editor(
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

    own = editor.self_assessment
    own_items = {i.competency: i for i in own.items.all()} if own is not None else {}

    narrative_fields: list[dict[str, Any]] = []
    for section in NARRATIVE_PROMPTS:
        bound = form[section]
        theirs = getattr(conflict, section) if conflict is not None else None
        narrative_fields.append(
            {
                "field": bound,
                "theirs": theirs,
                "differs": conflict is not None and not _same_text(bound.value(), theirs),
                "self": getattr(own, section) if own is not None else "",
            }
        )

    competencies: list[dict[str, Any]] = []
    library = library_items(editor.evidence, period)
    for item in editor.rubric["competencies"]:
        key = item["competency"].key
        rating_field = form[rating_name(key)]
        evidence_field = form[evidence_name(key)]
        chosen = _values(rating_field)
        cited = _values(evidence_field)
        boxes = options(
            library, name=evidence_field.html_name, auto_id=evidence_field.auto_id, checked=cited
        )
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
                "evidence_inside": [b for b, i in zip(boxes, library, strict=True) if i.inside],
                "evidence_outside": [
                    b for b, i in zip(boxes, library, strict=True) if not i.inside
                ],
                "problems": row_problems,
                "theirs": theirs,
                "self": _self_item(own_items.get(key), labels) if own is not None else None,
            }
        )

    # Every refusal, top of the page, each linked to where it is fixed.
    summary: list[dict[str, str]] = [
        {"message": str(m), "href": ""} for m in form.non_field_errors()
    ]
    for name in ("version", "with_content"):
        summary += [{"message": str(m), "href": ""} for m in form.errors.get(name, [])]
    for key, msgs in problems.items():
        label, href = field_label(key, editor)
        summary += [{"message": str(m), "href": href} for m in msgs]
    for name, errors in form.errors.items():
        if name in ("__all__", "version", "with_content"):
            continue
        if name in NARRATIVE_PROMPTS or name in ("overall_rating", "promotion_to"):
            label, href = field_label(
                f"narrative.{name}" if name in NARRATIVE_PROMPTS else name, editor
            )
        else:
            key = name.split("-", 1)[1].rsplit("-", 1)[0]
            label, href = field_label(f"assessments.{key}", editor)
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
        "self_assessment": own,
        "has_evidence": bool(editor.evidence),
        "team_scorecard": selectors.team_context(review),
        **lint_context(editor, findings, unsaved=form.is_bound),
    }
    return render(request, "reviews/review_edit.html", context, status=status)


def _self_item(item: Any, labels: dict[str, str]) -> dict[str, Any]:
    """One competency of the subject's self-assessment as the editor shows it."""
    if item is None:
        return {"rating": "", "narrative": "", "evidence": []}
    return {
        "rating": labels.get(item.rating, item.rating),
        "narrative": item.narrative,
        "evidence": [{"title": e.title, "href": link_of(e)} for e in item.evidence.all()],
    }


def split_problems(form: ReviewForm, exc: ValidationError) -> dict[str, list[str]]:
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


def rebind(editor: Editor, form: ReviewForm, version: int) -> ReviewForm:
    """The same unsaved input, with the version the next save must send."""
    assert isinstance(form.data, QueryDict)  # forms here are bound to request.POST
    data = form.data.copy()
    data["version"] = str(version)
    rebound = editor.form(data)
    rebound.is_valid()
    return rebound


def conflict_page(request: HttpRequest, editor: Editor, form: ReviewForm) -> HttpResponse:
    """Someone saved since this form was read: keep the user's input, show theirs, and
    set the version so a deliberate second save goes through."""
    current = selectors.review_get(user=request.user, pk=editor.review.pk)
    reviews_contents_refresh([current])
    if form.cleaned_data.get("with_content"):
        form = rebind(editor, form, current.version)
    else:
        editor = Editor(review=current, rubric=editor.rubric, evidence=editor.evidence)
        form = editor.form()
    return render_editor(request, editor, form, status=409, conflict=current)


def closed_cycle_redirect(request: HttpRequest, review: Review) -> HttpResponse | None:
    """A draft whose cycle has moved on is read only: back to the read view, saying why
    (the service refuses the write anyway; this spares the author a form that cannot
    be saved)."""
    refusal = review_write_refusal(review)
    if refusal is None:
        return None
    messages.error(request, refusal.message)
    return redirect("reviews:detail", pk=review.pk)
