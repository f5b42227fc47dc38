"""The sessions list (HR creates sessions there), a session's board, opening and
finalizing it, and its append-only decision log."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import caches
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from calibration import charts, selectors, services
from calibration.charts import distribution_svg
from calibration.forms import SessionCreateForm
from calibration.models import CalibrationCase, CalibrationSession, DecisionLog
from core.errors import ConflictError
from core.page_cache import cached_page
from core.query_state import code_fingerprint
from org.selectors import is_hr, person_choices, person_for_user, team_list
from org.types import User, signed_in
from reviews.models import ReviewCycle
from reviews.selectors import cycle_list

Status = CalibrationSession.Status
Kind = CalibrationCase.Kind
DECISIONS = CalibrationCase.PromotionDecision

FIELD_LABELS = {
    "calibrated_rating": "Calibrated rating",
    "promotion_decision": "Promotion decision",
}


def actor_name(user: User | None, names: dict[int, str]) -> str:
    """Who acted, by their name (``selectors.session_actor_names``), else their login."""
    if user is None:
        return "Someone"
    return names.get(user.pk) or user.get_username()


def value_label(case: CalibrationCase, labels: dict[str, str]) -> str:
    """The case's current decision in words, or "" while pending."""
    if case.kind == Kind.PROMOTION:
        return DECISIONS(case.promotion_decision).label if case.promotion_decision else ""
    return labels.get(case.calibrated_rating, case.calibrated_rating)


# --- Sessions --------------------------------------------------------------------------


def _create_form(request: HttpRequest, data: QueryDict | None = None) -> SessionCreateForm:
    return SessionCreateForm(
        data,
        cycles=cycle_list(user=request.user).filter(
            status__in=[ReviewCycle.Status.OPEN, ReviewCycle.Status.CALIBRATING]
        ),
        people=person_choices(user=request.user),
        teams=team_list(user=request.user),
    )


@login_required
@require_http_methods(["GET", "POST"])
@cached_page
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
                    actor=signed_in(request.user),
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


def _changed(case: CalibrationCase) -> bool:
    if case.kind == Kind.PROMOTION:
        return bool(case.promotion_decision)
    return bool(case.calibrated_rating) and case.calibrated_rating != case.proposed_rating


def _board_data(request: HttpRequest, session: CalibrationSession) -> dict[str, Any]:
    """Everything the board shows that is the same for every viewer of the session, in a
    number of queries that does not grow with the number of cases."""
    cases = selectors.board_cases(session)
    ratings = selectors.distribution(session, cases)
    labels = {r.key: r.label for r in ratings}
    versions = list(session.cycle.rubric_versions.select_related("ladder").order_by("ladder__name"))
    level_info = selectors.session_level_info(session)

    groups: dict[str, list[BoardRow]] = defaultdict(list)
    for c in cases:
        groups[c.level].append(
            BoardRow(
                case=c,
                kind=(f"Promotion to {c.target_level}" if c.kind == Kind.PROMOTION else "Rating"),
                proposed=labels.get(c.proposed_rating, c.proposed_rating),
                decided=value_label(c, labels),
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
    names = selectors.session_actor_names(
        user=request.user,
        session=session,
        user_ids={c.decided_by_id for c in changed if c.decided_by_id},
    )
    changes = [
        {
            "case": c,
            "from": labels.get(c.proposed_rating, c.proposed_rating)
            if c.kind == Kind.RATING
            else f"Nominated for {c.target_level}",
            "to": value_label(c, labels),
            "by": names.get(c.decided_by_id or 0, ""),
        }
        for c in changed
    ]
    pending = sum(1 for c in cases if c.status == CalibrationCase.Status.PENDING)
    rating_cases = sum(1 for c in cases if c.kind == Kind.RATING)
    # The same rule as selectors.distribution's means: calibrated, else proposed.
    given = Counter(
        c.calibrated_rating or c.proposed_rating for c in cases if c.kind == Kind.RATING
    )
    return {
        "session": session,
        "heading": session.name,
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
    }


# What the board shows the same to everyone who sees the session, rendered once per state
# of the session (selectors.board_state_key) and of the code that renders it, then kept in
# the cache (shared by every web process). What a viewer may do is never part of it.
_TEMPLATES = Path(settings.BASE_DIR) / "templates" / "calibration"
_RENDERERS = (
    Path(__file__),
    Path(charts.__file__),
    *(
        _TEMPLATES / f"{name}.html"
        for name in (
            "_session_header",
            "_session_status",
            "_session_scope",
            "_board_facts",
            "_board_body",
            "_board_level",
            "_distribution",
            "_changes",
        )
    ),
)
BOARD_CACHE_SECONDS = 3600


def _board_parts(request: HttpRequest, session: CalibrationSession) -> dict[str, Any]:
    """The session's header, facts and body as HTML, its case counts and who sits on it."""
    state = selectors.board_state_key(session)
    code = code_fingerprint(_RENDERERS)
    key = f"calibration-board:{session.pk}:{state}:{settings.TIME_ZONE}:{code}"
    parts: dict[str, Any] | None = caches["default"].get(key)
    if parts is None:
        data = _board_data(request, session)
        parts = {
            "header": render_to_string("calibration/_session_header.html", data),
            "facts": render_to_string("calibration/_board_facts.html", data),
            "body": render_to_string("calibration/_board_body.html", data),
            "pending": data["pending"],
            "seats": sorted(selectors.session_seat_ids(session)),
        }
        caches["default"].set(key, parts, BOARD_CACHE_SECONDS)
    return parts


def board_context(request: HttpRequest, session: CalibrationSession) -> dict[str, Any]:
    """Everything the board shows: what is the same for every viewer (``_board_parts``)
    and what this viewer may do."""
    parts = _board_parts(request, session)
    me = person_for_user(request.user)
    viewer_is_hr = is_hr(request.user)
    # The facilitator's own right (finalizing), not membership: that is seat_q's.
    is_facilitator = me is not None and session.facilitator_id == me.pk
    # Sitting on the session (selectors.is_member): its committee or its facilitator.
    member = me is not None and me.pk in parts["seats"]
    return {
        "session": session,
        "header": parts["header"],
        "facts": parts["facts"],
        "body": parts["body"],
        "pending": parts["pending"],
        "member": member,
        "can_read_packet": viewer_is_hr or member,  # selectors.can_read_packet
        "viewer_is_hr": viewer_is_hr,
        "can_open": viewer_is_hr and session.status == Status.SCHEDULED,
        "can_finalize": (viewer_is_hr or is_facilitator) and session.status == Status.OPEN,
        "can_export": viewer_is_hr and session.status == Status.FINALIZED,
    }


@login_required
@require_GET
@cached_page
def board(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_get(user=request.user, pk=pk, prefetch=False)
    return render(request, "calibration/session_board.html", board_context(request, session))


@login_required
@require_POST
def session_open(request: HttpRequest, pk: int) -> HttpResponse:
    """HR opens a scheduled session: the cases are snapshotted. Refusals the state forbids
    come back to the board as a message."""
    session = selectors.session_get(user=request.user, pk=pk)
    try:
        session = services.session_open(actor=signed_in(request.user), session=session)
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
        session = services.session_finalize(actor=signed_in(request.user), session=session)
    except ConflictError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            "The session is finalized: the decisions are written back to the reviews and "
            "can no longer change.",
        )
    return redirect("calibration:session", pk=session.pk)


# --- Decision log ----------------------------------------------------------------------


@login_required
@require_GET
def log(request: HttpRequest, pk: int) -> HttpResponse:
    """The append-only decision log: read only, no edit or delete anywhere."""
    session = selectors.session_get(user=request.user, pk=pk)
    entries = list(selectors.log_list(session=session))
    labels = {r.key: r.label for r in selectors.distribution(session, [])}
    labels.update(dict(DECISIONS.choices))
    names = selectors.session_actor_names(
        user=request.user, session=session, user_ids={e.actor_id for e in entries}
    )
    rows = [
        {
            "entry": e,
            "who": actor_name(e.actor, names),
            "field": FIELD_LABELS.get(e.field, e.field),
            "from": labels.get(e.from_value, e.from_value),
            "to": labels.get(e.to_value, e.to_value),
        }
        for e in entries
    ]
    return render(request, "calibration/decision_log.html", {"session": session, "rows": rows})
