"""Writing, cloning, publishing, comparing and listing rubric versions through the API (HR)."""

from __future__ import annotations

import copy

import pytest

from rubrics import services
from rubrics.models import RubricVersion
from tests.factories import make_ladder
from tests.rubrics.helpers import (
    LADDERS_URL,
    VERSIONS_URL,
    contents,
    contents_of,
    diff_url,
    publish_url,
    row_counts,
    version_url,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def hr(api_for):
    return api_for("hr")


def _new_contents():
    """Contents that differ from the world's v1 (other level codes and competencies)."""
    data = contents(["E1", "E2", "E3"], ["delivery", "craft", "mentoring"])
    data["ratings"][2]["level_definitions"] = {"E2": "Beyond E2: leads the team's delivery."}
    return data


# --- Creating drafts ---------------------------------------------------------------------


def test_hr_creates_a_draft_from_nested_lists_and_gets_it_back(world, hr):
    data = _new_contents()

    response = hr.post(
        VERSIONS_URL, {"ladder": world.ladder.pk, "change_summary": "Rewrite", **data}
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["ladder"] == world.ladder.pk
    assert body["number"] == 3  # v1 and v2 exist already
    assert body["status"] == "draft"
    assert body["change_summary"] == "Rewrite"
    assert body["published_by"] is None and body["published_at"] is None
    assert body["levels"] == data["levels"]
    assert body["competencies"] == data["competencies"]
    assert body["expectations"] == data["expectations"]
    assert body["ratings"] == data["ratings"]
    assert body["ratings"][0]["level_definitions"] == {"E1": "Below at start."}
    assert body["ratings"][2]["level_definitions"] == {
        "E2": "Beyond E2: leads the team's delivery."
    }
    saved = RubricVersion.objects.get(pk=body["id"])
    assert (saved.number, saved.status, saved.created_by) == (3, "draft", world.hr.user)
    assert saved.expectations.count() == 9
    # The detail endpoint answers with the same representation.
    assert hr.get(version_url(saved)).json() == body


def test_each_new_draft_takes_the_next_number(world, hr):
    numbers = [
        hr.post(VERSIONS_URL, {"ladder": world.ladder.pk, **_new_contents()}).json()["number"]
        for _ in range(3)
    ]

    assert numbers == [3, 4, 5]


def test_numbers_are_counted_per_ladder(world, hr):
    other, _ = make_ladder(world.root, slug="engineering-manager", name="Engineering Manager")

    response = hr.post(VERSIONS_URL, {"ladder": other.pk, **_new_contents()})

    assert response.status_code == 201
    assert response.json()["number"] == 2


def test_ladder_and_from_version_clone_that_version(world, hr):
    source = hr.get(version_url(world.v1)).json()

    response = hr.post(
        VERSIONS_URL,
        {"ladder": world.ladder.pk, "from_version": world.v1.pk, "change_summary": "Copy of v1"},
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["id"] not in (world.v1.pk, world.v2.pk)
    assert body["number"] == 3
    assert body["status"] == "draft"
    assert body["change_summary"] == "Copy of v1"
    assert contents_of(body) == contents_of(source)
    assert body["ratings"][0]["level_definitions"] == {"L3": "Below at start."}


def test_ladder_alone_clones_the_latest_published_version_not_the_newest_draft(world, hr):
    published = hr.get(version_url(world.v1)).json()
    edited = copy.deepcopy(published["levels"])
    edited[0]["title"] = "Renamed in the draft"
    assert hr.patch(version_url(world.v2), {"levels": edited}).status_code == 200

    response = hr.post(VERSIONS_URL, {"ladder": world.ladder.pk})

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"] == 3
    assert body["status"] == "draft"
    assert contents_of(body) == contents_of(published)
    assert body["levels"][0]["title"] == "Level L3"


def test_ladder_alone_starts_an_empty_draft_when_nothing_is_published_yet(world, hr):
    ladder = hr.post(LADDERS_URL, {"name": "Data Science", "slug": "data-science"}).json()

    response = hr.post(VERSIONS_URL, {"ladder": ladder["id"]})

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["number"], body["status"]) == (1, "draft")
    assert contents_of(body) == {
        "levels": [],
        "competencies": [],
        "expectations": [],
        "ratings": [],
    }


# --- Editing drafts ----------------------------------------------------------------------


def test_patch_replaces_only_the_lists_it_names(world, hr):
    before = hr.get(version_url(world.v2)).json()
    ratings = [
        {
            "key": "not_yet",
            "label": "Not yet",
            "order": 1,
            "is_baseline": False,
            "definition": "Not yet at the level.",
            "level_definitions": {"L5": "Not yet at L5."},
        },
        {
            "key": "meets",
            "label": "Meets",
            "order": 2,
            "is_baseline": True,
            "definition": "Meets the level.",
            "level_definitions": {},
        },
        {
            "key": "exceeds",
            "label": "Exceeds",
            "order": 3,
            "is_baseline": False,
            "definition": "Beyond the level.",
            "level_definitions": {},
        },
    ]

    response = hr.patch(version_url(world.v2), {"ratings": ratings})

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["ratings"] == ratings
    for unchanged in ("levels", "competencies", "expectations"):
        assert body[unchanged] == before[unchanged]
    assert body["number"] == before["number"] and body["status"] == "draft"
    assert hr.get(version_url(world.v2)).json()["ratings"] == ratings


def test_patch_of_expectations_alone_changes_only_those_texts(world, hr):
    before = hr.get(version_url(world.v2)).json()
    expectations = copy.deepcopy(before["expectations"])
    expectations[0]["text"] = "A rewritten first expectation."

    response = hr.patch(version_url(world.v2), {"expectations": expectations})

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["expectations"] == expectations
    assert body["levels"] == before["levels"]
    assert body["competencies"] == before["competencies"]
    assert body["ratings"] == before["ratings"]


def test_patch_of_the_change_summary_alone_keeps_every_list(world, hr):
    before = hr.get(version_url(world.v2)).json()

    response = hr.patch(version_url(world.v2), {"change_summary": "Clarify L4"})

    assert response.status_code == 200
    assert response.json()["change_summary"] == "Clarify L4"
    assert contents_of(response.json()) == contents_of(before)


def test_put_replaces_all_four_lists(world, hr):
    data = _new_contents()

    response = hr.put(version_url(world.v2), {"change_summary": "All new", **data})

    assert response.status_code == 200, response.content
    body = response.json()
    assert contents_of(body) == data
    assert body["change_summary"] == "All new"
    assert [lv["code"] for lv in hr.get(version_url(world.v2)).json()["levels"]] == [
        "E1",
        "E2",
        "E3",
    ]


def test_hr_deletes_a_draft_with_its_contents(world, hr):
    before = row_counts()

    response = hr.delete(version_url(world.v2))

    assert response.status_code == 204
    assert not RubricVersion.objects.filter(pk=world.v2.pk).exists()
    after = row_counts()
    assert after["RubricVersion"] == before["RubricVersion"] - 1
    assert after["Level"] == before["Level"] - 3
    assert after["Expectation"] == before["Expectation"] - 6
    assert hr.get(version_url(world.v2)).status_code == 404


# --- Publishing --------------------------------------------------------------------------


def test_publishing_a_complete_draft_retires_the_previous_version(world, hr):
    response = hr.post(publish_url(world.v2), {"change_summary": "Second edition"})

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "published"
    assert body["published_by"] == "hr"
    assert body["published_at"] is not None
    assert body["change_summary"] == "Second edition"
    world.v1.refresh_from_db()
    world.v2.refresh_from_db()
    assert world.v1.status == "retired"
    assert world.v2.status == "published"
    assert world.v2.published_by == world.hr.user
    ladder = hr.get(f"{LADDERS_URL}{world.ladder.pk}/").json()
    assert ladder["current_version"] == world.v2.pk
    # The retired version stays readable, with its own publisher unchanged.
    old = hr.get(version_url(world.v1)).json()
    assert old["status"] == "retired"
    assert old["published_by"] == "root"


def test_publishing_without_a_body_keeps_the_change_summary(world, hr):
    hr.patch(version_url(world.v2), {"change_summary": "Written while drafting"})

    response = hr.post(publish_url(world.v2))

    assert response.status_code == 200, response.content
    assert response.json()["change_summary"] == "Written while drafting"


def test_everyone_reads_the_newly_published_version_and_the_ladder_points_to_it(world, hr, api_for):
    hr.post(publish_url(world.v2))
    engineer = api_for("engineer")

    assert engineer.get(version_url(world.v2)).json()["status"] == "published"
    assert engineer.get(f"{LADDERS_URL}{world.ladder.pk}/").json()["current_version"] == (
        world.v2.pk
    )


# --- Diff --------------------------------------------------------------------------------


def _hand_made_change(hr, version):
    """On ``version`` (a copy of v1): remove L5, add the 'mentoring' competency with its
    expectations, reword L4 × execution and relabel the 'meets' rating."""
    data = hr.get(version_url(version)).json()
    levels = [lv for lv in data["levels"] if lv["code"] != "L5"]
    competencies = data["competencies"] + [
        {"key": "mentoring", "name": "Mentoring", "description": "Growing others.", "order": 3}
    ]
    expectations = [e for e in data["expectations"] if e["level"] != "L5"]
    for e in expectations:
        if (e["level"], e["competency"]) == ("L4", "execution"):
            e["text"] = "At L4, execution means owning a project end to end."
    expectations += [
        {
            "level": code,
            "competency": "mentoring",
            "text": f"At {code}, mentors peers.",
            "examples": "",
        }
        for code in ("L3", "L4")
    ]
    ratings = copy.deepcopy(data["ratings"])
    for r in ratings:
        if r["key"] == "meets":
            r["label"] = "Meets expectations"
    response = hr.put(
        version_url(version),
        {
            "levels": levels,
            "competencies": competencies,
            "expectations": expectations,
            "ratings": ratings,
        },
    )
    assert response.status_code == 200, response.content


def test_diff_lists_added_removed_and_changed_items(world, hr):
    _hand_made_change(hr, world.v2)

    response = hr.get(diff_url(world.v2, world.v1))

    assert response.status_code == 200, response.content
    diff = response.json()
    assert diff["is_empty"] is False
    assert diff["from"] == {"id": world.v1.pk, "number": 1, "status": "published"}
    assert diff["to"] == {"id": world.v2.pk, "number": 2, "status": "draft"}

    assert diff["levels"]["added"] == []
    assert diff["levels"]["changed"] == []
    assert diff["levels"]["removed"] == [
        {"code": "L5", "title": "Level L5", "order": 3, "summary": "Scope of L5."}
    ]

    assert diff["competencies"]["added"] == [
        {"key": "mentoring", "name": "Mentoring", "description": "Growing others.", "order": 3}
    ]
    assert diff["competencies"]["removed"] == []
    assert diff["competencies"]["changed"] == []

    cells = lambda items: [(e["level"], e["competency"]) for e in items]  # noqa: E731
    assert cells(diff["expectations"]["added"]) == [("L3", "mentoring"), ("L4", "mentoring")]
    assert cells(diff["expectations"]["removed"]) == [("L5", "collaboration"), ("L5", "execution")]
    [changed] = diff["expectations"]["changed"]
    assert changed["key"] == "L4 × execution"
    assert changed["fields"] == ["text"]
    assert changed["old"]["text"] == "At L4, execution looks like this."
    assert changed["new"]["text"] == "At L4, execution means owning a project end to end."

    assert diff["ratings"]["added"] == [] and diff["ratings"]["removed"] == []
    [rating] = diff["ratings"]["changed"]
    assert (rating["key"], rating["fields"]) == ("meets", ["label"])
    assert (rating["old"]["label"], rating["new"]["label"]) == ("Meets", "Meets expectations")


def test_diff_the_other_way_round_swaps_added_and_removed(world, hr):
    _hand_made_change(hr, world.v2)

    diff = hr.get(diff_url(world.v1, world.v2)).json()

    assert [lv["code"] for lv in diff["levels"]["added"]] == ["L5"]
    assert diff["levels"]["removed"] == []
    assert [c["key"] for c in diff["competencies"]["removed"]] == ["mentoring"]


def test_diff_of_a_version_against_itself_is_empty(world, hr):
    response = hr.get(diff_url(world.v1, world.v1))

    assert response.status_code == 200
    diff = response.json()
    assert diff["is_empty"] is True
    for section in ("levels", "competencies", "expectations", "ratings"):
        assert diff[section] == {"added": [], "removed": [], "changed": []}


def test_diff_of_an_unchanged_clone_is_empty(world, hr):
    assert hr.get(diff_url(world.v2, world.v1)).json()["is_empty"] is True


def test_an_engineer_compares_two_published_versions(world, hr, api_for):
    _hand_made_change(hr, world.v2)
    hr.post(publish_url(world.v2))

    response = api_for("engineer").get(diff_url(world.v2, world.v1))

    assert response.status_code == 200
    assert response.json()["levels"]["removed"][0]["code"] == "L5"


# --- Listing -----------------------------------------------------------------------------


def test_the_list_is_paginated_with_count_next_previous_results(world, hr):
    response = hr.get(VERSIONS_URL)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 2
    assert {v["id"] for v in body["results"]} == {world.v1.pk, world.v2.pk}


def test_page_size_splits_the_list_into_pages(world, hr):
    first = hr.get(VERSIONS_URL, {"page_size": 1}).json()

    assert first["count"] == 2
    assert len(first["results"]) == 1
    assert first["previous"] is None
    assert "page=2" in first["next"]
    second = hr.get(VERSIONS_URL, {"page_size": 1, "page": 2}).json()
    assert len(second["results"]) == 1
    assert second["next"] is None
    assert {first["results"][0]["id"], second["results"][0]["id"]} == {world.v1.pk, world.v2.pk}


def test_page_size_is_capped_at_two_hundred(world, hr):
    for _ in range(199):  # 201 versions with v1 and v2
        services.rubric_version_create(actor=world.hr.user, ladder=world.ladder)

    # Beyond the cap is the client's mistake, answered as such (SPEC §4, issue #10).
    too_many = hr.get(VERSIONS_URL, {"page_size": 1000})
    assert too_many.status_code == 400 and "page_size" in too_many.json()

    body = hr.get(VERSIONS_URL, {"page_size": 200}).json()

    assert body["count"] == 201
    assert len(body["results"]) == 200
    assert "page=2" in body["next"]


def test_the_list_filters_by_ladder(world, hr):
    other, other_v1 = make_ladder(
        world.root, slug="engineering-manager", name="Engineering Manager"
    )

    mine = hr.get(VERSIONS_URL, {"ladder": world.ladder.pk}).json()
    theirs = hr.get(VERSIONS_URL, {"ladder": other.pk}).json()

    assert {v["id"] for v in mine["results"]} == {world.v1.pk, world.v2.pk}
    assert mine["count"] == 2
    assert [v["id"] for v in theirs["results"]] == [other_v1.pk]
    assert theirs["count"] == 1


def test_the_list_filters_by_status(world, hr):
    hr.post(publish_url(world.v2))
    third = hr.post(VERSIONS_URL, {"ladder": world.ladder.pk}).json()

    by_status = {
        status: [v["id"] for v in hr.get(VERSIONS_URL, {"status": status}).json()["results"]]
        for status in ("draft", "published", "retired")
    }

    assert by_status == {
        "draft": [third["id"]],
        "published": [world.v2.pk],
        "retired": [world.v1.pk],
    }


@pytest.mark.parametrize("role", ["engineer", "manager", "other_manager"])
def test_people_outside_hr_never_see_drafts_in_the_list(world, api_for, role):
    client = api_for(role)

    everything = client.get(VERSIONS_URL).json()
    drafts = client.get(VERSIONS_URL, {"status": "draft"}).json()
    this_ladder = client.get(VERSIONS_URL, {"ladder": world.ladder.pk}).json()

    assert [v["id"] for v in everything["results"]] == [world.v1.pk]
    assert everything["count"] == 1
    assert drafts == {"count": 0, "next": None, "previous": None, "results": []}
    assert [v["id"] for v in this_ladder["results"]] == [world.v1.pk]
    assert all(v["status"] != "draft" for v in everything["results"])


def test_competencies_sent_without_an_order_keep_the_order_they_were_sent_in(world, hr):
    """`order` is optional for competencies; without it the matrix columns must follow the
    order HR wrote them in, not the alphabet."""
    data = contents(["E1", "E2"], ["zeta", "alpha", "mu"])
    for competency in data["competencies"]:
        del competency["order"]

    response = hr.post(VERSIONS_URL, {"ladder": world.ladder.pk, **data})

    assert response.status_code == 201, response.content
    assert [c["key"] for c in response.json()["competencies"]] == ["zeta", "alpha", "mu"]
    assert [
        c["key"] for c in hr.get(version_url(response.json()["id"])).json()["competencies"]
    ] == ["zeta", "alpha", "mu"]
