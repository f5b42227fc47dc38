"""Who the audit of a cycle is about, where they stood, and what happened to them.

Everything is read in a fixed number of queries, whatever the size of the population
(``values_list`` rows, no model instances, no ``IN`` lists of ids: every query filters
through the cycle), and computed in Python.

- The population: everyone with a submitted (or later) review in the cycle.
- Team, level, function, manager, ladder, tenure band and location are the review's
  snapshot: the cycle as it was, even after people move (SPEC §6).
- Demographic groups are the person's current self-identified answers; no answer and
  "prefer not to say" both form the group ``undisclosed``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Aggregate, Count, Max, QuerySet

from audit.selectors.appeal_rates import (
    APPEAL_MARKS,
    APPEALED,
    CHANGED_ON_APPEAL,
    appeal_outcomes,
    appeal_rows,
)
from audit.selectors.groups import NOT_RECORDED, group_labels
from calibration.models import CalibrationCase, CalibrationSession
from core.query_state import StateQuery, aggregate_rows
from org.models import PREFER_NOT_TO_SAY, DemographicAnswer, DemographicDimension, Person, Team
from reviews import lint, lint_terms
from reviews.models import Assessment, Evidence, LintTerm, Review, ReviewCycle
from rubrics.models import Ladder, Rating

_S = Review.Status
SUBMITTED_STATUSES = (_S.SUBMITTED, _S.CALIBRATED, _S.RELEASED, _S.ACKNOWLEDGED)

HIGH_RATING = "high_rating"
LOW_RATING = "low_rating"
PROMOTED = "promoted"
CALIBRATED_UP = "calibrated_up"
CALIBRATED_DOWN = "calibrated_down"
# key → (label, whether a higher rate is the less favourable side)
OUTCOMES: dict[str, tuple[str, bool]] = {
    HIGH_RATING: ("High rating", False),
    LOW_RATING: ("Low rating", True),
    PROMOTED: ("Promoted", False),
    CALIBRATED_UP: ("Calibrated up", False),
    CALIBRATED_DOWN: ("Calibrated down", True),
    # Which way these two are flagged, and why: audit.selectors.appeal_rates.
    APPEALED: ("Appealed", False),
    CHANGED_ON_APPEAL: ("Changed on appeal", True),
}

ORG_DIMENSIONS: dict[str, str] = {
    "team": "Team",
    "level": "Level",
    "function": "Function",
    "ladder": "Ladder",
    "manager": "Manager",
    "tenure": "Tenure",
    "location": "Location",
}
UNDISCLOSED = "undisclosed"

# Evidence kinds that tend to go unnoticed in reviews ("invisible work").
INVISIBLE_WORK_KINDS = frozenset(
    {
        Evidence.Kind.ON_CALL,
        Evidence.Kind.INCIDENT,
        Evidence.Kind.POSTMORTEM,
        Evidence.Kind.MENTORING,
    }
)


@dataclass(frozen=True)
class Dimension:
    key: str
    label: str
    kind: str  # "org" | "demographic"
    pk: int | None = None  # the DemographicDimension, for demographic ones


@dataclass(slots=True)
class Member:
    review_id: int
    person_id: int
    rubric_version_id: int
    level: str  # the CMH stratum: the level code of the review snapshot
    groups: dict[str, str]  # dimension key → group name
    outcomes: frozenset[str]
    # Has a rating case in a finalized calibration session of the cycle.
    calibrated: bool = False


@dataclass
class Population:
    cycle: ReviewCycle
    dimensions: list[Dimension]
    members: list[Member]
    # rubric version id → baseline rating key (None if the version has none)
    baselines: dict[int, str | None] = field(default_factory=dict)


@dataclass(slots=True)
class Signals:
    """What the language and evidence sections count for one review."""

    findings: Counter[str]
    evidence_in_period: int = 0
    invisible_in_period: int = 0
    invisible_cited: int = 0  # invisible-work items in the period cited by the review
    other_in_period: int = 0
    other_cited: int = 0
    citations: int = 0  # distinct evidence items cited by the review's assessments


# --- What the audit reads ----------------------------------------------------------------
# Every query the audit of a cycle reads is a ``Source``, defined once below. The report
# reads its rows through these sources, and its cache key (``audit.selectors.
# report_cache.report_state_key``) is built from the very same sources, so an input added
# here is in the key without anyone having to remember it (issue #10, point 23).

ROWS: Mapping[str, Aggregate] = {"n": Count("pk"), "last": Max("pk")}
# For the change log django-simple-history keeps of a model: every save and delete adds a
# row with a higher id (even a save(update_fields=...) that leaves an auto_now column
# alone), so its highest id moves with every change; an index gives it in one step.
CHANGES: Mapping[str, Aggregate] = {"last": Max("pk")}
# The columns of a word list entry that ``reviews.lint_terms.compile_terms`` takes.
TERM_FIELDS = ("code", "phrase", "suggestion")


@dataclass(frozen=True)
class Source:
    """One query the audit reads (``rows``), and how its state is told, in at most one
    query whatever the number of rows:

    - ``marks``: aggregates that move whenever a row is added, removed or edited, over
      ``watch`` (a cheaper query that moves with ``rows``: a superset, or their change
      log) or else over ``rows``;
    - ``fields``: for a small table, the values themselves;
    - ``fixed``: why the rows cannot change while the other sources stand still (no
      query at all).
    """

    rows: QuerySet[Any]
    marks: Mapping[str, Aggregate] = field(default_factory=dict)
    fields: tuple[str, ...] = ()
    watch: QuerySet[Any] | None = None
    fixed: str = ""

    def state_query(self) -> StateQuery | None:
        """The query that tells the state (None for ``fixed``), compiled once per cycle by
        ``audit.selectors.report_cache.report_state_key`` (core.query_state)."""
        if self.fixed:
            return None
        if self.fields:
            return self.rows.order_by("pk").values_list(*self.fields)
        watched = self.rows if self.watch is None else self.watch
        return aggregate_rows(watched, **dict(sorted(self.marks.items())))


def _submitted(cycle: ReviewCycle) -> QuerySet[Review]:
    return Review.objects.filter(cycle=cycle, status__in=SUBMITTED_STATUSES)


def dimension_source() -> Source:
    """The demographic dimensions, for every cycle."""
    return Source(DemographicDimension.objects.all(), fields=("pk", "key", "label"))


def population_sources(cycle: ReviewCycle) -> dict[str, Source]:
    """What ``cycle_population`` reads: the outcome tables of a cycle (its report, and the
    comparison in the next cycle's report)."""
    reviews = _submitted(cycle)
    return {
        "reviews": Source(
            reviews,
            {**ROWS, "t": Max("updated_at")},
        ),
        # Saves that leave updated_at alone (save(update_fields=...) at release).
        "review_changes": Source(Review.history.filter(cycle_id=cycle.pk), CHANGES),
        "ratings": Source(
            Rating.objects.filter(version_id__in=reviews.values("rubric_version_id")),
            fixed="a review pins a published rubric version, whose scale never changes",
        ),
        "cases": Source(
            CalibrationCase.objects.filter(
                session__cycle=cycle,
                session__status=CalibrationSession.Status.FINALIZED,
                kind=CalibrationCase.Kind.RATING,
            ),
            {
                **ROWS,
                "version": Max("version"),
                "decided": Max("decided_at"),
                "finalized": Max("session__finalized_at"),
            },
        ),
        "appeals": Source(appeal_rows(reviews), APPEAL_MARKS),
        "answers": Source(
            DemographicAnswer.objects.filter(person__in=reviews.values("subject_id")),
            {**ROWS, "t": Max("updated_at")},
            # Every answer of the org: cheaper to count than the cycle's people's, and
            # answers change seldom.
            watch=DemographicAnswer.objects.all(),
        ),
        # The names the reviews' rows join (team__name, manager__full_name, the ladder's).
        "team_names": Source(Team.objects.all(), CHANGES, watch=Team.history.all()),
        "person_names": Source(Person.objects.all(), CHANGES, watch=Person.history.all()),
        "ladder_names": Source(Ladder.objects.all(), fields=("pk", "name")),
    }


# Sources whose state is the org's, not the cycle's: the same for every cycle.
SHARED_SOURCES = frozenset({"dimensions", "answers", "team_names", "person_names", "ladder_names"})


def signal_sources(cycle: ReviewCycle) -> dict[str, Source]:
    """What ``review_signals`` reads beyond the reviews: the language and evidence
    sections."""
    reviews = _submitted(cycle)
    people = reviews.values("subject_id")
    return {
        "assessments": Source(
            Assessment.objects.filter(review__in=reviews),
            fixed="only a draft's assessments can change, and a draft is not in the audit "
            "(a review sent back to draft leaves it, which the reviews show)",
        ),
        "citations": Source(
            Assessment.evidence.through.objects.filter(assessment__review__in=reviews),
            fixed="cited in assessments, which do not change; an item deleted takes its "
            "citations with it, which the evidence's change log shows",
        ),
        "evidence": Source(
            Evidence.objects.filter(
                person__in=people, occurred_on__gte=cycle.starts_on, occurred_on__lte=cycle.ends_on
            ),
            CHANGES,
            # Evidence has no "updated" column: the change log of everybody reviewed tells
            # an item added, edited (a title, a date, a kind) or deleted, cited or in the
            # period.
            watch=Evidence.history.filter(person_id__in=people),
        ),
        "terms": Source(LintTerm.objects.filter(is_active=True), fields=TERM_FIELDS),
    }


def report_sources(cycle: ReviewCycle) -> dict[str, Source]:
    """Every query the report of a cycle reads about the cycle itself."""
    return {
        "dimensions": dimension_source(),
        **population_sources(cycle),
        **signal_sources(cycle),
    }


def audit_dimensions() -> list[Dimension]:
    """The org dimensions, then every demographic dimension (one query). A demographic
    key equal to an org dimension's is left out: the org dimension keeps the name."""
    dims = [Dimension(key=k, label=v, kind="org") for k, v in ORG_DIMENSIONS.items()]
    for pk, key, label in dimension_source().rows.values_list("pk", "key", "label"):
        if key not in ORG_DIMENSIONS:
            dims.append(Dimension(key=key, label=label, kind="demographic", pk=pk))
    return dims


def cycle_population(
    *, cycle: ReviewCycle, dimensions: list[Dimension] | None = None
) -> Population:
    """Members of the cycle's audit with their groups and outcomes: five queries (four
    when no demographic dimension is asked for), plus one to list the dimensions when
    ``dimensions`` is not given."""
    if dimensions is None:
        dimensions = audit_dimensions()
    sources = population_sources(cycle)
    rows = list(
        sources["reviews"]
        .rows.order_by("pk")
        .values_list(
            "pk",
            "subject_id",
            "rubric_version_id",
            "level",
            "team_id",
            "team__name",
            "function",
            "manager_id",
            "manager__full_name",
            "rubric_version__ladder_id",
            "rubric_version__ladder__name",
            "tenure_band",
            "location",
            "overall_rating",
            "final_rating",
            "promotion_outcome",
        )
    )

    # The rating scale of every rubric version the cycle's reviews pin.
    order: dict[int, dict[str, int]] = defaultdict(dict)
    baselines: dict[int, str | None] = {}
    for version_id, key, position, is_baseline in sources["ratings"].rows.values_list(
        "version_id", "key", "order", "is_baseline"
    ):
        order[version_id][key] = position
        baselines.setdefault(version_id, None)
        if is_baseline:
            baselines[version_id] = key

    # The rating case of each review in a finalized session; if a review was calibrated
    # in two sessions, the later one wrote the final rating, so it counts.
    cases: dict[int, tuple[str, str]] = {}
    for review_id, proposed, calibrated in (
        sources["cases"]
        .rows.order_by("session__finalized_at", "session_id", "pk")
        .values_list("review_id", "proposed_rating", "calibrated_rating")
    ):
        cases[review_id] = (proposed, calibrated)
    appealed = appeal_outcomes(sources["appeals"].rows)

    answers: dict[int, dict[int, str]] = defaultdict(dict)
    demographic = [d for d in dimensions if d.kind == "demographic"]
    if demographic:
        for person_id, dimension_id, value in (
            sources["answers"]
            .rows.filter(dimension_id__in=[d.pk for d in demographic])
            .values_list("person_id", "dimension_id", "value")
        ):
            answers[person_id][dimension_id] = value

    teams = group_labels((r[4], r[5]) for r in rows)
    managers = group_labels((r[7], r[8]) for r in rows)
    wanted = {d.key for d in dimensions}
    members: list[Member] = []
    for (
        review_id,
        person_id,
        version_id,
        level,
        team_id,
        _team_name,
        function,
        manager_id,
        _manager_name,
        _ladder_id,
        ladder_name,
        tenure,
        location,
        overall,
        final,
        promotion,
    ) in rows:
        scale = order.get(version_id, {})
        baseline = baselines.get(version_id)
        outcomes: set[str] = set()
        rated = scale.get(final or overall)
        if rated is not None and baseline is not None:
            if rated > scale[baseline]:
                outcomes.add(HIGH_RATING)
            elif rated < scale[baseline]:
                outcomes.add(LOW_RATING)
        if promotion == CalibrationCase.PromotionDecision.APPROVED:
            outcomes.add(PROMOTED)
        outcomes |= appealed.get(review_id, set())
        case = cases.get(review_id)
        if case is not None:
            before, after = scale.get(case[0]), scale.get(case[1])
            if before is not None and after is not None:
                if after > before:
                    outcomes.add(CALIBRATED_UP)
                elif after < before:
                    outcomes.add(CALIBRATED_DOWN)
        org = {
            "team": teams[team_id],
            "level": level or NOT_RECORDED,
            "function": function or NOT_RECORDED,
            "ladder": ladder_name or NOT_RECORDED,
            "manager": managers[manager_id],
            "tenure": tenure or NOT_RECORDED,
            "location": location or NOT_RECORDED,
        }
        groups = {k: v for k, v in org.items() if k in wanted}
        mine = answers.get(person_id, {})
        for d in demographic:
            value = mine.get(d.pk or 0, "")
            groups[d.key] = UNDISCLOSED if value in ("", PREFER_NOT_TO_SAY) else value
        members.append(
            Member(
                review_id=review_id,
                person_id=person_id,
                rubric_version_id=version_id,
                level=level or NOT_RECORDED,
                groups=groups,
                outcomes=frozenset(outcomes),
                calibrated=case is not None,
            )
        )
    return Population(cycle=cycle, dimensions=dimensions, members=members, baselines=baselines)


def review_signals(
    *, population: Population, progress: Callable[[int, int], None] | None = None
) -> dict[int, Signals]:
    """Lint findings and evidence counts per review of the population, in five queries.
    ``progress(done, total)`` is called every few hundred reviews (the PDF task shows it).

    The findings are those ``reviews.lint.lint_review`` gives the author (the same
    ``lint_content`` with the same inputs), read here with ``values_list`` so a cycle of
    10,000 reviews costs a fixed number of queries and no model instances.
    """
    cycle = population.cycle
    sources = signal_sources(cycle)
    # The same rows as load_terms gives the author's linter.
    terms = lint_terms.compile_terms(sources["terms"].rows.values_list(*TERM_FIELDS))
    narratives = {
        row[0]: dict(zip(lint.NARRATIVE_SECTIONS, row[1:], strict=True))
        for row in population_sources(cycle)["reviews"].rows.values_list(
            "pk", *lint.NARRATIVE_SECTIONS
        )
    }
    assessments: dict[int, list[tuple[int, str, str, str]]] = defaultdict(list)
    for pk, review_id, competency, rating, narrative in (
        sources["assessments"]
        .rows.order_by("review_id", "order", "id")
        .values_list("pk", "review_id", "competency", "rating", "narrative")
    ):
        assessments[review_id].append((pk, competency, rating, narrative))
    cited: dict[int, list[lint.EvidenceInfo]] = defaultdict(list)
    # Same order as Evidence.Meta.ordering, which lint_review's prefetch follows.
    for assessment_id, evidence_id, title, occurred_on in (
        sources["citations"]
        .rows.order_by("assessment_id", "-evidence__occurred_on", "-evidence_id")
        .values_list("assessment_id", "evidence_id", "evidence__title", "evidence__occurred_on")
    ):
        cited[assessment_id].append(
            lint.EvidenceInfo(id=evidence_id, title=title, occurred_on=occurred_on)
        )
    in_period: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for person_id, evidence_id, kind in sources["evidence"].rows.values_list(
        "person_id", "pk", "kind"
    ):
        in_period[person_id].append((evidence_id, kind))

    period = (cycle.starts_on, cycle.ends_on)
    out: dict[int, Signals] = {}
    total = len(population.members)
    for done, m in enumerate(population.members, 1):
        if progress is not None and done % 500 == 0:
            progress(done, total)
        texts: list[lint.AssessmentText] = []
        evidence: dict[int, lint.EvidenceInfo] = {}
        for pk, competency, rating, narrative in assessments.get(m.review_id, []):
            items = cited.get(pk, [])
            evidence.update((e.id, e) for e in items)
            texts.append(
                lint.AssessmentText(
                    competency=competency,
                    rating=rating,
                    narrative=narrative,
                    evidence_ids=tuple(e.id for e in items),
                )
            )
        findings = lint.lint_content(
            narrative=narratives.get(m.review_id, {}),
            assessments=texts,
            baseline_rating=population.baselines.get(m.rubric_version_id),
            period=period,
            evidence=evidence,
            terms=terms,
        )
        s = Signals(findings=Counter(f.code for f in findings), citations=len(evidence))
        for evidence_id, kind in in_period.get(m.person_id, []):
            s.evidence_in_period += 1
            if kind in INVISIBLE_WORK_KINDS:
                s.invisible_in_period += 1
                s.invisible_cited += evidence_id in evidence
            else:
                s.other_in_period += 1
                s.other_cited += evidence_id in evidence
        out[m.review_id] = s
    return out
