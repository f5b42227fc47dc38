"""A calibration case: the review it holds (narrative, ratings, cited evidence, quality
findings) beside the rubric, and the committee's decision form."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import BoundField
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from calibration import selectors, services
from calibration.forms import CaseDecideForm, ref_value
from calibration.models import CalibrationCase, CalibrationSession
from calibration.views.board import actor_name, value_label
from core.errors import ConflictError, StaleVersionError
from org.types import signed_in
from reviews.lint import OUTSIDE_PERIOD, lint_review
from reviews.models import Evidence, Review
from reviews.selectors import evidence_list, rubric_context, team_context

Status = CalibrationSession.Status
Kind = CalibrationCase.Kind
DECISIONS = CalibrationCase.PromotionDecision

# The three calibration questions, asked of every narrative (SPEC §2 reviews).
QUESTIONS = (
    ("ownership", "What did the person own?"),
    ("impact", "What changed because of their work?"),
    ("outcomes", "What measurable outcome improved?"),
)
OTHER_SECTIONS = (
    ("growth", "Where did they grow, and what next?"),
    ("context", "The story behind the numbers"),
)
SECTION_LABELS = dict(QUESTIONS + OTHER_SECTIONS)


def _safe_href(url: str) -> str:
    # Links come from users: only http(s) ones become links.
    return url if url.lower().startswith(("http://", "https://")) else ""


@dataclass
class CasePage:
    """What the case page and its decision form need about one case."""

    case: CalibrationCase
    review: Review
    rubric: dict[str, Any]
    evidence: list[Evidence]  # the subject's evidence the viewer may cite

    @property
    def is_promotion(self) -> bool:
        return self.case.kind == Kind.PROMOTION

    @property
    def rating_labels(self) -> dict[str, str]:
        return {r["rating"].key: r["rating"].label for r in self.rubric["ratings"]}

    @property
    def ref_levels(self) -> list[str]:
        """The levels whose expectations a decision can rest on: the target level first
        for a promotion, then the level the case is judged at."""
        if self.is_promotion and self.case.target_level:
            return [self.case.target_level, self.case.level]
        return [self.case.level]

    def ref_choices(self) -> list[tuple[str, str]]:
        return [
            (ref_value(code, c["competency"].key), f"{code} · {c['competency'].name}")
            for code in self.ref_levels
            for c in self.rubric["competencies"]
        ]

    def form(self, data: QueryDict | None = None) -> CaseDecideForm:
        case = self.case
        initial = None
        if data is None:
            initial = {
                "version": case.version,
                "calibrated_rating": case.calibrated_rating,
                "promotion_decision": case.promotion_decision,
                "rationale": case.rationale,
                "rubric_refs": [ref_value(r["level"], r["competency"]) for r in case.rubric_refs],
                "evidence": [str(e.pk) for e in case.evidence.all()],
            }
        return CaseDecideForm(
            data,
            initial=initial,
            is_promotion=self.is_promotion,
            ratings=list(self.rating_labels.items()),
            decisions=DECISIONS.choices,
            refs=self.ref_choices(),
            evidence=[(str(e.pk), e.title) for e in self.evidence],
        )


def _case_page(request: HttpRequest, case: CalibrationCase) -> CasePage:
    review = case.full_review  # type: ignore[attr-defined]
    if case.kind == Kind.PROMOTION:
        # Judge a promotion against the target level the case was opened for.
        review.promotion_to = case.target_level
    evidence = list(
        evidence_list(user=request.user)
        .filter(person_id=case.subject_id)
        .order_by("occurred_on", "id")
    )
    return CasePage(case=case, review=review, rubric=rubric_context(review), evidence=evidence)


def _values(bound: BoundField) -> set[str]:
    value = bound.value()
    if value in (None, ""):
        return set()
    if isinstance(value, list | tuple):
        return {str(v) for v in value}
    return {str(value)}


def _finding_label(field: str, competency_names: dict[str, str]) -> str:
    parts = field.split(".")
    if parts[0] == "narrative" and len(parts) == 2:
        return SECTION_LABELS.get(parts[1], parts[1])
    if parts[0] == "assessments" and len(parts) >= 2:
        name = competency_names.get(parts[1], parts[1])
        what = {"evidence": "cited evidence", "rating": "rating", "narrative": "narrative"}
        return f"{name}: {what[parts[2]]}" if len(parts) > 2 and parts[2] in what else name
    if field == "evidence":
        return "Cited evidence, whole review"
    return "Review"


def _render_case(
    request: HttpRequest,
    page: CasePage,
    form: CaseDecideForm | None,
    *,
    status: int = 200,
    conflict: CalibrationCase | None = None,
    error: str = "",
) -> HttpResponse:
    case, review, rubric = page.case, page.review, page.rubric
    session = case.session
    labels = page.rating_labels
    ratings = {r["rating"].key: r for r in rubric["ratings"]}
    competency_names = {c["competency"].key: c["competency"].name for c in rubric["competencies"]}

    # The evidence shown is what the evidence selector lets the viewer read (page.evidence
    # comes from it): a committee member reads it while the session is open, and after
    # finalizing only if they also may otherwise (manager chain, HR), as in the API.
    readable = {e.pk for e in page.evidence}
    assessments = []
    cited: dict[int, dict[str, Any]] = {}
    hidden: set[int] = set()
    by_key = {a.competency: a for a in review.assessments.all()}
    for item in rubric["competencies"]:
        a = by_key.get(item["competency"].key)
        items = list(a.evidence.all()) if a else []
        hidden |= {e.pk for e in items if e.pk not in readable}
        items = [e for e in items if e.pk in readable]
        for e in items:
            entry = cited.setdefault(
                e.pk, {"item": e, "href": _safe_href(e.url), "competencies": []}
            )
            entry["competencies"].append(item["competency"].name)
        assessments.append(
            {
                "competency": item["competency"],
                "assessment": a,
                "rating": ratings.get(a.rating) if a and a.rating else None,
                "evidence": [{"item": e, "href": _safe_href(e.url)} for e in items],
            }
        )
    cited_ids = set(cited)
    evidence_cited = sorted(cited.values(), key=lambda x: (x["item"].occurred_on, x["item"].pk))

    findings = [
        {**f.as_dict(), "label": _finding_label(f.field, competency_names)}
        for f in lint_review(review)
        # These name the cited items: not for a viewer who may no longer read them.
        if not (hidden and f.code == OUTSIDE_PERIOD)
    ]

    decide: dict[str, Any] | None = None
    if form is not None:
        chosen = _values(
            form["calibrated_rating" if not page.is_promotion else "promotion_decision"]
        )
        refs_chosen = _values(form["rubric_refs"])
        ev_chosen = _values(form["evidence"])
        expectations = {}
        for c in rubric["competencies"]:
            expectations[(case.level, c["competency"].key)] = c["expectation"]
            if c["target_expectation"] is not None and rubric["target_level"] is not None:
                expectations[(rubric["target_level"].code, c["competency"].key)] = c[
                    "target_expectation"
                ]
        decide = {
            "ratings": [
                {
                    "key": r["rating"].key,
                    "label": r["rating"].label,
                    "definition": r["definition"],
                    "is_baseline": r["rating"].is_baseline,
                    "is_proposed": r["rating"].key == case.proposed_rating,
                    "checked": r["rating"].key in chosen,
                }
                for r in rubric["ratings"]
            ],
            "decisions": [
                {"key": key, "label": label, "checked": key in chosen}
                for key, label in DECISIONS.choices
            ],
            "refs": [
                {
                    "value": ref_value(code, c["competency"].key),
                    "level": code,
                    "name": c["competency"].name,
                    "expectation": expectations.get((code, c["competency"].key)),
                    "checked": ref_value(code, c["competency"].key) in refs_chosen,
                }
                for code in page.ref_levels
                for c in rubric["competencies"]
            ],
            # What the review cites first, then the rest of the person's evidence.
            "evidence": sorted(
                (
                    {"item": e, "cited": e.pk in cited_ids, "checked": str(e.pk) in ev_chosen}
                    for e in page.evidence
                ),
                key=lambda row: not row["cited"],
            ),
        }

    current = conflict or case
    names = selectors.session_actor_names(
        user=request.user,
        session=session,
        user_ids={current.decided_by_id} if current.decided_by_id else set(),
    )
    context = {
        "team_scorecard": team_context(review),
        "case": case,
        "session": session,
        "review": review,
        "subject": case.subject,
        "rubric": rubric,
        "questions": [(label, getattr(review, key)) for key, label in QUESTIONS],
        "other_sections": [(label, getattr(review, key)) for key, label in OTHER_SECTIONS],
        "assessments": assessments,
        "evidence_cited": evidence_cited,
        "evidence_hidden": len(hidden),
        "current_evidence": [e for e in current.evidence.all() if e.pk in readable],
        "findings": findings,
        "proposed": ratings.get(case.proposed_rating),
        "proposed_label": labels.get(case.proposed_rating, case.proposed_rating),
        "current_label": value_label(current, labels),
        "current_by": actor_name(current.decided_by, names) if current.decided_by_id else "",
        "current_refs": [
            f"{r['level']} · {competency_names.get(r['competency'], r['competency'])}"
            for r in current.rubric_refs
        ],
        "current": current,
        "conflict": conflict,
        "form": form,
        "decide": decide,
        "error": error,
        "member": selectors.is_member(user=request.user, session=session),
        "finalized": session.status == Status.FINALIZED,
    }
    return render(request, "calibration/case_detail.html", context, status=status)


def _apply_errors(form: CaseDecideForm, exc: ValidationError) -> None:
    """Service errors on the fields they name (so they show next to them)."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for key, msgs in exc.message_dict.items():
        form.add_error(key if key in form.fields else None, msgs)


@login_required
@require_http_methods(["GET", "POST"])
def case(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_with_review(user=request.user, pk=pk)
    session = case.session
    member = selectors.is_member(user=request.user, session=session)
    page = _case_page(request, case)
    can_decide = member and session.status == Status.OPEN
    if request.method == "GET":
        return _render_case(request, page, page.form() if can_decide else None)

    if not member:
        raise PermissionDenied("Only the session's committee decides its cases.")
    if not can_decide:
        state = (
            "finalized: its decisions are locked"
            if session.status == Status.FINALIZED
            else (f"{session.get_status_display().lower()}: cases are decided while it is open")
        )
        return _render_case(request, page, None, status=409, error=f"The session is {state}.")

    form = page.form(request.POST)
    if not form.is_valid():
        return _render_case(request, page, form, status=400)
    evidence_by_id = {str(e.pk): e for e in page.evidence}
    try:
        decided = services.case_decide(
            actor=signed_in(request.user),
            case=case,
            evidence=[evidence_by_id[i] for i in form.cleaned_data["evidence"]],
            **form.decision(),
        )
    except StaleVersionError:
        # Someone decided since this form was read: keep the user's input, show theirs,
        # and carry the new version so a deliberate second save goes through.
        current = selectors.case_with_review(user=request.user, pk=case.pk)
        data = request.POST.copy()
        data["version"] = str(current.version)
        page = CasePage(
            case=current, review=page.review, rubric=page.rubric, evidence=page.evidence
        )
        rebound = page.form(data)
        rebound.is_valid()
        return _render_case(request, page, rebound, status=409, conflict=current)
    except ValidationError as exc:
        _apply_errors(form, exc)
        return _render_case(request, page, form, status=400)
    except ConflictError as exc:
        return _render_case(request, page, None, status=409, error=exc.message)
    labels = page.rating_labels
    messages.success(
        request,
        f"Decided for {decided.subject.full_name}: {value_label(decided, labels)}.",
    )
    return redirect(reverse("calibration:session", args=[session.pk]) + f"#case-{decided.pk}")
