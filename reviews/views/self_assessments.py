"""The engineer's self-assessment pages (SPEC §11.1): their list with a start button per
open cycle, the editor (narrative first, then each competency with the expectation at
their level and the next, their evidence, an optional self-rating, live quality checks)
and the read view.

Who may do what is decided by reviews.selectors.self_assessments (404 for what the user
may not see, 403 for readers who may not write) and reviews.services.self_assessments.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import ConflictError, StaleVersionError
from org.selectors import person_for_user
from org.types import signed_in
from reviews import selectors
from reviews.forms.reviews import evidence_name, narrative_name, rating_name
from reviews.forms.self_assessments import (
    SELF_PROMPTS,
    SelfAssessmentForm,
    StartSelfAssessmentForm,
)
from reviews.lint import ERROR, INFO, WARNING, EvidenceInfo, Finding
from reviews.lint_terms import load_terms
from reviews.models import Evidence, ReviewCycle, SelfAssessment
from reviews.selectors.self_assessments import (
    self_assessment_can_write,
    self_assessment_get,
    self_assessment_lint,
    self_assessment_lint_content,
    self_assessment_rows,
)
from reviews.services.self_assessments import (
    self_assessment_create,
    self_assessment_submit,
    self_assessment_update,
    self_assessment_write_refusal,
)
from reviews.views.evidence_options import library_items, link_of, options

# How many submitted self-assessments of others the list page shows.
OTHERS_LIMIT = 100

LINT_GROUPS = (
    (ERROR, "Must fix", "to fix"),
    (WARNING, "Worth a second look", "worth a second look"),
    (INFO, "For your information", "for information"),
)


# --- What the pages share --------------------------------------------------------------


def rubric_for(sa: SelfAssessment) -> dict[str, Any]:
    """The pinned rubric at the subject's level, with the next level's expectations
    beside it (reviews.selectors.rubric_context, kept in the cache)."""
    level = sa.subject.level
    here = selectors.rubric_context(
        SimpleNamespace(rubric_version=sa.rubric_version, level=level, promotion_to="")  # type: ignore[arg-type]
    )
    current = here["level"]
    above = [lv for lv in here["levels"] if current is not None and lv.order > current.order]
    if not above:
        return here
    nxt = min(above, key=lambda lv: lv.order)
    return selectors.rubric_context(
        SimpleNamespace(rubric_version=sa.rubric_version, level=level, promotion_to=nxt.code)  # type: ignore[arg-type]
    )


class SelfEditor:
    """What the editor, the live checks and submit need about one self-assessment."""

    def __init__(self, request: HttpRequest, sa: SelfAssessment) -> None:
        self.sa = sa
        self.rubric = rubric_for(sa)
        self.evidence: list[Evidence] = list(
            selectors.evidence_list(user=request.user)
            .filter(person_id=sa.subject_id)
            .select_related(None)
            .order_by("occurred_on", "id")
        )

    @property
    def keys(self) -> list[str]:
        return [c["competency"].key for c in self.rubric["competencies"]]

    @property
    def names(self) -> dict[str, str]:
        return {c["competency"].key: c["competency"].name for c in self.rubric["competencies"]}

    @property
    def labels(self) -> dict[str, str]:
        return {r["rating"].key: r["rating"].label for r in self.rubric["ratings"]}

    def form(self, data: Any = None) -> SelfAssessmentForm:
        return SelfAssessmentForm(
            data,
            initial=SelfAssessmentForm.initial_for(self.sa) if data is None else None,
            competency_keys=self.keys,
            ratings=list(self.labels.items()),
            evidence=self.evidence,
        )

    def lint(self, form: SelfAssessmentForm) -> list[Finding]:
        if not form.is_bound:
            return self_assessment_lint(self.sa)
        cited = {i for a in form.assessments() for i in a["evidence"]}
        return self_assessment_lint_content(
            sa=self.sa,
            narrative=form.narrative(),
            items=form.lint_items(),
            evidence={
                e.pk: EvidenceInfo(id=e.pk, title=e.title, occurred_on=e.occurred_on)
                for e in self.evidence
                if e.pk in cited
            },
            baseline=self.rubric["baseline"],
            terms=load_terms(),
        )

    def label(self, field: str) -> tuple[str, str]:
        parts = field.split(".")
        if parts[0] == "narrative" and len(parts) == 2 and parts[1] in SELF_PROMPTS:
            return SELF_PROMPTS[parts[1]][0], f"#id_{parts[1]}"
        if parts[0] == "assessments" and len(parts) >= 2 and parts[1] in self.names:
            key, name = parts[1], self.names[parts[1]]
            what = parts[2] if len(parts) > 2 else ""
            if what == "evidence":
                return f"{name}: cited evidence", f"#competency-{key}-evidence"
            if what == "rating":
                return f"{name}: self-rating", f"#id_{rating_name(key)}"
            if what == "narrative":
                return f"{name}: narrative", f"#id_{narrative_name(key)}"
            return name, f"#competency-{key}"
        if field == "evidence":
            return "Cited evidence, whole self-assessment", ""
        return "Self-assessment", ""

    def lint_context(self, findings: list[Finding], *, unsaved: bool) -> dict[str, Any]:
        items = []
        for f in findings:
            label, href = self.label(f.field)
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


def _values(bound: Any) -> set[str]:
    value = bound.value()
    if value in (None, ""):
        return set()
    if isinstance(value, list | tuple):
        return {str(v) for v in value}
    return {str(value)}


def render_editor(
    request: HttpRequest,
    editor: SelfEditor,
    form: SelfAssessmentForm,
    *,
    status: int = 200,
    problems: dict[str, list[str]] | None = None,
    conflict: int | None = None,
    heading: str = "Your self-assessment was not saved",
) -> HttpResponse:
    sa = editor.sa
    problems = problems or {}
    period = (sa.cycle.starts_on, sa.cycle.ends_on)
    library = library_items(editor.evidence, period)
    competencies = []
    for item in editor.rubric["competencies"]:
        key = item["competency"].key
        evidence_field = form[evidence_name(key)]
        boxes = options(
            library,
            name=evidence_field.html_name,
            auto_id=evidence_field.auto_id,
            checked=_values(evidence_field),
        )
        row_problems = list(problems.get(f"assessments.{key}", []))
        for name in (rating_name(key), narrative_name(key), evidence_name(key)):
            row_problems += [str(m) for m in form.errors.get(name, [])]
        competencies.append(
            {
                **item,
                "key": key,
                "rating_field": form[rating_name(key)],
                "narrative_field": form[narrative_name(key)],
                "evidence_field": evidence_field,
                "evidence_inside": [b for b, i in zip(boxes, library, strict=True) if i.inside],
                "evidence_outside": [
                    b for b, i in zip(boxes, library, strict=True) if not i.inside
                ],
                "problems": row_problems,
            }
        )
    summary = [{"message": str(m), "href": ""} for m in form.non_field_errors()]
    summary += [{"message": str(m), "href": ""} for m in form.errors.get("version", [])]
    for key, msgs in problems.items():
        _label, href = editor.label(key)
        summary += [{"message": str(m), "href": href} for m in msgs]
    for name, errors in form.errors.items():
        if name in ("__all__", "version"):
            continue
        if name in SELF_PROMPTS:
            label, href = editor.label(f"narrative.{name}")
        else:
            label, href = editor.label("assessments." + name.split("-", 1)[1].rsplit("-", 1)[0])
        summary += [{"message": f"{label}: {m}", "href": href} for m in errors]
    context = {
        "sa": sa,
        "subject": sa.subject,
        "form": form,
        "rubric": editor.rubric,
        "narrative_fields": [form[s] for s in SELF_PROMPTS],
        "competencies": competencies,
        "summary": summary,
        "error_heading": heading,
        "conflict": conflict,
        "has_evidence": bool(editor.evidence),
        **editor.lint_context(editor.lint(form), unsaved=form.is_bound),
    }
    return render(request, "reviews/self_assessment_edit.html", context, status=status)


def _writable(request: HttpRequest, pk: int) -> SelfAssessment:
    sa = self_assessment_get(user=request.user, pk=pk)
    if not self_assessment_can_write(user=request.user, self_assessment=sa):
        raise PermissionDenied("Only the person it is about writes a self-assessment.")
    return sa


def _problems(form: SelfAssessmentForm, exc: ValidationError) -> dict[str, list[str]]:
    if not hasattr(exc, "error_dict"):
        return {"__all__": list(exc.messages)}
    return {key: list(msgs) for key, msgs in exc.message_dict.items()}


def _rebound(editor: SelfEditor, form: SelfAssessmentForm, version: int) -> SelfAssessmentForm:
    """The same unsaved input, with the version the next save must send."""
    assert isinstance(form.data, QueryDict)
    data = form.data.copy()
    data["version"] = str(version)
    rebound = editor.form(data)
    rebound.is_valid()
    return rebound


def _conflict(request: HttpRequest, editor: SelfEditor, form: SelfAssessmentForm) -> HttpResponse:
    current = self_assessment_get(user=request.user, pk=editor.sa.pk)
    editor.sa = current
    return render_editor(
        request,
        editor,
        _rebound(editor, form, current.version),
        status=409,
        conflict=current.version,
    )


def _closed(request: HttpRequest, sa: SelfAssessment) -> HttpResponse | None:
    refusal = self_assessment_write_refusal(sa)
    if refusal is None:
        return None
    messages.info(request, refusal.message)
    return redirect("reviews:self-assessment", pk=sa.pk)


# --- Pages -----------------------------------------------------------------------------


@login_required
@require_GET
def self_assessments(request: HttpRequest) -> HttpResponse:
    """Your own self-assessments, a start button for each open cycle without one, and
    the submitted ones of others you may read (your reports', your sessions')."""
    me = person_for_user(request.user)
    rows = self_assessment_rows(user=request.user).select_related("cycle", "subject__team")
    own = list(rows.filter(subject=me)) if me is not None else []
    others_qs = rows.exclude(subject=me) if me is not None else rows
    # HR reads every submitted one: the page lists the newest, the API pages through all.
    others = list(others_qs[: OTHERS_LIMIT + 1])
    startable: list[ReviewCycle] = []
    if me is not None and me.ladder_id is not None and me.level:
        taken = {sa.cycle_id for sa in own}
        startable = [
            c
            for c in selectors.cycle_list(user=request.user).filter(
                status=ReviewCycle.Status.OPEN, rubric_versions__ladder_id=me.ladder_id
            )
            if c.pk not in taken
        ]
    return render(
        request,
        "reviews/self_assessment_list.html",
        {
            "own": own,
            "others": others[:OTHERS_LIMIT],
            "others_truncated": len(others) > OTHERS_LIMIT,
            "others_limit": OTHERS_LIMIT,
            "startable": startable,
            "me": me,
        },
    )


@login_required
@require_POST
def start(request: HttpRequest) -> HttpResponse:
    form = StartSelfAssessmentForm(request.POST)
    cycle = None
    if form.is_valid():
        cycle = (
            selectors.cycle_list(user=request.user).filter(pk=form.cleaned_data["cycle"]).first()
        )
    if cycle is None:
        messages.error(request, "No such review cycle.")
        return redirect("reviews:self-assessments")
    try:
        sa = self_assessment_create(actor=signed_in(request.user), cycle=cycle)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except (ConflictError, PermissionDenied) as exc:
        messages.error(request, getattr(exc, "message", str(exc)))
    else:
        messages.success(request, f"You started your self-assessment for {cycle.name}.")
        return redirect("reviews:self-assessment-edit", pk=sa.pk)
    return redirect("reviews:self-assessments")


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    sa = self_assessment_get(user=request.user, pk=pk)
    rubric = rubric_for(sa)
    labels = {r["rating"].key: r["rating"].label for r in rubric["ratings"]}
    items = {i.competency: i for i in sa.items.all()}
    cited = {e.pk for i in items.values() for e in i.evidence.all()}
    # Evidence the reader may open now (a committee reads it while its session is open).
    openable = set(
        selectors.evidence_list(user=request.user).filter(pk__in=cited).values_list("pk", flat=True)
    )
    rows = []
    for c in rubric["competencies"]:
        item = items.get(c["competency"].key)
        evidence = list(item.evidence.all()) if item else []
        rows.append(
            {
                **c,
                "rating": labels.get(item.rating, item.rating) if item else "",
                "narrative": item.narrative if item else "",
                "evidence": [{"item": e, "href": link_of(e)} for e in evidence if e.pk in openable],
                "hidden": sum(1 for e in evidence if e.pk not in openable),
            }
        )
    writable = self_assessment_can_write(user=request.user, self_assessment=sa)
    return render(
        request,
        "reviews/self_assessment_detail.html",
        {
            "sa": sa,
            "subject": sa.subject,
            "rubric": rubric,
            "is_subject": writable,
            "can_edit": writable and self_assessment_write_refusal(sa) is None,
            "narrative": [(label, getattr(sa, s)) for s, (label, _h) in SELF_PROMPTS.items()],
            "competencies": rows,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    sa = _writable(request, pk)
    if (closed := _closed(request, sa)) is not None:
        return closed
    editor = SelfEditor(request, sa)
    if request.method == "GET":
        return render_editor(request, editor, editor.form())
    form = editor.form(request.POST)
    if not form.is_valid():
        return render_editor(request, editor, form, status=400)
    try:
        saved = self_assessment_update(
            actor=signed_in(request.user),
            self_assessment=sa,
            version=form.cleaned_data["version"],
            **form.content(),
        )
    except StaleVersionError:
        return _conflict(request, editor, form)
    except ValidationError as exc:
        return render_editor(request, editor, form, status=400, problems=_problems(form, exc))
    except ConflictError as exc:
        messages.error(request, exc.message)
        return redirect("reviews:self-assessment", pk=sa.pk)
    if saved.version == form.cleaned_data["version"]:
        messages.info(
            request, f"Nothing to save: the draft is unchanged at version {saved.version}."
        )
    else:
        messages.success(request, f"Saved. Your draft is now at version {saved.version}.")
    return redirect("reviews:self-assessment-edit", pk=sa.pk)


@login_required
@require_POST
def lint(request: HttpRequest, pk: int) -> HttpResponse:
    """The quality checks for the unsaved content of the editor (htmx partial)."""
    sa = _writable(request, pk)
    editor = SelfEditor(request, sa)
    form = editor.form(request.POST)
    form.is_valid()  # checks what is valid; the rest counts as empty
    return render(
        request,
        "reviews/_lint.html",
        editor.lint_context(editor.lint(form), unsaved=True),
    )


@login_required
@require_POST
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Submit: what is on the page is saved first, so nothing typed is lost; a refusal
    re-renders the editor saying why."""
    sa = _writable(request, pk)
    if (closed := _closed(request, sa)) is not None:
        return closed
    editor = SelfEditor(request, sa)
    form = editor.form(request.POST)
    heading = "Your self-assessment was not submitted"
    if not form.is_valid():
        return render_editor(request, editor, form, status=400, heading=heading)
    version = form.cleaned_data["version"]
    try:
        sa = self_assessment_update(
            actor=signed_in(request.user), self_assessment=sa, version=version, **form.content()
        )
        sa = self_assessment_submit(
            actor=signed_in(request.user), self_assessment=sa, version=sa.version
        )
    except StaleVersionError:
        return _conflict(request, editor, form)
    except ValidationError as exc:
        editor.sa = self_assessment_get(user=request.user, pk=sa.pk)
        form = _rebound(editor, form, editor.sa.version)
        return render_editor(
            request, editor, form, status=400, problems=_problems(form, exc), heading=heading
        )
    except ConflictError as exc:
        messages.error(request, exc.message)
        return redirect("reviews:self-assessment", pk=sa.pk)
    messages.success(
        request,
        "Your self-assessment is submitted. Your manager will read it beside their review.",
    )
    return redirect("reviews:self-assessment", pk=sa.pk)
