"""Demo appeals (SPEC §11.3), called by demo/voice.py: in the released H1 cycle, two of
Priya's reports (not Sam, whose own story is the open cycle) appealed. Hana (HR, who wrote
neither review and manages neither person) changed the first one's rating, with a note
citing the rubric; the second appeal is open, waiting in her queue. Priya and Marcus see
both in their chain."""

from __future__ import annotations

from calibration.appeals import appeal_open, appeal_resolve
from org.models import User
from reviews.models import Evidence, ReviewCycle
from reviews.selectors import review_rows
from rubrics.models import Competency, Rating

CHANGED_REASON = (
    "The review rates me as exceeding my level's expectations, but it leaves out the "
    "checkout latency work I led end to end, well beyond what my level expects. I cite "
    "the design doc and the rollout PR."
)
CHANGED_NOTE = (
    "The design doc and the staged rollout show execution well beyond what this level "
    "expects: owning a change across teams, with a measured outcome. The review did not "
    "cite them. The final rating is raised by one step."
)
OPEN_REASON = (
    "The collaboration rating does not mention the two months I spent onboarding the new "
    "joiners, which I logged as mentoring evidence."
)


def seed(*, actor: User, cycles: dict[str, ReviewCycle]) -> None:
    """Seed this feature's demo data."""
    h1 = cycles.get("h1")
    hana = User.objects.filter(username="hana").first()
    if h1 is None or hana is None:
        return
    reviews = list(
        review_rows(user=actor)
        .filter(
            cycle=h1,
            subject__parent__user__username="priya",
            status__in=["released", "acknowledged"],
        )
        .exclude(subject__user__username="sam")
        .select_related("subject__user")
        .order_by("subject__full_name")
    )
    # The change moves a rating above the baseline one step higher (exceeds → strongly
    # exceeds): the appeal shows in the letter and the log, and the audit's high-rating
    # patterns of the demo (tests/audit/test_demo_patterns.py) stay as they are.
    changed, to = None, ""
    for review in reviews:
        scale = list(Rating.objects.filter(version=review.rubric_version).order_by("order"))
        keys = [r.key for r in scale]
        base = next((i for i, r in enumerate(scale) if r.is_baseline), None)
        now = review.final_rating or review.overall_rating
        if base is not None and now in keys and base < keys.index(now) < len(keys) - 1:
            changed, to = review, keys[keys.index(now) + 1]
            break
    waiting = next((r for r in reviews if r is not changed), None)
    if changed is None or waiting is None:
        return
    cited = list(Evidence.objects.filter(person=changed.subject).order_by("-occurred_on")[:2])
    first = appeal_open(
        actor=changed.subject.user, review=changed, reason=CHANGED_REASON, evidence=cited
    )
    competency = Competency.objects.filter(version=changed.rubric_version).order_by("order").first()
    appeal_resolve(
        actor=hana,
        appeal=first,
        resolution="changed",
        resolution_note=CHANGED_NOTE,
        rubric_refs=[{"level": changed.level, "competency": competency.key if competency else ""}],
        rating=to,
    )
    mentoring = list(
        Evidence.objects.filter(person=waiting.subject, kind="mentoring").order_by("-occurred_on")[
            :1
        ]
    )
    appeal_open(actor=waiting.subject.user, review=waiting, reason=OPEN_REASON, evidence=mentoring)
