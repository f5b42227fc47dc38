"""The committee's pre-read packet and the engineer's outcome letter (SPEC §1.5, §1.6, §5).

The cycle is built, calibrated and released through the real services: the engineer's
rating is changed in calibration (with a rationale citing the rubric) and their promotion
approved; the teammate's and the other engineer's ratings are kept.
"""

from __future__ import annotations

import datetime
from html.parser import HTMLParser
from types import SimpleNamespace

import pypdfium2 as pdfium
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from calibration import documents, packet_build
from calibration import services as calibration
from calibration.models import CalibrationCase, SessionPacket
from core.pdf import render_pdf_html
from org import services as org_services
from org.models import AccessLog
from reviews.services.cycles import cycle_transition
from reviews.services.reviews import review_acknowledge, review_create, review_submit, review_update
from tests.calibration.conftest import run_task_worker
from tests.factories import make_person
from tests.reviews.conftest import add_evidence, make_cycle

RATIONALE = (
    "The staged billing rollout set the pattern two other teams now follow, which is "
    "well beyond what L4 expects for execution."
)
PROMOTION_RATIONALE = (
    "Execution and collaboration over the whole period match the L5 expectations, as the "
    "billing split and the mentoring show."
)
DEMOGRAPHICS = {
    "gender": ("Gender", ["woman", "man", "non-binary"], "non-binary"),
    "ethnicity": (
        "Ethnicity",
        ["Asian", "Black", "Middle Eastern or North African", "White"],
        "Middle Eastern or North African",
    ),
    "age_band": ("Age band", ["under 30", "30 to 54", "55 and over"], "55 and over"),
}
XSS = (
    '<script>alert("owned")</script> <img src=x onerror="alert(1)"> '
    "[a link](javascript:alert(2)) and **bold work**"
)


def decide_and_finalize(world, calib, *, evidence_for_other=(), promotion="approved") -> None:
    """Decide every case of both sessions and finalize them; the cycle is then finalized."""
    om = world.other_manager.user
    calibration.case_decide(
        actor=om,
        case=calib.case,
        version=calib.case.version,
        calibrated_rating="strongly_exceeds",
        rationale=RATIONALE,
        rubric_refs=[{"level": "L4", "competency": "execution"}],
    )
    calibration.case_decide(
        actor=om,
        case=calib.promo_case,
        version=calib.promo_case.version,
        promotion_decision=promotion,
        rationale=PROMOTION_RATIONALE,
        rubric_refs=[
            {"level": "L5", "competency": "execution"},
            {"level": "L5", "competency": "collaboration"},
        ],
    )
    calibration.case_decide(
        actor=om,
        case=calib.teammate_case,
        version=calib.teammate_case.version,
        calibrated_rating="meets",
    )
    other_case = CalibrationCase.objects.get(session=calib.other_session)
    calibration.case_decide(
        actor=world.manager.user,
        case=other_case,
        version=other_case.version,
        calibrated_rating="meets",
        evidence=list(evidence_for_other) or None,
    )
    calibration.session_finalize(actor=world.hr.user, session=calib.session)
    calibration.session_finalize(actor=world.hr.user, session=calib.other_session)
    cycle_transition(actor=world.hr.user, cycle=calib.cycle, to="finalized")


def release(world, calib) -> None:
    cycle_transition(actor=world.hr.user, cycle=calib.cycle, to="released")


@pytest.fixture
def released(world, calib) -> SimpleNamespace:
    decide_and_finalize(world, calib)
    release(world, calib)
    return calib


def give_demographics(world) -> list[str]:
    """Distinctive self-identified answers for every subject; returns the values."""
    for key, (label, values, _answer) in DEMOGRAPHICS.items():
        org_services.dimension_save(actor=world.hr.user, key=key, label=label, values=values)
    answers = {key: answer for key, (_l, _v, answer) in DEMOGRAPHICS.items()}
    for person in (world.engineer, world.teammate, world.other_engineer):
        org_services.demographics_set(actor=person.user, person=person, attributes=answers)
    return list(answers.values())


class _ActiveContent(HTMLParser):
    """Collects whatever in a page could run: inline scripts, event handlers,
    javascript: links and embedded elements."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script" and not values.get("src"):
            self.found.append("inline <script>")
        if tag in ("img", "iframe", "object", "embed", "svg"):
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}>")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"<{tag} {name}={value}>")


def active_content(html: str) -> list[str]:
    parser = _ActiveContent()
    parser.feed(html)
    return parser.found


def pdf_text(data: bytes) -> str:
    pdf = pdfium.PdfDocument(data)
    try:
        text = " ".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    finally:
        pdf.close()
    return " ".join(text.split())


def pdf_pages(data: bytes) -> int:
    pdf = pdfium.PdfDocument(data)
    try:
        return len(pdf)
    finally:
        pdf.close()


def letter_url(review) -> str:
    return reverse("calibration:letter", args=[review.pk])


def letter_pdf_url(review) -> str:
    return reverse("calibration:letter-pdf", args=[review.pk])


def session_with_texts(world, *, text: str) -> SimpleNamespace:
    """A cycle of its own (H1 2026) where the engineer's review carries ``text`` in its
    narrative, growth and an assessment, calibrated by other_manager's session."""
    cycle = make_cycle(world)
    ev = [
        add_evidence(world, world.engineer, "Split the billing service", datetime.date(2026, 2, 3)),
        add_evidence(
            world, world.engineer, "Mentored a joiner", datetime.date(2026, 3, 9), kind="mentoring"
        ),
    ]
    review = review_create(actor=world.manager.user, cycle=cycle, subject=world.engineer)
    review_update(
        actor=world.manager.user,
        review=review,
        version=review.version,
        overall_rating="meets",
        narrative={
            "ownership": text,
            "impact": "Checkout errors fell from 1.2% to 0.3%.",
            "outcomes": "p95 latency down 40%.",
            "growth": text,
            "context": "A migration took half the period.",
        },
        assessments=[
            {
                "competency": "execution",
                "rating": "meets",
                "evidence": [ev[0].pk],
                "narrative": text,
            },
            {
                "competency": "collaboration",
                "rating": "meets",
                "evidence": [ev[1].pk],
                "narrative": "Mentored a joiner through their first release.",
            },
        ],
    )
    review.refresh_from_db()
    review = review_submit(actor=world.manager.user, review=review)
    cycle = cycle_transition(actor=world.hr.user, cycle=cycle, to="calibrating")
    session = calibration.session_create(
        actor=world.hr.user,
        cycle=cycle,
        name="Team A, first half",
        facilitator=world.other_manager,
        committee=[world.other_manager],
        scope_teams=[world.team_a],
    )
    session = calibration.session_open(actor=world.hr.user, session=session)
    return SimpleNamespace(cycle=cycle, session=session, review=review)


def release_single(world, setup: SimpleNamespace, *, rationale: str) -> None:
    case = CalibrationCase.objects.get(session=setup.session)
    calibration.case_decide(
        actor=world.other_manager.user,
        case=case,
        version=case.version,
        calibrated_rating="exceeds",
        rationale=rationale,
        rubric_refs=[{"level": "L4", "competency": "execution"}],
    )
    calibration.session_finalize(actor=world.hr.user, session=setup.session)
    cycle = cycle_transition(actor=world.hr.user, cycle=setup.cycle, to="finalized")
    cycle_transition(actor=world.hr.user, cycle=cycle, to="released")


# --- The outcome letter ----------------------------------------------------------------


def test_the_engineer_reads_why_their_rating_changed_and_that_their_promotion_was_approved(
    world, released, client_for
):
    response = client_for("engineer").get(letter_url(released.review))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Your review outcome" in html
    assert "Dear Erin Engineer" in html
    # The final rating and what it means at L4 (the rubric's definition).
    assert "Strongly exceeds" in html
    assert "Well beyond." in html
    # Said plainly that it changed, from what, and why, with the expectation it rests on.
    assert "Your rating changed in calibration" in html
    assert "proposed <strong>Exceeds</strong>" in html
    assert RATIONALE in html
    assert "At L4, execution looks like this." in html
    # The promotion outcome with its reason.
    assert "approved your promotion to L5" in html
    assert PROMOTION_RATIONALE in html
    assert "At L5, collaboration looks like this." in html
    # The growth section, the evidence, the rubric version and where to ask.
    assert "Lead a design review." in html
    assert f"{world.engineer.pk}-a" in html
    assert "Engineering IC rubric, version 1" in html
    assert "talk to your manager or to HR" in html
    assert reverse("calibration:letter-pdf", args=[released.review.pk]) in html
    assert AccessLog.objects.filter(
        user=world.engineer.user, action="outcome_letter_page", target_id=str(released.review.pk)
    ).exists()


def test_the_letter_pdf_says_the_same_and_its_first_page_is_not_blank(world, released, client_for):
    response = client_for("engineer").get(letter_pdf_url(released.review))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    data = response.content
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    for expected in (
        "Your review outcome",
        "Dear Erin Engineer",
        "Strongly exceeds",
        "Well beyond.",
        "Your rating changed in calibration",
        " ".join(RATIONALE.split()[:8]),
        "approved your promotion to L5",
        "Lead a design review.",
        f"{world.engineer.pk}-a",
        "https://github.com/acme/api/pull/",
        "Engineering IC rubric, version 1",
        "talk to your manager or to HR",
    ):
        assert expected in text, expected
    pdf = pdfium.PdfDocument(data)
    try:
        image = pdf[0].render(scale=0.5).to_pil().convert("L")
    finally:
        pdf.close()
    darkest, lightest = image.getextrema()
    assert darkest < 100 and lightest > 200  # dark text on a light page
    assert AccessLog.objects.filter(
        user=world.engineer.user, action="outcome_letter", target_id=str(released.review.pk)
    ).exists()


def test_the_letter_says_plainly_when_calibration_kept_the_rating(released, client_for):
    response = client_for("engineer").get(letter_url(released.review))
    assert "kept it" not in response.content.decode()

    html = client_for("manager").get(letter_url(released.teammate_review)).content.decode()

    assert "Outcome letter for Toby Teammate" in html
    assert "Dear Toby Teammate" in html
    assert "compared it with the rubric and the evidence, and kept it" in html
    assert "Your rating changed in calibration" not in html
    assert "Promotion" not in html
    assert "Meets the level." in html
    assert "This is the baseline rating" in html


def test_a_promotion_not_approved_is_said_plainly_with_its_reason(world, calib, client_for):
    decide_and_finalize(world, calib, promotion="not_approved")
    release(world, calib)

    html = client_for("engineer").get(letter_url(calib.review)).content.decode()

    assert "You were nominated for promotion to L5" in html
    assert "did not approve the promotion in this cycle" in html
    assert "approved your promotion" not in html
    assert PROMOTION_RATIONALE in html
    assert "It does not change your rating above" in html
    assert "Strongly exceeds" in html


def test_before_release_the_subject_gets_404_and_the_manager_409(world, calib, client_for):
    decide_and_finalize(world, calib)  # calibrated and finalized, but not released

    for url in (letter_url(calib.review), letter_pdf_url(calib.review)):
        assert client_for("engineer").get(url).status_code == 404
        response = client_for("manager").get(url)
        assert response.status_code == 409
        assert "The outcome letter is not ready yet" in response.content.decode()
        assert client_for("hr").get(url).status_code == 409
    html = client_for("manager").get(letter_url(calib.review)).content.decode()
    assert "Calibration is finished" in html
    assert "Strongly exceeds" not in html
    assert not AccessLog.objects.filter(action__startswith="outcome_letter").exists()


def test_a_manager_outside_the_chain_and_the_committees_gets_404(world, released, client_for):
    outsider = make_person(world.root, "thirdmanager", team=world.team_b, manager=world.director)
    make_person(world.root, "thirdreport", team=world.team_b, manager=outsider)
    client = client_for("anonymous")
    client.force_login(outsider.user)

    assert client.get(letter_url(released.review)).status_code == 404
    assert client.get(letter_pdf_url(released.review)).status_code == 404
    # The other engineer cannot read a colleague's letter either.
    peer = client_for("anonymous")
    peer.force_login(world.teammate.user)
    assert peer.get(letter_url(released.review)).status_code == 404


def test_an_acknowledged_review_still_has_its_letter(world, released, client_for):
    assert client_for("engineer").get(letter_pdf_url(released.review)).status_code == 200
    review_acknowledge(actor=world.engineer.user, review=released.review, response="Thanks.")

    response = client_for("engineer").get(letter_url(released.review))

    assert response.status_code == 200
    assert "You acknowledged this review" in response.content.decode()
    again = client_for("engineer").get(letter_pdf_url(released.review))
    assert again.status_code == 200
    assert "Strongly exceeds" in pdf_text(again.content)


def test_the_letter_page_runs_the_same_queries_however_much_evidence_is_cited(
    world, calib, client_for
):
    extra = [
        add_evidence(
            world,
            world.other_engineer,
            f"On-call week {i}",
            datetime.date(2025, 10, 1 + i),
            kind="on_call",
            by=world.other_manager,
        )
        for i in range(6)
    ]
    decide_and_finalize(world, calib, evidence_for_other=extra)
    release(world, calib)
    client = client_for("hr")

    def count(review) -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(letter_url(review))
        assert response.status_code == 200
        return len(ctx.captured_queries)

    # Once each first: reviews written around the services are derived on their first read
    # (reviews.contents), and per-person lookups are kept after it.
    count(calib.teammate_review)
    count(calib.other_review)
    small = count(calib.teammate_review)  # two items cited
    large = count(calib.other_review)  # two cited by the manager, six by the committee
    html = client.get(letter_url(calib.other_review)).content.decode()
    assert "On-call week 5" in html
    assert small == large


# --- The pre-read packet ---------------------------------------------------------------


def test_the_packet_shows_every_case_the_rubric_in_scope_and_the_findings(world):
    setup = session_with_texts(
        world, text="Shipped the split, though at times abrasive in design reviews."
    )
    other = make_person(
        world.root,
        "newjoiner",
        team=world.team_a,
        manager=world.manager,
        ladder=world.ladder,
        level="L3",
        full_name="Nia Newjoiner",
    )
    assert other  # no review: not a case

    html = render_pdf_html(
        "calibration/packet_pdf.html", packet_build.packet_context(setup.session)
    )

    assert "Team A, first half" in html
    assert "Confidential: for the calibration committee" in html
    assert "no quota, curve or target share" in html
    assert "Omar Othermanager (facilitator)" in html
    assert "Erin Engineer" in html
    assert "Nia Newjoiner" not in html
    assert "Shipped the split, though at times abrasive in design reviews." in html
    assert "Checkout errors fell from 1.2% to 0.3%." in html
    assert "Split the billing service" in html
    assert "https://github.com/acme/api/pull/" in html
    # The rubric of the level in scope (L4), not of the others.
    assert "Rubric: L4 · Level L4" in html
    assert "At L4, collaboration looks like this." in html
    assert "Rubric: L3" not in html
    # The quality-check findings on the wording.
    assert "Describes personality rather than behaviour" in html
    assert "What did they own?" in html


def test_the_packet_of_the_calibration_fixture_lists_each_subject_and_promotion(world, calib):
    html = render_pdf_html(
        "calibration/packet_pdf.html", packet_build.packet_context(calib.session)
    )

    assert "Erin Engineer" in html and "Toby Teammate" in html
    assert "Olga Otherengineer" not in html
    assert "Promotion case: nominated for L5" in html
    assert "At L5, execution looks like this." in html
    assert "Owned the billing split." in html
    assert "Rubric: L3 · Level L3" in html and "Rubric: L4 · Level L4" in html
    assert "No findings" in html


def test_the_packet_pdf_grows_with_the_cases_and_names_every_subject(world, calib):
    small = packet_build.packet_build(
        documents.packet_request(user=world.manager.user, session=calib.other_session)
    )
    large = packet_build.packet_build(
        documents.packet_request(user=world.other_manager.user, session=calib.session)
    )

    assert small.status == large.status == SessionPacket.Status.DONE
    assert small.progress == large.progress == 100
    small_text, large_text = pdf_text(bytes(small.pdf)), pdf_text(bytes(large.pdf))
    assert "Olga Otherengineer" in small_text
    assert "Erin Engineer" in large_text and "Toby Teammate" in large_text
    assert "Confidential: for the calibration committee" in large_text
    assert pdf_pages(bytes(large.pdf)) > pdf_pages(bytes(small.pdf))


def test_the_packet_is_built_by_the_background_worker(
    world, calib, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        packet = documents.packet_request(user=world.other_manager.user, session=calib.session)
    assert packet.status == SessionPacket.Status.QUEUED
    assert packet.progress == 0

    run_task_worker()

    packet.refresh_from_db()
    assert packet.status == SessionPacket.Status.DONE
    assert packet.progress == 100
    assert bytes(packet.pdf).startswith(b"%PDF")
    assert "Erin Engineer" in pdf_text(bytes(packet.pdf))


# --- Privacy and safety ----------------------------------------------------------------


def test_no_demographic_answer_appears_in_a_letter_or_a_packet(world, calib, client_for):
    values = give_demographics(world)
    packet_html = render_pdf_html(
        "calibration/packet_pdf.html", packet_build.packet_context(calib.session)
    )
    packet_pdf = packet_build.packet_build(
        documents.packet_request(user=world.other_manager.user, session=calib.session)
    )
    decide_and_finalize(world, calib)
    release(world, calib)

    page = client_for("engineer").get(letter_url(calib.review)).content.decode()
    letter = pdf_text(client_for("engineer").get(letter_pdf_url(calib.review)).content)
    hr_page = client_for("hr").get(letter_url(calib.review)).content.decode()

    assert "Erin Engineer" in page and "Erin Engineer" in letter
    assert "Erin Engineer" in packet_html and "Erin Engineer" in pdf_text(bytes(packet_pdf.pdf))
    for value in values:
        for where, text in (
            ("letter page", page),
            ("letter page seen by HR", hr_page),
            ("letter PDF", letter),
            ("packet HTML", packet_html),
            ("packet PDF", pdf_text(bytes(packet_pdf.pdf))),
        ):
            assert value.lower() not in text.lower(), f"{value!r} in the {where}"


def test_script_in_a_narrative_renders_inert_in_the_packet(world):
    setup = session_with_texts(world, text=XSS)

    html = render_pdf_html(
        "calibration/packet_pdf.html", packet_build.packet_context(setup.session)
    )

    assert "<strong>bold work</strong>" in html
    assert "&lt;script&gt;alert" in html  # shown as text, never run
    assert active_content(html) == []


def test_script_in_a_narrative_or_rationale_renders_inert_in_the_letter(world, client_for):
    setup = session_with_texts(world, text=XSS)
    release_single(world, setup, rationale='<script>alert("why")</script> Beyond L4.')

    response = client_for("engineer").get(letter_url(setup.review))

    assert response.status_code == 200
    html = response.content.decode()
    assert "<strong>bold work</strong>" in html
    assert "&lt;script&gt;alert(&quot;why&quot;)&lt;/script&gt; Beyond L4." in html
    assert active_content(html) == []
    pdf = client_for("engineer").get(letter_pdf_url(setup.review))
    assert pdf.status_code == 200
    assert "bold work" in pdf_text(pdf.content)


# --- Who gets the packet, and at which address ------------------------------------------


def test_hr_gets_the_packet_on_the_page_the_fragment_and_the_api(
    world, calib, client_for, api_for, django_capture_on_commit_callbacks
):
    """SPEC §3 gives HR every session: HR reads the packet as the committee does."""
    pk = calib.session.pk
    hr_page, hr_api = client_for("hr"), api_for("hr")
    page_url = reverse("calibration:packet", args=[pk])
    board = hr_page.get(reverse("calibration:session", args=[pk])).content.decode()
    assert f'href="{page_url}"' in board

    with django_capture_on_commit_callbacks(execute=True):
        page = hr_page.get(page_url)
    assert page.status_code == 200 and "Queued" in page.content.decode()
    status = hr_page.get(reverse("calibration:packet-status", args=[pk]))
    assert status.status_code == 200 and "Queued" in status.content.decode()
    download_url = reverse("calibration:packet-download", args=[pk])
    assert hr_page.get(download_url)["Location"] == page_url  # not built yet
    waiting = hr_api.get(f"/api/v1/calibration-sessions/{pk}/packet.pdf")
    assert waiting.status_code == 202 and waiting.json()["status"] == "queued"

    run_task_worker()

    assert "Ready" in hr_page.get(reverse("calibration:packet-status", args=[pk])).content.decode()
    download = hr_page.get(download_url)
    assert download.status_code == 200 and download.content.startswith(b"%PDF")
    pdf = hr_api.get(f"/api/v1/calibration-sessions/{pk}/packet.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert "Erin Engineer" in pdf_text(pdf.content)
    assert AccessLog.objects.filter(user=world.hr.user, action="calibration_packet").count() == 2


def test_the_spec_packet_address_answers_without_a_redirect_and_the_slash_form_too(
    world, calib, api_for
):
    member = api_for("other_manager")
    base = f"/api/v1/calibration-sessions/{calib.session.pk}/packet.pdf"

    spec_form = member.get(base)
    slash_form = member.get(base + "/")

    assert spec_form.status_code == 202, spec_form.get("Location")
    assert slash_form.status_code == 202
    assert spec_form.json()["status"] == slash_form.json()["status"] == "queued"
    # The engineer (a subject) still cannot learn that the session exists, at either address.
    assert api_for("engineer").get(base).status_code == 404
    assert api_for("engineer").get(base + "/").status_code == 404


def test_the_spec_letter_address_answers_without_a_redirect_and_the_slash_form_too(
    world, released, api_for
):
    engineer = api_for("engineer")
    base = f"/api/v1/reviews/{released.review.pk}/outcome.pdf"

    spec_form = engineer.get(base)
    slash_form = engineer.get(base + "/")

    assert spec_form.status_code == 200, spec_form.get("Location")
    assert spec_form["Content-Type"] == "application/pdf"
    assert spec_form.content.startswith(b"%PDF")
    assert slash_form.status_code == 200 and slash_form.content == spec_form.content
    # A teammate cannot learn that the review exists, at either address.
    teammate = APIClient()
    teammate.force_authenticate(world.teammate.user)
    assert teammate.get(base).status_code == teammate.get(base + "/").status_code == 404


def test_the_letter_api_and_page_hand_out_the_same_letter_through_one_gate(
    world, calib, api_for, client_for
):
    """calibration.documents.letter_deliver serves both: the same 409 before release (JSON
    for the API), the same PDF and the same access-log line after."""
    decide_and_finalize(world, calib)
    api_url = f"/api/v1/reviews/{calib.review.pk}/outcome.pdf"

    early = api_for("manager").get(api_url)
    assert early.status_code == 409
    assert early.json() == {
        "detail": "The outcome letter exists once the cycle is released.",
        "code": "invalid_state",
    }
    assert api_for("engineer").get(api_url).status_code == 404
    assert api_for("anonymous").get(api_url).status_code == 401

    release(world, calib)
    from_api = api_for("engineer").get(api_url)
    from_page = client_for("engineer").get(letter_pdf_url(calib.review))

    assert from_api.status_code == from_page.status_code == 200
    assert from_api.content == from_page.content
    logged = AccessLog.objects.filter(action="outcome_letter", target_id=str(calib.review.pk))
    assert sorted(logged.values_list("path", flat=True)) == sorted(
        [api_url, letter_pdf_url(calib.review)]
    )
    assert set(logged.values_list("user", flat=True)) == {world.engineer.user.pk}
