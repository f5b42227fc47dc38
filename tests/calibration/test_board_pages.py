"""The calibration committee's pages (calibration/views/): the sessions list, the board,
a case with its decision form, finalizing, the decision log, the packet and the CSV
export, driven like a browser would: with CSRF checks on, posting what the rendered forms
hold."""

from __future__ import annotations

import datetime
import re
from html import unescape
from html.parser import HTMLParser
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from calibration import services as calibration
from calibration.models import CalibrationCase, CalibrationSession, DecisionLog, SessionPacket
from org import services as org_services
from org.models import AccessLog, Person
from reviews.models import Assessment, Evidence, Review
from tests.calibration.conftest import run_task_worker

# --- A small browser: the forms on a page, as a browser would submit them -------------


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict[str, Any]] = []
        self._form: dict[str, Any] | None = None
        self._textarea: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            self._form = {"attrs": a, "fields": [], "buttons": []}
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        if tag == "input":
            kind = a.get("type", "text")
            if kind in ("submit", "button"):
                self._form["buttons"].append(a)
            elif kind in ("checkbox", "radio") and "checked" not in a:
                return
            elif "name" in a:
                self._form["fields"].append((a["name"], a.get("value", "on")))
        elif tag == "button":
            self._form["buttons"].append(a)
        elif tag == "textarea":
            self._textarea = [a["name"], ""]

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag: str) -> None:
        if self._form is None:
            return
        if tag == "textarea" and self._textarea is not None:
            name, text = self._textarea
            # Browsers drop one newline right after <textarea>.
            self._form["fields"].append((name, text[1:] if text.startswith("\n") else text))
            self._textarea = None
        elif tag == "form":
            self._form = None


def forms_on(html: str) -> list[dict[str, Any]]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def form_data(form: dict[str, Any]) -> dict[str, list[str]]:
    data: dict[str, list[str]] = {}
    for name, value in form["fields"]:
        data.setdefault(name, []).append(value)
    return data


def decide_form(html: str) -> dict[str, list[str]]:
    form = next(f for f in forms_on(html) if f["attrs"].get("id") == "decide-form")
    return form_data(form)


def page(response) -> str:
    return response.content.decode()


def text_of(html: str) -> str:
    """The page's text with tags removed and whitespace collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def main_of(html: str) -> str:
    return html.split('<main id="main"', 1)[1].split("</main>", 1)[0]


def browser(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def post_form(client: Client, url: str, data: dict[str, Any]) -> Any:
    """POST like the browser would: with the CSRF token of the page it came from."""
    data = dict(data)
    data["csrfmiddlewaretoken"] = client.cookies["csrftoken"].value
    return client.post(url, data)


def section(html: str, heading_id: str) -> str:
    """The <section> labelled by ``heading_id``."""
    start = html.index(f'aria-labelledby="{heading_id}"')
    return html[start : html.index("</section>", start)]


WORDS_NEVER_ON_THE_BOARD = re.compile(r"\brank|\bquota|\btarget|\bexpected\b|\bcurve", re.I)


# --- The committee's path -------------------------------------------------------------


def test_a_committee_member_reads_the_board_grouped_by_level(world, calib):
    client = browser(world.director.user)
    response = client.get(reverse("calibration:session", args=[calib.session.pk]))
    assert response.status_code == 200
    html = page(response)
    main = main_of(html)
    headings = re.findall(r"<h2 id=\"level-([^\"]+)-heading\"", main)
    assert headings == ["L3", "L4"]
    l3, l4 = section(main, "level-L3-heading"), section(main, "level-L4-heading")
    assert "Toby Teammate" in l3 and "Erin Engineer" not in l3
    assert text_of(l4).count("Erin Engineer") == 2  # the rating case and the promotion case
    assert "Promotion to L5" in text_of(l4)
    assert "Exceeds" in text_of(l4) and "Meets" in text_of(l3)
    # The rubric versions in force, fixed for the session.
    assert "Engineering IC, version 1" in text_of(main)
    assert "fixed for this session" in text_of(main)
    assert not WORDS_NEVER_ON_THE_BOARD.search(text_of(main))
    assert reverse("calibration:packet", args=[calib.session.pk]) in main
    assert reverse("calibration:log", args=[calib.session.pk]) in main
    # Only HR opens, only HR exports; the director is not the facilitator.
    assert reverse("calibration:session-finalize", args=[calib.session.pk]) not in main
    assert reverse("calibration:export", args=[calib.session.pk]) not in main


def test_a_changed_rating_needs_a_rationale_citing_the_rubric(world, calib):
    client = browser(world.director.user)
    url = reverse("calibration:case", args=[calib.case.pk])
    html = page(client.get(url))
    assert "What did the person own?" in html
    assert "What changed because of their work?" in html
    assert "What measurable outcome improved?" in html
    assert "Owned the billing split." in html
    assert "At L4, execution looks like this." in html  # the level's expectations
    assert "Beyond the level." in html  # the rating definitions
    assert 'href="https://github.com/acme/api/pull/' in html  # cited evidence, openable

    data = decide_form(html)
    assert data["version"] == ["1"]
    data["calibrated_rating"] = ["meets"]
    refused = post_form(client, url, data)
    assert refused.status_code == 400
    assert "Write the reason" in page(refused)
    assert "Tick at least one rubric expectation" in page(refused)
    calib.case.refresh_from_db()
    assert calib.case.status == "pending" and calib.case.version == 1

    data = decide_form(page(refused))
    assert data["calibrated_rating"] == ["meets"]  # the choice is kept
    data["rationale"] = ["The split was planned by the lead; the L4 bar is met, not beaten."]
    data["rubric_refs"] = ["L4|execution"]
    done = post_form(client, url, data)
    assert done.status_code == 302
    assert done["Location"].endswith(f"#case-{calib.case.pk}")
    calib.case.refresh_from_db()
    assert (calib.case.status, calib.case.calibrated_rating) == ("decided", "meets")
    assert calib.case.rubric_refs == [{"level": "L4", "competency": "execution"}]

    board = page(client.get(done["Location"].split("#")[0]))
    changes = text_of(section(board, "changes-heading"))
    assert "Erin Engineer" in changes
    assert "Exceeds → Meets" in changes
    assert "the L4 bar is met, not beaten" in changes
    assert "Dana Director" in changes


def test_a_promotion_is_judged_against_the_target_level(world, calib):
    client = browser(world.other_manager.user)
    url = reverse("calibration:case", args=[calib.promo_case.pk])
    html = page(client.get(url))
    assert "the promotion's target level" in html
    assert "At L5, execution looks like this." in html
    data = decide_form(html)
    assert 'value="L5|execution"' in html
    data["promotion_decision"] = ["approved"]
    refused = post_form(client, url, data)
    assert refused.status_code == 400
    assert "Write the reason" in page(refused)
    data["rationale"] = ["Leads the billing domain already."]
    data["rubric_refs"] = ["L5|execution", "L5|collaboration"]
    assert post_form(client, url, data).status_code == 302
    calib.promo_case.refresh_from_db()
    assert calib.promo_case.promotion_decision == "approved"


def test_two_members_deciding_the_same_case_keeps_both_decisions_visible(world, calib):
    url = reverse("calibration:case", args=[calib.case.pk])
    director, facilitator = browser(world.director.user), browser(world.other_manager.user)
    mine = decide_form(page(director.get(url)))
    theirs = decide_form(page(facilitator.get(url)))

    theirs.update(
        calibrated_rating=["meets"],
        rationale=["Facilitator: the outcomes are the team's."],
        rubric_refs=["L4|collaboration"],
    )
    assert post_form(facilitator, url, theirs).status_code == 302

    mine.update(
        calibrated_rating=["strongly_exceeds"],
        rationale=["Director: the split changed the whole checkout."],
        rubric_refs=["L4|execution"],
    )
    clash = post_form(director, url, mine)
    assert clash.status_code == 409
    html = page(clash)
    notice = text_of(html.split('class="banner banner--warning calib-conflict"', 1)[1])
    assert "Omar Othermanager" in notice
    assert "Facilitator: the outcomes are the team's." in notice
    assert "Meets" in notice
    kept = decide_form(html)
    assert kept["rationale"] == ["Director: the split changed the whole checkout."]
    assert kept["calibrated_rating"] == ["strongly_exceeds"]
    assert kept["rubric_refs"] == ["L4|execution"]
    assert kept["version"] == ["2"]
    calib.case.refresh_from_db()
    assert calib.case.calibrated_rating == "meets"  # nothing of the director's was saved

    # A deliberate second save replaces the facilitator's decision; both are logged.
    assert post_form(director, url, kept).status_code == 302
    calib.case.refresh_from_db()
    assert (calib.case.calibrated_rating, calib.case.version) == ("strongly_exceeds", 3)
    assert DecisionLog.objects.filter(case=calib.case).count() == 2


def test_the_distribution_panel_is_information_with_a_chart_and_a_table(world, calib):
    client = browser(world.other_manager.user)
    html = page(client.get(reverse("calibration:session", args=[calib.session.pk])))
    panel = section(html, "distribution-heading")
    svg = panel[panel.index("<svg") : panel.index("</svg>")]
    assert 'role="img"' in svg and "<title" in svg and "<rect" in svg
    assert "<script" not in svg and "style=" not in svg
    table = panel[panel.index("<table") : panel.index("</table>")]
    rows = {
        text_of(r).split(" ")[0]: text_of(r) for r in re.findall(r"<tr>(.*?)</tr>", table, re.S)
    }
    assert rows["Meets"] == "Meets 1 0"  # teammate proposed meets, nothing calibrated yet
    assert rows["Exceeds"] == "Exceeds 1 0"
    assert rows["Below"] == "Below 0 0"
    assert "Information only" in text_of(panel)
    assert not WORDS_NEVER_ON_THE_BOARD.search(text_of(panel))
    assert not WORDS_NEVER_ON_THE_BOARD.search(svg)
    assert "stroke-dasharray" not in svg  # no reference line of any kind
    consistency = text_of(section(html, "consistency-heading"))
    assert "less evidence than its peers" in consistency
    # One case each, citing one item per competency (two), with no findings.
    assert "Meets 1 2.0 0.0" in consistency and "Exceeds 1 2.0 0.0" in consistency


def test_pages_carry_no_inline_style_or_script(world, calib):
    client = browser(world.other_manager.user)
    for url in (
        reverse("calibration:sessions"),
        reverse("calibration:session", args=[calib.session.pk]),
        reverse("calibration:case", args=[calib.case.pk]),
        reverse("calibration:log", args=[calib.session.pk]),
    ):
        html = page(client.get(url))
        assert " style=" not in html and "<style" not in html
        assert "<script>" not in html and "<script >" not in html


def _decide_all(world, calib, *, rationale: str = "Matches the expectations.") -> None:
    actor = world.other_manager.user
    for case in CalibrationCase.objects.filter(session=calib.session):
        refs = [{"level": case.target_level or case.level, "competency": "execution"}]
        if case.kind == "promotion":
            calibration.case_decide(
                actor=actor,
                case=case,
                version=case.version,
                promotion_decision="not_approved",
                rationale=rationale,
                rubric_refs=refs,
            )
        else:
            calibration.case_decide(
                actor=actor,
                case=case,
                version=case.version,
                calibrated_rating="meets",
                rationale=rationale,
                rubric_refs=refs,
            )


def test_finalize_is_refused_while_cases_are_pending_then_writes_back(world, calib):
    client = browser(world.other_manager.user)
    board_url = reverse("calibration:session", args=[calib.session.pk])
    html = page(client.get(board_url))
    finalize = next(f for f in forms_on(html) if f["attrs"]["action"].endswith("/finalize/"))
    assert "disabled" in finalize["buttons"][0]
    assert "3 cases still pending" in text_of(html)

    finalize_url = reverse("calibration:session-finalize", args=[calib.session.pk])
    refused = post_form(client, finalize_url, {})
    assert refused.status_code == 302 and refused["Location"] == board_url
    assert "3 case(s) are still pending" in page(client.get(board_url))
    calib.session.refresh_from_db()
    assert calib.session.status == "open"

    _decide_all(world, calib)
    html = page(client.get(board_url))
    finalize = next(f for f in forms_on(html) if f["attrs"]["action"] == finalize_url)
    assert "disabled" not in finalize["buttons"][0]
    assert post_form(client, finalize_url, {}).status_code == 302
    after = page(client.get(board_url))
    assert "The session is finalized" in after
    calib.session.refresh_from_db()
    assert calib.session.status == "finalized"
    review = Review.objects.get(pk=calib.review.pk)
    assert (review.status, review.final_rating, review.promotion_outcome) == (
        "calibrated",
        "meets",
        "not_approved",
    )
    assert Review.objects.get(pk=calib.teammate_review.pk).final_rating == "meets"

    # Finalized: the case is read-only, with the final decision, and a POST is refused.
    case_url = reverse("calibration:case", args=[calib.case.pk])
    case_html = page(client.get(case_url))
    assert 'id="decide-form"' not in case_html
    assert "Final decision" in case_html
    late = post_form(client, case_url, {"version": 2, "calibrated_rating": "below"})
    assert late.status_code == 409
    assert "finalized" in text_of(page(late))


def test_hr_opens_a_scheduled_session_from_the_board(world, calib):
    session = calibration.session_create(
        actor=world.hr.user,
        cycle=calib.cycle,
        name="Everyone else",
        facilitator=world.director,
        committee=[world.director],
    )
    client = browser(world.hr.user)
    url = reverse("calibration:session", args=[session.pk])
    html = page(client.get(url))
    assert "This session is scheduled" in html
    open_url = reverse("calibration:session-open", args=[session.pk])
    assert any(f["attrs"]["action"] == open_url for f in forms_on(html))
    # The director is on the committee but only HR opens a session.
    director = browser(world.director.user)
    assert open_url not in page(director.get(url))
    assert post_form(director, open_url, {}).status_code == 403
    response = post_form(client, open_url, {})
    assert response.status_code == 302
    assert "The session is open" in page(client.get(url))
    session.refresh_from_db()
    assert session.status == "open"
    again = post_form(client, open_url, {})
    assert again.status_code == 302
    assert "already open" in page(client.get(url))


def test_hr_creates_a_session_and_errors_come_back_on_the_fields(world, calib):
    client = browser(world.hr.user)
    url = reverse("calibration:sessions")
    html = page(client.get(url))
    assert "Create a session" in html
    data = {
        "cycle": calib.cycle.pk,
        "name": "Senior engineers",
        "facilitator": world.director.pk,
        "committee": [world.director.pk, world.manager.pk],
        "scope_teams": [world.eng.pk],
        "scope_levels": "L5, L9",
        "scheduled_at": "2026-01-20T10:00",
    }
    refused = post_form(client, url, data)
    assert refused.status_code == 400
    assert "Unknown levels: L9." in page(refused)
    assert not CalibrationSession.objects.filter(name="Senior engineers").exists()

    data["scope_levels"] = "L5"
    created = post_form(client, url, data)
    assert created.status_code == 302
    session = CalibrationSession.objects.get(name="Senior engineers")
    assert created["Location"] == reverse("calibration:session", args=[session.pk])
    assert session.scope_levels == ["L5"]
    assert set(session.committee.all()) == {world.director, world.manager}
    assert session.scheduled_at is not None

    listing = page(client.get(url))
    assert "Senior engineers" in listing and "Team A calibration" in listing


def test_people_see_only_their_sessions_or_a_sentence(world, calib, client_for):
    engineer = page(client_for("engineer").get(reverse("calibration:sessions")))
    assert "You are not on any calibration committee" in engineer
    assert "Team A calibration" not in engineer and "Create a session" not in engineer
    manager = page(client_for("manager").get(reverse("calibration:sessions")))
    assert "Team B calibration" in manager and "Team A calibration" not in manager
    facilitator = page(client_for("other_manager").get(reverse("calibration:sessions")))
    assert "Team A calibration" in facilitator and "Team B calibration" not in facilitator


def test_hr_reads_a_case_without_a_form(world, calib, client_for):
    html = page(client_for("hr").get(reverse("calibration:case", args=[calib.case.pk])))
    assert 'id="decide-form"' not in html
    assert "Only the session's committee decides cases" in html


def test_the_log_lists_every_decision_and_offers_no_edit(world, calib):
    _decide_all(world, calib, rationale="Per the L4 execution bar.")
    calibration.case_decide(
        actor=world.director.user,
        case=CalibrationCase.objects.get(pk=calib.teammate_case.pk),
        version=2,
        calibrated_rating="exceeds",
        rationale="Second look: the mentoring counts.",
        rubric_refs=[{"level": "L3", "competency": "collaboration"}],
    )
    client = browser(world.director.user)
    html = page(client.get(reverse("calibration:log", args=[calib.session.pk])))
    main = text_of(main_of(html))
    assert main.count("Per the L4 execution bar.") == 3
    assert "Second look: the mentoring counts." in main
    assert "Calibrated rating: Meets → Exceeds" in main  # the re-decision, from → to
    assert "Calibrated rating: Exceeds → Meets" in main  # the engineer's first decision
    assert "Promotion decision: — → Not approved" in main
    assert "Session opened" in main
    assert "Dana Director" in main and "Omar Othermanager" in main
    # Read only: the only form on the page is the header's sign-out.
    assert html.count("<form") == 1
    assert not re.search(r"\b(edit|delete|remove)\b", main, re.I)


def test_the_packet_page_follows_the_build_to_the_download(
    world, calib, django_capture_on_commit_callbacks
):
    client = browser(world.other_manager.user)
    url = reverse("calibration:packet", args=[calib.session.pk])
    status_url = reverse("calibration:packet-status", args=[calib.session.pk])
    download_url = reverse("calibration:packet-download", args=[calib.session.pk])
    with django_capture_on_commit_callbacks(execute=True):
        html = page(client.get(url))
    assert "Queued" in html
    assert f'hx-get="{status_url}"' in html and 'hx-trigger="every 2s"' in html
    assert 'hx-swap="outerHTML"' in html
    assert f'href="{url}"' in html  # a plain Refresh link works without JavaScript
    assert client.get(download_url)["Location"] == url  # not built yet

    run_task_worker()

    fragment = page(client.get(status_url))
    assert "Ready" in fragment
    assert "hx-trigger" not in fragment  # polling stops
    assert f'href="{download_url}"' in fragment
    pdf = client.get(download_url)
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert AccessLog.objects.filter(
        user=world.other_manager.user, action="calibration_packet"
    ).exists()
    assert SessionPacket.objects.get(session=calib.session).status == "done"

    # A decision changes the session: the old packet is not offered for the new state.
    _decide_all(world, calib)
    assert client.get(download_url)["Location"] == url


def test_the_csv_export_is_for_hr_once_finalized_with_formulas_neutralised(
    world, calib, client_for
):
    hr = client_for("hr")
    url = reverse("calibration:export", args=[calib.session.pk])
    early = hr.get(url)
    assert early.status_code == 409
    assert "available once the session is finalized" in page(early)

    _decide_all(world, calib, rationale='=HYPERLINK("https://evil.example","click")')
    calibration.session_finalize(actor=world.hr.user, session=calib.session)
    board = page(hr.get(reverse("calibration:session", args=[calib.session.pk])))
    assert f'href="{url}"' in board

    response = hr.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert ".csv" in response["Content-Disposition"]
    body = response.content.decode()
    assert "'=HYPERLINK" in body
    assert ",=HYPERLINK" not in body and '"=HYPERLINK' not in body
    assert "Erin Engineer" in body
    assert AccessLog.objects.filter(user=world.hr.user, action="calibration_csv").count() == 1
    assert client_for("other_manager").get(url).status_code == 403
    assert client_for("engineer").get(url).status_code == 404


# --- Privacy --------------------------------------------------------------------------


def test_no_demographic_value_appears_in_calibration_screens_or_the_csv(world, calib):
    org_services.dimension_save(
        actor=world.root, key="gender", label="Gender", values=["woman", "man", "non-binary"]
    )
    org_services.dimension_save(
        actor=world.root,
        key="age_band",
        label="Age band",
        values=["under 30", "30 to 54", "55 and over"],
    )
    for person in (world.engineer, world.teammate):
        org_services.demographics_set(
            actor=world.hr.user,
            person=person,
            attributes={"gender": "non-binary", "age_band": "55 and over"},
        )
    _decide_all(world, calib)
    calibration.session_finalize(actor=world.hr.user, session=calib.session)

    hr = Client()
    hr.force_login(world.hr.user)
    member = Client()
    member.force_login(world.other_manager.user)
    pages = [
        hr.get(reverse("calibration:session", args=[calib.session.pk])),
        member.get(reverse("calibration:session", args=[calib.session.pk])),
        hr.get(reverse("calibration:case", args=[calib.case.pk])),
        member.get(reverse("calibration:case", args=[calib.promo_case.pk])),
        member.get(reverse("calibration:case", args=[calib.teammate_case.pk])),
        hr.get(reverse("calibration:log", args=[calib.session.pk])),
        hr.get(reverse("calibration:sessions")),
        hr.get(reverse("calibration:export", args=[calib.session.pk])),
    ]
    for response in pages:
        assert response.status_code == 200
        body = response.content.decode().lower()
        assert "non-binary" not in body
        assert "55 and over" not in body
        assert "age band" not in body


# --- Query counts ---------------------------------------------------------------------


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _submitted_reviews(world, cycle, team, start: int, n: int) -> list[Review]:
    """People with submitted reviews, evidence and assessments, built in bulk: the board
    only reads them, so the review rules are not what this test is about."""
    users = get_user_model().objects.bulk_create(
        [get_user_model()(username=f"bulk-{start + i}") for i in range(n)]
    )
    people = Person.objects.bulk_create(
        [
            Person(
                user=u,
                full_name=f"Person {start + i:04d}",
                team=team,
                parent=world.other_manager,
                ladder=world.ladder,
                level=("L3", "L4", "L5")[i % 3],
            )
            for i, u in enumerate(users)
        ]
    )
    reviews = Review.objects.bulk_create(
        [
            Review(
                cycle=cycle,
                subject=p,
                author=world.other_manager,
                rubric_version=world.v1,
                level=p.level,
                status=Review.Status.SUBMITTED,
                ownership="Owned the search index.",
                impact="Not strategic.",
                overall_rating=("meets", "exceeds", "below")[i % 3],
            )
            for i, p in enumerate(people)
        ]
    )
    evidence = Evidence.objects.bulk_create(
        [
            Evidence(person=p, title=f"PR {p.full_name}", occurred_on=datetime.date(2025, 9, 1))
            for p in people
        ]
    )
    assessments = Assessment.objects.bulk_create(
        [Assessment(review=r, competency="execution", rating=r.overall_rating) for r in reviews]
    )
    Assessment.evidence.through.objects.bulk_create(
        [
            Assessment.evidence.through(assessment_id=a.pk, evidence_id=e.pk)
            for a, e in zip(assessments, evidence, strict=True)
        ]
    )
    return reviews


def _cases(session: CalibrationSession, reviews: list[Review], decided_by: Any) -> None:
    CalibrationCase.objects.bulk_create(
        [
            CalibrationCase(
                session=session,
                review=r,
                subject=r.subject,
                level=r.level,
                proposed_rating=r.overall_rating,
                # Every other case decided, half of those moved: the "changed" list grows.
                calibrated_rating=("meets" if i % 4 == 0 else r.overall_rating)
                if i % 2 == 0
                else "",
                status="decided" if i % 2 == 0 else "pending",
                decided_by=decided_by if i % 2 == 0 else None,
                rationale="Per the rubric." if i % 2 == 0 else "",
            )
            for i, r in enumerate(reviews)
        ]
    )


@pytest.mark.parametrize("role", ["other_manager", "hr"])
def test_the_board_costs_the_same_queries_for_10_and_200_cases(world, calib, role):
    team_c = org_services.team_create(
        actor=world.root, name="Team C", slug="team-c", parent=world.eng
    )
    session = calibration.session_create(
        actor=world.hr.user,
        cycle=calib.cycle,
        name="Team C calibration",
        facilitator=world.other_manager,
        committee=[world.other_manager, world.director],
        scope_teams=[team_c],
    )
    session = calibration.session_open(actor=world.hr.user, session=session)
    client = Client()
    client.force_login(getattr(world, role).user)
    url = reverse("calibration:session", args=[session.pk])

    _cases(session, _submitted_reviews(world, calib.cycle, team_c, 0, 10), world.director.user)
    small = _count(client, url)
    _cases(
        session, _submitted_reviews(world, calib.cycle, team_c, 10, 190), world.other_manager.user
    )
    assert CalibrationCase.objects.filter(session=session).count() == 200
    large = _count(client, url)
    assert small == large
    html = page(client.get(url))
    assert "Person 0199" in html and "Person 0000" in html
