"""Demo review data.

- H2 2025 and H1 2026 are released: written, submitted, calibrated (one session per
  director's group) and released; some people acknowledged theirs. Promotions are decided
  once a year, in the first half.
- H2 2026 is open, with evidence of every kind, check-ins, feedback requests and reviews in
  every state; the Q3 2026 manager reviews are in calibration.

The released cycles give the fairness audit (``audit/``) something to find:

- Ratings above "meets" go mostly to L5 and L6 engineers. Women are concentrated at L3 and
  L4 (``demo.org.ENGINEER_GENDER_BY_LEVEL``), so their pooled high-rating rate is far below
  men's, while level by level the two rates are about the same (Simpson's paradox).
- Reliability's managers rate conservatively: one of its nine engineers is rated above
  "meets" in H1 2026, three in H2 2025, against about four in nine in the other teams.
- Reviews of women more often carry an unevidenced judgement ("needs to be more
  strategic", "lacks executive presence") in the growth section.
- The smallest gender groups stay below the reporting threshold and are suppressed.
"""

from __future__ import annotations

import datetime
import random
from collections import Counter, defaultdict

from demo.calibration import calibrate
from demo.conversations import seed_conversations
from demo.org import apportion
from org.models import DemographicAnswer, Person
from org.selectors import person_list
from org.types import User
from reviews.models import Evidence, Review, ReviewCycle
from reviews.selectors import review_list
from reviews.services.cycles import cycle_create, cycle_transition
from reviews.services.reviews import review_acknowledge, review_create, review_submit, review_update
from rubrics.models import RubricVersion

H2_2025 = ("H2 2025", datetime.date(2025, 7, 1), datetime.date(2025, 12, 31))
H1 = ("H1 2026", datetime.date(2026, 1, 1), datetime.date(2026, 6, 30))
H2 = ("H2 2026", datetime.date(2026, 7, 1), datetime.date(2026, 12, 31))

# Share of each team's engineers rated above "meets" in a released cycle, unless the
# cycle's team shares say otherwise.
HIGH_SHARE = 0.47
# How much more often each level is rated above "meets" (relative weights).
HIGH_WEIGHT_BY_LEVEL = {"L3": 0.05, "L4": 0.15, "L5": 0.75, "L6": 0.9, "L7": 0.9}
STRONGLY_EXCEEDS_SHARE = 0.2  # of those rated above "meets"
BELOW_SHARE = 0.08  # of the others
# Share of reviews whose growth section opens with an unevidenced judgement, by gender.
REMARK_SHARE = {"woman": 0.6}
REMARK_SHARE_OTHERS = 0.12
REMARKS = [
    "Needs to be more strategic about which requests to take on.",
    "Needs to be more visible outside the team.",
    "Lacks executive presence when presenting to the leadership group.",
    "Needs to be more confident in design reviews.",
    "Not strategic enough yet in how the {area} roadmap is shaped.",
    "Needs to step up in planning discussions.",
]

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
# Narratives of finished reviews by overall rating (strongly_exceeds reads as exceeds).
NARRATIVES: dict[str, list[dict[str, str]]] = {
    "exceeds": [
        GOOD,
        {
            "ownership": "Took over the {area} on-call runbook and rewrote it with the team; "
            "led two of the three incident reviews this half.",
            "impact": "Pages for {area} dropped from about 20 a week to 6, and the median "
            "time to restore halved.",
            "outcomes": "Shipped the {area} retry redesign a month ahead of plan; support "
            "tickets about failed jobs down 70%.",
            "growth": "Next: take the design lead for the next {area} milestone and run it "
            "across both teams.",
            "context": "",
        },
    ],
    "meets": [
        {
            "ownership": "Delivered the planned {area} work: the export fixes and the retry "
            "changes, both with tests and staged rollouts.",
            "impact": "The {area} bug backlog went from 14 open issues to 5; escalations from "
            "support stayed flat.",
            "outcomes": "Shipped the three planned {area} milestones, one a week late after a "
            "dependency slipped.",
            "growth": "Next: take one design from proposal to rollout, with a review from a "
            "senior engineer.",
            "context": "",
        },
        {
            "ownership": "Owned the {area} dashboards and alerts, and kept them current "
            "through the migration.",
            "impact": "Two {area} incidents were caught by the new alerts before customers "
            "noticed.",
            "outcomes": "Both planned {area} changes shipped on schedule.",
            "growth": "Next: run the review of the {area} on-call rotation and write up what "
            "should change.",
            "context": "Spent a month covering a teammate's on-call weeks.",
        },
    ],
    "below": [
        {
            "ownership": "Picked up {area} tickets; two of the three planned changes moved to "
            "next half.",
            "impact": "The {area} migration is at 40% against a plan of 100%; we agreed a "
            "smaller scope half-way through.",
            "outcomes": "One of the three planned {area} milestones shipped.",
            "growth": "Agreed plan: weekly check-ins on the migration, and pairing with a "
            "senior engineer on the design.",
            "context": "Moved to this team two months into the half, after its plan was set.",
        },
    ],
}


def _evidence_for(
    person: Person, actor: User, start: datetime.date, rng: random.Random, n: int
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
    remark: str = "",
) -> Review:
    """Fill in a draft: every assessment cites evidence when ``good``; ``remark`` opens
    the growth section."""
    area = rng.choice(AREAS)
    if good:
        variants = NARRATIVES.get(overall) or NARRATIVES["exceeds"]
        texts = variants[rng.randrange(len(variants))]
    else:
        texts = NEEDS_WORK
    narrative = {k: v.format(area=area) for k, v in texts.items()}
    if remark:
        narrative["growth"] = f"{remark.format(area=area)} {narrative['growth']}".strip()
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
    return review_update(
        actor=manager.user,
        review=review,
        version=review.version,
        narrative=narrative,
        assessments=assessments,
        overall_rating=overall,
    )


def _cycle(actor: User, spec: tuple[str, datetime.date, datetime.date]) -> ReviewCycle:
    versions = list(RubricVersion.objects.filter(status="published"))
    cycle = cycle_create(
        actor=actor, name=spec[0], starts_on=spec[1], ends_on=spec[2], rubric_versions=versions
    )
    return cycle_transition(actor=actor, cycle=cycle, to="open")


def seed_reviews(*, actor: User) -> dict[str, ReviewCycle]:
    rng = random.Random(31)
    engineers = list(
        person_list(user=actor)
        .filter(ladder__slug="engineering-ic", parent__isnull=False)
        .select_related("parent", "parent__user", "team", "user")
        .order_by("team__name", "full_name")
    )
    genders = dict(
        DemographicAnswer.objects.filter(dimension__key="gender").values_list("person_id", "value")
    )
    # Oldest first: a review snapshots the person's level and team when it is created.
    h2_2025 = _released_cycle(
        actor, H2_2025, engineers, genders, rng, team_shares={"reliability": 0.35}
    )
    h1 = _released_cycle(
        actor, H1, engineers, genders, rng, team_shares={"reliability": 0.12}, promotions=True
    )
    ratings = ["meets", "meets", "meets", "exceeds", "exceeds", "strongly_exceeds", "below"]

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
        review = review_create(actor=person.parent.user, cycle=h2, subject=person)
        if state in ("sam", "needs_work"):
            _write(review, person.parent, evidence, rng, good=False, overall="meets")
        elif state == "draft":
            _write(review, person.parent, evidence, rng, good=True, overall="exceeds")
        else:
            review = _write(
                review, person.parent, evidence, rng, good=True, overall=ratings[i % len(ratings)]
            )
            review_submit(actor=person.parent.user, review=review)
    seed_conversations(h2, engineers)
    q3 = _manager_cycle(actor, rng)
    return {"h2_2025": h2_2025, "h1": h1, "h2": h2, "q3": q3}


def _released_cycle(
    actor: User,
    spec: tuple[str, datetime.date, datetime.date],
    engineers: list[Person],
    genders: dict[int, str],
    rng: random.Random,
    *,
    team_shares: dict[str, float],
    promotions: bool = False,
) -> ReviewCycle:
    """A cycle written, submitted, calibrated and released, with some reviews
    acknowledged. ``team_shares``: team slug → share rated above "meets" (else
    ``HIGH_SHARE``); ``promotions``: nominate Sam and a few others."""
    cycle = _cycle(actor, spec)
    high = _rated_above_meets(engineers, genders, rng, team_shares=team_shares)
    for i, person in enumerate(engineers):
        manager = person.parent
        assert manager is not None
        if person.pk in high:
            overall = "strongly_exceeds" if rng.random() < STRONGLY_EXCEEDS_SHARE else "exceeds"
        else:
            overall = "below" if rng.random() < BELOW_SHARE else "meets"
        share = REMARK_SHARE.get(genders.get(person.pk, ""), REMARK_SHARE_OTHERS)
        remark = rng.choice(REMARKS) if rng.random() < share else ""
        evidence = _evidence_for(person, manager.user, spec[1], rng, 4)
        review = review_create(actor=manager.user, cycle=cycle, subject=person)
        review = _write(review, manager, evidence, rng, good=True, overall=overall, remark=remark)
        if promotions and (person.user.username == "sam" or (i % 11 == 5 and overall != "below")):
            review = review_update(
                actor=manager.user,
                review=review,
                version=review.version,
                promotion_to=_next_level(person.level),
            )
        review_submit(actor=manager.user, review=review)
    cycle_transition(actor=actor, cycle=cycle, to="calibrating")
    calibrate(actor=actor, cycle=cycle, rng=rng, finalize=True)
    for to in ("finalized", "released"):
        cycle_transition(actor=actor, cycle=cycle, to=to)
    for review in review_list(user=actor).filter(cycle=cycle).select_related("subject__user")[::3]:
        review_acknowledge(
            actor=review.subject.user,
            review=review,
            response="Thanks: this matches how I saw the half.",
        )
    return cycle


def _rated_above_meets(
    engineers: list[Person],
    genders: dict[int, str],
    rng: random.Random,
    *,
    team_shares: dict[str, float],
) -> set[int]:
    """Ids of the engineers rated above "meets" in a cycle.

    Each team gets its share of such ratings (``team_shares`` or ``HIGH_SHARE``); the total
    is spread over levels by ``HIGH_WEIGHT_BY_LEVEL`` and, within a level, over genders in
    proportion to their numbers, so that at any one level women and men are rated high
    equally often. Who in a level and gender gets one follows the teams' shares."""
    sizes = Counter(p.team.slug for p in engineers)
    left = {t: round(n * team_shares.get(t, HIGH_SHARE)) for t, n in sizes.items()}
    by_level: dict[str, list[Person]] = defaultdict(list)
    for p in engineers:
        by_level[p.level].append(p)
    per_level = apportion(
        sum(left.values()),
        {lvl: len(ps) * HIGH_WEIGHT_BY_LEVEL[lvl] for lvl, ps in by_level.items()},
    )
    cells: list[tuple[list[Person], int]] = []
    # The most senior levels first: nearly all of them are rated high, so they have the
    # least choice of team.
    for lvl in sorted(by_level, key=lambda lvl: -HIGH_WEIGHT_BY_LEVEL[lvl]):
        by_gender: dict[str, list[Person]] = defaultdict(list)
        for p in by_level[lvl]:
            by_gender[genders.get(p.pk, "")].append(p)
        quota = apportion(per_level[lvl], {g: len(ps) for g, ps in by_gender.items()})
        cells += [(by_gender[g], quota[g]) for g in sorted(by_gender)]

    high: set[int] = set()
    for people, k in cells:
        rng.shuffle(people)
        people.sort(key=lambda p: -left[p.team.slug])  # stable: ties stay shuffled
        for p in people[:k]:
            high.add(p.pk)
            left[p.team.slug] -= 1
    # Even out what the greedy pass left over: within one level and gender, move a high
    # rating from a team over its share to a team under it.
    moved = True
    while moved:
        moved = False
        for people, _ in cells:
            over = [p for p in people if p.pk in high and left[p.team.slug] < 0]
            under = [p for p in people if p.pk not in high and left[p.team.slug] > 0]
            if over and under:
                high.discard(over[0].pk)
                high.add(under[0].pk)
                left[over[0].team.slug] += 1
                left[under[0].team.slug] -= 1
                moved = True
    return high


def _next_level(code: str) -> str:
    ladder = ["L3", "L4", "L5", "L6", "L7"]
    return ladder[min(ladder.index(code) + 1, len(ladder) - 1)] if code in ladder else ""


def _manager_cycle(actor: User, rng: random.Random) -> ReviewCycle:
    """Quarterly reviews of the engineering managers, now in calibration: a session in
    progress with some cases decided, some changed with reasons, and a promotion case."""
    from calibration import services as calibration

    spec = ("Q3 2026 manager reviews", datetime.date(2026, 7, 1), datetime.date(2026, 9, 30))
    cycle = _cycle(actor, spec)
    managers = list(
        person_list(user=actor)
        .filter(ladder__slug="engineering-manager", level__in=["M1", "M2"])
        .select_related("parent", "parent__user", "team")
        .order_by("team__name")
    )
    ratings = ["meets", "exceeds", "meets", "strongly_exceeds", "meets", "below"]
    for i, manager in enumerate(managers):
        boss = manager.parent
        assert boss is not None
        evidence = _evidence_for(manager, boss.user, spec[1], rng, 4)
        review = review_create(actor=boss.user, cycle=cycle, subject=manager)
        review = _write(review, boss, evidence, rng, good=True, overall=ratings[i % 6])
        if i == 1 and manager.level == "M1":
            review = review_update(
                actor=boss.user, review=review, version=review.version, promotion_to="M2"
            )
        review_submit(actor=boss.user, review=review)
    cycle_transition(actor=actor, cycle=cycle, to="calibrating")
    marcus = person_list(user=actor).get(user__username="marcus")
    directors = list(person_list(user=actor).filter(level="M3").exclude(pk=marcus.pk))
    hana = person_list(user=actor).get(user__username="hana")
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
