"""Self-assessments in the demo (SPEC §11.1): in the open H2 2026 cycle, most engineers
with a review there (Sam among them, so Priya reads his beside her writing) have submitted
one, citing their own evidence, some rating themselves above or below their manager; one
or two are still drafts. The cycle asks for them, due mid-November."""

from __future__ import annotations

import datetime

from demo.growth import SAM_GAPS
from org.models import User
from reviews.models import ReviewCycle
from reviews.selectors import review_list
from reviews.services.self_assessments import (
    cycle_self_assessment_set,
    self_assessment_create,
    self_assessment_submit,
    self_assessment_update,
)

SCALE = ["below", "meets", "exceeds", "strongly_exceeds"]
DUE = datetime.date(2026, 11, 15)
DRAFTS = (4, 13)  # by position in the list: left as drafts

NARRATIVE = {
    "ownership": "I owned the {area} work this half, from the design doc to the rollout.",
    "impact": "Support tickets about {area} dropped after the change shipped.",
    "outcomes": "The error rate on {area} went from about 2% to under 0.5%.",
    "growth": "I ran my first design review; next I want to lead an incident review.",
    "context": "Two weeks of the period went to an on-call rotation I covered for a colleague.",
}


def _step(rating: str, by: int) -> str:
    if rating not in SCALE:
        return rating
    return SCALE[max(0, min(len(SCALE) - 1, SCALE.index(rating) + by))]


def seed(*, actor: User, cycles: dict[str, ReviewCycle]) -> None:
    """Seed this feature's demo data."""
    cycle = cycles["h2"]
    reviews = list(
        review_list(user=actor)
        .filter(cycle=cycle)
        .select_related("subject__user")
        .order_by("subject__full_name", "id")
    )
    for i, review in enumerate(reviews):
        person = review.subject
        if person.user is None:
            continue
        sa = self_assessment_create(actor=person.user, cycle=cycle)
        evidence = list(
            person.evidence.filter(occurred_on__range=(cycle.starts_on, cycle.ends_on))
            .order_by("occurred_on", "id")
            .values_list("pk", flat=True)
        )
        # Sam rates himself a step above Priya on one competency and the same elsewhere;
        # every third person one step above, every fifth one step below.
        shift = 1 if person.user.username == "sam" or i % 3 == 0 else (-1 if i % 5 == 0 else 0)
        area = review.subject.team.name if review.subject.team_id else "checkout"
        items = []
        for j, a in enumerate(review.assessments.all()):
            rating = a.rating or "meets"
            cited = evidence[j % len(evidence) : j % len(evidence) + 1] if evidence else []
            if person.user.username == "sam" and a.competency in SAM_GAPS:
                cited = []  # where he has nothing yet toward L5 (demo/growth.py)
            items.append(
                {
                    "competency": a.competency,
                    "rating": _step(rating, shift) if j == 0 else rating,
                    "narrative": f"What I did for {a.competency.replace('_', ' ')}: "
                    f"shipped the {area} changes and wrote up what we learned.",
                    "evidence": cited,
                }
            )
        sa = self_assessment_update(
            actor=person.user,
            self_assessment=sa,
            version=sa.version,
            narrative={k: v.format(area=area) for k, v in NARRATIVE.items()},
            assessments=items,
        )
        # Two are still drafts; everyone else has submitted (Sam included).
        if person.user.username == "sam" or i not in DRAFTS:
            self_assessment_submit(actor=person.user, self_assessment=sa)
    cycle_self_assessment_set(actor=actor, cycle=cycle, required=True, due=DUE)
