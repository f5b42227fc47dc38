"""Published (and retired) rubric versions never change (SPEC §1.2): not through the API,
the services, the admin, nor raw SQL. The one allowed change is published → retired."""

from __future__ import annotations

import re

import pytest
from django.db import DatabaseError, connection, transaction

from core.errors import ImmutableError
from rubrics import services
from rubrics.models import Expectation, Level, RatingDefinition, RubricVersion
from tests.rubrics.helpers import (
    contents,
    publish_url,
    row_counts,
    version_url,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["published", "retired"])
def frozen(request, world):
    """v1 as published (the world's state) or as retired (after v2 is published)."""
    if request.param == "retired":
        services.rubric_version_publish(actor=world.hr.user, version=world.v2)
        world.v1.refresh_from_db()
        assert world.v1.status == "retired"
    return world.v1


# --- API ---------------------------------------------------------------------------------

WRITES = {
    "put": ("put", "", lambda: {"change_summary": "Sneaky", **contents(["X1", "X2"])}),
    "patch summary": ("patch", "", lambda: {"change_summary": "Sneaky"}),
    "patch lists": (
        "patch",
        "",
        lambda: {"levels": contents(["X1"])["levels"], "ratings": contents()["ratings"][:2]},
    ),
    "patch garbage": ("patch", "", lambda: {"levels": "not a list"}),
    "delete": ("delete", "", lambda: None),
    "publish again": ("post", "publish/", lambda: {"change_summary": "Again"}),
}


@pytest.mark.parametrize("write", list(WRITES), ids=list(WRITES))
def test_every_api_write_to_a_frozen_version_answers_409_immutable(world, api_for, frozen, write):
    method, suffix, body = WRITES[write]
    hr = api_for("hr")
    before_body = hr.get(version_url(frozen)).json()
    before_rows = row_counts()

    response = getattr(hr, method)(version_url(frozen) + suffix, body())

    assert response.status_code == 409, response.content
    payload = response.json()
    assert set(payload) == {"detail", "code"}
    assert payload["code"] == "immutable"
    assert f"Version {frozen.number}" in payload["detail"]
    assert "cannot change" in payload["detail"]
    assert hr.get(version_url(frozen)).json() == before_body
    assert row_counts() == before_rows


def test_publish_of_a_published_version_keeps_its_publisher_and_date(world, api_for):
    before = api_for("hr").get(version_url(world.v1)).json()

    response = api_for("hr").post(publish_url(world.v1))

    assert response.status_code == 409
    after = api_for("hr").get(version_url(world.v1)).json()
    assert (after["published_by"], after["published_at"]) == ("root", before["published_at"])


# --- Services ----------------------------------------------------------------------------


def test_the_update_service_refuses_a_frozen_version(world, frozen):
    before = row_counts()

    with pytest.raises(ImmutableError, match="cannot change"):
        services.rubric_version_update(
            actor=world.hr.user, version=frozen, levels=contents(["X1"])["levels"]
        )
    with pytest.raises(ImmutableError):
        services.rubric_version_update(actor=world.hr.user, version=frozen, change_summary="Sneaky")

    assert row_counts() == before
    frozen.refresh_from_db()
    assert frozen.change_summary == "First version"
    assert list(frozen.levels.values_list("code", flat=True)) == ["L3", "L4", "L5"]


def test_the_delete_service_refuses_a_frozen_version(world, frozen):
    before = row_counts()

    with pytest.raises(ImmutableError, match="cannot change"):
        services.rubric_version_delete(actor=world.hr.user, version=frozen)

    assert row_counts() == before
    assert RubricVersion.objects.filter(pk=frozen.pk).exists()


def test_the_publish_service_refuses_a_frozen_version(world, frozen):
    status, published_at = frozen.status, frozen.published_at

    with pytest.raises(ImmutableError, match="cannot change"):
        services.rubric_version_publish(actor=world.hr.user, version=frozen)

    frozen.refresh_from_db()
    assert (frozen.status, frozen.published_at, frozen.published_by) == (
        status,
        published_at,
        world.root,
    )


def test_the_immutable_error_is_a_409_conflict_with_code_immutable(world):
    with pytest.raises(ImmutableError) as caught:
        services.check_writable(world.v1)

    assert caught.value.code == "immutable"
    services.check_writable(world.v2)  # a draft is writable: no error


# --- Admin -------------------------------------------------------------------------------


def _admin_change_url(version):
    return f"/admin/rubrics/rubricversion/{version.pk}/change/"


INLINE_PREFIXES = ["levels", "competencies", "expectations", "ratings", "rating_definitions"]


def test_the_admin_shows_a_frozen_version_read_only(world, client_for, frozen):
    response = client_for("hr").get(_admin_change_url(frozen))

    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    assert response.context["has_delete_permission"] is False
    html = response.content.decode()
    # Only the hidden row ids and management counters remain: no field can be edited.
    inline_fields = {
        name.rsplit("-", 1)[1]
        for name in re.findall(r'name="([^"]+)"', html)
        if name.split("-", 1)[0] in INLINE_PREFIXES
    }
    assert inline_fields <= {
        "id",
        "version",
        "TOTAL_FORMS",
        "INITIAL_FORMS",
        "MIN_NUM_FORMS",
        "MAX_NUM_FORMS",
    }
    assert "<textarea" not in html and "<select" not in html
    assert 'name="change_summary"' not in html
    for formset in response.context["inline_admin_formsets"]:
        assert formset.has_change_permission is False
        assert formset.has_add_permission is False
        assert formset.has_delete_permission is False
    # The contents are still readable there.
    assert "At L4, execution looks like this." in html


def test_the_admin_offers_editable_inlines_for_a_draft(world, client_for):
    """The contrast that makes the read-only assertion above meaningful."""
    response = client_for("hr").get(_admin_change_url(world.v2))

    assert response.status_code == 200
    assert response.context["has_change_permission"] is True
    html = response.content.decode()
    assert 'name="levels-0-title"' in html
    assert 'name="expectations-0-text"' in html


def test_a_post_to_the_admin_change_page_of_a_frozen_version_is_refused(world, client_for, frozen):
    level = frozen.levels.get(code="L4")
    expectation = frozen.expectations.get(level=level, competency__key="execution")
    before = row_counts()
    data = {
        "change_summary": "Changed through the admin",
        "levels-TOTAL_FORMS": "1",
        "levels-INITIAL_FORMS": "1",
        "levels-0-id": str(level.pk),
        "levels-0-version": str(frozen.pk),
        "levels-0-code": "L4",
        "levels-0-title": "Hacked",
        "levels-0-order": "2",
        "expectations-TOTAL_FORMS": "1",
        "expectations-INITIAL_FORMS": "1",
        "expectations-0-id": str(expectation.pk),
        "expectations-0-version": str(frozen.pk),
        "expectations-0-text": "Hacked",
        "_save": "Save",
    }

    response = client_for("hr").post(_admin_change_url(frozen), data)

    assert response.status_code == 403
    assert row_counts() == before
    frozen.refresh_from_db()
    level.refresh_from_db()
    expectation.refresh_from_db()
    assert frozen.change_summary == "First version"
    assert level.title == "Level L4"
    assert expectation.text == "At L4, execution looks like this."


# --- Raw SQL (database triggers) ---------------------------------------------------------


def _raw(sql, params):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def _refused(sql, params):
    with pytest.raises(DatabaseError, match="immutable"):
        _raw(sql, params)


def test_raw_sql_cannot_update_an_expectation_of_a_frozen_version(world, frozen):
    expectation = frozen.expectations.select_related("level", "competency").get(
        level__code="L4", competency__key="execution"
    )

    _refused(
        'UPDATE rubrics_expectation SET "text" = %s WHERE id = %s',
        ["Rewritten behind everyone's back", expectation.pk],
    )

    expectation.refresh_from_db()
    assert expectation.text == "At L4, execution looks like this."


def test_raw_sql_cannot_delete_a_level_of_a_frozen_version(world, frozen):
    level = frozen.levels.get(code="L5")

    _refused("DELETE FROM rubrics_level WHERE id = %s", [level.pk])

    assert Level.objects.filter(pk=level.pk).exists()


def test_raw_sql_cannot_insert_a_competency_into_a_frozen_version(world, frozen):
    before = frozen.competencies.count()

    _refused(
        'INSERT INTO rubrics_competency (version_id, "key", "name", "description", "order") '
        "VALUES (%s, %s, %s, %s, %s)",
        [frozen.pk, "stealth", "Stealth", "", 9],
    )

    assert frozen.competencies.count() == before


def test_raw_sql_cannot_renumber_a_frozen_version(world, frozen):
    _refused("UPDATE rubrics_rubricversion SET number = number + 10 WHERE id = %s", [frozen.pk])

    frozen.refresh_from_db()
    assert frozen.number == 1


def test_raw_sql_cannot_delete_a_frozen_version(world, frozen):
    before = row_counts()

    _refused("DELETE FROM rubrics_rubricversion WHERE id = %s", [frozen.pk])

    assert row_counts() == before


def test_raw_sql_cannot_change_a_frozen_versions_change_summary(world, frozen):
    _refused(
        "UPDATE rubrics_rubricversion SET change_summary = %s WHERE id = %s",
        ["Rewritten", frozen.pk],
    )

    frozen.refresh_from_db()
    assert frozen.change_summary == "First version"


def test_raw_sql_cannot_delete_a_rating_definition_of_a_frozen_version(world, frozen):
    definition = RatingDefinition.objects.get(version=frozen)

    _refused("DELETE FROM rubrics_ratingdefinition WHERE id = %s", [definition.pk])

    assert RatingDefinition.objects.filter(pk=definition.pk).exists()


def test_raw_sql_cannot_move_a_draft_row_into_a_frozen_version(world):
    level = world.v2.levels.get(code="L5")

    _refused("UPDATE rubrics_level SET version_id = %s WHERE id = %s", [world.v1.pk, level.pk])

    level.refresh_from_db()
    assert level.version_id == world.v2.pk


@pytest.mark.parametrize("status", ["draft", "published"])
def test_raw_sql_cannot_bring_a_retired_version_back(world, status):
    services.rubric_version_publish(actor=world.hr.user, version=world.v2)

    _refused("UPDATE rubrics_rubricversion SET status = %s WHERE id = %s", [status, world.v1.pk])

    world.v1.refresh_from_db()
    assert world.v1.status == "retired"


def test_raw_sql_cannot_turn_a_published_version_back_into_a_draft(world):
    _refused("UPDATE rubrics_rubricversion SET status = 'draft' WHERE id = %s", [world.v1.pk])

    world.v1.refresh_from_db()
    assert world.v1.status == "published"


def test_raw_sql_may_retire_a_published_version(world):
    _raw("UPDATE rubrics_rubricversion SET status = 'retired' WHERE id = %s", [world.v1.pk])

    world.v1.refresh_from_db()
    assert world.v1.status == "retired"
    assert world.v1.number == 1 and world.v1.published_by == world.root


def test_drafts_stay_freely_writable_with_raw_sql(world):
    draft = world.v2
    expectation = draft.expectations.get(level__code="L4", competency__key="execution")
    definition = RatingDefinition.objects.get(version=draft)

    _raw(
        'UPDATE rubrics_expectation SET "text" = %s WHERE id = %s',
        ["Draft wording", expectation.pk],
    )
    _raw(
        'INSERT INTO rubrics_competency (version_id, "key", "name", "description", "order") '
        "VALUES (%s, %s, %s, %s, %s)",
        [draft.pk, "mentoring", "Mentoring", "", 3],
    )
    _raw("DELETE FROM rubrics_ratingdefinition WHERE id = %s", [definition.pk])
    _raw(
        "UPDATE rubrics_rubricversion SET change_summary = %s, number = %s WHERE id = %s",
        ["Edited in SQL", 7, draft.pk],
    )

    expectation.refresh_from_db()
    draft.refresh_from_db()
    assert expectation.text == "Draft wording"
    assert draft.competencies.filter(key="mentoring").exists()
    assert not RatingDefinition.objects.filter(pk=definition.pk).exists()
    assert (draft.change_summary, draft.number) == ("Edited in SQL", 7)


def test_raw_sql_may_delete_a_whole_draft(world):
    draft = world.v2
    for table in (
        "rubrics_ratingdefinition",
        "rubrics_expectation",
        "rubrics_rating",
        "rubrics_level",
        "rubrics_competency",
    ):
        _raw(f"DELETE FROM {table} WHERE version_id = %s", [draft.pk])
    _raw("DELETE FROM rubrics_rubricversion WHERE id = %s", [draft.pk])

    assert not RubricVersion.objects.filter(pk=draft.pk).exists()
    assert not Expectation.objects.filter(version_id=draft.pk).exists()
