"""Demo review data: a released first-half cycle and an open second-half cycle with
evidence of every kind, check-ins, feedback requests and reviews in every state."""

from __future__ import annotations

import datetime
import random
from typing import Any

from org.models import Person
from reviews import services
from reviews.models import Evidence, Review, ReviewCycle
from rubrics.models import RubricVersion

H1 = ("H1 2026", datetime.date(2026, 1, 1), datetime.date(2026, 6, 30))
H2 = ("H2 2026", datetime.date(2026, 7, 1), datetime.date(2026, 12, 31))

EVIDENCE_TEMPLATES: list[tuple[str, str, str]] = [
    (
        "pull_request",
        "Split the {area} service into read and write paths",
        "https://github.com/example-org/{repo}/pull/{n}",
    ),
    (
        "pull_request",
        "Removed the legacy {area} batch job",
        "https://github.com/example-org/{repo}/pull/{n}",
    ),
    ("design_doc", "Design: idempotent {area} retries", "https://docs.google.com/document/d/{n}"),
    (
        "incident",
        "Led the response to the {area} latency incident",
        "https://example-org.pagerduty.com/incidents/P{n}",
    ),
    ("postmortem", "Postmortem: {area} queue backlog", "https://wiki.example.org/postmortem-{n}"),
    ("on_call", "Primary on-call week for {area}", ""),
    ("mentoring", "Mentored a new joiner through their first {area} release", ""),
    ("customer_feedback", "Customer call on {area} exports, fixes shipped the same week", ""),
    ("team_outcome", "{area} error rate down from 1.2% to 0.3%", ""),
    ("other", "Ran the {area} reading group", ""),
]
AREAS = [
    "billing",
    "search",
    "checkout",
    "identity",
    "payments",
    "notifications",
    "reporting",
    "ingestion",
    "mobile sync",
    "pricing",
]

GOOD = {
    "ownership": "Owned the {area} reliability work end to end: scoping, rollout and the "
    "follow-up clean-up.",
    "impact": "Checkout errors from {area} fell from 1.2% to 0.3% after the split, and the "
    "on-call pages for it stopped.",
    "outcomes": "p95 latency for {area} down 40%; two legacy jobs retired.",
    "growth": "Next: lead a cross-team design review and mentor one more engineer.",
    "context": "Half the period went to an unplanned migration the team agreed to take on.",
}
NEEDS_WORK = {
    "ownership": "Worked on {area} tickets.",
    "impact": "Seems to be a great team player, but not strategic enough yet.",
    "outcomes": "",
    "growth": "Needs to be more confident in meetings and more visible to leadership.",
    "context": "",
}


def _evidence_for(
    person: Person, actor: Any, start: datetime.date, rng: random.Random, n: int
) -> list[Evidence]:
    span = (start.replace(month=start.month + 5, day=28) - start).days
    items = []
    for i in range(n):
        kind, title, url = EVIDENCE_TEMPLATES[(person.pk + i * 3) % len(EVIDENCE_TEMPLATES)]
        area = rng.choice(AREAS)
        items.append(
            Evidence(
                person=person,
                kind=kind,
                title=title.format(area=area),
                url=url.format(repo=area.replace(" ", "-"), n=1000 + person.pk * 10 + i),
                occurred_on=start + datetime.timedelta(days=int(span * (i + rng.random()) / n)),
                summary=f"Work on {area}.",
                added_by=actor,
            )
        )
    return Evidence.objects.bulk_create(items)


def _write(
    review: Review,
    manager: Person,
    evidence: list[Evidence],
    rng: random.Random,
    *,
    good: bool,
    overall: str,
) -> Review:
    area = rng.choice(AREAS)
    texts = GOOD if good else NEEDS_WORK
    keys = [a.competency for a in review.assessments.all()]
    assessments = []
    for i, key in enumerate(keys):
        cited = [evidence[i % len(evidence)].pk] if good or i % 2 == 0 else []
        rating = overall if i % 3 else "meets"
        assessments.append(
            {
                "competency": key,
                "rating": rating,
                "evidence": cited,
                "narrative": (
                    f"Delivered the {area} changes with tests and a staged rollout."
                    if good
                    else "Not leadership material yet; somewhat slow to pick things up."
                ),
            }
        )
    return services.review_update(
        actor=manager.user,
        review=review,
        version=review.version,
        narrative={k: v.format(area=area) for k, v in texts.items()},
        assessments=assessments,
        overall_rating=overall,
    )


def _cycle(actor: Any, spec: tuple[str, datetime.date, datetime.date]) -> ReviewCycle:
    versions = list(RubricVersion.objects.filter(status="published"))
    cycle = services.cycle_create(
        actor=actor, name=spec[0], starts_on=spec[1], ends_on=spec[2], rubric_versions=versions
    )
    return services.cycle_transition(actor=actor, cycle=cycle, to="open")


def seed_reviews(*, actor: Any) -> dict[str, ReviewCycle]:
    rng = random.Random(31)
    engineers = list(
        Person.objects.filter(ladder__slug="engineering-ic", parent__isnull=False)
        .select_related("parent", "parent__user", "team")
        .order_by("team__name", "full_name")
    )
    ratings = ["meets", "meets", "meets", "exceeds", "exceeds", "strongly_exceeds", "below"]

    # H1: written, submitted, calibrated and released; some people acknowledged theirs.
    h1 = _cycle(actor, H1)
    for i, person in enumerate(engineers):
        evidence = _evidence_for(person, person.parent.user, H1[1], rng, 4)
        review = services.review_create(actor=person.parent.user, cycle=h1, subject=person)
        review = _write(
            review, person.parent, evidence, rng, good=True, overall=ratings[i % len(ratings)]
        )
        if person.user.username == "sam" or i % 11 == 5:
            review = services.review_update(
                actor=person.parent.user,
                review=review,
                version=review.version,
                promotion_to=_next_level(person.level),
            )
        services.review_submit(actor=person.parent.user, review=review)
    services.cycle_transition(actor=actor, cycle=h1, to="calibrating")
    _calibrate(actor, h1, rng, finalize=True)
    for to in ("finalized", "released"):
        services.cycle_transition(actor=actor, cycle=h1, to=to)
    for review in Review.objects.filter(cycle=h1).select_related("subject__user")[::3]:
        services.review_acknowledge(
            actor=review.subject.user,
            review=review,
            response="Thanks: this matches how I saw the half.",
        )

    # H2: open now. Reviews in every state the period allows.
    h2 = _cycle(actor, H2)
    for i, person in enumerate(engineers):
        evidence = _evidence_for(person, person.parent.user, H2[1], rng, 3 + i % 5)
        state = (
            "sam"
            if person.user.username == "sam"
            else ["submitted", "submitted", "draft", "needs_work", "not_started"][i % 5]
        )
        if state == "not_started":
            continue
        review = services.review_create(actor=person.parent.user, cycle=h2, subject=person)
        if state in ("sam", "needs_work"):
            _write(review, person.parent, evidence, rng, good=False, overall="meets")
        elif state == "draft":
            _write(review, person.parent, evidence, rng, good=True, overall="exceeds")
        else:
            review = _write(
                review, person.parent, evidence, rng, good=True, overall=ratings[i % len(ratings)]
            )
            services.review_submit(actor=person.parent.user, review=review)
    _seed_conversations(h2, engineers)
    q3 = _manager_cycle(actor, rng)
    return {"h1": h1, "h2": h2, "q3": q3}


def _seed_conversations(cycle: ReviewCycle, engineers: list[Person]) -> None:
    """Feedback requests (answered and pending) and check-ins for the Checkout team and a
    few others, so every role has an inbox and a timeline to look at."""
    sam = next(p for p in engineers if p.user.username == "sam")
    priya = sam.parent
    assert priya is not None
    peers = [p for p in engineers if p.team_id == sam.team_id and p.pk != sam.pk]
    outsiders = [p for p in engineers if p.team_id != sam.team_id]
    answered = services.feedback_request_create(
        actor=priya.user,
        cycle=cycle,
        subject=sam,
        respondent=peers[0],
        relationship="peer",
        message="Sam led the payment retries work with you: what stood out?",
    )
    services.feedback_answer(
        actor=peers[0].user,
        request=answered,
        owned="The retry design and the rollout plan, including the dashboards.",
        changed="Duplicate charges stopped; support tickets about them went from ~30 a week "
        "to none.",
        more_of="Share the design earlier with the mobile team.",
    )
    services.feedback_request_create(
        actor=priya.user,
        cycle=cycle,
        subject=sam,
        respondent=outsiders[0],
        relationship="cross_functional",
        message="You worked with Sam on the checkout API.",
    )
    services.feedback_request_create(
        actor=sam.user,
        cycle=cycle,
        subject=sam,
        respondent=peers[1],
        relationship="peer",
    )
    partner = services.feedback_request_create(
        actor=priya.user,
        cycle=cycle,
        subject=peers[1],
        respondent=outsiders[1],
        relationship="cross_functional",
    )
    services.feedback_answer(
        actor=outsiders[1].user,
        request=partner,
        owned="The export API contract our team builds on.",
        changed="We shipped the finance dashboard three weeks early.",
        more_of="Flag schema changes a sprint ahead.",
    )
    # Sam is asked for feedback on a teammate too.
    services.feedback_request_create(
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
            services.check_in_create(
                actor=priya.user,
                person=person,
                occurred_on=cycle.starts_on + datetime.timedelta(days=14 + 35 * i),
                what_changed=changed,
                blocked=blocked,
                risks=risks,
                support=support,
            )


def _next_level(code: str) -> str:
    ladder = ["L3", "L4", "L5", "L6", "L7"]
    return ladder[min(ladder.index(code) + 1, len(ladder) - 1)] if code in ladder else ""


def _calibrate(actor: Any, cycle: ReviewCycle, rng: random.Random, *, finalize: bool) -> None:
    """One session per director's group, facilitated by the director with two other
    directors; most proposals are kept, some change with a reason, every promotion is
    decided with a reason."""
    from calibration import services as calibration
    from calibration.models import CalibrationCase

    directors = list(
        Person.objects.filter(ladder__slug="engineering-manager", level="M3")
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


def _manager_cycle(actor: Any, rng: random.Random) -> ReviewCycle:
    """Quarterly reviews of the engineering managers, now in calibration: a session in
    progress with some cases decided, some changed with reasons, and a promotion case."""
    from calibration import services as calibration

    spec = ("Q3 2026 manager reviews", datetime.date(2026, 7, 1), datetime.date(2026, 9, 30))
    cycle = _cycle(actor, spec)
    managers = list(
        Person.objects.filter(ladder__slug="engineering-manager", level__in=["M1", "M2"])
        .select_related("parent", "parent__user", "team")
        .order_by("team__name")
    )
    ratings = ["meets", "exceeds", "meets", "strongly_exceeds", "meets", "below"]
    for i, manager in enumerate(managers):
        boss = manager.parent
        assert boss is not None
        evidence = _evidence_for(manager, boss.user, spec[1], rng, 4)
        review = services.review_create(actor=boss.user, cycle=cycle, subject=manager)
        review = _write(review, boss, evidence, rng, good=True, overall=ratings[i % 6])
        if i == 1 and manager.level == "M1":
            review = services.review_update(
                actor=boss.user, review=review, version=review.version, promotion_to="M2"
            )
        services.review_submit(actor=boss.user, review=review)
    services.cycle_transition(actor=actor, cycle=cycle, to="calibrating")
    marcus = Person.objects.get(user__username="marcus")
    directors = list(Person.objects.filter(level="M3").exclude(pk=marcus.pk))
    hana = Person.objects.get(user__username="hana")
    session = calibration.session_create(
        actor=actor,
        cycle=cycle,
        name="Q3 2026 managers",
        facilitator=marcus,
        committee=[marcus, *directors],
    )
    session = calibration.session_open(actor=hana.user, session=session)
    from calibration.models import CalibrationCase

    for i, case in enumerate(CalibrationCase.objects.filter(session=session).order_by("pk")):
        if i % 3 == 2 or case.kind == CalibrationCase.Kind.PROMOTION:
            continue  # pending: the committee has not reached these yet
        if case.proposed_rating == "strongly_exceeds":
            calibration.case_decide(
                actor=marcus.user,
                case=case,
                version=case.version,
                calibrated_rating="exceeds",
                rationale="The team-delivery evidence matches the M-level expectation well; "
                "the broader organisational impact 'strongly exceeds' describes "
                "is not in the cited evidence.",
                rubric_refs=[{"level": case.level, "competency": "team_delivery"}],
            )
        else:
            calibration.case_decide(
                actor=marcus.user,
                case=case,
                version=case.version,
                calibrated_rating=case.proposed_rating,
            )
    return cycle
