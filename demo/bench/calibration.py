"""Calibration timings for `make bench`: the board with 200 cases, the packet PDF with
100 cases, one outcome letter. The data is bulk-inserted: this measures reads."""

from __future__ import annotations

import datetime
import statistics
import time
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from calibration.documents import letter_pdf
from calibration.models import CalibrationCase, CalibrationSession, SessionPacket
from calibration.packet_build import packet_build
from org.models import Person
from org.selectors import person_list
from reviews.models import Assessment, Evidence, Review, ReviewCycle
from reviews.services.reviews import reviews_bulk_insert
from rubrics.models import Competency, RubricVersion

NARRATIVE = (
    "Owned the billing reliability work end to end. Checkout errors fell from 1.2% to 0.3% "
    "after the split, and p95 latency dropped 40%. Seems to be a great team player."
)


def _build(people: list[Person], manager: Person) -> tuple[ReviewCycle, list[Review]]:
    version = RubricVersion.objects.get(ladder__slug="engineering-ic", status="published")
    keys = list(Competency.objects.filter(version=version).values_list("key", flat=True))
    start = datetime.date(2026, 1, 1)
    cycle = ReviewCycle.objects.create(
        name="Bench cycle",
        starts_on=start,
        ends_on=datetime.date(2026, 6, 30),
        status=ReviewCycle.Status.CALIBRATING,
    )
    cycle.rubric_versions.set([version])
    reviews = reviews_bulk_insert(
        reviews=[
            Review(
                cycle=cycle,
                subject=p,
                author=manager,
                rubric_version=version,
                level=p.level,
                team_id=p.team_id,
                status=Review.Status.SUBMITTED,
                overall_rating="exceeds",
                ownership=NARRATIVE,
                impact=NARRATIVE,
                outcomes=NARRATIVE,
                growth=NARRATIVE,
            )
            for p in people
        ]
    )
    evidence = Evidence.objects.bulk_create(
        [
            Evidence(
                person=p,
                kind="pull_request",
                title=f"Change {i} by {p.pk}",
                url=f"https://github.com/example-org/app/pull/{p.pk * 10 + i}",
                occurred_on=start + datetime.timedelta(days=30 * i + 3),
            )
            for p in people
            for i in range(3)
        ]
    )
    assessments = Assessment.objects.bulk_create(
        [
            Assessment(review=r, competency=k, rating="exceeds", narrative=NARRATIVE, order=j)
            for r in reviews
            for j, k in enumerate(keys)
        ]
    )
    by_person: dict[int, list[Evidence]] = {}
    for e in evidence:
        by_person.setdefault(e.person_id, []).append(e)
    through = Assessment.evidence.through
    review_subject = {r.pk: r.subject_id for r in reviews}
    through.objects.bulk_create(
        [
            through(assessment_id=a.pk, evidence_id=by_person[review_subject[a.review_id]][0].pk)
            for a in assessments
        ]
    )
    return cycle, reviews


def _session(
    cycle: ReviewCycle, reviews: list[Review], member: Person, name: str
) -> CalibrationSession:
    session = CalibrationSession.objects.create(
        cycle=cycle, name=name, facilitator=member, status=CalibrationSession.Status.OPEN
    )
    session.committee.set([member])
    CalibrationCase.objects.bulk_create(
        [
            CalibrationCase(
                session=session,
                review=r,
                subject_id=r.subject_id,
                level=r.level,
                proposed_rating=r.overall_rating,
            )
            for r in reviews
        ]
    )
    return session


def run(stdout: Any, people: dict[str, Person]) -> None:
    member = people["manager"]
    engineers = list(
        person_list(user=people["hr"].user)
        .filter(ladder__slug="engineering-ic")
        .order_by("pk")[:300]
    )
    cycle, reviews = _build(engineers, member)
    board = _session(cycle, reviews[:200], member, "Bench board")
    packet_session = _session(cycle, reviews[200:300], member, "Bench packet")

    client = Client()
    client.force_login(member.user)
    url = f"/calibration/{board.pk}/"
    client.get(url)
    times, queries = [], 0
    for _ in range(3):
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            assert client.get(url).status_code == 200
            times.append((time.perf_counter() - t0) * 1000)
        queries = len(ctx)
    stdout.write(
        f"{'Calibration board (200 cases)':<40} {statistics.median(times):>10.1f} "
        f"{max(times):>8.1f} {queries:>8}"
    )

    packet = SessionPacket.objects.create(session=packet_session, state_key="bench")
    with CaptureQueriesContext(connection) as ctx:
        t0 = time.perf_counter()
        packet = packet_build(packet)
        ms = (time.perf_counter() - t0) * 1000
    size = len(bytes(packet.pdf or b"")) // 1024
    stdout.write(
        f"{'Packet PDF (100 cases, background task)':<40} {ms:>10.1f} {ms:>8.1f} "
        f"{len(ctx):>8}   ({size} KiB)"
    )

    review = reviews[0]
    review.status = Review.Status.RELEASED
    review.final_rating = "exceeds"
    review.save(update_fields=["status", "final_rating"])
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        t0 = time.perf_counter()
        letter_pdf(review)
        ms = (time.perf_counter() - t0) * 1000
    stdout.write(f"{'Outcome letter PDF (uncached)':<40} {ms:>10.1f} {ms:>8.1f} {len(ctx):>8}")
