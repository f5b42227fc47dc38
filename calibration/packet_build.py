"""Building the committee's pre-read packet: what it shows and its PDF. Run by the
background task (calibration.tasks.build_packet) or directly by `make bench`; asking for
a packet and handing it out is calibration.documents'."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils import timezone

from calibration import selectors
from calibration.models import CalibrationSession, SessionPacket
from calibration.selectors.self_gap import review_self_gaps
from core.background_documents import Lease, build_claim
from core.pdf import render_pdf
from reviews.lint import lint_review
from reviews.lint_terms import load_terms
from reviews.selectors import rubric_context


def packet_context(
    session: CalibrationSession, progress: Callable[[int, int], None] | None = None
) -> dict[str, Any]:
    """Everything the packet shows: the rubric for the levels in scope, then a section
    per case (narrative, ratings, evidence, findings). ``progress(done, total)`` is
    called as sections are prepared."""
    cases = selectors.session_cases(session)
    reviews = {r.pk: r for r in selectors.case_reviews(cases)}
    terms = load_terms()
    sections: list[dict[str, Any]] = []
    rubrics: dict[tuple[int, str, str], dict[str, Any]] = {}
    for i, case in enumerate(cases, 1):
        review = reviews[case.review_id]
        # The context depends on the nomination too (it adds the target level's column).
        key = (review.rubric_version_id, case.level, review.promotion_to)
        if key not in rubrics:
            rubrics[key] = rubric_context(review)
        evidence = {e.pk: e for a in review.assessments.all() for e in a.evidence.all()}
        sections.append(
            {
                "case": case,
                "review": review,
                "rubric": rubrics[key],
                "evidence": sorted(evidence.values(), key=lambda e: (e.occurred_on, e.pk)),
                "findings": lint_review(review, terms=terms),
            }
        )
        if progress is not None:
            progress(i, len(cases))
    # The subjects' submitted self-ratings beside the managers' (one query for all).
    gaps = review_self_gaps(
        [s["review"] for s in sections], {s["review"].pk: s["rubric"] for s in sections}
    )
    for section in sections:
        section["self_gap"] = gaps[section["review"].pk]
    levels = sorted({c.level for c in cases})
    return {
        "session": session,
        "sections": sections,
        # One rubric per (version, level) for the front of the packet.
        "level_rubrics": list(
            {
                (version, level): v
                for (version, level, _), v in sorted(rubrics.items(), key=lambda kv: kv[0][1])
                if level in levels
            }.values()
        ),
        "generated_at": timezone.now(),
    }


def packet_build(packet: SessionPacket, lease: Lease | None = None) -> SessionPacket:
    """Render the packet PDF, reporting progress through the lease as it goes (the task
    passes its lease; a direct call, as `make bench` makes, claims the queued row).

    Once it is built, the session's older packets are deleted, as audit.documents does
    with superseded report PDFs: they show decisions as they no longer are."""
    if lease is None:
        lease = build_claim(SessionPacket, packet.pk)
        if lease is None:
            raise ValueError(f"Packet {packet.pk} is not queued.")
    claimed = lease

    def progress(done: int, total: int) -> None:
        # Preparing sections is the first 60%; WeasyPrint's layout is the rest.
        if done == total or done % 10 == 0:
            claimed.progress(max(1, int(60 * done / max(total, 1))))

    context = packet_context(packet.session, progress)
    lease.progress(60)
    pdf = render_pdf("calibration/packet_pdf.html", context)
    lease.finish(pdf=pdf)
    # Older requests only (a newer one is for a newer state), and only finished ones: a
    # build still queued or running is someone's current request.
    SessionPacket.objects.filter(
        session_id=packet.session_id,
        pk__lt=packet.pk,
        status__in=[SessionPacket.Status.DONE, SessionPacket.Status.FAILED],
    ).delete()
    packet.refresh_from_db()
    return packet
