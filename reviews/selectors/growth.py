"""Where I stand (SPEC §11.2): one person's rubric at their level and the next, with the
evidence of the last twelve months under each competency and their released ratings.

Nothing here scores, counts toward a rank or compares the person with anyone: every row
is about the person's own record against the published rubric text.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from org.models import Person
from org.selectors import is_hr, person_for_user, person_get, person_in_chain
from org.types import Viewer
from reviews.models import (
    Assessment,
    Evidence,
    Review,
    SelfAssessment,
    SelfAssessmentItem,
)
from reviews.selectors import VISIBLE_TO_SUBJECT, evidence_list
from rubrics.models import Competency, Expectation, Level, Rating, RubricVersion

# How far back the page looks for evidence.
WINDOW_DAYS = 365

# Why an item is listed under a competency, in the order the page names them.
TAGGED = "tagged"
SELF_CITED = "self_assessment"
REVIEW_CITED = "review"
REASON_LABELS = {
    TAGGED: "Tagged",
    SELF_CITED: "Cited in a self-assessment",
    REVIEW_CITED: "Cited in a released review",
}


@dataclass
class GrowthEvidence:
    item: Evidence
    reasons: list[str]

    @property
    def reason_labels(self) -> list[str]:
        return [REASON_LABELS[r] for r in self.reasons]


@dataclass
class GrowthRating:
    cycle_name: str
    starts_on: datetime.date
    label: str


@dataclass
class GrowthRow:
    competency: Competency
    current: Expectation | None
    next: Expectation | None
    evidence: list[GrowthEvidence] = field(default_factory=list)
    ratings: list[GrowthRating] = field(default_factory=list)

    @property
    def toward_next(self) -> bool:
        """Whether any item speaks to the competency beyond the last review: one tagged to
        it, or cited for it in the person's own self-assessment. A released review's
        citations are the ground of the rating already given, so they are listed but do
        not count as evidence toward the next level."""
        return any(REVIEW_CITED not in e.reasons or len(e.reasons) > 1 for e in self.evidence)


@dataclass
class Growth:
    person: Person
    since: datetime.date
    version: RubricVersion | None = None
    level: Level | None = None
    next_level: Level | None = None
    rows: list[GrowthRow] = field(default_factory=list)
    # Why there is nothing to show: "no_ladder", "no_version", "no_level" ("" when rows).
    empty: str = ""

    @property
    def gaps(self) -> list[GrowthRow]:
        """The competencies with no evidence yet toward the next level in the window."""
        return [row for row in self.rows if not row.toward_next]


def ladder_version(person: Person) -> RubricVersion | None:
    """The current published rubric version of the person's ladder (None without one)."""
    if person.ladder_id is None:
        return None
    return (
        RubricVersion.objects.filter(
            ladder_id=person.ladder_id, status=RubricVersion.Status.PUBLISHED
        )
        .select_related("ladder")
        .order_by("-number")
        .first()
    )


def competency_choices(person: Person) -> list[tuple[str, str]]:
    """(key, name) of the competencies an evidence item of ``person`` may be tagged with:
    those of their ladder's current published version, in rubric order ([] without one)."""
    version = ladder_version(person)
    if version is None:
        return []
    return list(version.competencies.order_by("order", "key").values_list("key", "name"))


def growth_person_get(*, user: Viewer, pk: Any) -> Person:
    """The person whose growth page ``user`` opens: themself, someone in their reporting
    chain (any depth), or anyone for HR. For everyone else it is the same 404 as no such
    person: a teammate or a committee member has no business with someone's growth."""
    person = person_get(user=user, pk=pk)
    if is_hr(user):
        return person
    me = person_for_user(user)
    if me is not None and (me.pk == person.pk or person_in_chain(manager=me, person=person)):
        return person
    raise Http404("No such person.")


def growth_for(*, user: Viewer, person: Person, today: datetime.date | None = None) -> Growth:
    """The page's data for ``person`` (already opened through growth_person_get), in a
    fixed number of queries whatever the number of items, reviews or competencies."""
    today = today or timezone.localdate()
    growth = Growth(person=person, since=today - datetime.timedelta(days=WINDOW_DAYS))
    if person.ladder_id is None:
        growth.empty = "no_ladder"
        return growth
    version = ladder_version(person)
    if version is None:
        growth.empty = "no_version"
        return growth
    growth.version = version
    levels = list(Level.objects.filter(version=version).order_by("order"))
    level = next((lv for lv in levels if lv.code == person.level), None)
    if level is None:
        growth.empty = "no_level"
        return growth
    growth.level = level
    growth.next_level = next((lv for lv in levels if lv.order > level.order), None)
    wanted = [level.pk] + ([growth.next_level.pk] if growth.next_level else [])
    cells = {
        (e.level_id, e.competency_id): e
        for e in Expectation.objects.filter(version=version, level_id__in=wanted)
    }
    competencies = list(Competency.objects.filter(version=version).order_by("order", "key"))
    rows = {
        c.key: GrowthRow(
            competency=c,
            current=cells.get((level.pk, c.pk)),
            next=cells.get((growth.next_level.pk, c.pk)) if growth.next_level else None,
        )
        for c in competencies
    }
    _add_evidence(user=user, person=person, since=growth.since, rows=rows)
    _add_ratings(person=person, rows=rows)
    growth.rows = list(rows.values())
    return growth


def _visible_self_assessments(user: Viewer, person: Person) -> Q:
    """A draft self-assessment is the subject's alone; their chain and HR read it once
    submitted (SPEC §11.1)."""
    me = person_for_user(user)
    if me is not None and me.pk == person.pk:
        return Q()
    return Q(selfassessmentitem__self_assessment__status=SelfAssessment.Status.SUBMITTED)


def _add_evidence(
    *, user: Viewer, person: Person, since: datetime.date, rows: dict[str, GrowthRow]
) -> None:
    # Which item is cited for which competency: by the person's own self-assessments, and
    # by assessments of their reviews once released (a draft or unreleased manager review
    # is not the subject's to see, so it never shows here, for any viewer).
    cited: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    self_links = SelfAssessmentItem.evidence.through.objects.filter(
        _visible_self_assessments(user, person),
        selfassessmentitem__self_assessment__subject=person,
        evidence__occurred_on__gte=since,
    ).values_list("evidence_id", "selfassessmentitem__competency")
    for evidence_id, key in self_links:
        cited[evidence_id][key].append(SELF_CITED)
    review_links = Assessment.evidence.through.objects.filter(
        assessment__review__subject=person,
        assessment__review__status__in=VISIBLE_TO_SUBJECT,
        evidence__occurred_on__gte=since,
    ).values_list("evidence_id", "assessment__competency")
    for evidence_id, key in review_links:
        cited[evidence_id][key].append(REVIEW_CITED)
    items = evidence_list(user=user).filter(person=person, occurred_on__gte=since)
    for item in items:
        tags = item.competencies if isinstance(item.competencies, list) else []
        reasons: dict[str, list[str]] = defaultdict(list)
        for key in tags:
            if isinstance(key, str):
                reasons[key].append(TAGGED)
        for key, why in cited.get(item.pk, {}).items():
            reasons[key].extend(why)
        for key, why in reasons.items():
            row = rows.get(key)
            if row is not None:
                ordered = [r for r in REASON_LABELS if r in why]
                row.evidence.append(GrowthEvidence(item=item, reasons=ordered))


def _add_ratings(*, person: Person, rows: dict[str, GrowthRow]) -> None:
    """The person's per-competency ratings from their released reviews, oldest first, each
    named by the label of the rubric version its review was written against."""
    assessments = (
        Assessment.objects.filter(
            review__subject=person,
            review__status__in=VISIBLE_TO_SUBJECT,
            competency__in=list(rows),
        )
        .exclude(rating="")
        .select_related("review__cycle")
        .order_by("review__cycle__starts_on", "review__cycle_id")
    )
    found = list(assessments)
    labels = {
        (r.version_id, r.key): r.label
        for r in Rating.objects.filter(
            version_id__in={a.review.rubric_version_id for a in found}
        ).only("version_id", "key", "label")
    }
    for a in found:
        review: Review = a.review
        rows[a.competency].ratings.append(
            GrowthRating(
                cycle_name=review.cycle.name,
                starts_on=review.cycle.starts_on,
                label=labels.get((review.rubric_version_id, a.rating), a.rating),
            )
        )
