"""Reviews and evidence as the API shows them (reviews.serializers declares the fields),
built from their rows: a page of 50 is 50 small dicts, not a field-by-field walk of
serializers, and a page of reviews splices in each one's stored contents as the JSON text
they are kept in (reviews.contents).

Each builder takes a row by column name: a ``values()`` dict, or a model object's
``__dict__`` (which holds its field values under the same names).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.urls import reverse
from rest_framework import serializers

from reviews.contents import encode_json, stored_contents
from reviews.models import CONTENTS_FIELDS, Evidence, Review

_DATETIME = serializers.DateTimeField()
_DATE = serializers.DateField()

# --- Reviews ---------------------------------------------------------------------------

# What a page of reviews reads of each row (review_json).
REVIEW_ROW_COLUMNS = (
    "id",
    "cycle_id",
    "subject_id",
    "author_id",
    "rubric_version_id",
    "level",
    "status",
    "version",
    *Review.NARRATIVE_SECTIONS,
    "overall_rating",
    "final_rating",
    "promotion_to",
    "promotion_outcome",
    "submitted_at",
    "released_at",
    "acknowledged_at",
    "acknowledgement",
    *CONTENTS_FIELDS,
)


def _head(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "cycle": row["cycle_id"],
        "subject": row["subject_id"],
        "author": row["author_id"],
        "rubric_version": row["rubric_version_id"],
        "level": row["level"],
        "status": row["status"],
        "version": row["version"],
        "narrative": {s: row[s] for s in Review.NARRATIVE_SECTIONS},
    }


def _middle(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "overall_rating": row["overall_rating"],
        "final_rating": row["final_rating"],
        "promotion_to": row["promotion_to"],
        "promotion_outcome": row["promotion_outcome"],
    }


def _tail(row: Mapping[str, Any]) -> dict[str, Any]:
    moment = _DATETIME.to_representation
    return {
        "submitted_at": moment(row["submitted_at"]),
        "released_at": moment(row["released_at"]),
        "acknowledged_at": moment(row["acknowledged_at"]),
        "acknowledgement": row["acknowledgement"],
    }


def review_data(review: Review) -> dict[str, Any]:
    """A review's representation (ReviewSerializer). Its contents must be current
    (reviews.services.contents.reviews_contents_refresh)."""
    contents = stored_contents(review)
    row = review.__dict__
    return {
        **_head(row),
        "narrative_html": contents["narrative_html"],
        "assessments": contents["assessments"],
        **_middle(row),
        "lint": contents["lint"],
        **_tail(row),
    }


def review_json(row: Mapping[str, Any]) -> str:
    """``review_data`` of a ``values(*REVIEW_ROW_COLUMNS)`` row (current) as the API
    renders it, the stored JSON text of its contents spliced in without decoding it."""
    return (
        f"{encode_json(_head(row))[:-1]},{row['contents_shown'][1:-1]},"
        f"{encode_json(_middle(row))[1:-1]},"
        f'"lint":{row["contents_lint"]},{encode_json(_tail(row))[1:]}'
    )


# --- Evidence --------------------------------------------------------------------------

# What a page of evidence reads of each row: the item's columns, and through two joins
# the person who added it (the account's person record) and the scorecard team's slug.
EVIDENCE_ROW_COLUMNS = (
    "id",
    "person_id",
    "kind",
    "title",
    "url",
    "occurred_on",
    "summary",
    "source",
    "attributed_to_id",
    "created_at",
    "outcome_team_id",
    "outcome_start",
    "outcome_end",
    "competencies",
)
EVIDENCE_ROW_JOINS = {"added_by_person": "added_by__person__id", "team_slug": "outcome_team__slug"}


def evidence_row(item: Evidence) -> dict[str, Any]:
    """The row of a saved item, as ``evidence_data`` takes it (two queries at most, for
    the adder's person record and the team, unless they are selected)."""
    added_by = item.added_by
    person = getattr(added_by, "person", None) if added_by is not None else None
    team = item.outcome_team if item.outcome_team_id else None
    return {
        **{c: getattr(item, c) for c in EVIDENCE_ROW_COLUMNS},
        "added_by_person": person.pk if person is not None else None,
        "team_slug": team.slug if team is not None else None,
    }


def scorecard_url(team_slug: str, start: datetime.date, end: datetime.date) -> str:
    """The team scorecard window a team_outcome item cites."""
    return (
        reverse("outcomes:team", args=[team_slug])
        + f"?period=custom&start={start:%Y-%m-%d}&end={end:%Y-%m-%d}"
    )


def evidence_data(row: Mapping[str, Any]) -> dict[str, Any]:
    """An evidence item's representation (EvidenceSerializer) from its row."""
    day = _DATE.to_representation
    window = row["outcome_team_id"] and row["outcome_start"] and row["outcome_end"]
    return {
        "id": row["id"],
        "person": row["person_id"],
        "kind": row["kind"],
        "title": row["title"],
        "url": row["url"],
        "occurred_on": day(row["occurred_on"]),
        "summary": row["summary"],
        "source": row["source"],
        "added_by": row["added_by_person"],
        "attributed_to": row["attributed_to_id"],
        "created_at": _DATETIME.to_representation(row["created_at"]),
        "outcome_team": row["outcome_team_id"],
        "outcome_start": day(row["outcome_start"]),
        "outcome_end": day(row["outcome_end"]),
        "scorecard_url": (
            scorecard_url(row["team_slug"], row["outcome_start"], row["outcome_end"])
            if window
            else ""
        ),
        "competencies": list(row["competencies"] or []),
    }
