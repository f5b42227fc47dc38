"""Calibration's documents and how each is handed out: the committee's pre-read packet
(built in the background: calibration.packet_build), the engineer's outcome letter and
HR's CSV export of a finalized session.

One ``<document>_deliver`` per document does the gate, the state check, the access-log
line and the response; the page and the API both call it. Not ready yet answers the
caller's way: ``PacketNotReady`` (the page sends the reader back to the packet page, the
API answers 202), ``selectors.LetterNotReady`` (409: a page explaining why, or the API's
JSON).
"""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.http import HttpResponse
from django.utils.text import slugify

from calibration import selectors
from calibration.models import CalibrationCase, CalibrationSession, SessionPacket
from calibration.selectors.appeals import letter_appeal_change
from calibration.tasks import build_packet
from core.background_documents import build_request
from core.csv import to_csv
from core.pdf import render_pdf
from org.services import access_log_record
from org.types import Viewer, signed_in
from reviews.models import Review
from reviews.selectors import rubric_context

# --- Packet ----------------------------------------------------------------------------


class PacketNotReady(Exception):
    """The packet for the session's current state is not built (yet, or it failed)."""

    def __init__(self, session: CalibrationSession, packet: SessionPacket | None) -> None:
        super().__init__(f"The packet of session {session.pk} is not built.")
        self.session = session
        self.packet = packet


def packet_request(*, user: Viewer, session: CalibrationSession) -> SessionPacket:
    """The packet for the session's current state: found, or created and queued (a failed
    one, or one whose worker died, is queued again: core.background_documents).

    Building runs in the background task worker (`manage.py worker`), never in the web
    request: a 100-case packet takes seconds.
    """
    return build_request(
        SessionPacket,
        key={"session": session, "state_key": selectors.session_state_key(session)},
        user=signed_in(user),
        task=build_packet,
    )


def packet_current(session: CalibrationSession) -> SessionPacket | None:
    """The packet (built, building or failed) for the session as it is now, if asked for."""
    return SessionPacket.objects.filter(
        session=session, state_key=selectors.session_state_key(session)
    ).first()


def packet_deliver(
    *, user: Viewer, pk: Any, path: str, attachment: bool, start: bool
) -> HttpResponse:
    """Hand the packet of the session's current state to a reader (the page downloads
    it, the API shows it inline), logging who read it. The committee and HR only
    (``selectors.packet_session_get``: 404, or 403). ``start``: ask for the build if
    nobody has yet (the API's contract, SPEC §5; the page's download link only shows
    once it is built). Raises ``PacketNotReady`` until it is built."""
    session = selectors.packet_session_get(user=user, pk=pk)
    packet = packet_request(user=user, session=session) if start else packet_current(session)
    if packet is None or packet.status != SessionPacket.Status.DONE or not packet.pdf:
        raise PacketNotReady(session, packet)
    access_log_record(user=user, action="calibration_packet", target=session, path=path)
    response = HttpResponse(bytes(packet.pdf), content_type="application/pdf")
    name = f"calibration-packet-{session.pk}-{slugify(session.name)}.pdf"
    response["Content-Disposition"] = (
        f'{"attachment" if attachment else "inline"}; filename="{name}"'
    )
    return response


# --- Outcome letter --------------------------------------------------------------------


def letter_context(review: Review) -> dict[str, Any]:
    """What the engineer's letter explains: the final rating and its definition at their
    level, the expectations and evidence it rests on, the calibration rationale if the
    rating changed, the promotion outcome, and the growth section."""
    rubric = rubric_context(review)
    ratings = {r["rating"].key: r for r in rubric["ratings"]}
    final_key = review.final_rating or review.overall_rating
    cases = selectors.letter_cases(review)
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
    # A rating changed on appeal is part of why the final rating is what it is (SPEC
    # §1.5); an appeal that changed nothing is told on the review page, not here.
    appeal = letter_appeal_change(review)
    return {
        "review": review,
        "rubric": rubric,
        "final": ratings.get(final_key),
        "proposed": ratings.get(review.overall_rating),
        "rating_changed": changed,
        "rating_case": rating_case,
        "calibrated": ratings.get(rating_case.calibrated_rating) if rating_case else None,
        "appeal": appeal,
        "appeal_from": ratings.get(appeal.from_rating) if appeal else None,
        "appeal_refs": _ref_rows(appeal.rubric_refs, rubric) if appeal else [],
        "promotion_case": promotion_case,
        "expectations": expectations,
        "evidence": sorted(cited.values(), key=lambda e: (e.occurred_on, e.pk)),
        "assessments": [
            {"assessment": a, "rating": ratings.get(a.rating)} for a in review.assessments.all()
        ],
    }


def _ref_rows(refs: list[dict[str, str]], rubric: dict[str, Any]) -> list[dict[str, Any]]:
    """Cited rubric expectations with their competency's name and, at the review's level,
    the expectation's text."""
    items = {c["competency"].key: c for c in rubric["competencies"]}
    rows = []
    for ref in refs:
        item = items.get(ref["competency"])
        same_level = rubric["level"] is not None and ref["level"] == rubric["level"].code
        rows.append(
            {
                "level": ref["level"],
                "name": item["competency"].name if item else ref["competency"],
                "text": item["expectation"].text
                if item and same_level and item["expectation"]
                else "",
            }
        )
    return rows


def letter_pdf(review: Review) -> bytes:
    """The letter as a PDF. A released review only changes when acknowledged, so the PDF
    is cached per review version."""
    key = f"outcome-letter:{review.pk}:{review.version}"
    pdf = cache.get(key)
    if pdf is None:
        pdf = render_pdf("calibration/letter_pdf.html", letter_context(review))
        cache.set(key, pdf, 24 * 3600)
    return bytes(pdf)


def letter_deliver(*, user: Viewer, pk: Any, path: str) -> HttpResponse:
    """Hand the outcome letter PDF of a review to a reader (the page and the API), logging
    who read it. 404 for a review the user may not see; ``LetterNotReady`` (409) until
    the cycle is released (``selectors.letter_review_get``)."""
    review = selectors.letter_review_get(user=user, pk=pk)
    access_log_record(user=user, action="outcome_letter", target=review, path=path)
    response = HttpResponse(letter_pdf(review), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="outcome-{review.pk}.pdf"'
    return response


# --- CSV export ------------------------------------------------------------------------


def session_csv_deliver(*, user: Viewer, session: CalibrationSession, path: str) -> HttpResponse:
    """HR's CSV of a finalized session (``selectors.session_export_rows``: 403 for
    anyone but HR, ``InvalidStateError`` before finalizing), logging who took it.
    ``session`` comes from ``selectors.session_get``."""
    body = to_csv(
        selectors.EXPORT_HEADER, selectors.session_export_rows(user=user, session=session)
    )
    access_log_record(user=user, action="calibration_csv", target=session, path=path)
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="calibration-{session.pk}-{slugify(session.name)}.csv"'
    )
    return response
