"""Evidence items carry optional competency tags (SPEC §11.2): keys of the competencies of
the person's ladder's current published rubric, in the API and the library form."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from reviews.models import Evidence

URL = "/api/v1/evidence/"


def body(world, person=None, **extra):
    return {
        "person": (person or world.engineer).pk,
        "title": "Split the billing service",
        "occurred_on": "2026-03-03",
        **extra,
    }


def test_an_item_keeps_its_tags_in_rubric_order_and_lists_show_them(world, api_for):
    api = api_for("engineer")

    r = api.post(URL, body(world, competencies=["collaboration", "execution"]), format="json")

    assert r.status_code == 201, r.json()
    assert r.json()["competencies"] == ["execution", "collaboration"]
    listed = api.get(URL).json()["results"]
    assert [item["competencies"] for item in listed] == [["execution", "collaboration"]]
    assert api.get(f"{URL}{r.json()['id']}/").json()["competencies"] == [
        "execution",
        "collaboration",
    ]


def test_tags_are_optional(world, api_for):
    r = api_for("manager").post(URL, body(world), format="json")
    assert r.status_code == 201 and r.json()["competencies"] == []


@pytest.mark.parametrize(
    "tags",
    [
        ["execution", "leadership"],  # not a competency of the IC rubric
        ["execution", "execution"],
        "execution",
        {"execution": True},
        [["execution"]],
        ["x" * 61],
    ],
    ids=["unknown", "duplicate", "string", "object", "nested", "too-long"],
)
def test_bad_tags_answer_400_on_the_field_and_write_nothing(world, api_for, tags):
    r = api_for("engineer").post(URL, body(world, competencies=tags), format="json")

    assert r.status_code == 400
    assert list(r.json()) == ["competencies"], r.json()
    assert not Evidence.objects.exists()


def test_a_person_without_a_published_rubric_cannot_tag(world, api_for):
    # The director is on no ladder: their items take no tags, but can still be added.
    api = api_for("director")
    refused = api.post(URL, body(world, world.director, competencies=["execution"]), format="json")
    assert refused.status_code == 400 and "no published rubric" in str(refused.json())
    assert api.post(URL, body(world, world.director), format="json").status_code == 201


def test_the_library_form_offers_the_rubric_competencies_and_saves_them(world, client_for):
    client = client_for("engineer")
    url = reverse("reviews:my-evidence")

    page = client.get(url).content.decode()
    assert 'name="competencies" value="execution"' in page
    assert "Collaboration" in page

    r = client.post(
        url,
        {
            "title": "Paired on the outage",
            "occurred_on": "2026-03-03",
            "competencies": ["collaboration"],
        },
    )
    assert r.status_code == 302
    item = Evidence.objects.get(title="Paired on the outage")
    assert item.competencies == ["collaboration"]
    html = client.get(url).content.decode()
    assert '<span class="badge badge--tag">Collaboration</span>' in html


def test_the_library_form_refuses_an_unknown_tag_and_keeps_the_input(world, client_for):
    r = client_for("engineer").post(
        reverse("reviews:my-evidence"),
        {"title": "Paired on the outage", "occurred_on": "2026-03-03", "competencies": ["nope"]},
    )
    assert r.status_code == 400
    assert "Select a valid choice" in r.content.decode()
    assert not Evidence.objects.exists()


def test_a_library_without_a_rubric_has_no_tag_field(world, client_for):
    page = client_for("director").get(reverse("reviews:my-evidence")).content.decode()
    assert 'name="competencies"' not in page


def test_a_manager_retags_an_item_from_the_library_and_the_growth_page_follows(world, client_for):
    from tests.reviews.conftest import add_evidence

    item = add_evidence(world, world.engineer, "Ran the incident review", timezone.localdate())
    library = reverse("reviews:person-evidence", args=[world.engineer.pk])
    client = client_for("manager")
    assert f'id="tag-{item.pk}-collaboration"' in client.get(library).content.decode()

    r = client.post(
        reverse("reviews:evidence-competencies", args=[item.pk]),
        {"competencies": ["collaboration"]},
    )

    assert r.status_code == 302 and r["Location"] == f"{library}#evidence-{item.pk}"
    item.refresh_from_db()
    assert item.competencies == ["collaboration"]
    growth = client.get(reverse("reviews:person-growth", args=[world.engineer.pk])).content.decode()
    collaboration = growth[growth.index('id="competency-collaboration"') :]
    assert "Ran the incident review" in collaboration
    # Clearing every box clears the tags.
    client.post(reverse("reviews:evidence-competencies", args=[item.pk]), {})
    item.refresh_from_db()
    assert item.competencies == []


def test_retagging_with_an_unknown_key_answers_400_and_keeps_the_old_tags(world, client_for):
    item = Evidence.objects.create(
        person=world.engineer,
        title="Old item",
        occurred_on="2026-02-02",
        competencies=["execution"],
    )
    r = client_for("engineer").post(
        reverse("reviews:evidence-competencies", args=[item.pk]), {"competencies": ["nope"]}
    )
    assert r.status_code == 400
    assert "Not a competency of this person&#x27;s rubric" in r.content.decode()
    item.refresh_from_db()
    assert item.competencies == ["execution"]


def test_readers_who_may_not_add_get_no_retag_form(world, client_for):
    Evidence.objects.create(person=world.engineer, title="Old item", occurred_on="2026-02-02")
    library = reverse("reviews:person-evidence", args=[world.engineer.pk])
    assert "Save competencies" not in client_for("hr").get(library).content.decode()
