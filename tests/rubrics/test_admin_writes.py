"""HR's ladder and draft edits in the admin go through the same services as the API: the
same rules and messages, the same Activity row; a refused edit writes nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from org.models import Activity
from rubrics.models import Expectation, Rating
from tests.factories import make_ladder
from tests.org.admin_helpers import activity_rows, admin_form_data, last_activity_id
from tests.rubrics.helpers import LADDERS_URL, row_counts, version_url


def _admin_change(client, url_name, pk, **changes):
    url = reverse(url_name, args=[pk])
    return client.post(url, admin_form_data(client.get(url), **changes))


def _inline_name(page, instance, field):
    """The posted name of ``field`` in the inline row that edits ``instance``."""
    for inline in page.context["inline_admin_formsets"]:
        for form in inline.formset.forms:
            if type(form.instance) is type(instance) and form.instance.pk == instance.pk:
                return form.add_prefix(field)
    raise AssertionError(f"no inline row for {instance!r}")


@pytest.mark.parametrize("via", ["api", "admin"])
def test_a_ladder_edit_records_the_same_activity_either_way(world, api_for, client_for, via):
    before = last_activity_id()
    if via == "api":
        r = api_for("hr").patch(
            f"{LADDERS_URL}{world.ladder.pk}/", {"name": "Engineering"}, format="json"
        )
        assert r.status_code == 200
    else:
        r = _admin_change(
            client_for("hr"), "admin:rubrics_ladder_change", world.ladder.pk, name="Engineering"
        )
        assert r.status_code == 302

    world.ladder.refresh_from_db()
    assert world.ladder.name == "Engineering"
    assert activity_rows(before) == [
        {
            "actor__username": "hr",
            "action": Activity.Action.LADDER_SAVED,
            "target_type": "rubrics.ladder",
            "target_id": str(world.ladder.pk),
            "old": None,
            "new": {"name": "Engineering"},
        }
    ]


def test_the_admin_refuses_a_ladder_name_the_api_refuses(world, client_for):
    make_ladder(world.root, slug="management", name="Management")
    before = last_activity_id()

    r = _admin_change(
        client_for("hr"), "admin:rubrics_ladder_change", world.ladder.pk, name="Management"
    )

    assert r.status_code == 200
    assert "A ladder with this name already exists." in r.content.decode()
    assert activity_rows(before) == []
    world.ladder.refresh_from_db()
    assert world.ladder.name == "Engineering IC"


@pytest.mark.parametrize("via", ["api", "admin"])
def test_a_draft_edit_records_the_same_activity_either_way(world, api_for, client_for, via):
    cell = Expectation.objects.get(version=world.v2, level__code="L3", competency__key="execution")
    before = last_activity_id()
    if via == "api":
        c = api_for("hr")
        expectations = c.get(version_url(world.v2)).json()["expectations"]
        for e in expectations:
            if (e["level"], e["competency"]) == ("L3", "execution"):
                e["text"] = "Ships small, safe changes."
        r = c.patch(version_url(world.v2), {"expectations": expectations}, format="json")
        assert r.status_code == 200
    else:
        c = client_for("hr")
        url = reverse("admin:rubrics_rubricversion_change", args=[world.v2.pk])
        page = c.get(url)
        text = {_inline_name(page, cell, "text"): "Ships small, safe changes."}
        r = c.post(url, admin_form_data(page, **text))
        assert r.status_code == 302, r.content.decode()[:3000]

    body = api_for("hr").get(version_url(world.v2)).json()
    texts = {(e["level"], e["competency"]): e["text"] for e in body["expectations"]}
    assert texts[("L3", "execution")] == "Ships small, safe changes."
    assert len(texts) == 6
    assert activity_rows(before) == [
        {
            "actor__username": "hr",
            "action": Activity.Action.RUBRIC_DRAFT_UPDATED,
            "target_type": "rubrics.rubricversion",
            "target_id": str(world.v2.pk),
            "old": None,
            "new": {"replaced": ["expectations"]},
        }
    ]


def test_a_level_renamed_in_the_admin_keeps_its_expectations(world, api_for, client_for):
    level = world.v2.levels.get(code="L3")
    c = client_for("hr")
    url = reverse("admin:rubrics_rubricversion_change", args=[world.v2.pk])
    page = c.get(url)

    r = c.post(url, admin_form_data(page, **{_inline_name(page, level, "code"): "L2"}))

    assert r.status_code == 302
    body = api_for("hr").get(version_url(world.v2)).json()
    assert [lv["code"] for lv in body["levels"]] == ["L2", "L4", "L5"]
    assert sorted(e["level"] for e in body["expectations"]) == ["L2", "L2", "L4", "L4", "L5", "L5"]
    below = next(r for r in body["ratings"] if r["key"] == "below")
    assert below["level_definitions"] == {"L2": "Below at start."}


def test_the_admin_refuses_a_draft_the_api_refuses_and_writes_nothing(world, client_for):
    exceeds = Rating.objects.get(version=world.v2, key="exceeds")
    c = client_for("hr")
    url = reverse("admin:rubrics_rubricversion_change", args=[world.v2.pk])
    page = c.get(url)
    counts, before = row_counts(), last_activity_id()

    r = c.post(url, admin_form_data(page, **{_inline_name(page, exceeds, "is_baseline"): "on"}))

    assert r.status_code == 200
    assert "Exactly one rating must be the baseline (found 2: meets, exceeds)." in (
        r.content.decode()
    )
    assert row_counts() == counts and activity_rows(before) == []
    exceeds.refresh_from_db()
    assert exceeds.is_baseline is False


def test_a_published_version_cannot_be_changed_in_the_admin(world, client_for):
    c = client_for("hr")
    url = reverse("admin:rubrics_rubricversion_change", args=[world.v1.pk])
    before = last_activity_id()

    r = c.post(url, {"change_summary": "sneaky", "_save": "Save"})

    assert r.status_code == 403
    assert activity_rows(before) == []


def test_a_draft_added_in_the_admin_is_created_by_the_service(world, client_for):
    c = client_for("hr")
    url = reverse("admin:rubrics_rubricversion_add")
    page = c.get(url)
    before = last_activity_id()

    data = admin_form_data(
        page,
        ladder=world.ladder.pk,
        change_summary="Started from scratch.",
        **{
            "levels-TOTAL_FORMS": "1",
            "levels-0-code": "L1",
            "levels-0-title": "Level 1",
            "levels-0-order": "1",
        },
    )
    r = c.post(url, data)

    assert r.status_code == 302, r.content.decode()[:3000]
    version = world.ladder.versions.get(number=3)
    assert version.status == "draft" and version.created_by == world.hr.user
    assert [lv.code for lv in version.levels.all()] == ["L1"]
    assert activity_rows(before) == [
        {
            "actor__username": "hr",
            "action": Activity.Action.RUBRIC_DRAFT_CREATED,
            "target_type": "rubrics.rubricversion",
            "target_id": str(version.pk),
            "old": None,
            "new": {"ladder": world.ladder.pk, "number": 3},
        }
    ]
