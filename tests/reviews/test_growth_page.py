"""Where I stand (SPEC §11.2): the engineer's level and the next per competency, their
evidence of the last twelve months, their released ratings, and the gaps."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from org.models import AccessLog
from reviews.models import SelfAssessment, SelfAssessmentItem
from reviews.services.cycles import cycle_transition
from reviews.services.evidence import evidence_create
from reviews.services.reviews import review_create, review_submit, review_update
from rubrics import services as rubric_services
from tests.factories import make_ladder
from tests.reviews.conftest import make_cycle

TODAY = datetime.datetime(2026, 9, 1, 12, tzinfo=datetime.UTC)
MY_PAGE = reverse("reviews:my-growth")


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


def tagged(world, person, title, day, tags, by=None):
    return evidence_create(
        actor=(by or person).user,
        person=person,
        title=title,
        occurred_on=day,
        kind="pull_request",
        competencies=tags,
    )


def section(html: str, key: str) -> str:
    """The part of the page about one competency."""
    start = html.index(f'id="competency-{key}"')
    end = html.find('class="competency growth-competency"', start)
    return html[start : end if end != -1 else len(html)]


def released_review(world, evidence_by_competency, rating="exceeds"):
    """A review of the engineer, submitted and released, citing the given items."""
    cycle = make_cycle(world, name="H1 2026")
    review = review_create(actor=world.manager.user, cycle=cycle, subject=world.engineer)
    review_update(
        actor=world.manager.user,
        review=review,
        version=review.version,
        overall_rating=rating,
        assessments=[
            {"competency": key, "rating": rating, "narrative": "Did it well.", "evidence": ids}
            for key, ids in evidence_by_competency.items()
        ],
    )
    review.refresh_from_db()
    review_submit(actor=world.manager.user, review=review)
    for to in ("calibrating", "finalized", "released"):
        cycle_transition(actor=world.hr.user, cycle=cycle, to=to)
    return review


def test_the_engineer_sees_their_level_and_the_next_with_tagged_evidence_and_gaps(
    world, client_for
):
    tagged(
        world, world.engineer, "Split the billing service", datetime.date(2026, 5, 2), ["execution"]
    )

    html = client_for("engineer").get(MY_PAGE).content.decode()

    assert "Where I stand" in html
    execution = section(html, "execution")
    assert "At L4, execution looks like this." in execution
    assert "At L5, execution looks like this." in execution
    assert "Split the billing service" in execution
    assert "No evidence yet toward L5" not in execution
    collaboration = section(html, "collaboration")
    assert "At L5, collaboration looks like this." in collaboration
    assert "No evidence yet toward L5." in collaboration
    # The summary at the top names the competency without evidence, and only that one.
    summary = html[html.index('id="gaps-heading"') : html.index('id="competency-execution"')]
    assert "Collaboration" in summary and "Execution" not in summary


def test_evidence_older_than_twelve_months_is_not_listed(world, client_for):
    tagged(world, world.engineer, "Old migration", datetime.date(2025, 8, 31), ["execution"])
    tagged(world, world.engineer, "Recent migration", datetime.date(2025, 9, 1), ["execution"])

    execution = section(client_for("engineer").get(MY_PAGE).content.decode(), "execution")

    assert "Recent migration" in execution
    assert "Old migration" not in execution


def test_a_released_review_counts_its_citations_and_shows_its_ratings(world, client_for):
    ev = tagged(world, world.engineer, "Led the incident review", datetime.date(2026, 3, 3), [])
    other = tagged(world, world.engineer, "Shipped the queue", datetime.date(2026, 3, 9), [])
    released_review(world, {"execution": [other.pk], "collaboration": [ev.pk]})

    html = client_for("engineer").get(MY_PAGE).content.decode()

    collaboration = section(html, "collaboration")
    assert "Led the incident review" in collaboration
    assert "Cited in a released review" in collaboration
    assert "H1 2026: <strong>Exceeds</strong>" in collaboration
    # What a released review cited is the ground of the rating already given: it is
    # listed, but it is not evidence toward the next level.
    assert "No evidence yet toward L5" in collaboration


def test_a_tagged_item_counts_toward_the_next_level(world, client_for):
    ev = tagged(world, world.engineer, "Led the incident review", datetime.date(2026, 3, 3), [])
    pr = tagged(world, world.engineer, "Shipped the queue", datetime.date(2026, 3, 5), [])
    tagged(world, world.engineer, "Paired on the queue", datetime.date(2026, 3, 9), ["execution"])
    released_review(world, {"collaboration": [ev.pk], "execution": [pr.pk]})
    html = client_for("engineer").get(MY_PAGE).content.decode()

    assert "No evidence yet toward L5" in section(html, "collaboration")
    assert "No evidence yet toward L5" not in section(html, "execution")


def test_a_review_not_yet_released_counts_for_nothing_for_anyone(world, client_for):
    ev = tagged(world, world.engineer, "Mentored a new joiner", datetime.date(2026, 3, 3), [])
    cycle = make_cycle(world)
    review = review_create(actor=world.manager.user, cycle=cycle, subject=world.engineer)
    review_update(
        actor=world.manager.user,
        review=review,
        version=review.version,
        overall_rating="below",
        assessments=[
            {
                "competency": "collaboration",
                "rating": "below",
                "narrative": "x",
                "evidence": [ev.pk],
            }
        ],
    )

    for role in ("engineer", "manager"):
        url = (
            MY_PAGE
            if role == "engineer"
            else reverse("reviews:person-growth", args=[world.engineer.pk])
        )
        collaboration = section(client_for(role).get(url).content.decode(), "collaboration")
        assert "Mentored a new joiner" not in collaboration, role
        assert "No evidence yet toward L5." in collaboration, role
        assert "Below" not in collaboration, role


def test_a_draft_self_assessment_counts_for_its_author_only_until_submitted(world, client_for):
    ev = tagged(world, world.engineer, "Ran the design review", datetime.date(2026, 4, 1), [])
    sa = SelfAssessment.objects.create(
        cycle=make_cycle(world), subject=world.engineer, rubric_version=world.v1
    )
    item = SelfAssessmentItem.objects.create(self_assessment=sa, competency="collaboration")
    item.evidence.add(ev)
    manager_url = reverse("reviews:person-growth", args=[world.engineer.pk])

    mine = section(client_for("engineer").get(MY_PAGE).content.decode(), "collaboration")
    theirs = section(client_for("manager").get(manager_url).content.decode(), "collaboration")
    assert "Ran the design review" in mine and "Cited in a self-assessment" in mine
    assert "Ran the design review" not in theirs

    sa.status = SelfAssessment.Status.SUBMITTED
    sa.save(update_fields=["status"])
    theirs = section(client_for("manager").get(manager_url).content.decode(), "collaboration")
    assert "Ran the design review" in theirs


def test_another_persons_evidence_never_shows(world, client_for):
    tagged(
        world,
        world.teammate,
        "Teammate's rewrite",
        datetime.date(2026, 5, 2),
        ["execution"],
        by=world.manager,
    )

    html = client_for("engineer").get(MY_PAGE).content.decode()

    assert "Teammate&#x27;s rewrite" not in html and "Teammate's rewrite" not in html
    assert "Toby Teammate" not in html


def test_at_the_top_level_the_page_says_there_is_no_next_level(world, client_for):
    html = client_for("respondent").get(MY_PAGE).content.decode()  # other_engineer, at L5

    assert "There is no level above L5 on this ladder." in html
    assert "L5 is the top level of this ladder" in html
    assert "No evidence yet in the last twelve months." in html


def test_without_a_ladder_or_a_published_rubric_the_page_says_so_calmly(world, client_for):
    r = client_for("manager").get(MY_PAGE)  # the manager is on no ladder
    assert r.status_code == 200
    assert "not on a career ladder yet" in r.content.decode()

    ladder, _draft = make_ladder(world.root, slug="em", name="Engineering Manager", publish=False)
    from org.services import person_update

    person_update(actor=world.root, person=world.manager, ladder=ladder)
    r = client_for("manager").get(MY_PAGE)
    assert r.status_code == 200
    assert "has no published rubric yet" in r.content.decode()


def test_the_managers_link_to_their_report_leads_the_report_to_their_own_page(world, client_for):
    r = client_for("engineer").get(reverse("reviews:person-growth", args=[world.engineer.pk]))
    assert r.status_code == 302 and r["Location"] == MY_PAGE


def test_the_page_costs_the_same_queries_for_1_and_50_items(
    world, client_for, page_cache_off, django_assert_num_queries
):
    client = client_for("manager")
    url = reverse("reviews:person-growth", args=[world.engineer.pk])
    tagged(world, world.engineer, "Item 0", datetime.date(2026, 5, 1), ["execution"])
    client.get(url)  # what a first request loads once (the session, caches) is not counted
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    counted = len(one)  # now: the connection keeps a bounded log of queries
    for i in range(1, 50):
        tagged(
            world,
            world.engineer,
            f"Item {i}",
            datetime.date(2026, 1, 1) + datetime.timedelta(days=i),
            ["execution", "collaboration"] if i % 2 else ["collaboration"],
        )
    client.get(url)
    with django_assert_num_queries(counted):
        html = client.get(url).content.decode()
    assert "Item 49" in html and "Item 0" in html
    assert "No evidence yet toward L5." not in html
    assert "Every competency has evidence from the last twelve months." in html


def test_the_pdf_is_a_pdf_with_the_same_gaps_and_is_logged(world, client_for):
    from core.pdf import render_pdf_html
    from reviews.selectors.growth import growth_for

    tagged(
        world, world.engineer, "Split the billing service", datetime.date(2026, 5, 2), ["execution"]
    )

    r = client_for("manager").get(reverse("reviews:person-growth-pdf", args=[world.engineer.pk]))

    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")
    assert (
        AccessLog.objects.filter(action="growth_pdf", target_id=str(world.engineer.pk)).count() == 1
    )
    growth = growth_for(user=world.manager.user, person=world.engineer)
    html = render_pdf_html(
        "reviews/growth_pdf.html", {"growth": growth, "person": world.engineer, "own": False}
    )
    assert "No evidence yet toward L5." in html
    assert "Split the billing service" in html


def test_hr_reads_any_page_and_a_teammate_gets_the_same_404_as_nobody(world, client_for):
    url = reverse("reviews:person-growth", args=[world.engineer.pk])
    assert client_for("hr").get(url).status_code == 200
    assert client_for("teammate").get(url).status_code == 404
    nobody = reverse("reviews:person-growth", args=[999999])
    assert client_for("teammate").get(nobody).status_code == 404


def test_a_new_rubric_version_moves_the_page_to_its_text(world, client_for):
    draft = world.v2
    rubric_services.rubric_version_update(
        actor=world.root,
        version=draft,
        expectations=[
            {"level": lv, "competency": k, "text": f"New {lv} {k}.", "examples": ""}
            for lv in ("L3", "L4", "L5")
            for k in ("execution", "collaboration")
        ],
    )
    rubric_services.rubric_version_publish(actor=world.root, version=draft)

    html = client_for("engineer").get(MY_PAGE).content.decode()

    assert "New L5 execution." in html
    assert "At L5, execution looks like this." not in html


def test_the_library_links_to_the_page_for_the_chain_but_not_for_a_committee(world, client_for):
    library = reverse("reviews:person-evidence", args=[world.engineer.pk])
    growth = reverse("reviews:person-growth", args=[world.engineer.pk])
    own = client_for("engineer").get(reverse("reviews:my-evidence")).content.decode()
    assert f'href="{MY_PAGE}"' in own

    assert f'href="{growth}"' in client_for("manager").get(library).content.decode()
    assert f'href="{growth}"' in client_for("hr").get(library).content.decode()
    assert world.calib.session  # other_manager sits on the committee of the engineer's open session
    committee = client_for("other_manager").get(library)
    assert committee.status_code == 200
    assert growth not in committee.content.decode()
