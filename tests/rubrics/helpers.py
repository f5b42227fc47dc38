"""Small helpers shared by the rubric tests (URLs, row counts, contents)."""

from __future__ import annotations

import copy
from typing import Any

from rubrics.models import (
    Competency,
    Expectation,
    Level,
    Rating,
    RatingDefinition,
    RubricVersion,
)
from tests.factories import rubric_contents

VERSIONS_URL = "/api/v1/rubric-versions/"
LADDERS_URL = "/api/v1/ladders/"

CONTENT_KEYS = ("levels", "competencies", "expectations", "ratings")


def version_url(version_or_id: Any) -> str:
    pk = getattr(version_or_id, "pk", version_or_id)
    return f"{VERSIONS_URL}{pk}/"


def publish_url(version_or_id: Any) -> str:
    return version_url(version_or_id) + "publish/"


def diff_url(version_or_id: Any, against: Any) -> str:
    return version_url(version_or_id) + f"diff/?against={getattr(against, 'pk', against)}"


def row_counts() -> dict[str, int]:
    """How many rows each rubric table holds: compared before and after a refused write."""
    return {
        model.__name__: model.objects.count()
        for model in (RubricVersion, Level, Competency, Expectation, Rating, RatingDefinition)
    }


def contents_of(body: dict[str, Any]) -> dict[str, Any]:
    """The four content lists of an API representation of a version."""
    return {k: body[k] for k in CONTENT_KEYS}


def contents(
    level_codes: list[str] | None = None, competency_keys: list[str] | None = None
) -> dict[str, Any]:
    """A fresh (deep-copied) complete set of contents, safe to mutate in a test."""
    return copy.deepcopy(rubric_contents(level_codes, competency_keys))


def contents_without_cell(level: str, competency: str, **kw: Any) -> dict[str, Any]:
    """Complete contents minus one expectation cell (so publishing must refuse)."""
    data = contents(**kw)
    data["expectations"] = [
        e
        for e in data["expectations"]
        if not (e["level"] == level and e["competency"] == competency)
    ]
    return data
