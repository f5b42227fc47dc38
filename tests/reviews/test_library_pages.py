"""The evidence library, feedback, check-in and cycle pages, as their users meet them."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reviews.models import CheckIn, Evidence, FeedbackRequest, ReviewCycle
from reviews.services.check_ins import check_in_create, check_in_promote
from reviews.services.evidence import evidence_create
from reviews.services.feedback import feedback_answer, feedback_decline, feedback_request_create
from reviews.services.reviews import review_create, review_submit, review_update
from tests.factories import bulk_people, make_ladder, make_person
from tests.reviews.conftest import add_evidence, complete_assessments, make_cycle

DAY = datetime.date(2026, 3, 3)


def csrf_client(user) -> Client:
    """A client that, like a browser, must send the CSRF token it was given."""
    c = Client(enforce_csrf_checks=True)
    c.force_login(user)
    return c


def post_form(c: Client, page: str, data: dict, action: str | None = None):
    c.get(page)
    token = c.cookies["csrftoken"].value
    return c.post(action or page, {**data, "csrfmiddlewaretoken": token})


def library(person) -> str:
    return reverse("reviews:person-evidence", args=[person.pk])


# --- Evidence --------------------------------------------------------------------------


def test_a_github_pull_request_link_is_saved_as_a_pull_request(world):
    c = csrf_client(world.engineer.user)
    r = post_form(
        c,
        reverse("reviews:my-evidence"),
        {
            "title": "Split the billing service",
            "url": "https://github.com/acme/billing/pull/481",
            "occurred_on": "2026-02-10",
            "kind": "",
            "summary": "Cut invoice time from **40 to 4 minutes**.",
        },
    )
    assert r.status_code == 302
    item = Evidence.objects.get(person=world.engineer)
    assert item.kind == "pull_request"
    assert item.added_by == world.engineer.user
    page = c.get(r["Location"]).content.decode()
    assert "The link was recognised as: Pull request." in page
    assert "Split the billing service" in page
    assert "<strong>40 to 4 minutes</strong>" in page
    assert 'href="https://github.com/acme/billing/pull/481" rel="noopener noreferrer"' in page
    assert "Added by hand, by you" in page


def test_the_add_form_says_which_links_are_recognised(world, client_for):
    page = client_for("engineer").get(reverse("reviews:my-evidence")).content.decode()
    assert "Links to pull requests, incidents and design docs are recognised" in page
    assert "Detect from the link" in page


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://files.example.org/doc.pdf"])
def test_a_link_that_is_not_http_is_refused_on_the_field(world, url):
    c = csrf_client(world.engineer.user)
    r = post_form(
        c,
        reverse("reviews:my-evidence"),
        {"title": "Sneaky", "url": url, "occurred_on": "2026-02-10"},
    )
    assert r.status_code == 400
    assert r.context["form"].errors["url"] == [
        "Evidence links must start with http:// or https://."
    ]
    html = r.content.decode()
    assert 'id="id_url_error"' in html and 'aria-invalid="true"' in html
    assert not Evidence.objects.exists()


def test_a_summary_with_script_renders_inert(world, client_for):
    evidence_create(
        actor=world.engineer.user,
        person=world.engineer,
        title="Hostile",
        occurred_on=DAY,
        summary=(
            "<script>alert('x')</script> <img src=x onerror=alert(1)> [click](javascript:alert(2))"
        ),
    )
    html = client_for("manager").get(library(world.engineer)).content.decode()
    summary = html[html.index('class="evidence-item__summary"') :]
    summary = summary[: summary.index("</div>")]
    # What was typed survives only as text: no element, handler or link was created.
    assert "<script" not in summary and "<img" not in summary
    assert "&lt;script&gt;" in summary
    assert "href=" not in summary


def test_a_manager_reads_and_adds_to_a_reports_library(world):
    add_evidence(world, world.engineer, "Billing split", DAY)
    c = csrf_client(world.manager.user)
    page = c.get(library(world.engineer))
    assert page.status_code == 200
    assert "Billing split" in page.content.decode()
    assert page.context["can_add"] is True
    r = post_form(
        c,
        library(world.engineer),
        {
            "title": "Incident commander for the queue outage",
            "url": "https://acme.pagerduty.com/incidents/Q1W2E3",
            "occurred_on": "2026-03-05",
        },
    )
    assert r.status_code == 302
    item = Evidence.objects.get(title__startswith="Incident commander")
    assert (item.person, item.kind, item.added_by) == (
        world.engineer,
        "incident",
        world.manager.user,
    )


def test_the_director_above_the_manager_reads_the_library_too(world, client_for):
    c = Client()
    c.force_login(world.director.user)
    assert c.get(library(world.engineer)).status_code == 200


@pytest.mark.parametrize("who", ["teammate", "other_manager", "other_engineer"])
def test_colleagues_outside_the_chain_get_404(world, who):
    add_evidence(world, world.engineer, "Billing split", DAY)
    c = Client()
    c.force_login(getattr(world, who).user)
    assert c.get(library(world.engineer)).status_code == 404
    r = c.post(library(world.engineer), {"title": "x", "occurred_on": "2026-03-03"})
    assert r.status_code == 404
    assert Evidence.objects.count() == 1


def test_hr_reads_a_library_without_an_add_form(world, client_for):
    add_evidence(world, world.engineer, "Billing split", DAY)
    hr = client_for("hr")
    r = hr.get(library(world.engineer))
    html = r.content.decode()
    assert r.status_code == 200 and "Billing split" in html
    assert "You can read this library but not add to it." in html
    assert 'name="title"' not in html
    assert (
        hr.post(library(world.engineer), {"title": "x", "occurred_on": "2026-03-03"}).status_code
        == 403
    )
    assert Evidence.objects.count() == 1


def test_the_library_is_newest_first_by_month_and_filters_by_kind(world, client_for):
    add_evidence(world, world.engineer, "Split the billing service", datetime.date(2026, 2, 3))
    add_evidence(
        world, world.engineer, "Mentored two joiners", datetime.date(2026, 4, 20), kind="mentoring"
    )
    c = client_for("engineer")
    r = c.get(reverse("reviews:my-evidence"))
    assert [m["label"] for m in r.context["months"]] == ["April 2026", "February 2026"]
    html = r.content.decode()
    assert html.index("Mentored two joiners") < html.index("Split the billing service")
    assert "Added by hand, by Mia Manager" in html
    r = c.get(reverse("reviews:my-evidence") + "?kind=mentoring")
    html = r.content.decode()
    assert "Mentored two joiners" in html and "Split the billing service" not in html
    r = c.get(reverse("reviews:my-evidence") + "?kind=nonsense")
    assert r.status_code == 200 and "Split the billing service" in r.content.decode()


def test_an_account_without_a_person_record_gets_a_note(world):
    c = Client()
    c.force_login(world.root)
    r = c.get(reverse("reviews:my-evidence"))
    assert r.status_code == 200
    assert "not linked to a person" in r.content.decode()
    assert c.post(reverse("reviews:my-evidence"), {"title": "x"}).status_code == 403


# --- Feedback --------------------------------------------------------------------------


def ask(world, cycle, *, respondent, relationship="peer", subject=None):
    return feedback_request_create(
        actor=world.manager.user,
        cycle=cycle,
        subject=subject or world.engineer,
        respondent=respondent,
        relationship=relationship,
        message="How did the billing split go for you?",
    )


@pytest.mark.parametrize(
    ("relationship", "kind"),
    [("peer", "peer_feedback"), ("cross_functional", "cross_functional_feedback")],
)
def test_the_feedback_flow_ends_as_attributed_evidence(world, cycle, relationship, kind):
    review = review_create(actor=world.manager.user, cycle=cycle, subject=world.engineer)
    # 1. The manager asks, through the form.
    mgr = csrf_client(world.manager.user)
    r = post_form(
        mgr,
        reverse("reviews:feedback-new") + f"?subject={world.engineer.pk}",
        {
            "subject": world.engineer.pk,
            "respondent": world.other_engineer.pk,
            "relationship": relationship,
            "cycle": cycle.pk,
            "message": "How did the billing split go for you?",
        },
        action=reverse("reviews:feedback-new"),
    )
    assert r.status_code == 302 and r["Location"] == reverse("reviews:feedback-inbox")
    fb = FeedbackRequest.objects.get()
    assert (fb.requested_by, fb.respondent, fb.status) == (
        world.manager,
        world.other_engineer,
        "pending",
    )
    # 2. The respondent sees it waiting in their inbox.
    olga = csrf_client(world.other_engineer.user)
    inbox = olga.get(reverse("reviews:feedback-inbox"))
    assert [f.pk for f in inbox.context["waiting"]] == [fb.pk]
    html = inbox.content.decode()
    assert "Feedback on Erin Engineer" in html and "How did the billing split go" in html
    # 3. They answer with the structured prompts.
    answer_url = reverse("reviews:feedback-answer", args=[fb.pk])
    page = olga.get(answer_url).content.decode()
    for prompt in (
        "What did they own?",
        "What changed because of their work?",
        "What could they do more of?",
    ):
        assert prompt in page
    r = post_form(
        olga,
        answer_url,
        {
            "owned": "The billing split, end to end.",
            "changed": "Invoices went out in minutes.",
            "more_of": "Writing things down.",
        },
    )
    assert r.status_code == 302
    # 4. The answer is evidence in the subject's library, attributed to the respondent.
    fb.refresh_from_db()
    assert fb.status == "answered"
    item = fb.evidence
    assert (item.person, item.kind, item.attributed_to) == (
        world.engineer,
        kind,
        world.other_engineer,
    )
    assert "Invoices went out in minutes." in item.summary
    lib = mgr.get(library(world.engineer)).content.decode()
    assert "Feedback answer from Olga Otherengineer" in lib
    # 5. The respondent still cannot open the subject's review or library.
    assert olga.get(reverse("reviews:detail", args=[review.pk])).status_code == 404
    assert olga.get(library(world.engineer)).status_code == 404
    assert "/reviews/" not in olga.get(answer_url).content.decode()


def test_a_respondent_can_decline(world, cycle):
    fb = ask(world, cycle, respondent=world.teammate)
    c = csrf_client(world.teammate.user)
    r = post_form(c, reverse("reviews:feedback-answer", args=[fb.pk]), {"decline": "1"})
    assert r.status_code == 302
    fb.refresh_from_db()
    assert fb.status == "declined" and fb.evidence is None
    done = c.get(reverse("reviews:feedback-inbox")).context["done"]
    assert [f.pk for f in done] == [fb.pk]


def test_an_empty_answer_is_refused_on_the_field(world, cycle):
    fb = ask(world, cycle, respondent=world.teammate)
    c = csrf_client(world.teammate.user)
    r = post_form(c, reverse("reviews:feedback-answer", args=[fb.pk]), {"owned": " "})
    assert r.status_code == 400
    assert r.context["form"].errors["owned"]
    fb.refresh_from_db()
    assert fb.status == "pending" and not Evidence.objects.exists()


def test_answering_twice_is_a_conflict(world, cycle):
    fb = ask(world, cycle, respondent=world.teammate)
    feedback_decline(actor=world.teammate.user, request=fb)
    c = Client()
    c.force_login(world.teammate.user)
    r = c.post(reverse("reviews:feedback-answer", args=[fb.pk]), {"owned": "Late answer"})
    assert r.status_code == 409
    assert "already declined" in r.content.decode()
    assert not Evidence.objects.exists()


@pytest.mark.parametrize("who", ["manager", "engineer", "hr"])
def test_anyone_but_the_respondent_answering_gets_403(world, cycle, who):
    fb = ask(world, cycle, respondent=world.teammate)
    c = Client()
    c.force_login(getattr(world, who).user)
    url = reverse("reviews:feedback-answer", args=[fb.pk])
    page = c.get(url)
    assert page.status_code == 200 and 'name="owned"' not in page.content.decode()
    assert c.post(url, {"owned": "Forged", "changed": "Forged"}).status_code == 403
    assert c.post(url, {"decline": "1"}).status_code == 403
    fb.refresh_from_db()
    assert fb.status == "pending" and not Evidence.objects.exists()


def test_a_request_is_invisible_to_people_outside_it(world, cycle):
    fb = ask(world, cycle, respondent=world.teammate)
    c = Client()
    c.force_login(world.other_manager.user)
    assert c.get(reverse("reviews:feedback-answer", args=[fb.pk])).status_code == 404


def test_the_inbox_links_a_managers_answered_request_to_the_library(world, cycle, client_for):
    fb = ask(world, cycle, respondent=world.teammate)
    fb = feedback_answer(
        actor=world.teammate.user, request=fb, owned="A secret-ish answer", changed="Stuff"
    )
    html = client_for("manager").get(reverse("reviews:feedback-inbox")).content.decode()
    assert "Read it in Erin Engineer's evidence" in html
    assert f"{library(world.engineer)}#evidence-{fb.evidence_id}" in html
    assert "A secret-ish answer" not in html


def test_the_request_form_offers_me_and_my_chain_and_preselects(world, cycle, client_for):
    r = client_for("manager").get(reverse("reviews:feedback-new") + f"?subject={world.teammate.pk}")
    form = r.context["form"]
    subjects = {p.full_name for p in form.fields["subject"].queryset}
    assert subjects == {"Mia Manager", "Erin Engineer", "Toby Teammate"}
    assert form.initial["subject"] == world.teammate
    respondents = {p.full_name for p in form.fields["respondent"].queryset}
    assert "Toby Teammate" not in respondents and "Olga Otherengineer" in respondents
    assert "Olga Otherengineer (Team B)" in r.content.decode()


def test_asking_about_someone_outside_my_chain_is_refused(world, cycle):
    c = Client()
    c.force_login(world.engineer.user)
    r = c.post(
        reverse("reviews:feedback-new"),
        {
            "subject": world.teammate.pk,
            "respondent": world.other_engineer.pk,
            "relationship": "peer",
            "cycle": cycle.pk,
        },
    )
    assert r.status_code == 400
    assert "subject" in r.context["form"].errors
    assert not FeedbackRequest.objects.exists()


def test_without_an_open_cycle_the_request_form_says_so(world, client_for):
    r = client_for("engineer").get(reverse("reviews:feedback-new"))
    assert "no cycle is open at the moment" in r.content.decode()


# --- Check-ins -------------------------------------------------------------------------


def timeline(person) -> str:
    return reverse("reviews:person-check-ins", args=[person.pk])


def test_a_manager_adds_a_check_in_and_the_engineer_sees_it(world, client_for):
    c = csrf_client(world.manager.user)
    page = c.get(timeline(world.engineer))
    assert page.context["form"]["occurred_on"].value() is not None
    r = post_form(
        c,
        timeline(world.engineer),
        {
            "occurred_on": "2026-02-09",
            "what_changed": "Took over the billing on-call",
            "blocked": "",
            "risks": "Too much context switching",
            "support": "",
        },
    )
    assert r.status_code == 302
    ci = CheckIn.objects.get()
    assert (ci.person, ci.manager) == (world.engineer, world.manager)
    html = client_for("engineer").get(timeline(world.engineer)).content.decode()
    for text in (
        "Took over the billing on-call",
        "Too much context switching",
        "What changed",
        "Where blocked",
        "Which risks are growing",
        "What support would help",
        "One-to-one with Mia Manager",
    ):
        assert text in html


def test_an_empty_check_in_is_refused(world, client_for):
    r = client_for("manager").post(timeline(world.engineer), {"occurred_on": "2026-02-09"})
    assert r.status_code == 400
    assert r.context["form"].errors["what_changed"]
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize("who", ["hr", "teammate", "other_manager"])
def test_check_ins_are_invisible_to_hr_and_peers(world, who):
    ci = check_in_create(
        actor=world.manager.user, person=world.engineer, occurred_on=DAY, what_changed="Notes"
    )
    c = Client()
    c.force_login(getattr(world, who).user)
    assert c.get(timeline(world.engineer)).status_code == 404
    r = c.post(
        reverse("reviews:check-in-promote", args=[ci.pk]),
        {"item": "what_changed", "title": "x", "kind": "other"},
    )
    assert r.status_code == 404
    assert not Evidence.objects.exists()


def test_promoting_a_check_in_item_creates_evidence_with_its_text(world):
    ci = check_in_create(
        actor=world.manager.user,
        person=world.engineer,
        occurred_on=DAY,
        what_changed="Took over the billing on-call rota and wrote the runbook for it",
    )
    c = csrf_client(world.manager.user)
    page = c.get(timeline(world.engineer)).content.decode()
    assert 'value="Took over the billing on-call rota and wrote…"' in page
    r = post_form(
        c,
        timeline(world.engineer),
        {"item": "what_changed", "title": "Billing on-call rota", "kind": "on_call"},
        action=reverse("reviews:check-in-promote", args=[ci.pk]),
    )
    assert r.status_code == 302 and r["Location"] == timeline(world.engineer)
    item = Evidence.objects.get()
    assert (item.person, item.kind, item.source, item.occurred_on) == (
        world.engineer,
        "on_call",
        "check_in",
        DAY,
    )
    assert item.summary == ci.what_changed
    html = c.get(r["Location"]).content.decode()
    assert f'href="{library(world.engineer)}#evidence-{item.pk}"' in html


def test_promoting_an_empty_prompt_is_refused(world, client_for):
    ci = check_in_create(
        actor=world.manager.user, person=world.engineer, occurred_on=DAY, what_changed="Notes"
    )
    r = client_for("manager").post(
        reverse("reviews:check-in-promote", args=[ci.pk]),
        {"item": "risks", "title": "Nothing", "kind": "other"},
    )
    assert r.status_code == 400
    assert "That prompt is empty." in r.content.decode()
    assert not Evidence.objects.exists()


def test_the_check_ins_page_lists_a_managers_chain_with_the_latest_date(world, client_for):
    for day in (datetime.date(2026, 1, 5), datetime.date(2026, 2, 9)):
        check_in_create(
            actor=world.manager.user, person=world.engineer, occurred_on=day, what_changed="x"
        )
    c = Client()
    c.force_login(world.director.user)
    people = {
        p.full_name: p.last_check_in for p in c.get(reverse("reviews:check-ins")).context["people"]
    }
    assert people == {
        "Mia Manager": None,
        "Omar Othermanager": None,
        "Erin Engineer": datetime.date(2026, 2, 9),
        "Toby Teammate": None,
        "Olga Otherengineer": None,
    }
    hr = client_for("hr").get(reverse("reviews:check-ins"))
    assert hr.context["people"] == []
    assert timeline(world.hr) in hr.content.decode()


# --- Cycles ----------------------------------------------------------------------------


def cycle_url(cycle) -> str:
    return reverse("reviews:cycle", args=[cycle.pk])


def transition(c: Client, cycle, to: str, confirm: bool = True):
    data = {"to": to, **({"confirm": "on"} if confirm else {})}
    return c.post(reverse("reviews:cycle-transition", args=[cycle.pk]), data)


def test_hr_creates_a_cycle(world):
    c = csrf_client(world.hr.user)
    page = c.get(reverse("reviews:cycles"))
    # Only published versions can be pinned.
    assert list(page.context["form"].fields["rubric_versions"].queryset) == [world.v1]
    r = post_form(
        c,
        reverse("reviews:cycles"),
        {
            "name": "H1 2026",
            "starts_on": "2026-01-01",
            "ends_on": "2026-06-30",
            "rubric_versions": [world.v1.pk],
        },
    )
    cycle = ReviewCycle.objects.get()
    assert r.status_code == 302 and r["Location"] == cycle_url(cycle)
    assert cycle.status == "draft" and list(cycle.rubric_versions.all()) == [world.v1]
    assert "H1 2026" in c.get(reverse("reviews:cycles")).content.decode()


def test_a_cycle_that_ends_before_it_starts_is_refused(world, client_for):
    r = client_for("hr").post(
        reverse("reviews:cycles"),
        {
            "name": "Backwards",
            "starts_on": "2026-06-30",
            "ends_on": "2026-01-01",
        },
    )
    assert r.status_code == 400
    assert r.context["form"].errors["ends_on"]
    assert not ReviewCycle.objects.exists()


def test_a_cycle_without_a_version_for_a_ladder_in_use_cannot_open(world, client_for):
    ladder, _ = make_ladder(world.root, slug="em", name="Engineering Manager")
    make_person(world.root, "newlead", team=world.team_a, ladder=ladder, level="L3")
    cycle = make_cycle(world, status="draft")
    hr = client_for("hr")
    page = hr.get(cycle_url(cycle)).content.decode()
    assert "Engineering Manager is in use but no rubric version is pinned for it." in page
    r = transition(hr, cycle, "open")
    assert r.status_code == 409
    assert "Engineering Manager is in use but no rubric version is pinned" in r.content.decode()
    cycle.refresh_from_db()
    assert cycle.status == "draft"


def test_a_move_needs_the_confirmation_box(world, cycle, client_for):
    r = transition(client_for("hr"), cycle, "calibrating", confirm=False)
    assert r.status_code == 400
    assert "Tick the box to confirm the move." in r.content.decode()
    cycle.refresh_from_db()
    assert cycle.status == "open"


def test_an_allowed_move_goes_through(world, cycle, client_for):
    hr = client_for("hr")
    r = transition(hr, cycle, "calibrating")
    assert r.status_code == 302
    cycle.refresh_from_db()
    assert cycle.status == "calibrating"
    assert "is now calibrating" in hr.get(r["Location"]).content.decode()


PATH = ["draft", "open", "calibrating", "finalized", "released"]
FORBIDDEN = [
    (start, to)
    for i, start in enumerate(PATH)
    for to in PATH
    if not (i + 1 < len(PATH) and to == PATH[i + 1])
]


@pytest.mark.parametrize(("start", "to"), FORBIDDEN, ids=[f"{a}->{b}" for a, b in FORBIDDEN])
def test_every_forbidden_move_is_refused_with_409(world, client_for, start, to):
    cycle = make_cycle(world, status=start)
    r = transition(client_for("hr"), cycle, to)
    assert r.status_code == 409
    assert "The cycle did not move" in r.content.decode()
    cycle.refresh_from_db()
    assert cycle.status == start


def test_the_cycle_page_shows_progress_and_who_is_late(world, cycle, evidence, client_for):
    done = review_create(actor=world.manager.user, cycle=cycle, subject=world.engineer)
    done = review_update(
        actor=world.manager.user,
        review=done,
        version=done.version,
        overall_rating="meets",
        assessments=complete_assessments([e.pk for e in evidence]),
    )
    review_submit(actor=world.manager.user, review=done)
    review_create(actor=world.other_manager.user, cycle=cycle, subject=world.other_engineer)
    r = client_for("hr").get(cycle_url(cycle))
    late = [(p.full_name, p.review_status, p.parent.full_name) for p in r.context["late"]]
    # Sorted by team, then name; Erin's review is submitted, so she is not late.
    assert late == [
        ("Toby Teammate", None, "Mia Manager"),
        ("Olga Otherengineer", "draft", "Omar Othermanager"),
    ]
    rows = {row["name"]: row["cells"] for row in r.context["team_rows"]}
    # not started, draft, submitted, calibrated, released
    assert rows == {"Team A": [1, 0, 1, 0, 0], "Team B": [0, 1, 0, 0, 0]}
    html = r.content.decode()
    assert "Toby Teammate" in html and "Not started" in html


# --- Query counts ----------------------------------------------------------------------


def count_queries(c: Client, url: str) -> int:
    c.get(url)  # warm up caches that are not per-row
    with CaptureQueriesContext(connection) as ctx:
        r = c.get(url)
    assert r.status_code == 200
    return len(ctx.captured_queries)


def test_the_cycle_page_query_count_does_not_grow_with_people(world, cycle, client_for):
    hr = client_for("hr")
    bulk_people(world.root, world.team_a, world.manager, 5, ladder=world.ladder, level="L3")
    small = count_queries(hr, cycle_url(cycle))
    more = bulk_people(
        world.root, world.team_b, world.other_manager, 35, ladder=world.ladder, level="L4"
    )
    for person in more[:10]:
        review_create(actor=world.other_manager.user, cycle=cycle, subject=person)
    large = count_queries(hr, cycle_url(cycle))
    assert small == large


def _fill_library(world, cycle, n: int, start: int = 0) -> None:
    for i in range(start, n):
        add_evidence(
            world,
            world.engineer,
            f"Item {i}",
            DAY + datetime.timedelta(days=i),
            by=world.engineer if i % 2 else world.manager,
        )


def test_the_library_query_count_does_not_grow_with_items(world, cycle, client_for):
    fb = ask(world, cycle, respondent=world.teammate)
    feedback_answer(actor=world.teammate.user, request=fb, owned="A", changed="B")
    ci = check_in_create(
        actor=world.manager.user, person=world.engineer, occurred_on=DAY, what_changed="Notes"
    )
    check_in_promote(actor=world.manager.user, check_in=ci, item="what_changed", title="Notes")
    _fill_library(world, cycle, 1)
    mgr = client_for("manager")
    small = count_queries(mgr, library(world.engineer))
    _fill_library(world, cycle, 28, start=1)
    assert Evidence.objects.filter(person=world.engineer).count() == 30
    large = count_queries(mgr, library(world.engineer))
    assert small == large
