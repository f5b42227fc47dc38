"""Fairness audit timings for `make bench`: the report of a released cycle with one review
per person who has a level (10,000 people), through the API and through the selector, its
query count next to a 500-person cycle's, and the report PDF
(``audit.pdf_build.report_pdf_render``). Each measured cycle follows an earlier one,
which the report compares it with. The data is bulk-inserted: this measures reads, not
the write paths."""

from __future__ import annotations

import datetime
import io
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.pdf_build import report_pdf_render
from audit.selectors.report import audit_report
from calibration.models import CalibrationCase, CalibrationSession
from org import services as org_services
from org.models import PREFER_NOT_TO_SAY, DemographicAnswer, DemographicDimension, Person
from org.selectors import person_list
from org.types import User
from reviews.models import Assessment, Evidence, Review, ReviewCycle
from reviews.services.reviews import reviews_bulk_insert
from rubrics.models import Competency, Rating, RubricVersion

REPEAT = 3
SMALL_CYCLE = 500
SEED = 2026
EVIDENCE_PER_PERSON = 5

# Rotated per person so that every kind, invisible work included, is common.
EVIDENCE_KINDS = (
    Evidence.Kind.PULL_REQUEST,
    Evidence.Kind.DESIGN_DOC,
    Evidence.Kind.ON_CALL,
    Evidence.Kind.INCIDENT,
    Evidence.Kind.PULL_REQUEST,
    Evidence.Kind.POSTMORTEM,
    Evidence.Kind.MENTORING,
    Evidence.Kind.PEER_FEEDBACK,
)
# Weights of the author's overall rating, by position on the scale (below … strongly exceeds).
RATING_WEIGHTS = (8, 55, 29, 8)
NEXT_LEVEL = {"L3": "L4", "L4": "L5", "L5": "L6", "L6": "L7", "M1": "M2", "M2": "M3", "M3": "M4"}

# Narratives are drawn from these sentences: mostly specific ones, and a share carrying the
# phrases the lint flags, so the language section has findings to count.
SPECIFIC = (
    "Owned the billing reliability work end to end.",
    "Checkout errors fell from 1.2% to 0.3% after the queue split.",
    "Cut p95 latency of the search API by 40% by batching the index reads.",
    "Led the migration of 14 services to the new deploy pipeline without an outage.",
    "Wrote the design doc for tenant isolation and ran the review with three teams.",
    "Resolved the March payments incident and shipped the two follow-up fixes.",
    "Mentored two new engineers through their first on-call rotation.",
    "Reduced flaky tests in the monorepo from 60 to 9 over the half.",
    "Delivered the SSO project a sprint early, with the rollout plan documented.",
    "Improved the alerting runbooks after each page, so repeat pages halved.",
    "Next half: take the lead on the storage roadmap with the platform team.",
    "Worked mostly on the ledger service and the reporting jobs this cycle.",
)
FLAGGED = (
    "She is a great team player.",
    "A rock star on the team.",
    "I think the rollout could be faster.",
    "The design seems to be somewhat over-engineered.",
    "Can be abrasive in code review.",
    "Not strategic enough for the next level.",
    "Perhaps too bossy with newer engineers.",
    "Lacks executive presence in the planning meetings.",
    "A hard worker and a pleasure to work with.",
    "Needs to step up in design discussions.",
)


@dataclass
class Built:
    cycle: ReviewCycle
    reviews: int
    assessments: int
    evidence: int
    cases: int


def _sentences(rng: random.Random, n: int, flagged_share: float) -> str:
    return " ".join(
        rng.choice(FLAGGED) if rng.random() < flagged_share else rng.choice(SPECIFIC)
        for _ in range(n)
    )


def _dimensions(hr: Person) -> list[DemographicDimension]:
    """Three demographic questions, made through the service as HR would."""
    specs = [
        ("gender", "Gender", ["woman", "man", "non-binary"]),
        ("age_band", "Age band", ["under 30", "30-39", "40-49", "50 and over"]),
        ("caregiver", "Caregiver", ["yes", "no"]),
    ]
    existing = {d.key: d for d in DemographicDimension.objects.all()}
    return [
        existing.get(key)
        or org_services.dimension_save(actor=hr.user, key=key, label=label, values=values)
        for key, label, values in specs
    ]


def _answers(
    rng: random.Random, person_ids: list[int], dims: list[DemographicDimension]
) -> list[DemographicAnswer]:
    """Some people answer nothing, some "prefer not to say"; exactly three say non-binary,
    a group below the minimum size, so the report has to suppress it."""
    gender, age, caregiver = dims
    rows: list[DemographicAnswer] = []
    for i, pk in enumerate(person_ids):
        r = rng.random()
        if i in (7, 70, 700):
            value = "non-binary"
        elif r < 0.40:
            value = "woman"
        elif r < 0.86:
            value = "man"
        else:
            value = PREFER_NOT_TO_SAY if r < 0.90 else ""  # "" = no answer
        if value:
            rows.append(DemographicAnswer(person_id=pk, dimension=gender, value=value))
        if rng.random() < 0.88:
            band = rng.choices(age.values, weights=(30, 38, 22, 10))[0]
            rows.append(DemographicAnswer(person_id=pk, dimension=age, value=band))
        if rng.random() < 0.7:
            rows.append(
                DemographicAnswer(
                    person_id=pk, dimension=caregiver, value=rng.choice(["yes", "no"])
                )
            )
    return rows


@transaction.atomic
def _build(
    people: dict[str, Person],
    rows: list[tuple[int, int | None, int | None, int, str, str]],
    *,
    name: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
) -> Built:
    """A released cycle: one released review per row (person, team, manager, ladder, level,
    function), evidence in and around the period, assessments citing it, a finalized
    calibration session with rating cases (some changed up or down) and promotion cases."""
    rng = random.Random(f"{SEED}-{name}")
    versions = {
        v.ladder_id: v for v in RubricVersion.objects.filter(status=RubricVersion.Status.PUBLISHED)
    }
    scale = list(
        Rating.objects.filter(version=next(iter(versions.values())))
        .order_by("order")
        .values_list("key", flat=True)
    )
    keys: dict[int, list[str]] = {}
    for version_id, key in Competency.objects.filter(version__in=versions.values()).values_list(
        "version_id", "key"
    ):
        keys.setdefault(version_id, []).append(key)
    now = timezone.now()
    cycle = ReviewCycle.objects.create(
        name=name, starts_on=starts_on, ends_on=ends_on, status=ReviewCycle.Status.RELEASED
    )
    cycle.rubric_versions.set(versions.values())
    span = (ends_on - starts_on).days

    evidence: list[Evidence] = []
    for i, (person_id, *_rest) in enumerate(rows):
        late = rng.random() < 0.12  # most cited work from the end of the period: recency
        early = rng.random() < 0.06  # one item from before the period: outside_period
        for k in range(EVIDENCE_PER_PERSON):
            if early and k == 0:
                day = -20
            elif late and k > 0:
                day = span - rng.randrange(span // 5)
            else:
                day = int(span * (k + rng.random()) / EVIDENCE_PER_PERSON)
            kind = EVIDENCE_KINDS[(i + k) % len(EVIDENCE_KINDS)]
            evidence.append(
                Evidence(
                    person_id=person_id,
                    kind=kind,
                    title=f"{kind.label} {k + 1} of person {person_id}",
                    occurred_on=starts_on + datetime.timedelta(days=day),
                )
            )
    evidence = Evidence.objects.bulk_create(evidence, batch_size=2000)

    author_of = people["vp"].pk
    reviews: list[Review] = []
    for person_id, team_id, manager_id, ladder_id, level, function in rows:
        overall = rng.choices(scale, weights=RATING_WEIGHTS)[0]
        reviews.append(
            Review(
                cycle=cycle,
                subject_id=person_id,
                author_id=manager_id or author_of,
                rubric_version=versions[ladder_id],
                level=level,
                team_id=team_id,
                function=function,
                manager_id=manager_id,
                status=Review.Status.RELEASED,
                overall_rating=overall,
                final_rating=overall,
                submitted_at=now,
                released_at=now,
                **{
                    section: _sentences(rng, rng.randint(2, 4), 0.12)
                    for section in Review.NARRATIVE_SECTIONS
                },
            )
        )

    # Calibration: every third review has a rating case; a tenth of reviews below the top
    # level have a promotion case, a bit over half of them approved.
    rating_cases: list[CalibrationCase] = []
    promotion_cases: list[CalibrationCase] = []
    for i, review in enumerate(reviews):
        position = scale.index(review.overall_rating)
        if i % 3 == 0:
            r = rng.random()
            moved = position + 1 if r < 0.10 else position - 1 if r < 0.18 else position
            calibrated = scale[min(max(moved, 0), len(scale) - 1)]
            review.final_rating = calibrated
            rating_cases.append(
                CalibrationCase(
                    review=review,
                    subject_id=review.subject_id,
                    kind=CalibrationCase.Kind.RATING,
                    level=review.level,
                    proposed_rating=review.overall_rating,
                    calibrated_rating=calibrated,
                    status=CalibrationCase.Status.DECIDED,
                    decided_at=now,
                )
            )
        if review.level in NEXT_LEVEL and rng.random() < 0.10:
            decision = (
                CalibrationCase.PromotionDecision.APPROVED
                if rng.random() < 0.55
                else CalibrationCase.PromotionDecision.NOT_APPROVED
            )
            review.promotion_to = NEXT_LEVEL[review.level]
            review.promotion_outcome = decision
            promotion_cases.append(
                CalibrationCase(
                    review=review,
                    subject_id=review.subject_id,
                    kind=CalibrationCase.Kind.PROMOTION,
                    level=review.level,
                    target_level=review.promotion_to,
                    promotion_decision=decision,
                    status=CalibrationCase.Status.DECIDED,
                    decided_at=now,
                )
            )
    reviews = reviews_bulk_insert(reviews=reviews, batch_size=2000)

    by_person: dict[int, list[Evidence]] = {}
    for e in evidence:
        by_person.setdefault(e.person_id, []).append(e)
    assessments: list[Assessment] = []
    cites: list[list[Evidence]] = []
    for review in reviews:
        items = by_person[review.subject_id]
        for j, key in enumerate(keys[review.rubric_version_id]):
            position = scale.index(review.overall_rating)
            rating = scale[min(max(position + rng.choice((-1, 0, 0, 0, 1)), 0), len(scale) - 1)]
            # A few assessments cite nothing (no_evidence and, off the baseline,
            # unevidenced_rating); the rest cite one or two of the person's items.
            cited = (
                []
                if rng.random() < 0.03
                else [items[j % len(items)], *([items[(j + 3) % len(items)]] if j < 2 else [])]
            )
            assessments.append(
                Assessment(
                    review=review,
                    competency=key,
                    rating=rating,
                    narrative=_sentences(rng, rng.randint(1, 3), 0.15),
                    order=j,
                )
            )
            cites.append(cited)
    assessments = Assessment.objects.bulk_create(assessments, batch_size=2000)
    through = Assessment.evidence.through
    through.objects.bulk_create(
        [
            through(assessment_id=a.pk, evidence_id=e.pk)
            for a, cited in zip(assessments, cites, strict=True)
            for e in cited
        ],
        batch_size=5000,
    )

    session = CalibrationSession.objects.create(
        cycle=cycle,
        name=f"{name}: calibration",
        facilitator=people["manager"],
        status=CalibrationSession.Status.FINALIZED,
        opened_at=now,
        finalized_at=now,
    )
    session.committee.set([people["manager"], people["vp"]])
    cases = rating_cases + promotion_cases
    for case in cases:
        case.session = session
    CalibrationCase.objects.bulk_create(cases, batch_size=2000)
    return Built(
        cycle=cycle,
        reviews=len(reviews),
        assessments=len(assessments),
        evidence=len(evidence),
        cases=len(cases),
    )


def _measure(call: Callable[[], Any], repeat: int = REPEAT) -> tuple[float, float, int]:
    """(first run ms, median ms of the next ``repeat`` runs, queries of the last run)."""
    times: list[float] = []
    queries = 0
    for _ in range(1 + repeat):
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            call()
            times.append((time.perf_counter() - t0) * 1000)
        queries = len(ctx)
    return times[0], statistics.median(times[1:]), queries


def _api(client: Client, cycle: ReviewCycle) -> Callable[[], Any]:
    def call() -> Any:
        response = client.get("/api/v1/audit/report/", {"cycle": cycle.pk})
        if response.status_code != 200:
            raise RuntimeError(f"{response.status_code} from the audit report API")
        return response

    return call


def _page(client: Client, cycle: ReviewCycle) -> Callable[[], Any]:
    def call() -> Any:
        response = client.get(f"/audit/{cycle.pk}/")
        if response.status_code != 200:
            raise RuntimeError(f"{response.status_code} from the audit report page")
        return response

    return call


def _pdf_pages(pdf: bytes) -> str:
    """The page count if a PDF reader is installed (pypdf, else the tests' pypdfium2)."""
    size = f"{len(pdf) // 1024} KiB"
    try:
        from pypdf import PdfReader

        return f"{len(PdfReader(io.BytesIO(pdf)).pages)} pages, {size}"
    except ImportError:
        pass
    try:
        import pypdfium2

        return f"{len(pypdfium2.PdfDocument(pdf))} pages, {size}"
    except ImportError:
        return size


def audit_pdf_line(stdout: Any, user: User, cycle: ReviewCycle, label: str) -> None:
    """The report PDF, laid out as the background task does (one run: it takes seconds)."""
    with CaptureQueriesContext(connection) as ctx:
        t0 = time.perf_counter()
        pdf = report_pdf_render(user=user, cycle=cycle)
        ms = (time.perf_counter() - t0) * 1000
    stdout.write(f"{label:<40} {ms:>10.1f} {ms:>8.1f} {len(ctx):>8}   ({_pdf_pages(pdf)})")


def run(stdout: Any, people: dict[str, Person]) -> None:
    started = time.perf_counter()
    hr = people["hr"].user
    rows = list(
        person_list(user=hr)  # HR: everyone
        .exclude(level="")
        .exclude(ladder=None)
        .order_by("pk")
        .values_list("pk", "team_id", "parent_id", "ladder_id", "level", "function")
    )
    dims = _dimensions(people["hr"])
    DemographicAnswer.objects.bulk_create(
        _answers(random.Random(SEED), [r[0] for r in rows], dims), batch_size=5000
    )
    # Each measured cycle has a previous one, as a cycle normally has, so both reports
    # include the comparison with it: the 10,000 cycle follows another full one, the
    # 500 cycle a 50-person one.
    built: dict[str, Built] = {}
    for key, share, name, starts_on, ends_on in (
        (
            "small prior",
            rows[: SMALL_CYCLE // 10],
            "Bench audit 2023 H2",
            (2023, 7, 1),
            (2023, 12, 31),
        ),
        ("small", rows[:SMALL_CYCLE], "Bench audit 2024 H1", (2024, 1, 1), (2024, 6, 30)),
        ("large prior", rows, "Bench audit 2024 H2", (2024, 7, 1), (2024, 12, 31)),
        ("large", rows, "Bench audit 2025 H1", (2025, 1, 1), (2025, 6, 30)),
    ):
        built[key] = _build(
            people,
            share,
            name=name,
            starts_on=datetime.date(*starts_on),
            ends_on=datetime.date(*ends_on),
        )
    large, small = built["large"], built["small"]
    stdout.write(
        f"Fairness audit: released cycles of {large.reviews:,} and {small.reviews:,} reviews, "
        f"each after a previous cycle ({large.assessments:,} assessments, "
        f"{large.evidence:,} evidence items, {large.cases:,} calibration cases in the large "
        f"one), built in {time.perf_counter() - started:.1f}s"
    )

    client = Client()
    client.force_login(hr)
    stdout.write(
        "(the API and the page compute the report on the first call and read it from the "
        "cache after that, until the data changes; the selector always computes)"
    )
    stdout.write(f"{'what':<40} {'median ms':>10} {'first ms':>8} {'queries':>8}")
    counts: dict[str, list[int]] = {"API": [], "selector": [], "page": []}
    for measured in (large, small):
        n = f"({measured.reviews:,} reviews)"
        for kind, label, call in (
            ("API", f"Audit report API {n}", _api(client, measured.cycle)),
            (
                "selector",
                f"audit_report selector {n}",
                partial(audit_report, user=hr, cycle=measured.cycle),
            ),
            ("page", f"Audit report page (HTML) {n}", _page(client, measured.cycle)),
        ):
            first, median, queries = _measure(call)
            counts[kind].append(queries)
            stdout.write(f"{label:<40} {median:>10.1f} {first:>8.1f} {queries:>8}")
    stdout.write(
        f"Audit report queries, {large.reviews:,} vs {small.reviews:,} reviews: "
        f"API {counts['API'][0]} vs {counts['API'][1]}, "
        f"selector {counts['selector'][0]} vs {counts['selector'][1]}, "
        f"page {counts['page'][0]} vs {counts['page'][1]}"
    )
    audit_pdf_line(stdout, hr, large.cycle, f"Audit report PDF ({large.reviews:,} reviews)")
