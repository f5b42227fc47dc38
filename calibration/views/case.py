"""A calibration case: the review it holds (narrative, ratings, cited evidence, quality
findings) beside the rubric, and the committee's decision form."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import caches
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import BoundField
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from calibration import selectors, services
from calibration.forms import CaseDecideForm, ref_value
from calibration.models import CalibrationCase, CalibrationSession
from calibration.selectors.self_gap import review_self_gaps
from calibration.views.board import actor_name, value_label
from core.errors import ConflictError, StaleVersionError
from core.page_cache import PAGE_TIMEOUT, cached_page, data_version
from core.query_state import code_fingerprint
from org.types import signed_in
from reviews.lint import OUTSIDE_PERIOD, lint_review
from reviews.models import Evidence
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
class CaseChoices:
    """What the decision form offers on a case, the same for every member: from the
    rubric version its review pins (published, so fixed) and the review's citations. Kept
    with the case's rendered parts (``_case_parts``)."""

    rating_labels: dict[str, str]
    # The rating options: key, label, definition, is_baseline, is_proposed.
    ratings: list[dict[str, Any]]
    # The expectations a decision can rest on: value, level, name, expectation ({text}).
    refs: list[dict[str, Any]]
    cited_ids: list[int]


@dataclass
class CasePage:
    """What the case page and its decision form need about one case."""

    case: CalibrationCase
    parts: dict[str, Any]  # _case_parts: rendered, with the form's choices
    evidence: list[Evidence]  # the subject's evidence the viewer may cite

    @property
    def choices(self) -> CaseChoices:
        choices: CaseChoices = self.parts["choices"]
        return choices

    @property
    def is_promotion(self) -> bool:
        return self.case.kind == Kind.PROMOTION

    @property
    def rating_labels(self) -> dict[str, str]:
        return self.choices.rating_labels

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
                "evidence": [str(e.pk) for e in selectors.case_evidence(case)],
            }
        return CaseDecideForm(
            data,
            initial=initial,
            is_promotion=self.is_promotion,
            ratings=list(self.rating_labels.items()),
            decisions=DECISIONS.choices,
            refs=[(r["value"], f"{r['level']} · {r['name']}") for r in self.choices.refs],
            evidence=[(str(e.pk), e.title) for e in self.evidence],
        )


def _readable_evidence(request: HttpRequest, case: CalibrationCase, *, rows: bool) -> Any:
    """The subject's evidence the viewer may read (reviews.selectors.evidence_list): a
    committee member reads it while the session is open, and after finalizing only if
    they also may otherwise (manager chain, HR), as in the API. Its rows (for the
    decision form) or only their ids."""
    readable = evidence_list(user=request.user).filter(person_id=case.subject_id)
    if not rows:
        return set(readable.values_list("pk", flat=True))
    return list(readable.select_related(None).order_by("occurred_on", "id"))


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


def _build_parts(request: HttpRequest, case: CalibrationCase, readable: set[int]) -> dict[str, Any]:
    """Render what the case page shows the same to every viewer who may read the same
    evidence: the header, the rubric and the review, the decision as it stands (also as
    the conflict banner shows it) and the quality findings; and the form's choices."""
    review = selectors.case_review(case)
    if case.kind == Kind.PROMOTION:
        # Judge a promotion against the target level the case was opened for.
        review.promotion_to = case.target_level
    rubric = rubric_context(review)
    session = case.session
    ratings = {r["rating"].key: r for r in rubric["ratings"]}
    labels = {key: r["rating"].label for key, r in ratings.items()}
    competency_names = {c["competency"].key: c["competency"].name for c in rubric["competencies"]}

    assessments = []
    cited: dict[int, dict[str, Any]] = {}
    cited_all: set[int] = set()
    hidden: set[int] = set()
    by_key = {a.competency: a for a in review.assessments.all()}
    for item in rubric["competencies"]:
        a = by_key.get(item["competency"].key)
        items = list(a.evidence.all()) if a else []
        cited_all |= {e.pk for e in items}
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
    evidence_cited = sorted(cited.values(), key=lambda x: (x["item"].occurred_on, x["item"].pk))
    findings = [
        {**f.as_dict(), "label": _finding_label(f.field, competency_names)}
        for f in lint_review(review)
        # These name the cited items: not for a viewer who may no longer read them.
        if not (hidden and f.code == OUTSIDE_PERIOD)
    ]
    names = selectors.session_actor_names(
        user=request.user,
        session=session,
        user_ids={case.decided_by_id} if case.decided_by_id else set(),
    )
    current_by = actor_name(case.decided_by, names) if case.decided_by_id else ""
    context = {
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
        "current_evidence": [e for e in selectors.case_evidence(case) if e.pk in readable],
        "findings": findings,
        "proposed": ratings.get(case.proposed_rating),
        "proposed_label": labels.get(case.proposed_rating, case.proposed_rating),
        "current_label": value_label(case, labels),
        "current_by": current_by,
        "current_refs": [
            f"{r['level']} · {competency_names.get(r['competency'], r['competency'])}"
            for r in case.rubric_refs
        ],
        "current": case,
        # The subject's submitted self-ratings beside the manager's (one query).
        "self_gap": review_self_gaps([review], {review.pk: rubric})[review.pk],
    }
    expectations = {}
    for c in rubric["competencies"]:
        expectations[(case.level, c["competency"].key)] = c["expectation"]
        if c["target_expectation"] is not None and rubric["target_level"] is not None:
            expectations[(rubric["target_level"].code, c["competency"].key)] = c[
                "target_expectation"
            ]
    ref_levels = (
        [case.target_level, case.level]
        if case.kind == Kind.PROMOTION and case.target_level
        else [case.level]
    )
    choices = CaseChoices(
        rating_labels=labels,
        ratings=[
            {
                "key": r["rating"].key,
                "label": r["rating"].label,
                "definition": r["definition"],
                "is_baseline": r["rating"].is_baseline,
                "is_proposed": r["rating"].key == case.proposed_rating,
            }
            for r in rubric["ratings"]
        ],
        refs=[
            {
                "value": ref_value(code, c["competency"].key),
                "level": code,
                "name": c["competency"].name,
                "expectation": (
                    {"text": expectation.text}
                    if (expectation := expectations.get((code, c["competency"].key)))
                    else None
                ),
            }
            for code in ref_levels
            for c in rubric["competencies"]
        ],
        cited_ids=sorted(cited_all),
    )
    return {
        "header": render_to_string("calibration/_case_header.html", context),
        "rubric_review": render_to_string("calibration/_case_rubric_review.html", context),
        "current": render_to_string("calibration/_case_current.html", context),
        "current_conflict": render_to_string(
            "calibration/_case_current.html", {**context, "conflict": case}
        ),
        "current_by": current_by,
        "findings": render_to_string("calibration/_case_findings.html", context),
        "choices": choices,
    }


# What the case page shows the same to every viewer who may read the same evidence,
# rendered once per state of the case (selectors.case_state_key), of that evidence and of
# the code that renders it, then kept in the cache (shared by every web process).
_TEMPLATES = Path(settings.BASE_DIR) / "templates"
_RENDERERS = (
    Path(__file__),
    *(
        _TEMPLATES / "calibration" / f"{name}.html"
        for name in (
            "_case_header",
            "_case_rubric_review",
            "_case_rubric",
            "_case_review",
            "_case_self",
            "_case_current",
            "_case_findings",
        )
    ),
)
_TEAM_RENDERERS = (
    _TEMPLATES / "calibration" / "_case_team.html",
    _TEMPLATES / "outcomes" / "_scorecard_summary.html",
    _TEMPLATES / "outcomes" / "_cluster.html",
)
CASE_CACHE_SECONDS = 3600


def _case_parts(request: HttpRequest, case: CalibrationCase, readable: set[int]) -> dict[str, Any]:
    evidence_key = hashlib.sha256(repr(sorted(readable)).encode()).hexdigest()[:16]
    state = selectors.case_state_key(case)
    code = code_fingerprint(_RENDERERS)
    key = f"calibration-case:{case.pk}:{state}:{evidence_key}:{settings.TIME_ZONE}:{code}"
    parts: dict[str, Any] | None = caches["default"].get(key)
    if parts is None:
        parts = _build_parts(request, case, readable)
        caches["default"].set(key, parts, CASE_CACHE_SECONDS)
    return parts


def _team_outcomes(case: CalibrationCase) -> str:
    """The subject's team scorecard over the cycle (reviews.selectors.team_context),
    rendered. Outcome rows are written in place by the ingestion API, so no narrower state
    tells their changes: it is kept until the next write to the database
    (core.page_cache.data_version), as the outcome pages are."""
    team_id = case.review_team_id or case.subject.team_id  # type: ignore[attr-defined]
    if team_id is None:
        return ""
    cycle = case.session.cycle
    if case.review_cycle_id != cycle.pk:  # type: ignore[attr-defined]
        cycle = selectors.case_review(case).cycle  # not a case a session opens
    window = f"{cycle.starts_on}:{cycle.ends_on}"
    code = code_fingerprint(_TEAM_RENDERERS)
    key = f"calibration-case-team:{team_id}:{window}:{data_version()}:{code}"
    html: str | None = caches["default"].get(key)
    if html is None:
        review = selectors.case_review(case)
        html = render_to_string(
            "calibration/_case_team.html", {"team_scorecard": team_context(review)}
        )
        caches["default"].set(key, html, PAGE_TIMEOUT)
    return html


def _render_case(
    request: HttpRequest,
    page: CasePage,
    form: CaseDecideForm | None,
    *,
    member: bool,
    status: int = 200,
    conflict: CalibrationCase | None = None,
    error: str = "",
) -> HttpResponse:
    case = page.case
    session = case.session
    parts = page.parts
    decide: dict[str, Any] | None = None
    if form is not None:
        choices = page.choices
        chosen = _values(
            form["calibrated_rating" if not page.is_promotion else "promotion_decision"]
        )
        refs_chosen = _values(form["rubric_refs"])
        ev_chosen = _values(form["evidence"])
        cited_ids = set(choices.cited_ids)
        decide = {
            "ratings": [{**r, "checked": r["key"] in chosen} for r in choices.ratings],
            "decisions": [
                {"key": key, "label": label, "checked": key in chosen}
                for key, label in DECISIONS.choices
            ],
            "refs": [{**r, "checked": r["value"] in refs_chosen} for r in choices.refs],
            # What the review cites first, then the rest of the person's evidence.
            "evidence": sorted(
                (
                    {"item": e, "cited": e.pk in cited_ids, "checked": str(e.pk) in ev_chosen}
                    for e in page.evidence
                ),
                key=lambda row: not row["cited"],
            ),
        }
    context = {
        "parts": parts,
        "team_outcomes": _team_outcomes(case),
        "case": case,
        "session": session,
        "subject": case.subject,
        "current_by": parts["current_by"],
        "conflict": conflict,
        "form": form,
        "decide": decide,
        "error": error,
        "member": member,
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
@cached_page
def case(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_page_get(user=request.user, pk=pk)
    session = case.session
    member = selectors.is_member(user=request.user, session=session)
    can_decide = member and session.status == Status.OPEN
    # The form lists the evidence a member may cite; a reader's page only needs its ids.
    evidence: list[Evidence] = []
    readable: set[int]
    if member:
        evidence = _readable_evidence(request, case, rows=True)
        readable = {e.pk for e in evidence}
    else:
        readable = _readable_evidence(request, case, rows=False)

    def page_for(current: CalibrationCase) -> CasePage:
        return CasePage(
            case=current, parts=_case_parts(request, current, readable), evidence=evidence
        )

    page = page_for(case)
    if request.method == "GET":
        return _render_case(request, page, page.form() if can_decide else None, member=member)

    if not member:
        raise PermissionDenied("Only the session's committee decides its cases.")
    if not can_decide:
        state = (
            "finalized: its decisions are locked"
            if session.status == Status.FINALIZED
            else (f"{session.get_status_display().lower()}: cases are decided while it is open")
        )
        return _render_case(
            request, page, None, member=member, status=409, error=f"The session is {state}."
        )

    form = page.form(request.POST)
    if not form.is_valid():
        return _render_case(request, page, form, member=member, status=400)
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
        current = selectors.case_page_get(user=request.user, pk=case.pk)
        data = request.POST.copy()
        data["version"] = str(current.version)
        page = page_for(current)
        rebound = page.form(data)
        rebound.is_valid()
        return _render_case(request, page, rebound, member=member, status=409, conflict=current)
    except ValidationError as exc:
        _apply_errors(form, exc)
        return _render_case(request, page, form, member=member, status=400)
    except ConflictError as exc:
        return _render_case(request, page, None, member=member, status=409, error=exc.message)
    labels = page.rating_labels
    messages.success(
        request,
        f"Decided for {decided.subject.full_name}: {value_label(decided, labels)}.",
    )
    return redirect(reverse("calibration:session", args=[session.pk]) + f"#case-{decided.pk}")
