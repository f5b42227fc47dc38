"""What is derived from a review's text (reviews.contents) is stored when the text changes
and derived again only when the text, the word lists or the code deriving it change:
stored lint, blockers and HTML equal what is recomputed for every review, after every
kind of change, and the API and the pages show the stored ones."""

from __future__ import annotations

import importlib
import io
import json

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from core.markdown import render_markdown
from reviews.contents import contents_key, stored_contents
from reviews.lint import lint_review, review_blockers
from reviews.lint_terms import load_terms
from reviews.models import Assessment, Evidence, LintTerm, Review
from reviews.selectors import with_review_contents
from reviews.services.contents import lint_terms_changed
from reviews.services.reviews import review_update
from tests.factories import make_superuser, seed_demo
from tests.reviews.conftest import complete_assessments
from tests.reviews.test_review_pages import browser, editor_form, form_data, page

pytestmark = pytest.mark.django_db

STORED = ("narrative_html", "assessments", "lint", "blockers")


def recomputed(pk: int) -> dict:
    """The review's derived contents computed from its rows now, the long way."""
    r = with_review_contents(Review.objects.filter(pk=pk)).get()
    return {
        "narrative_html": {s: render_markdown(getattr(r, s)) for s in Review.NARRATIVE_SECTIONS},
        "assessments": [
            {
                "competency": a.competency,
                "rating": a.rating,
                "narrative": a.narrative,
                "narrative_html": render_markdown(a.narrative),
                "evidence": [e.pk for e in a.evidence.all()],  # by date, then id
            }
            for a in r.assessments.all()
        ],
        "lint": [f.as_dict() for f in lint_review(r)],
        "blockers": [f.as_dict() for f in review_blockers(r)],
    }


def stored(pk: int) -> dict:
    r = Review.objects.get(pk=pk)
    assert r.contents_key == contents_key(load_terms()), f"review {pk} is not current"
    contents = stored_contents(r)
    return {k: contents[k] for k in STORED}


def assert_every_review_current() -> int:
    pks = list(Review.objects.values_list("pk", flat=True))
    for pk in pks:
        assert stored(pk) == recomputed(pk), f"review {pk}"
    return len(pks)


def api_lint(client, pk: int) -> list[dict]:
    response = client.get(f"/api/v1/reviews/{pk}/")
    assert response.status_code == 200
    return response.json()["lint"]


def _admin_save(client, term: LintTerm | None, **fields) -> None:
    if term is None:
        url = reverse("admin:reviews_lintterm_add")
        data = {"code": "", "phrase": "", "source": "", "suggestion": "", "is_active": "on"}
    else:
        url = reverse("admin:reviews_lintterm_change", args=[term.pk])
        data = {
            "code": term.code,
            "phrase": term.phrase,
            "source": term.source,
            "suggestion": term.suggestion,
            **({"is_active": "on"} if term.is_active else {}),
        }
    data.update(fields)
    if fields.get("is_active") is False:
        data.pop("is_active")
    response = client.post(url, {**data, "_save": "Save"})
    assert response.status_code == 302, response.content.decode()[:2000]


def test_stored_contents_follow_every_change_in_the_seeded_world():
    from django.test import Client

    seed_demo(stdout=io.StringIO())
    # 1. Everything the demo wrote went through the services: all current.
    n = assert_every_review_current()
    assert n > 100

    draft = Review.objects.filter(status=Review.Status.DRAFT).order_by("pk").first()
    author = draft.author.user
    hr = Client()
    hr.force_login(make_superuser())

    # 2. Text edited through the service.
    draft = review_update(
        actor=author,
        review=draft,
        version=draft.version,
        narrative={"impact": "She is a **rockstar** and a great team player."},
    )
    assert stored(draft.pk) == recomputed(draft.pk)
    assert any(f["match"] == "rockstar" for f in stored(draft.pk)["lint"])
    assert api_lint(hr, draft.pk) == recomputed(draft.pk)["lint"]

    # 3. Text edited through the editor page, as a browser posts it.
    manager = browser(author)
    edit_url = reverse("reviews:edit", args=[draft.pk])
    data = form_data(editor_form(page(manager.get(edit_url))))
    data["impact"] = ["Seems to be very abrasive in reviews."]
    assert manager.post(edit_url, data).status_code == 302
    assert stored(draft.pk) == recomputed(draft.pk)
    matches = {f["match"] for f in stored(draft.pk)["lint"]}
    assert {"Seems to", "abrasive"} <= matches and "rockstar" not in matches
    panel = page(manager.get(edit_url)).split('id="lint-panel"', 1)[1]
    assert "Matched text: <q>abrasive</q>" in panel

    # 4. Text and assessments edited through the API.
    draft.refresh_from_db()
    body = {
        "version": draft.version,
        "narrative": {"growth": "Perhaps the best hire we made."},
        "assessments": [{"competency": stored(draft.pk)["assessments"][0]["competency"]}],
    }
    api = APIClient()
    api.force_authenticate(author)
    r = api.patch(f"/api/v1/reviews/{draft.pk}/", body, format="json")
    assert r.status_code == 200, r.json()
    assert r.json()["lint"] == recomputed(draft.pk)["lint"] == stored(draft.pk)["lint"]
    assert r.json()["assessments"] == recomputed(draft.pk)["assessments"]

    # 5. HR adds a phrase in the admin: every review holding it is relinted at once.
    _admin_save(
        hr, None, code="vague_praise", phrase="team", source="Test", suggestion="Say which."
    )
    assert_every_review_current()
    with_team = [
        pk
        for pk in Review.objects.values_list("pk", flat=True)
        if any(f["match"].lower() == "team" for f in stored(pk)["lint"])
    ]
    assert with_team, "the demo's reviews talk about teams"
    assert any(f["message"].endswith("Say which.") for f in api_lint(hr, with_team[0]))

    # 6. … edits its suggestion, then deactivates it.
    term = LintTerm.objects.get(code="vague_praise", phrase="team")
    _admin_save(hr, term, suggestion="Say which team, and what changed.")
    assert_every_review_current()
    term.refresh_from_db()
    _admin_save(hr, term, is_active=False)
    assert_every_review_current()
    assert not any(f["match"].lower() == "team" for f in api_lint(hr, with_team[0]))

    # 7. The word lists changed around the admin: each review is derived again when read,
    # and stored.
    LintTerm.objects.filter(code="personality").update(is_active=False)
    page_of_all = hr.get("/api/v1/reviews/?page_size=200").json()
    for item in page_of_all["results"]:
        assert item["lint"] == recomputed(item["id"])["lint"]
    assert all(
        not any(f["code"] == "personality" for f in i["lint"]) for i in page_of_all["results"]
    )
    shown = {i["id"] for i in page_of_all["results"]}
    for pk in shown:
        assert stored(pk) == recomputed(pk)

    # 8. … or a setting or the code changed: migrate (and the command) derive the rest.
    call_command("refresh_review_contents", stdout=io.StringIO())
    assert_every_review_current()


def test_the_data_migration_fills_the_stored_contents_of_existing_reviews(world, cycle, evidence):
    from reviews.services.reviews import review_create

    review = review_create(actor=world.manager.user, cycle=cycle, subject=world.engineer)
    review_update(
        actor=world.manager.user,
        review=review,
        version=1,
        narrative={"impact": "Not strategic, **lacks presence**."},
        assessments=complete_assessments([e.pk for e in evidence]),
    )
    Review.objects.update(contents_key="", contents_shown="", contents_lint="")
    migration = importlib.import_module("reviews.migrations.0007_fill_review_contents")
    migration.fill(apps, None)
    assert_every_review_current()


def test_a_word_list_change_relints_only_the_reviews_holding_a_changed_phrase(
    world, cycle, evidence
):
    from reviews.services.reviews import review_create

    texts = {world.engineer: "A real unicornish talent.", world.teammate: "Steady work."}
    for person, text in texts.items():
        r = review_create(actor=world.manager.user, cycle=cycle, subject=person)
        review_update(actor=world.manager.user, review=r, version=1, narrative={"impact": text})
    before = load_terms()
    LintTerm.objects.create(code="vague_praise", phrase="unicornish", suggestion="Which?")
    assert lint_terms_changed(before=before, after=load_terms()) == 1
    assert_every_review_current()
    engineer = Review.objects.get(subject=world.engineer)
    assert [f["match"] for f in stored(engineer.pk)["lint"]] == ["unicornish"]


def test_rows_written_around_the_services_are_derived_when_read_then_stored(world, cycle, api_for):
    review = Review.objects.create(
        cycle=cycle,
        subject=world.engineer,
        author=world.manager,
        rubric_version=world.v1,
        level="L4",
        impact="Bossy, but a rockstar.",
    )
    Assessment.objects.create(review=review, competency="execution", rating="exceeds")
    assert review.contents_key == ""
    hr = api_for("hr")
    item = hr.get("/api/v1/reviews/").json()["results"][0]
    assert item["lint"] == recomputed(review.pk)["lint"] and item["lint"]
    assert stored(review.pk) == recomputed(review.pk)
    # Once stored, reading writes nothing.
    with CaptureQueriesContext(connection) as ctx:
        hr.get("/api/v1/reviews/")
    assert not [q for q in ctx.captured_queries if q["sql"].startswith("UPDATE")]


def test_an_edited_evidence_item_rederives_the_reviews_citing_it(world, cycle, evidence):
    from reviews.services.reviews import review_create

    review = review_create(actor=world.manager.user, cycle=cycle, subject=world.engineer)
    review_update(
        actor=world.manager.user,
        review=review,
        version=1,
        assessments=complete_assessments([e.pk for e in evidence]),
    )
    assert not any(f["code"] == "outside_period" for f in stored(review.pk)["lint"])
    item = Evidence.objects.get(pk=evidence[0].pk)
    item.occurred_on = item.occurred_on.replace(year=2020)
    item.save()
    assert stored(review.pk) == recomputed(review.pk)
    assert any(f["code"] == "outside_period" for f in stored(review.pk)["lint"])


def test_the_api_page_is_the_rendered_representation_byte_for_byte(world, cycle, evidence, api_for):
    from rest_framework.renderers import JSONRenderer

    from reviews.serializers import ReviewSerializer
    from reviews.services.reviews import review_create

    for person in (world.engineer, world.teammate):
        r = review_create(actor=world.manager.user, cycle=cycle, subject=person)
        review_update(
            actor=world.manager.user,
            review=r,
            version=1,
            narrative={"impact": 'Line\u2028separated, \u00e9t\u00e9 "quoted" <b>a</b>.'},
        )
    response = api_for("hr").get("/api/v1/reviews/")
    assert response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    expected = JSONRenderer().render(
        {
            "count": 2,
            "next": None,
            "previous": None,
            "results": [
                ReviewSerializer(Review.objects.get(pk=i["id"])).data for i in body["results"]
            ],
        }
    )
    assert response.content == expected
    # Indented JSON and the browsable API still work.
    indented = api_for("hr").get("/api/v1/reviews/", HTTP_ACCEPT="application/json; indent=2")
    assert json.loads(indented.content) == body and b'\n  "count"' in indented.content
    html = api_for("hr").get("/api/v1/reviews/", HTTP_ACCEPT="text/html")
    assert html.status_code == 200 and "Line" in html.content.decode()
