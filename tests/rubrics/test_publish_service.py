"""Publishing rules: a draft is published only when complete, never behind a newer version,
and every publication is recorded; cloning carries the whole rubric over."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from org.models import Activity
from rubrics import services
from rubrics.models import Ladder, Rating, RatingDefinition, RubricVersion
from rubrics.selectors import ladder_current_version, version_as_data, with_contents
from tests.factories import make_ladder
from tests.rubrics.helpers import contents, contents_without_cell

pytestmark = pytest.mark.django_db


def _draft(world, **data):
    return services.rubric_version_create(actor=world.hr.user, ladder=world.ladder, **data)


def _refusal(world, draft) -> list[str]:
    """Try to publish ``draft``; return the problems it was refused with."""
    with pytest.raises(ValidationError) as caught:
        services.rubric_version_publish(actor=world.hr.user, version=draft)
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert draft.published_at is None and draft.published_by is None
    return caught.value.message_dict["non_field_errors"]


def _problems(draft) -> list[str]:
    return services.publish_problems(with_contents(RubricVersion.objects.filter(pk=draft.pk)).get())


def test_a_complete_draft_has_no_problems(world):
    assert _problems(world.v2) == []


def test_a_missing_expectation_cell_is_named_by_level_and_competency(world):
    draft = _draft(world, **contents_without_cell("L4", "collaboration"))

    problems = _refusal(world, draft)

    assert problems == ["1 level × competency cell(s) have no expectation: L4 × Collaboration."]
    assert _problems(draft) == problems


def test_every_missing_cell_is_counted_and_the_first_ten_are_named(world):
    data = contents([f"L{i}" for i in range(1, 7)], ["execution", "collaboration"])
    data["expectations"] = []
    draft = _draft(world, **data)

    [problem] = _refusal(world, draft)

    assert problem.startswith("12 level × competency cell(s) have no expectation: ")
    assert "L1 × Execution, L1 × Collaboration" in problem
    assert "L5 × Collaboration…" in problem
    assert "L6 × Execution" not in problem


def test_a_blank_expectation_text_counts_as_missing(world):
    data = contents()
    for e in data["expectations"]:
        if (e["level"], e["competency"]) == ("L5", "execution"):
            e["text"] = "   \n  "
    draft = _draft(world, **data)

    problems = _refusal(world, draft)

    assert problems == ["1 level × competency cell(s) have no expectation: L5 × Execution."]


def test_a_scale_without_a_baseline_is_refused(world):
    draft = _draft(world, **contents())
    # The admin's inline can untick the baseline of a draft; the service must catch it.
    Rating.objects.filter(version=draft).update(is_baseline=False)

    problems = _refusal(world, draft)

    assert problems == ["Exactly one rating must be the baseline."]


def test_a_scale_with_fewer_than_two_ratings_is_refused(world):
    data = contents()
    data["ratings"] = [r for r in data["ratings"] if r["key"] == "meets"]
    draft = _draft(world, **data)

    problems = _refusal(world, draft)

    assert problems == ["The rating scale needs at least two ratings."]


def test_an_empty_scale_is_refused_for_both_reasons(world):
    data = contents()
    data["ratings"] = []
    draft = _draft(world, **data)

    problems = _refusal(world, draft)

    assert problems == [
        "The rating scale needs at least two ratings.",
        "Exactly one rating must be the baseline.",
    ]


def test_a_version_without_levels_is_refused(world):
    data = contents()
    data["levels"], data["expectations"] = [], []
    data["ratings"][0]["level_definitions"] = {}
    draft = _draft(world, **data)

    problems = _refusal(world, draft)

    assert problems == ["The version has no levels."]


def test_an_empty_draft_lists_every_problem(world):
    draft = _draft(world)

    problems = _refusal(world, draft)

    assert problems == [
        "The version has no levels.",
        "The version has no competencies.",
        "The rating scale needs at least two ratings.",
        "Exactly one rating must be the baseline.",
    ]


def test_a_draft_older_than_the_published_version_is_refused(world):
    newer = services.rubric_version_clone(actor=world.hr.user, ladder=world.ladder)
    services.rubric_version_publish(actor=world.hr.user, version=newer)

    problems = _refusal(world, world.v2)

    assert problems == ["Version 3 is already published and newer than this draft."]
    assert ladder_current_version(world.ladder) == newer


def test_only_hr_may_publish(world):
    with pytest.raises(PermissionDenied):
        services.rubric_version_publish(actor=world.manager.user, version=world.v2)

    world.v2.refresh_from_db()
    assert world.v2.status == "draft"
    assert not Activity.objects.filter(
        action="rubric_published", target_id=str(world.v2.pk)
    ).exists()


def test_publishing_records_who_published_and_retires_the_previous_version(world):
    published = services.rubric_version_publish(
        actor=world.hr.user, version=world.v2, change_summary="Second edition"
    )

    assert published.status == "published"
    assert published.published_by == world.hr.user
    assert published.published_at is not None
    assert published.change_summary == "Second edition"
    world.v1.refresh_from_db()
    assert world.v1.status == "retired"
    assert ladder_current_version(world.ladder) == published

    activity = Activity.objects.get(action="rubric_published", target_id=str(world.v2.pk))
    assert activity.actor == world.hr.user
    assert activity.target_type == "rubrics.rubricversion"
    assert activity.new == {"ladder": world.ladder.pk, "number": 2}
    retired = Activity.objects.get(action="rubric_retired", target_id=str(world.v1.pk))
    assert retired.actor == world.hr.user
    assert retired.new == {"superseded_by": 2}


def test_a_refused_publication_records_nothing(world):
    draft = _draft(world, **contents_without_cell("L3", "execution"))
    before = Activity.objects.count()

    _refusal(world, draft)

    assert Activity.objects.count() == before
    world.v1.refresh_from_db()
    assert world.v1.status == "published"


def test_the_first_publication_of_a_ladder_retires_nothing(world):
    ladder, draft = make_ladder(world.root, slug="em", name="Engineering Manager", publish=False)

    services.rubric_version_publish(actor=world.hr.user, version=draft)

    assert ladder_current_version(ladder) == draft
    assert not RubricVersion.objects.filter(ladder=ladder, status="retired").exists()


def test_cloning_copies_every_list_including_rating_level_definitions(world):
    source = with_contents(RubricVersion.objects.filter(pk=world.v1.pk)).get()
    clone = services.rubric_version_clone(
        actor=world.hr.user, ladder=world.ladder, from_version=world.v1
    )

    copied = with_contents(RubricVersion.objects.filter(pk=clone.pk)).get()
    assert version_as_data(copied) == version_as_data(source)
    definition = RatingDefinition.objects.select_related("rating", "level").get(version=clone)
    assert (definition.rating.key, definition.level.code, definition.text) == (
        "below",
        "L3",
        "Below at start.",
    )
    # The copy has rows of its own: the source keeps its definitions.
    assert definition.level.version_id == clone.pk
    assert RatingDefinition.objects.filter(version=world.v1).count() == 1


def test_the_worlds_draft_was_cloned_with_its_level_definitions(world):
    definitions = RatingDefinition.objects.filter(version=world.v2).select_related("level")

    assert [(d.level.code, d.text) for d in definitions] == [("L3", "Below at start.")]


def test_cloning_a_ladder_without_a_published_version_is_refused(world):
    empty = services.ladder_create(actor=world.hr.user, name="Design", slug="design")
    before = RubricVersion.objects.count()

    with pytest.raises(ValidationError) as caught:
        services.rubric_version_clone(actor=world.hr.user, ladder=empty)

    assert caught.value.message_dict == {
        "from_version": ["This ladder has no published version to copy."]
    }
    assert RubricVersion.objects.count() == before
    assert Ladder.objects.filter(pk=empty.pk).exists()
