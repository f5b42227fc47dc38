"""The calibration committee's pages: sessions, the board, a case with its decision form,
the decision log, the pre-read packet and the CSV export (SPEC §2 calibration, §3).

Who sees what is decided by calibration.selectors (sessions and cases the user may not
see answer 404) and calibration.services (who may open, decide and finalize: 403
otherwise). The board is information for consistency, never a ranking or a quota
(SPEC §1.1): cases are grouped by level and ordered by team and name.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from calibration import documents, exports, selectors, services
from calibration.charts import distribution_svg
from calibration.forms import CaseDecideForm, SessionCreateForm, ref_value
from calibration.models import CalibrationCase, CalibrationSession, DecisionLog, SessionPacket
from core.errors import ConflictError, StaleVersionError
from org.models import Person
from org.selectors import is_hr, person_for_user, person_list, team_list
from org.services import access_log_record
from reviews.lint import OUTSIDE_PERIOD, lint_review
from reviews.models import Evidence, Review, ReviewCycle
from reviews.selectors import cycle_list, evidence_list, rubric_context, team_context
from rubrics.models import Level

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
FIELD_LABELS = {
    "calibrated_rating": "Calibrated rating",
    "promotion_decision": "Promotion decision",
}


def _names(user_ids: set[int]) -> dict[int, str]:
    """Display names for login users, in one query (people's names, else usernames)."""
    if not user_ids:
        return {}
    people = Person.objects.filter(user_id__in=user_ids).select_related("user")
    return {p.user_id: p.full_name for p in people}


def _name(user: Any, names: dict[int, str]) -> str:
    if user is None:
        return "Someone"
    return names.get(user.pk) or user.get_username()


def _safe_href(url: str) -> str:
    # Links come from users: only http(s) ones become links.
    return url if url.lower().startswith(("http://", "https://")) else ""


# --- Sessions --------------------------------------------------------------------------


def _create_form(request: HttpRequest, data: Any = None) -> SessionCreateForm:
    return SessionCreateForm(
        data,
        cycles=cycle_list(user=request.user).filter(
            status__in=[ReviewCycle.Status.OPEN, ReviewCycle.Status.CALIBRATING]
        ),
        people=person_list(user=request.user).filter(is_active=True),
        teams=team_list(user=request.user),
    )


@login_required
@require_http_methods(["GET", "POST"])
def sessions(request: HttpRequest) -> HttpResponse:
    """Sessions the user can see; HR also creates them here."""
    viewer_is_hr = is_hr(request.user)
    if request.method == "POST" and not viewer_is_hr:
        raise PermissionDenied("Only HR can create calibration sessions.")
    form = _create_form(request, request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                session = services.session_create(
                    actor=request.user,
                    cycle=data["cycle"],
                    name=data["name"],
                    facilitator=data["facilitator"],
                    committee=list(data["committee"]),
                    scope_teams=list(data["scope_teams"]),
                    scope_levels=data["scope_levels"],
                    scheduled_at=data["scheduled_at"],
                )
            except ValidationError as exc:
                for key, msgs in getattr(exc, "message_dict", {"__all__": exc.messages}).items():
                    field = "scope_levels" if key == "scope" else key
                    form.add_error(field if field in form.fields else None, msgs)
                status = 400
            except ConflictError as exc:
                form.add_error(None, exc.message)
                status = 409
            else:
                messages.success(
                    request,
                    f"Session “{session.name}” created. Open it once the cycle is calibrating.",
                )
                return redirect("calibration:session", pk=session.pk)
        else:
            status = 400
    rows = (
        selectors.session_list(user=request.user)
        .select_related("cycle")
        .annotate(
            case_count=Count("cases", distinct=True),
            pending_count=Count(
                "cases", filter=Q(cases__status=CalibrationCase.Status.PENDING), distinct=True
            ),
        )
    )
    return render(
        request,
        "calibration/session_list.html",
        {
            "sessions": list(rows),
            "form": form if viewer_is_hr else None,
            "viewer_is_hr": viewer_is_hr,
        },
        status=status,
    )


# --- The board -------------------------------------------------------------------------


@dataclass
class BoardRow:
    case: CalibrationCase
    kind: str
    proposed: str
    decided: str
    evidence_count: int
    lint_count: int


def _value_label(case: CalibrationCase, labels: dict[str, str]) -> str:
    """The case's current decision in words, or "" while pending."""
    if case.kind == Kind.PROMOTION:
        return DECISIONS(case.promotion_decision).label if case.promotion_decision else ""
    return labels.get(case.calibrated_rating, case.calibrated_rating)


def _changed(case: CalibrationCase) -> bool:
    if case.kind == Kind.PROMOTION:
        return bool(case.promotion_decision)
    return bool(case.calibrated_rating) and case.calibrated_rating != case.proposed_rating


def _board_context(request: HttpRequest, session: CalibrationSession) -> dict[str, Any]:
    """Everything the board shows, in a number of queries that does not grow with the
    number of cases."""
    cases = selectors.board_cases(session)
    ratings = selectors.distribution(session, cases)
    labels = {r.key: r.label for r in ratings}
    versions = list(session.cycle.rubric_versions.select_related("ladder").order_by("ladder__name"))
    level_info: dict[str, Level] = {}
    for lv in Level.objects.filter(version__in=[v.pk for v in versions]).order_by("order"):
        level_info.setdefault(lv.code, lv)

    groups: dict[str, list[BoardRow]] = defaultdict(list)
    for c in cases:
        groups[c.level].append(
            BoardRow(
                case=c,
                kind=(f"Promotion to {c.target_level}" if c.kind == Kind.PROMOTION else "Rating"),
                proposed=labels.get(c.proposed_rating, c.proposed_rating),
                decided=_value_label(c, labels),
                evidence_count=c.evidence_count,  # type: ignore[attr-defined]
                lint_count=c.lint_count,  # type: ignore[attr-defined]
            )
        )
    order = {code: lv.order for code, lv in level_info.items()}
    levels = [
        {"code": code, "level": level_info.get(code), "rows": rows}
        for code, rows in sorted(groups.items(), key=lambda kv: (order.get(kv[0], 999), kv[0]))
    ]

    changed = [c for c in cases if _changed(c)]
    names = _names({c.decided_by_id for c in changed if c.decided_by_id})
    changes = [
        {
            "case": c,
            "from": labels.get(c.proposed_rating, c.proposed_rating)
            if c.kind == Kind.RATING
            else f"Nominated for {c.target_level}",
            "to": _value_label(c, labels),
            "by": names.get(c.decided_by_id or 0, ""),
        }
        for c in changed
    ]

    me = person_for_user(request.user)
    viewer_is_hr = is_hr(request.user)
    is_facilitator = me is not None and session.facilitator_id == me.pk
    member = selectors.is_member(user=request.user, session=session)
    pending = sum(1 for c in cases if c.status == CalibrationCase.Status.PENDING)
    rating_cases = sum(1 for c in cases if c.kind == Kind.RATING)
    # The same rule as selectors.distribution's means: calibrated, else proposed.
    given = Counter(
        c.calibrated_rating or c.proposed_rating for c in cases if c.kind == Kind.RATING
    )
    return {
        "session": session,
        "versions": versions,
        "levels": levels,
        "case_count": len(cases),
        "pending": pending,
        "ratings": ratings,
        "consistency": [
            {
                "label": r.label,
                "cases": given[r.key],
                "evidence_mean": r.evidence_mean,
                "lint_mean": r.lint_mean,
            }
            for r in ratings
            if r.evidence_mean is not None
        ],
        "calibrated_total": sum(r.calibrated for r in ratings),
        "chart": distribution_svg(
            ratings,
            title=f"Proposed and calibrated ratings in {session.name}",
            desc=", ".join(
                f"{r.label}: {r.proposed} proposed, {r.calibrated} calibrated" for r in ratings
            )
            + ". Information only.",
        ),
        "rating_cases": rating_cases,
        "changes": changes,
        "member": member,
        "can_read_packet": viewer_is_hr or member,  # selectors.can_read_packet
        "viewer_is_hr": viewer_is_hr,
        "can_open": viewer_is_hr and session.status == Status.SCHEDULED,
        "can_finalize": (viewer_is_hr or is_facilitator) and session.status == Status.OPEN,
        "can_export": viewer_is_hr and session.status == Status.FINALIZED,
    }


@login_required
@require_GET
def board(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_get(user=request.user, pk=pk)
    return render(request, "calibration/session_board.html", _board_context(request, session))


@login_required
@require_POST
def session_open(request: HttpRequest, pk: int) -> HttpResponse:
    """HR opens a scheduled session: the cases are snapshotted. Refusals the state forbids
    come back to the board as a message."""
    session = selectors.session_get(user=request.user, pk=pk)
    try:
        session = services.session_open(actor=request.user, session=session)
    except ConflictError as exc:
        messages.error(request, exc.message)
    else:
        # The log's line says how many cases opened and names any review left out.
        opened = selectors.log_list(session=session).filter(
            action=DecisionLog.Action.SESSION_OPENED
        )
        summary = " ".join(e.rationale for e in opened)
        messages.success(request, f"The session is open: {summary}")
    return redirect("calibration:session", pk=session.pk)


@login_required
@require_POST
def session_finalize(request: HttpRequest, pk: int) -> HttpResponse:
    """HR or the facilitator finalizes: decisions are written back to the reviews and the
    cases lock. While a case is pending the board explains why nothing happened."""
    session = selectors.session_get(user=request.user, pk=pk)
    try:
        session = services.session_finalize(actor=request.user, session=session)
    except ConflictError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            "The session is finalized: the decisions are written back to the reviews and "
            "can no longer change.",
        )
    return redirect("calibration:session", pk=session.pk)


# --- A case ----------------------------------------------------------------------------


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

    def form(self, data: Any = None) -> CaseDecideForm:
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


def _values(bound: Any) -> set[str]:
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
    names = _names({current.decided_by_id} if current.decided_by_id else set())
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
        "current_label": _value_label(current, labels),
        "current_by": _name(current.decided_by, names) if current.decided_by_id else "",
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
            actor=request.user,
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
        f"Decided for {decided.subject.full_name}: {_value_label(decided, labels)}.",
    )
    return redirect(reverse("calibration:session", args=[session.pk]) + f"#case-{decided.pk}")


# --- Decision log ----------------------------------------------------------------------


@login_required
@require_GET
def log(request: HttpRequest, pk: int) -> HttpResponse:
    """The append-only decision log: read only, no edit or delete anywhere."""
    session = selectors.session_get(user=request.user, pk=pk)
    entries = list(selectors.log_list(session=session))
    labels = {r.key: r.label for r in selectors.distribution(session, [])}
    labels.update(dict(DECISIONS.choices))
    names = _names({e.actor_id for e in entries})
    rows = [
        {
            "entry": e,
            "who": _name(e.actor, names),
            "field": FIELD_LABELS.get(e.field, e.field),
            "from": labels.get(e.from_value, e.from_value),
            "to": labels.get(e.to_value, e.to_value),
        }
        for e in entries
    ]
    return render(request, "calibration/decision_log.html", {"session": session, "rows": rows})


# --- Packet ----------------------------------------------------------------------------


@login_required
@require_GET
def packet(request: HttpRequest, pk: int) -> HttpResponse:
    """The committee's (and HR's) pre-read: built in the background; the page follows its
    progress (htmx polling, or a plain Refresh link without JavaScript)."""
    session = selectors.packet_session_get(user=request.user, pk=pk)
    packet = documents.packet_request(user=request.user, session=session)
    return render(request, "calibration/packet_page.html", {"session": session, "packet": packet})


@login_required
@require_GET
def packet_status(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.packet_session_get(user=request.user, pk=pk)
    return render(
        request,
        "calibration/_packet_status.html",
        {"session": session, "packet": documents.packet_current(session)},
    )


@login_required
@require_GET
def packet_download(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.packet_session_get(user=request.user, pk=pk)
    packet = documents.packet_current(session)
    if packet is None or packet.status != SessionPacket.Status.DONE or not packet.pdf:
        return redirect("calibration:packet", pk=session.pk)
    return documents.packet_deliver(
        user=request.user, session=session, packet=packet, path=request.path, attachment=True
    )


# --- Export ----------------------------------------------------------------------------


@login_required
@require_GET
def export_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """HR's record of a finalized session. Demographic attributes are never part of it."""
    session = selectors.session_get(user=request.user, pk=pk)
    if not is_hr(request.user):
        raise PermissionDenied("Only HR exports calibration sessions.")
    if session.status != Status.FINALIZED:
        context = _board_context(request, session)
        context["error"] = (
            "The CSV export is available once the session is finalized: until then the "
            "decisions can still change."
        )
        return render(request, "calibration/session_board.html", context, status=409)
    body = exports.session_csv(session)
    access_log_record(
        user=request.user, action="calibration_csv", target=session, path=request.path
    )
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="calibration-{session.pk}-{slugify(session.name)}.csv"'
    )
    return response
