"""Demo calibration sessions for a cycle's submitted reviews."""

from __future__ import annotations

import random

from org.selectors import person_list
from org.types import User
from reviews.models import ReviewCycle


def calibrate(*, actor: User, cycle: ReviewCycle, rng: random.Random, finalize: bool) -> None:
    """One session per director's group, facilitated by the director with two other
    directors; most proposals are kept, some change with a reason, every promotion is
    decided with a reason."""
    from calibration import services as calibration
    from calibration.models import CalibrationCase

    directors = list(
        person_list(user=actor)
        .filter(ladder__slug="engineering-manager", level="M3")
        .select_related("team", "user")
        .order_by("full_name")
    )
    for d, director in enumerate(directors):
        others = [p for p in directors if p.pk != director.pk]
        session = calibration.session_create(
            actor=actor,
            cycle=cycle,
            name=f"{cycle.name}: {director.team.name}",
            facilitator=director,
            committee=[director, *others],
            scope_teams=[director.team],
        )
        session = calibration.session_open(actor=actor, session=session)
        cases = list(CalibrationCase.objects.filter(session=session).select_related("review"))
        for i, case in enumerate(cases):
            if not finalize and i % 3 == 2:
                continue  # still to discuss
            member = others[i % len(others)] if others else director
            if case.kind == CalibrationCase.Kind.PROMOTION:
                approved = (i + d) % 2 == 0
                calibration.case_decide(
                    actor=member.user,
                    case=case,
                    version=case.version,
                    promotion_decision="approved" if approved else "not_approved",
                    rationale=(
                        "Already works at the next level's scope: led the cross-team design "
                        "and its rollout, cited in the evidence."
                        if approved
                        else "Strong at the current level; the next level's expectation of "
                        "setting direction across teams is not yet shown in the evidence."
                    ),
                    rubric_refs=[{"level": case.target_level, "competency": "ownership"}],
                )
                continue
            proposed = case.proposed_rating
            change = {"strongly_exceeds": "exceeds", "below": "meets"}.get(proposed)
            if change and (i + d) % 2 == 0:
                calibration.case_decide(
                    actor=member.user,
                    case=case,
                    version=case.version,
                    calibrated_rating=change,
                    rationale=(
                        f"The evidence shows the {case.level} expectations for technical "
                        f"execution met consistently; it does not show the sustained scope "
                        f"that '{proposed.replace('_', ' ')}' describes at this level."
                        if change == "exceeds"
                        else f"Two cited incidents were handled as {case.level} expects; the "
                        f"gaps in the narrative are not borne out by the evidence."
                    ),
                    rubric_refs=[{"level": case.level, "competency": "technical_execution"}],
                )
            else:
                calibration.case_decide(
                    actor=member.user,
                    case=case,
                    version=case.version,
                    calibrated_rating=proposed,
                )
        if finalize:
            calibration.session_finalize(actor=director.user, session=session)
