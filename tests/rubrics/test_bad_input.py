"""Bad input to the rubric-version API answers a clear 400 (or 409) and writes nothing;
no input, however malformed, produces a 500 (SPEC §4)."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from rubrics import services
from rubrics.models import Ladder, RubricVersion
from tests.factories import make_ladder
from tests.rubrics.helpers import (
    LADDERS_URL,
    VERSIONS_URL,
    contents,
    contents_without_cell,
    diff_url,
    publish_url,
    row_counts,
    version_url,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def hr(api_for):
    return api_for("hr")


def _messages(value: Any) -> str:
    """Every message in an error body (nested lists and dicts), joined into one string."""
    if isinstance(value, dict):
        return " ".join(_messages(v) for v in value.values())
    if isinstance(value, list):
        return " ".join(_messages(v) for v in value)
    return str(value)


def _post_refused(hr, body, *, field: str, says: str, status: int = 400) -> dict[str, Any]:
    before = row_counts()
    response = hr.post(VERSIONS_URL, body)
    assert response.status_code == status, response.content
    payload = response.json()
    assert field in payload, payload
    assert says in _messages(payload[field]), payload
    assert row_counts() == before
    return payload


def _valid(world, **changes):
    return {"ladder": world.ladder.pk, **contents(), **changes}


# --- Malformed bodies --------------------------------------------------------------------


def test_a_malformed_json_body_is_refused_with_a_parse_error(world, hr):
    before = row_counts()

    response = hr.post(VERSIONS_URL, data='{"ladder": ', content_type="application/json")

    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]
    assert row_counts() == before


def test_a_json_body_that_is_not_an_object_is_refused(world, hr):
    before = row_counts()

    response = hr.post(VERSIONS_URL, data="[1, 2]", content_type="application/json")

    assert response.status_code == 400
    assert "Expected a dictionary" in _messages(response.json()["non_field_errors"])
    assert row_counts() == before


def test_nan_in_a_json_body_is_refused(world, hr):
    before = row_counts()

    response = hr.post(VERSIONS_URL, data='{"ladder": NaN}', content_type="application/json")

    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]
    assert row_counts() == before


def test_a_missing_ladder_is_named(world, hr):
    _post_refused(hr, {"levels": []}, field="ladder", says="This field is required.")


# --- Wrong types -------------------------------------------------------------------------


def test_levels_that_are_not_a_list_are_refused(world, hr):
    _post_refused(
        hr, _valid(world, levels={"code": "L1"}), field="levels", says="Expected a list of items"
    )


def test_a_level_order_that_is_not_a_number_is_refused(world, hr):
    body = _valid(world)
    body["levels"][1]["order"] = "abc"

    payload = _post_refused(hr, body, field="levels", says="A valid integer is required.")

    # Errors of nested items are keyed by the item's position.
    assert payload["levels"] == {"1": {"order": ["A valid integer is required."]}}


def test_a_baseline_flag_that_is_not_a_boolean_is_refused(world, hr):
    body = _valid(world)
    body["ratings"][0]["is_baseline"] = "maybe"

    payload = _post_refused(hr, body, field="ratings", says="Must be a valid boolean.")

    assert payload["ratings"] == {"0": {"is_baseline": ["Must be a valid boolean."]}}


def test_rating_level_definitions_that_are_not_an_object_are_refused(world, hr):
    body = _valid(world)
    body["ratings"][0]["level_definitions"] = ["L3"]

    _post_refused(hr, body, field="ratings", says="Expected a dictionary of items")


def test_a_negative_level_order_is_refused(world, hr):
    body = _valid(world)
    body["levels"][0]["order"] = -1

    _post_refused(hr, body, field="levels", says="greater than or equal to 0")


def test_a_level_code_with_spaces_or_symbols_is_refused(world, hr):
    body = _valid(world)
    body["levels"][0]["code"] = "L 3/x"

    _post_refused(hr, body, field="levels", says="Use letters, digits")


# --- Unknown references ------------------------------------------------------------------


def test_an_unknown_ladder_is_refused(world, hr):
    _post_refused(
        hr,
        _valid(world, ladder=999_999),
        field="ladder",
        says='Invalid pk "999999" - object does not exist.',
    )


def test_a_ladder_id_of_the_wrong_type_is_refused(world, hr):
    _post_refused(
        hr,
        _valid(world, ladder={"id": 1}),
        field="ladder",
        says="Incorrect type. Expected pk value",
    )


def test_a_huge_ladder_id_is_refused_not_crashed(world, hr):
    _post_refused(hr, _valid(world, ladder=2**70), field="ladder", says="object does not exist")


def test_an_unknown_from_version_is_refused(world, hr):
    _post_refused(
        hr,
        {"ladder": world.ladder.pk, "from_version": 999_999},
        field="from_version",
        says='Invalid pk "999999" - object does not exist.',
    )


def test_a_from_version_of_another_ladder_is_refused(world, hr):
    _, other_v1 = make_ladder(world.root, slug="engineering-manager", name="Engineering Manager")

    _post_refused(
        hr,
        {"ladder": world.ladder.pk, "from_version": other_v1.pk},
        field="from_version",
        says="That version belongs to another ladder.",
    )


def test_from_version_together_with_lists_is_refused(world, hr):
    body = {"ladder": world.ladder.pk, "from_version": world.v1.pk, "levels": contents()["levels"]}

    _post_refused(
        hr,
        body,
        field="non_field_errors",
        says="Send either from_version (to copy a version) or the lists, not both.",
    )


# --- Oversized values --------------------------------------------------------------------


def test_a_level_title_of_ten_thousand_characters_is_refused(world, hr):
    body = _valid(world)
    body["levels"][0]["title"] = "T" * 10_000

    payload = _post_refused(hr, body, field="levels", says="no more than 120 characters")

    assert list(payload["levels"]["0"]) == ["title"]


def test_a_level_code_of_five_hundred_characters_is_refused(world, hr):
    body = _valid(world)
    body["levels"][0]["code"] = "L" * 500

    _post_refused(hr, body, field="levels", says="no more than 20 characters")


def test_an_oversized_expectation_text_is_refused(world, hr):
    body = _valid(world)
    body["expectations"][0]["text"] = "x" * 8001

    _post_refused(hr, body, field="expectations", says="no more than 8000 characters")


def test_too_many_levels_are_refused(world, hr):
    levels = [{"code": f"L{i}", "title": f"Level {i}", "order": i} for i in range(51)]

    _post_refused(
        hr, {"ladder": world.ladder.pk, "levels": levels}, field="levels", says="no more than 50"
    )


def test_a_nul_character_in_a_title_is_refused(world, hr):
    body = _valid(world)
    body["levels"][0]["title"] = "Level\x00three"

    _post_refused(hr, body, field="levels", says="Null characters are not allowed.")


# --- Rules across the lists --------------------------------------------------------------


def test_two_baselines_are_refused(world, hr):
    body = _valid(world)
    body["ratings"][2]["is_baseline"] = True

    _post_refused(
        hr,
        body,
        field="ratings",
        says="Exactly one rating must be the baseline (found 2: meets, exceeds).",
    )


def test_zero_baselines_are_refused(world, hr):
    body = _valid(world)
    for rating in body["ratings"]:
        rating["is_baseline"] = False

    _post_refused(
        hr, body, field="ratings", says="Exactly one rating must be the baseline (found none)."
    )


def test_duplicate_level_codes_are_refused(world, hr):
    body = _valid(world)
    body["levels"][1]["code"] = "L3"

    _post_refused(hr, body, field="levels", says="Level codes must be unique: L3.")


def test_duplicate_competency_keys_are_refused(world, hr):
    body = _valid(world)
    body["competencies"][1]["key"] = "execution"

    _post_refused(hr, body, field="competencies", says="Competency keys must be unique: execution.")


def test_two_expectations_for_one_cell_are_refused(world, hr):
    body = _valid(world)
    body["expectations"].append({"level": "L4", "competency": "execution", "text": "Again."})

    _post_refused(
        hr,
        body,
        field="expectations",
        says="One expectation per level and competency; repeated: L4×execution.",
    )


def test_an_expectation_for_an_unknown_level_is_refused(world, hr):
    body = _valid(world)
    body["expectations"].append({"level": "L9", "competency": "execution", "text": "Far out."})

    _post_refused(hr, body, field="expectations", says="unknown level 'L9'")


def test_an_expectation_for_an_unknown_competency_is_refused(world, hr):
    body = _valid(world)
    body["expectations"].append({"level": "L4", "competency": "juggling", "text": "Three balls."})

    _post_refused(hr, body, field="expectations", says="unknown competency 'juggling'")


def test_a_rating_definition_for_an_unknown_level_is_refused(world, hr):
    body = _valid(world)
    body["ratings"][1]["level_definitions"] = {"L9": "Meets at L9."}

    _post_refused(hr, body, field="ratings", says="Rating 'meets' defines unknown levels: L9.")


def test_a_rating_definition_keyed_by_a_lone_surrogate_is_refused_not_crashed(world, hr):
    """A level_definitions key holding a lone UTF-16 surrogate ("\\ud800", valid JSON)
    answers 400 naming the field, not a 500 (config/parsers.py refuses it where it is)."""
    before = row_counts()
    body = json.dumps(_valid(world))  # ensure_ascii: the surrogate travels as \\ud800
    body = body.replace('"level_definitions": {}', '"level_definitions": {"\\ud800": "x"}', 1)

    response = hr.post(VERSIONS_URL, data=body, content_type="application/json")

    assert response.status_code == 400
    assert "Surrogate characters are not allowed" in _messages(
        response.json()["ratings"]["1"]["level_definitions"]
    )
    assert row_counts() == before


def test_a_patch_that_drops_a_level_still_used_by_expectations_is_refused(world, hr):
    before_body = hr.get(version_url(world.v2)).json()
    before = row_counts()
    levels = [lv for lv in before_body["levels"] if lv["code"] != "L5"]

    response = hr.patch(version_url(world.v2), {"levels": levels})

    assert response.status_code == 400
    assert "unknown level 'L5'" in _messages(response.json()["expectations"])
    assert row_counts() == before
    assert hr.get(version_url(world.v2)).json() == before_body


def test_a_put_missing_a_list_names_it_and_changes_nothing(world, hr):
    before_body = hr.get(version_url(world.v2)).json()
    data = contents(["X1", "X2"])
    del data["ratings"]

    response = hr.put(version_url(world.v2), data)

    assert response.status_code == 400
    assert response.json() == {"ratings": ["This field is required."]}
    assert hr.get(version_url(world.v2)).json() == before_body


def test_a_patch_with_bad_lists_changes_nothing(world, hr):
    before_body = hr.get(version_url(world.v2)).json()
    ratings = copy.deepcopy(before_body["ratings"])
    ratings[0]["is_baseline"] = True  # now two baselines

    response = hr.patch(
        version_url(world.v2), {"ratings": ratings, "change_summary": "Should not stick"}
    )

    assert response.status_code == 400
    assert "Exactly one rating must be the baseline" in _messages(response.json()["ratings"])
    assert hr.get(version_url(world.v2)).json() == before_body


# --- List filters ------------------------------------------------------------------------


def test_a_ladder_filter_that_is_not_a_number_is_named(world, hr):
    response = hr.get(VERSIONS_URL, {"ladder": "abc"})

    assert response.status_code == 400
    assert list(response.json()) == ["ladder"]
    assert response.json()["ladder"]


def test_a_status_filter_outside_the_statuses_is_named(world, hr):
    response = hr.get(VERSIONS_URL, {"status": "archived"})

    assert response.status_code == 400
    assert "Select a valid choice." in _messages(response.json()["status"])


@pytest.mark.parametrize("value", ["99999999999999999999999", "-99999999999999999999999"])
@pytest.mark.parametrize("name", ["ladder", "number"])
def test_a_huge_number_in_a_list_filter_is_answered_not_crashed(world, hr, name, value):
    """An id far beyond the integer range matches nothing (or is refused): never a 500.
    (On SQLite the ladder filter raised OverflowError: "Python int too large to convert
    to SQLite INTEGER".)"""
    response = hr.get(VERSIONS_URL, {name: value})

    assert response.status_code in (200, 400), response.content
    if response.status_code == 200:
        assert response.json()["count"] == 0
    else:
        assert name in response.json()


# --- Ladders -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field", "says"),
    [
        ({"name": "Engineering IC", "slug": "another"}, "name", "already exists"),
        ({"name": "Another", "slug": "engineering-ic"}, "slug", "already exists"),
        ({"name": "Another", "slug": "not a slug!"}, "slug", "Enter a valid"),
        ({"name": "N" * 121, "slug": "another"}, "name", "no more than 120 characters"),
        ({"slug": "another"}, "name", "This field is required."),
    ],
)
def test_a_bad_ladder_is_refused_and_not_created(world, hr, body, field, says):
    before = Ladder.objects.count()

    response = hr.post(LADDERS_URL, body)

    assert response.status_code == 400
    assert says in _messages(response.json()[field])
    assert Ladder.objects.count() == before


def test_renaming_a_ladder_onto_another_ladders_slug_is_refused(world, hr):
    other, _ = make_ladder(world.root, slug="engineering-manager", name="Engineering Manager")

    response = hr.patch(f"{LADDERS_URL}{other.pk}/", {"slug": "engineering-ic"})

    assert response.status_code == 400
    assert "already exists" in _messages(response.json()["slug"])
    other.refresh_from_db()
    assert other.slug == "engineering-manager"


# --- Diff --------------------------------------------------------------------------------


@pytest.mark.parametrize("against", ["abc", "", "-1", "1.5", "9" * 40])
def test_diff_against_something_that_is_not_an_id_is_refused(world, hr, against):
    response = hr.get(version_url(world.v2) + f"diff/?against={against}")

    assert response.status_code == 400
    assert response.json() == {"against": ["Give the id of the version to compare with."]}


def test_diff_against_a_unicode_digit_is_refused_like_any_other_non_id(world, hr):
    """'²' is a digit for str.isdigit() but not an id: it must be refused like 'abc'."""
    response = hr.get(version_url(world.v2) + "diff/?against=%C2%B2")

    assert response.status_code == 400
    assert response.json() == {"against": ["Give the id of the version to compare with."]}


def test_diff_without_against_is_refused(world, hr):
    response = hr.get(version_url(world.v2) + "diff/")

    assert response.status_code == 400
    assert "against" in response.json()


def test_diff_against_a_version_of_another_ladder_is_refused(world, hr):
    _, other_v1 = make_ladder(world.root, slug="engineering-manager", name="Engineering Manager")

    response = hr.get(diff_url(world.v2, other_v1))

    assert response.status_code == 400
    assert response.json() == {"against": ["Both versions must belong to the same ladder."]}


def test_diff_against_an_unknown_version_is_not_found(world, hr):
    assert hr.get(diff_url(world.v2, 999_999)).status_code == 404


# --- Publishing an incomplete draft ------------------------------------------------------


def test_publishing_a_draft_with_a_missing_expectation_names_the_cell(world, hr):
    draft = services.rubric_version_create(
        actor=world.hr.user,
        ladder=world.ladder,
        **contents_without_cell("L4", "collaboration"),
    )
    before = row_counts()

    response = hr.post(publish_url(draft))

    assert response.status_code == 400
    errors = response.json()["non_field_errors"]
    assert errors == ["1 level × competency cell(s) have no expectation: L4 × Collaboration."]
    draft.refresh_from_db()
    world.v1.refresh_from_db()
    assert draft.status == "draft" and draft.published_at is None
    assert world.v1.status == "published"
    assert row_counts() == before


def test_publishing_an_old_draft_after_a_newer_one_is_refused(world, hr):
    newer = services.rubric_version_clone(actor=world.hr.user, ladder=world.ladder)
    services.rubric_version_publish(actor=world.hr.user, version=newer)

    response = hr.post(publish_url(world.v2))

    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["Version 3 is already published and newer than this draft."]
    }
    world.v2.refresh_from_db()
    assert world.v2.status == "draft"


def test_publishing_with_an_oversized_change_summary_is_refused(world, hr):
    response = hr.post(publish_url(world.v2), {"change_summary": "x" * 4001})

    assert response.status_code == 400
    assert "no more than 4000 characters" in _messages(response.json()["change_summary"])
    world.v2.refresh_from_db()
    assert world.v2.status == "draft"


# --- Anything at all ---------------------------------------------------------------------

LADDER, VERSION = "<the ladder id>", "<v1 id>"

json_leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=30),
)
json_values = st.recursive(
    json_leaves,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.text(max_size=12), children, max_size=4),
    ),
    max_leaves=20,
)
codes = st.one_of(
    st.sampled_from(["L1", "L2", "L3", "l1", "", " L1 ", "L.1"]), st.text(max_size=25)
)
keys = st.one_of(st.sampled_from(["execution", "craft", "Execution", "a b"]), st.text(max_size=62))
small_ints = st.one_of(st.integers(-2, 12), st.integers(), json_values)
level_items = st.fixed_dictionaries(
    {
        "code": st.one_of(codes, json_values),
        "title": st.one_of(st.text(max_size=125), json_values),
        "order": small_ints,
    },
    optional={"summary": st.one_of(st.text(max_size=20), json_values)},
)
competency_items = st.fixed_dictionaries(
    {"key": st.one_of(keys, json_values), "name": st.text(max_size=125)},
    optional={"order": small_ints, "description": st.text(max_size=20)},
)
expectation_items = st.fixed_dictionaries(
    {
        "level": st.one_of(codes, json_values),
        "competency": st.one_of(keys, json_values),
        "text": st.one_of(st.text(max_size=40), json_values),
    },
    optional={"examples": st.text(max_size=20)},
)
rating_items = st.fixed_dictionaries(
    {"key": st.one_of(keys, json_values), "label": st.text(max_size=125), "order": small_ints},
    optional={
        "is_baseline": st.one_of(st.booleans(), json_values),
        "definition": st.text(max_size=20),
        "level_definitions": st.one_of(
            st.dictionaries(codes, st.one_of(st.text(max_size=20), json_values), max_size=3),
            json_values,
        ),
    },
)
real_keys_bodies = st.fixed_dictionaries(
    {},
    optional={
        "ladder": st.one_of(st.just(LADDER), st.just(LADDER), json_values),
        "from_version": st.one_of(st.just(VERSION), json_values),
        "change_summary": st.one_of(st.text(max_size=30), json_values),
        "levels": st.one_of(st.lists(level_items, max_size=4), json_values),
        "competencies": st.one_of(st.lists(competency_items, max_size=3), json_values),
        "expectations": st.one_of(st.lists(expectation_items, max_size=4), json_values),
        "ratings": st.one_of(st.lists(rating_items, max_size=4), json_values),
    },
)


def _resolve(value: Any, world) -> Any:
    if value == LADDER:
        return world.ladder.pk
    if value == VERSION:
        return world.v1.pk
    return value


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=st.one_of(json_values, real_keys_bodies))
def test_no_body_makes_the_create_endpoint_fail(world, hr, body):
    if isinstance(body, dict):
        body = {k: _resolve(v, world) for k, v in body.items()}
    before = row_counts()

    # json.dumps writes NaN/Infinity as bare words: the strict parser must refuse them.
    response = hr.post(VERSIONS_URL, data=json.dumps(body), content_type="application/json")

    event(f"status {response.status_code}")
    assert response.status_code in (201, 400), response.content
    if response.status_code == 400:
        assert response.json(), "a 400 must say what was wrong"
        assert row_counts() == before
    else:
        assert RubricVersion.objects.count() == before["RubricVersion"] + 1
        assert response.json()["status"] == "draft"


def test_a_format_suffix_is_not_an_address(world, hr):
    # The API has no `<action>.<format>` addresses (config/api_router.py): they answer the
    # API's 404, never a 500, in every app.
    base = version_url(world.v1)[:-1]
    for url, method in (
        (f"{base}/diff.json?against={world.v1.pk}", "get"),
        (f"{base}/publish.json", "post"),
        (VERSIONS_URL + "import.json", "post"),
        (f"/api/v1/people/{world.engineer.pk}/invite.json", "post"),
        ("/api/v1/cycles/1/transition.json", "post"),
        ("/api/v1/people.json", "get"),
    ):
        response = getattr(hr, method)(url)
        assert response.status_code == 404, url
        assert response["Content-Type"] == "application/json", url
