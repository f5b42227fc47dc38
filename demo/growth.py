"""Demo data for Where I stand (SPEC §11.2): competency tags on evidence.

Sam has tagged most of his evidence himself; some colleagues have tagged
theirs of this year too, so their growth pages read differently from his. An item
gets the tags its kind suggests; items that say nothing about one competency ("other")
stay untagged, as they would in real life.
"""

from __future__ import annotations

from org.models import User
from org.selectors import person_list
from reviews.models import Evidence, ReviewCycle
from reviews.selectors.growth import competency_choices
from reviews.services.evidence import evidence_competencies_set

TAGS_BY_KIND = {
    Evidence.Kind.PULL_REQUEST: ["technical_execution"],
    Evidence.Kind.DESIGN_DOC: ["technical_execution", "ownership"],
    Evidence.Kind.INCIDENT: ["operational_excellence"],
    Evidence.Kind.ON_CALL: ["operational_excellence"],
    Evidence.Kind.POSTMORTEM: ["operational_excellence", "ownership"],
    Evidence.Kind.MENTORING: ["mentorship"],
    Evidence.Kind.TEAM_OUTCOME: ["product_impact"],
    Evidence.Kind.CUSTOMER_FEEDBACK: ["product_impact"],
}
# Where Sam has nothing yet toward L5 (SPEC §11.2): nothing tagged to these, and his
# self-assessment cites nothing for them (demo/self_assessments.py). His released reviews
# cited evidence for them, which the growth page lists as the ground of his current level.
SAM_GAPS = frozenset({"collaboration", "mentorship"})
# Besides Sam: every n-th engineer on the IC ladder tags their evidence of this year.
EVERY = 6


def seed(*, actor: User, cycles: dict[str, ReviewCycle]) -> None:
    """Tag Sam's and some colleagues' evidence (the growth page reads the last year of it)."""
    engineers = list(
        person_list(user=actor)
        .filter(ladder__slug="engineering-ic", user__isnull=False)
        .select_related("user", "ladder")
        .order_by("full_name", "id")
    )
    for i, person in enumerate(engineers):
        if person.user.username != "sam" and i % EVERY:
            continue
        allowed = {key for key, _name in competency_choices(person)}
        if person.user.username == "sam":
            allowed -= SAM_GAPS
        items = Evidence.objects.filter(person=person).order_by("occurred_on", "id")
        if person.user.username != "sam":
            items = items.filter(occurred_on__gte=cycles["h1"].starts_on)
        for item in items:
            tags = [t for t in TAGS_BY_KIND.get(Evidence.Kind(item.kind), []) if t in allowed]
            if tags:
                evidence_competencies_set(actor=person.user, item=item, competencies=tags)
