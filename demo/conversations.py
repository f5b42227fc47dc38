"""Demo feedback requests (answered and pending) and check-ins in the open cycle."""

from __future__ import annotations

import datetime

from org.models import Person
from reviews.models import ReviewCycle
from reviews.services.check_ins import check_in_create
from reviews.services.feedback import feedback_answer, feedback_request_create


def seed_conversations(cycle: ReviewCycle, engineers: list[Person]) -> None:
    """Feedback requests (answered and pending) and check-ins for the Checkout team and a
    few others, so every role has an inbox and a timeline to look at."""
    sam = next(p for p in engineers if p.user.username == "sam")
    priya = sam.parent
    assert priya is not None
    peers = [p for p in engineers if p.team_id == sam.team_id and p.pk != sam.pk]
    outsiders = [p for p in engineers if p.team_id != sam.team_id]
    answered = feedback_request_create(
        actor=priya.user,
        cycle=cycle,
        subject=sam,
        respondent=peers[0],
        relationship="peer",
        message="Sam led the payment retries work with you: what stood out?",
    )
    feedback_answer(
        actor=peers[0].user,
        request=answered,
        owned="The retry design and the rollout plan, including the dashboards.",
        changed="Duplicate charges stopped; support tickets about them went from ~30 a week "
        "to none.",
        more_of="Share the design earlier with the mobile team.",
    )
    feedback_request_create(
        actor=priya.user,
        cycle=cycle,
        subject=sam,
        respondent=outsiders[0],
        relationship="cross_functional",
        message="You worked with Sam on the checkout API.",
    )
    feedback_request_create(
        actor=sam.user,
        cycle=cycle,
        subject=sam,
        respondent=peers[1],
        relationship="peer",
    )
    partner = feedback_request_create(
        actor=priya.user,
        cycle=cycle,
        subject=peers[1],
        respondent=outsiders[1],
        relationship="cross_functional",
    )
    feedback_answer(
        actor=outsiders[1].user,
        request=partner,
        owned="The export API contract our team builds on.",
        changed="We shipped the finance dashboard three weeks early.",
        more_of="Flag schema changes a sprint ahead.",
    )
    # Sam is asked for feedback on a teammate too.
    feedback_request_create(
        actor=priya.user,
        cycle=cycle,
        subject=peers[1],
        respondent=sam,
        relationship="peer",
    )
    prompts = [
        (
            "Shipped the retry rollout to 100%.",
            "Waiting on the data team for the export schema.",
            "On-call load is creeping up.",
            "Protected focus time on Thursdays.",
        ),
        (
            "Paired with the new joiner on the first release.",
            "",
            "The billing migration deadline looks tight.",
            "A decision on scope from product.",
        ),
        (
            "Wrote the design for idempotent webhooks.",
            "Review from platform is slow.",
            "",
            "An intro to the platform lead.",
        ),
    ]
    for person in [sam, *peers[:3]]:
        for i, (changed, blocked, risks, support) in enumerate(prompts):
            check_in_create(
                actor=priya.user,
                person=person,
                occurred_on=cycle.starts_on + datetime.timedelta(days=14 + 35 * i),
                what_changed=changed,
                blocked=blocked,
                risks=risks,
                support=support,
            )
