"""The committee's pre-read packet (built in the background) and the engineer's outcome
letter. Both render a template and convert it with WeasyPrint (core/pdf.py)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import slugify

from calibration.models import CalibrationCase, CalibrationSession, SessionPacket
from calibration.services import session_state_key
from core.background_documents import Lease, build_claim, build_request
from core.pdf import render_pdf
from org.services import access_log_record
from reviews.lint import lint_review, load_terms
from reviews.models import Review
from reviews.selectors import rubric_context, with_review_contents

# --- Packet ----------------------------------------------------------------------------


def packet_request(*, user: Any, session: CalibrationSession) -> SessionPacket:
    """The packet for the session's current state: found, or created and queued (a failed
    one, or one whose worker died, is queued again: core.background_documents).

    Building runs in the background task worker (`manage.py worker`), never in the web
    request: a 100-case packet takes seconds.
    """
    from calibration.tasks import build_packet

    return build_request(
        SessionPacket,
        key={"session": session, "state_key": session_state_key(session)},
        user=user,
        task=build_packet,
    )


def packet_current(session: CalibrationSession) -> SessionPacket | None:
    """The packet (built, building or failed) for the session as it is now, if asked for."""
    return SessionPacket.objects.filter(
        session=session, state_key=session_state_key(session)
    ).first()


def packet_deliver(
    *, user: Any, session: CalibrationSession, packet: SessionPacket, path: str, attachment: bool
) -> HttpResponse:
    """Hand a built packet to a reader (the page downloads it, the API shows it inline),
    logging who read it. The caller has the session from
    ``selectors.packet_session_get`` (the committee and HR)."""
    assert packet.status == SessionPacket.Status.DONE and packet.pdf is not None
    access_log_record(user=user, action="calibration_packet", target=session, path=path)
    response = HttpResponse(bytes(packet.pdf), content_type="application/pdf")
    name = f"calibration-packet-{session.pk}-{slugify(session.name)}.pdf"
    response["Content-Disposition"] = (
        f'{"attachment" if attachment else "inline"}; filename="{name}"'
    )
    return response


def packet_context(session: CalibrationSession, progress: Any = None) -> dict[str, Any]:
    """Everything the packet shows: the rubric for the levels in scope, then a section
    per case (narrative, ratings, evidence, findings). ``progress(done, total)`` is
    called as sections are prepared."""
    cases = list(
        CalibrationCase.objects.filter(session=session)
        .select_related("subject", "subject__team")
        .order_by("level", "subject__team__name", "subject__full_name", "kind", "id")
    )
    reviews = {
        r.pk: r
        for r in with_review_contents(Review.objects.filter(pk__in={c.review_id for c in cases}))
    }
    terms = load_terms()
    sections = []
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
    passes its lease; a direct call, as `make bench` makes, claims the queued row)."""
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
    packet.refresh_from_db()
    return packet


# --- Outcome letter --------------------------------------------------------------------


def letter_context(review: Review) -> dict[str, Any]:
    """What the engineer's letter explains: the final rating and its definition at their
    level, the expectations and evidence it rests on, the calibration rationale if the
    rating changed, the promotion outcome, and the growth section."""
    rubric = rubric_context(review)
    ratings = {r["rating"].key: r for r in rubric["ratings"]}
    final_key = review.final_rating or review.overall_rating
    cases = list(
        CalibrationCase.objects.filter(review=review, session__status="finalized")
        .prefetch_related("evidence")
        .order_by("kind")
    )
    rating_case = next((c for c in cases if c.kind == CalibrationCase.Kind.RATING), None)
    promotion_case = next((c for c in cases if c.kind == CalibrationCase.Kind.PROMOTION), None)
    changed = bool(rating_case and rating_case.calibrated_rating != rating_case.proposed_rating)
    refs = set()
    for case in cases:
        refs |= {(r["level"], r["competency"]) for r in case.rubric_refs}
    expectations = [
        c for c in rubric["competencies"] if (review.level, c["competency"].key) in refs or not refs
    ]
    cited = {e.pk: e for a in review.assessments.all() for e in a.evidence.all()}
    for case in cases:
        cited.update({e.pk: e for e in case.evidence.all()})
    return {
        "review": review,
        "rubric": rubric,
        "final": ratings.get(final_key),
        "proposed": ratings.get(review.overall_rating),
        "rating_changed": changed,
        "rating_case": rating_case,
        "promotion_case": promotion_case,
        "expectations": expectations,
        "evidence": sorted(cited.values(), key=lambda e: (e.occurred_on, e.pk)),
        "assessments": [
            {"assessment": a, "rating": ratings.get(a.rating)} for a in review.assessments.all()
        ],
    }


LETTER_STATUSES = (Review.Status.RELEASED, Review.Status.ACKNOWLEDGED)


def letter_pdf(review: Review) -> bytes:
    """The letter as a PDF. A released review only changes when acknowledged, so the PDF
    is cached per review version."""
    from django.core.cache import cache

    key = f"outcome-letter:{review.pk}:{review.version}"
    pdf = cache.get(key)
    if pdf is None:
        pdf = render_pdf("calibration/letter_pdf.html", letter_context(review))
        cache.set(key, pdf, 24 * 3600)
    return bytes(pdf)
