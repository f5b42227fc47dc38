from __future__ import annotations

from calibration.models import CalibrationCase, CalibrationSession, DecisionLog
from core.csv import to_csv

HEADER = [
    "case",
    "person",
    "team",
    "level",
    "kind",
    "proposed rating",
    "calibrated rating",
    "target level",
    "promotion decision",
    "changed",
    "changed by",
    "decided at",
    "rationale",
    "rubric expectations",
]


def session_csv(session: CalibrationSession) -> str:
    """One row per case of a session: what was proposed, what was decided, by whom, why.
    Demographic attributes are never part of it."""
    cases = (
        CalibrationCase.objects.filter(session=session)
        .select_related("subject", "subject__team", "decided_by")
        .order_by("level", "subject__team__name", "subject__full_name", "kind", "id")
    )
    last_change = {
        row.case_id: row.actor.username
        for row in DecisionLog.objects.filter(session=session, action="decided")
        .select_related("actor")
        .order_by("created_at", "id")
    }
    rows = []
    for c in cases:
        changed = (
            c.calibrated_rating != c.proposed_rating
            if c.kind == CalibrationCase.Kind.RATING
            else bool(c.promotion_decision)
        )
        rows.append(
            [
                c.pk,
                c.subject.full_name,
                c.subject.team.name if c.subject.team else "",
                c.level,
                c.kind,
                c.proposed_rating,
                c.calibrated_rating,
                c.target_level,
                c.promotion_decision,
                "yes" if changed else "no",
                last_change.get(c.pk, ""),
                c.decided_at.isoformat() if c.decided_at else "",
                c.rationale,
                "; ".join(f"{r['level']} × {r['competency']}" for r in c.rubric_refs),
            ]
        )
    return to_csv(HEADER, rows)
