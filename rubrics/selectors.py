"""Reads for rubrics. Published and retired versions are public to signed-in people;
drafts are visible to HR only."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.http import Http404

from org.selectors import is_hr
from org.types import Viewer
from rubrics.models import (
    Competency,
    Expectation,
    Ladder,
    Level,
    Rating,
    RatingDefinition,
    RubricVersion,
)

PUBLIC_STATUSES = (RubricVersion.Status.PUBLISHED, RubricVersion.Status.RETIRED)


def _current_version_subquery() -> Subquery:
    latest = RubricVersion.objects.filter(
        ladder=OuterRef("pk"), status=RubricVersion.Status.PUBLISHED
    ).order_by("-number")
    return Subquery(latest.values("pk")[:1])


def ladder_list(*, user: Viewer) -> QuerySet[Ladder]:
    if not getattr(user, "is_authenticated", False):
        return Ladder.objects.none()
    return Ladder.objects.annotate(current_version_id=_current_version_subquery()).order_by("name")


def current_version_id(ladder: Ladder) -> int | None:
    """The annotated current version id of a ladder fetched through ``ladder_list``."""
    return getattr(ladder, "current_version_id", None)


def ladder_get(*, user: Viewer, pk: Any = None, slug: str | None = None) -> Ladder:
    qs = ladder_list(user=user)
    try:
        return qs.get(slug=slug) if slug is not None else qs.get(pk=int(pk))
    except (Ladder.DoesNotExist, TypeError, ValueError, OverflowError) as exc:
        raise Http404("No such ladder.") from exc


def ladder_current_version(ladder: Ladder) -> RubricVersion | None:
    return (
        RubricVersion.objects.filter(ladder=ladder, status=RubricVersion.Status.PUBLISHED)
        .order_by("-number")
        .first()
    )


def ladder_level_codes(ladder: Ladder) -> set[str] | None:
    """Level codes of the ladder's current published version (None if nothing published):
    the levels a person on this ladder may hold."""
    version = ladder_current_version(ladder)
    if version is None:
        return None
    return set(version.levels.values_list("code", flat=True))


def rubric_version_list(*, user: Viewer) -> QuerySet[RubricVersion]:
    if not getattr(user, "is_authenticated", False):
        return RubricVersion.objects.none()
    qs = RubricVersion.objects.select_related("ladder", "published_by").order_by(
        "ladder__name", "-number"
    )
    if is_hr(user):
        return qs
    return qs.filter(status__in=PUBLIC_STATUSES)


def with_contents(qs: QuerySet[RubricVersion]) -> QuerySet[RubricVersion]:
    """Prefetch everything a version's representation needs, in a fixed number of queries."""
    return qs.prefetch_related(
        Prefetch("levels", queryset=Level.objects.order_by("order")),
        Prefetch("competencies", queryset=Competency.objects.order_by("order", "key")),
        Prefetch(
            "expectations",
            queryset=Expectation.objects.select_related("level", "competency").order_by(
                "level__order", "competency__order"
            ),
        ),
        Prefetch(
            "ratings",
            queryset=Rating.objects.order_by("order").prefetch_related(
                Prefetch(
                    "level_definitions",
                    queryset=RatingDefinition.objects.select_related("level"),
                )
            ),
        ),
    )


def rubric_version_get(*, user: Viewer, pk: Any, contents: bool = True) -> RubricVersion:
    qs = rubric_version_list(user=user)
    if contents:
        qs = with_contents(qs)
    try:
        return qs.get(pk=int(pk))
    except (RubricVersion.DoesNotExist, TypeError, ValueError, OverflowError) as exc:
        raise Http404("No such rubric version.") from exc


def rubric_version_by_number(*, user: Viewer, ladder: Ladder, number: int) -> RubricVersion:
    try:
        return with_contents(rubric_version_list(user=user)).get(ladder=ladder, number=number)
    except RubricVersion.DoesNotExist as exc:
        raise Http404("No such rubric version.") from exc


def rubric_version_current(*, user: Viewer, ladder: Ladder) -> RubricVersion:
    version = (
        with_contents(rubric_version_list(user=user))
        .filter(ladder=ladder, status=RubricVersion.Status.PUBLISHED)
        .order_by("-number")
        .first()
    )
    if version is None:
        raise Http404("This ladder has no published rubric yet.")
    return version


# --- A version as plain data: used by the API, the diff and the pages ----------------


def version_as_data(version: RubricVersion) -> dict[str, Any]:
    """Plain lists of a (prefetched) version's contents, keyed the way the API speaks."""
    return {
        "levels": [
            {"code": lv.code, "title": lv.title, "order": lv.order, "summary": lv.summary}
            for lv in version.levels.all()
        ],
        "competencies": [
            {"key": c.key, "name": c.name, "description": c.description, "order": c.order}
            for c in version.competencies.all()
        ],
        "expectations": [
            {
                "level": e.level.code,
                "competency": e.competency.key,
                "text": e.text,
                "examples": e.examples,
            }
            for e in version.expectations.all()
        ],
        "ratings": [
            {
                "key": r.key,
                "label": r.label,
                "order": r.order,
                "is_baseline": r.is_baseline,
                "definition": r.definition,
                "level_definitions": {
                    d.level.code: d.text
                    for d in sorted(r.level_definitions.all(), key=lambda d: d.level.order)
                },
            }
            for r in version.ratings.all()
        ],
    }


@dataclass
class MatrixRow:
    level: Level
    cells: list[Expectation | None] = field(default_factory=list)


@dataclass
class Matrix:
    version: RubricVersion
    levels: list[Level]
    competencies: list[Competency]
    rows: list[MatrixRow]
    ratings: list[Rating]


def rubric_matrix(version: RubricVersion) -> Matrix:
    """Level × competency grid of a prefetched version (no further queries)."""
    levels = list(version.levels.all())
    competencies = list(version.competencies.all())
    by_cell = {(e.level_id, e.competency_id): e for e in version.expectations.all()}
    rows = [
        MatrixRow(level=lv, cells=[by_cell.get((lv.pk, c.pk)) for c in competencies])
        for lv in levels
    ]
    return Matrix(
        version=version,
        levels=levels,
        competencies=competencies,
        rows=rows,
        ratings=list(version.ratings.all()),
    )


def rating_definitions_for_level(version: RubricVersion, level: Level) -> list[dict[str, Any]]:
    """Each rating with what it means at ``level`` (falls back to the general definition)."""
    out = []
    for r in version.ratings.all():
        specific = next((d.text for d in r.level_definitions.all() if d.level_id == level.pk), "")
        out.append(
            {"rating": r, "definition": specific or r.definition, "specific": bool(specific)}
        )
    return out
