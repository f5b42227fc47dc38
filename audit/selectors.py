"""Reads of the fairness audit: the outcome table of one dimension × outcome, and the full
report of a cycle (SPEC §6). Both are HR-only; the API gates them before calling.

The report runs a fixed number of queries (ten), whatever the size of the cycle, and
computes everything else in Python. Small-group suppression is decided once per
dimension, from the group sizes and every outcome's counts (``stats.dimension_suppression``),
so the outcome tables and the language, evidence and calibration sections hide exactly
the same groups: a group hidden in one place only would say why by its absence.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit import stats
from audit.findings import report_findings
from audit.population import (
    CALIBRATED_DOWN,
    CALIBRATED_UP,
    HIGH_RATING,
    INVISIBLE_WORK_KINDS,
    OUTCOMES,
    SHARED_SOURCES,
    Dimension,
    Member,
    Population,
    Signals,
    audit_dimensions,
    cycle_population,
    group_members,
    population_sources,
    report_sources,
    review_signals,
)
from reviews import lint
from reviews.models import ReviewCycle

OUTCOME_KEYS = tuple(OUTCOMES)
# Every lint code, in the order the language section lists them.
LINT_CODES = (
    lint.NO_EVIDENCE,
    lint.UNEVIDENCED_RATING,
    lint.VAGUE_JUDGEMENT,
    lint.PERSONALITY,
    lint.HEDGING,
    lint.VAGUE_PRAISE,
    lint.RECENCY,
    lint.OUTSIDE_PERIOD,
)
# A review is "specific" when it has none of these findings.
VAGUE_CODES = (lint.VAGUE_PRAISE, lint.VAGUE_JUDGEMENT)

NOTES = (
    "The population is every person with a submitted review in the cycle. Team, level, "
    "function, manager and ladder are those recorded on the review; demographic groups are "
    "self-identified, and people with no answer or 'prefer not to say' form 'undisclosed'.",
    "Groups with fewer than {min} people are suppressed, with further small groups when "
    "needed so that no suppressed group can be recovered by subtraction, and one more "
    "group when subtraction would otherwise say that every suppressed person shared an "
    "outcome (or none did); their numbers appear nowhere in this report, and no total "
    "includes them.",
    "rate = count / n, with a 95% Wilson score interval. The reference group has the highest "
    "rate; impact ratio = rate / reference rate; below four-fifths = impact ratio < 0.8.",
    "Chi-square: Pearson test of independence without continuity correction. Fisher's exact "
    "test (two-sided) and the Cochran–Mantel–Haenszel test by level (no continuity "
    "correction) run when exactly two groups are reported; odds ratios compare the first "
    "group by name with the second.",
    "p-values are adjusted for the number of tests in this report (Benjamini–Hochberg). A "
    "p-value says how often chance alone would give a gap this large; it does not explain "
    "why a gap exists.",
)


def audit_cycle_get(*, pk: int) -> ReviewCycle:
    """The cycle an audit is asked for; an unknown id is a bad parameter (400)."""
    cycle = ReviewCycle.objects.filter(pk=pk).first()
    if cycle is None:
        raise ValidationError({"cycle": ["No such cycle."]})
    return cycle


def _min_size(min_group_size: int | None) -> int:
    size = settings.AUDIT_MIN_GROUP_SIZE if min_group_size is None else min_group_size
    return max(1, int(size))


# group → level → [n, then one count per outcome in OUTCOME_KEYS order]
Tally = dict[str, dict[str, list[int]]]


def _tally(members: Iterable[Member], key: str) -> Tally:
    tally: Tally = defaultdict(dict)
    for m in members:
        cell = tally[m.groups[key]].setdefault(m.level, [0] * (1 + len(OUTCOME_KEYS)))
        cell[0] += 1
        for i, outcome in enumerate(OUTCOME_KEYS, 1):
            if outcome in m.outcomes:
                cell[i] += 1
    return tally


def _cells(tally: Tally, outcome: str) -> stats.Cells:
    i = 1 + OUTCOME_KEYS.index(outcome)
    return {g: {lvl: (v[0], v[i]) for lvl, v in levels.items()} for g, levels in tally.items()}


def _suppression(tally: Tally, min_group_size: int) -> stats.Suppression:
    """What a dimension hides, decided once from its group sizes and every outcome's
    counts, so that each outcome table and section of it hides the same groups."""
    sizes = {g: sum(v[0] for v in levels.values()) for g, levels in tally.items()}
    counts = {
        outcome: {g: sum(v[i] for v in levels.values()) for g, levels in tally.items()}
        for i, outcome in enumerate(OUTCOME_KEYS, 1)
    }
    return stats.dimension_suppression(sizes, counts, min_group_size)


def _result(
    tally: Tally,
    outcome: str,
    suppression: stats.Suppression,
    min_group_size: int,
    reference: str | None = None,
) -> dict[str, Any]:
    return stats.outcome_result(
        _cells(tally, outcome),
        min_group_size=min_group_size,
        reference=reference,
        suppression=suppression,
        outcome=outcome,
    )


def audit_outcomes(
    *,
    cycle: ReviewCycle,
    dimension: str,
    outcome: str,
    reference: str | None = None,
    min_group_size: int | None = None,
) -> dict[str, Any]:
    """``{cycle, dimension, outcome, min_group_size, reference_group, groups, tests}``.

    Raises ValidationError naming the parameter for an unknown dimension or outcome, and
    for a reference that is not a group or is suppressed."""
    dimensions = {d.key: d for d in audit_dimensions()}
    errors: dict[str, list[str]] = {}
    if dimension not in dimensions:
        errors["dimension"] = [
            f"Unknown dimension '{dimension}': choose one of {', '.join(dimensions)}."
        ]
    if outcome not in OUTCOMES:
        errors["outcome"] = [f"Unknown outcome '{outcome}': choose one of {', '.join(OUTCOMES)}."]
    if errors:
        raise ValidationError(errors)
    size = _min_size(min_group_size)
    population = cycle_population(cycle=cycle, dimensions=[dimensions[dimension]])
    tally = _tally(population.members, dimension)
    try:
        result = _result(tally, outcome, _suppression(tally, size), size, reference)
    except stats.ReferenceGroupError as e:
        raise ValidationError({"reference": [str(e)]}) from e
    return {
        "cycle": cycle.pk,
        "dimension": dimension,
        "outcome": outcome,
        "min_group_size": size,
        **result,
    }


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _language_row(
    group: str, members: Sequence[Member], signals: dict[int, Signals]
) -> dict[str, Any]:
    n = len(members)
    totals: Counter[str] = Counter()
    with_finding: Counter[str] = Counter()
    specific = 0
    for m in members:
        found = signals[m.review_id].findings
        for code, k in found.items():
            totals[code] += k
            with_finding[code] += 1
        if not any(code in found for code in VAGUE_CODES):
            specific += 1
    return {
        "group": group,
        "suppressed": False,
        "reviews": n,
        "findings_per_review": {c: totals[c] / n for c in LINT_CODES},
        "reviews_with_finding": {c: with_finding[c] / n for c in LINT_CODES},
        "vague_judgement_per_review": totals[lint.VAGUE_JUDGEMENT] / n,
        "personality_per_review": totals[lint.PERSONALITY] / n,
        "specific_share": specific / n,
        "vague_share": (n - specific) / n,
    }


def _evidence_row(
    group: str, members: Sequence[Member], signals: dict[int, Signals], min_group_size: int
) -> dict[str, Any]:
    n = len(members)
    mine = [signals[m.review_id] for m in members]
    items = sum(s.evidence_in_period for s in mine)
    invisible = sum(s.invisible_in_period for s in mine)
    other = sum(s.other_in_period for s in mine)
    high = [signals[m.review_id].citations for m in members if HIGH_RATING in m.outcomes]
    return {
        "group": group,
        "suppressed": False,
        "reviews": n,
        "evidence_per_review": items / n,
        "citations_per_review": sum(s.citations for s in mine) / n,
        "invisible_work_share": _share(invisible, items),
        "invisible_cited_share": _share(sum(s.invisible_cited for s in mine), invisible),
        "other_cited_share": _share(sum(s.other_cited for s in mine), other),
        "high_rated_reviews": len(high),
        # A mean over a handful of reviews says little and points at individuals.
        "high_rated_citations_per_review": (
            sum(high) / len(high) if len(high) >= min_group_size else None
        ),
    }


def _calibration_row(group: str, members: Sequence[Member]) -> dict[str, Any]:
    calibrated = [m for m in members if m.calibrated]
    up = sum(CALIBRATED_UP in m.outcomes for m in calibrated)
    down = sum(CALIBRATED_DOWN in m.outcomes for m in calibrated)
    c = len(calibrated)
    return {
        "group": group,
        "suppressed": False,
        "calibrated_reviews": c,
        "changed_up_share": _share(up, c),
        "changed_down_share": _share(down, c),
        "unchanged_share": _share(c - up - down, c),
    }


def _hidden_row(group: str, keys: Sequence[str]) -> dict[str, Any]:
    """A suppressed group's row: its name, ``suppressed: true`` and nothing else."""
    row: dict[str, Any] = dict.fromkeys(keys)
    row.update(group=group, suppressed=True)
    return row


LANGUAGE_KEYS = (
    "group",
    "suppressed",
    "reviews",
    "findings_per_review",
    "reviews_with_finding",
    "vague_judgement_per_review",
    "personality_per_review",
    "specific_share",
    "vague_share",
)
EVIDENCE_KEYS = (
    "group",
    "suppressed",
    "reviews",
    "evidence_per_review",
    "citations_per_review",
    "invisible_work_share",
    "invisible_cited_share",
    "other_cited_share",
    "high_rated_reviews",
    "high_rated_citations_per_review",
)
CALIBRATION_KEYS = (
    "group",
    "suppressed",
    "calibrated_reviews",
    "changed_up_share",
    "changed_down_share",
    "unchanged_share",
)


# Fields of the evidence and calibration rows that give a group's count of an outcome
# (a count, or a share of a count shown beside it). When the outcome is withheld for a
# dimension, so are they: otherwise the section would give what the outcome table hides.
# The three calibration shares add up to 1, so one cannot go without the others.
EVIDENCE_OUTCOME_FIELDS = {
    HIGH_RATING: ("high_rated_reviews", "high_rated_citations_per_review"),
}
CALIBRATION_SHARES = ("changed_up_share", "changed_down_share", "unchanged_share")
CALIBRATION_OUTCOME_FIELDS = {
    CALIBRATED_UP: CALIBRATION_SHARES,
    CALIBRATED_DOWN: CALIBRATION_SHARES,
}


def _withheld_section(
    dimension: str,
    rows: list[dict[str, Any]],
    suppression: stats.Suppression,
    outcome_fields: Mapping[str, tuple[str, ...]],
) -> dict[str, Any]:
    """A section of one dimension, with the fields of its withheld outcomes emptied in
    every row and named in ``withheld``."""
    withheld: list[str] = []
    for outcome, fields in outcome_fields.items():
        if outcome in suppression.withheld:
            withheld.extend(f for f in fields if f not in withheld)
    for row in rows:
        row.update(dict.fromkeys(withheld))
    return {"dimension": dimension, "withheld": withheld, "groups": rows}


def _adjust(results: list[dict[str, Any]]) -> None:
    """Add ``p_value_adjusted`` (Benjamini–Hochberg over every test of the report) next to
    each ``p_value``."""
    tests = [t for r in results for t in r["tests"].values()]
    adjusted = stats.benjamini_hochberg([t["p_value"] for t in tests])
    for test, p in zip(tests, adjusted, strict=True):
        test["p_value_adjusted"] = p


def audited_cycles() -> Any:
    """Cycles an audit can be run for (every cycle past draft), newest first."""
    return ReviewCycle.objects.exclude(status=ReviewCycle.Status.DRAFT).order_by(
        "-starts_on", "-id"
    )


def previous_cycle(cycle: ReviewCycle) -> ReviewCycle | None:
    """The latest audited cycle that started before this one (one query)."""
    return audited_cycles().filter(starts_on__lt=cycle.starts_on).first()


def _cycle_summary(cycle: ReviewCycle) -> dict[str, Any]:
    return {
        "id": cycle.pk,
        "name": cycle.name,
        "starts_on": cycle.starts_on.isoformat(),
        "ends_on": cycle.ends_on.isoformat(),
        "status": cycle.status,
    }


def _rates(population: Population, size: int) -> dict[tuple[str, str], dict[str, Any]]:
    """Every dimension × outcome result of a population, without tests adjusted."""
    out = {}
    for d in population.dimensions:
        tally = _tally(population.members, d.key)
        suppression = _suppression(tally, size)
        for outcome in OUTCOME_KEYS:
            out[(d.key, outcome)] = _result(tally, outcome, suppression, size)
    return out


def audit_rates(
    *,
    cycle: ReviewCycle,
    dimensions: list[Dimension] | None = None,
    min_group_size: int | None = None,
) -> dict[tuple[str, str], dict[str, Any]]:
    """The outcome tables of a cycle, keyed by (dimension, outcome), with the same
    suppression as the report; no language or evidence sections, so it is cheap (four
    queries, five without ``dimensions``). The comparisons use it."""
    population = cycle_population(cycle=cycle, dimensions=dimensions)
    return _rates(population, _min_size(min_group_size))


def _group_rates(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {g["group"]: g for g in result["groups"]}


def compare_results(
    current: dict[tuple[str, str], dict[str, Any]],
    previous: dict[tuple[str, str], dict[str, Any]],
) -> list[dict[str, Any]]:
    """Per dimension × outcome, each group's rate now and in the previous cycle, and the
    change in percentage points when both are shown. A group suppressed (or absent) on
    either side has no number on that side and no change."""
    rows = []
    for key, result in current.items():
        now = _group_rates(result)
        before = _group_rates(previous.get(key, {"groups": []}))
        groups = []
        for name in sorted(set(now) | set(before)):
            a, b = now.get(name), before.get(name)
            rate = None if a is None or a["suppressed"] else a["rate"]
            prev = None if b is None or b["suppressed"] else b["rate"]
            groups.append(
                {
                    "group": name,
                    "rate": rate,
                    "suppressed": a is not None and a["suppressed"],
                    "previous_rate": prev,
                    "previous_suppressed": b is not None and b["suppressed"],
                    "change": None if rate is None or prev is None else rate - prev,
                }
            )
        rows.append({"dimension": key[0], "outcome": key[1], "groups": groups})
    return rows


def audit_comparison(
    *, cycles: Sequence[ReviewCycle], dimension: str, min_group_size: int | None = None
) -> dict[str, Any]:
    """Outcome rates of one dimension's groups across several cycles, oldest first:
    ``{cycles, dimension, min_group_size, outcomes[{outcome, groups[{group,
    cells[one per cycle]}]}]}``. Each cycle is suppressed on its own, exactly as in its
    report; a cell of a suppressed or absent group carries no number. Four queries per
    cycle, plus one."""
    dimensions = {d.key: d for d in audit_dimensions()}
    if dimension not in dimensions:
        raise ValidationError(
            {
                "dimension": [
                    f"Unknown dimension '{dimension}': choose one of {', '.join(dimensions)}."
                ]
            }
        )
    size = _min_size(min_group_size)
    ordered = sorted(cycles, key=lambda c: (c.starts_on, c.pk))
    tables = [
        audit_rates(cycle=c, dimensions=[dimensions[dimension]], min_group_size=size)
        for c in ordered
    ]
    outcomes = []
    for outcome in OUTCOME_KEYS:
        per_cycle = [_group_rates(t[(dimension, outcome)]) for t in tables]
        names = sorted({name for groups in per_cycle for name in groups})
        rows = []
        for name in names:
            cells = []
            for groups in per_cycle:
                g = groups.get(name)
                cells.append(
                    {"present": False, "suppressed": False} if g is None else {"present": True, **g}
                )
            rows.append({"group": name, "cells": cells})
        outcomes.append({"outcome": outcome, "groups": rows})
    return {
        "cycles": [_cycle_summary(c) for c in ordered],
        "dimension": dimension,
        "dimension_label": dimensions[dimension].label,
        "min_group_size": size,
        "outcomes": outcomes,
    }


def audit_report(
    *,
    cycle: ReviewCycle,
    min_group_size: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """The whole audit of a cycle: ``results`` (every dimension × outcome, each shaped like
    ``audit_outcomes`` without ``cycle``/``min_group_size``, every test with
    ``p_value_adjusted``), the ``language``, ``evidence`` and ``calibration`` sections
    (per dimension, per group), ``comparison`` with the previous cycle (when there is
    one), ``findings`` and method ``notes``. Fifteen queries at most, whatever the size
    of the cycle. ``progress(done, total)`` follows the review-by-review pass."""
    size = _min_size(min_group_size)
    population = cycle_population(cycle=cycle)
    signals = review_signals(population=population, progress=progress)
    members = population.members

    results: list[dict[str, Any]] = []
    language: list[dict[str, Any]] = []
    evidence: list[dict[str, Any]] = []
    calibration: list[dict[str, Any]] = []
    for d in population.dimensions:
        tally = _tally(members, d.key)
        suppression = _suppression(tally, size)
        hidden = suppression.groups
        for outcome in OUTCOME_KEYS:
            result = _result(tally, outcome, suppression, size)
            results.append({"dimension": d.key, "outcome": outcome, **result})
        by_group = group_members(members, d.key)
        names = sorted(by_group)
        language.append(
            {
                "dimension": d.key,
                "groups": [
                    _hidden_row(g, LANGUAGE_KEYS)
                    if g in hidden
                    else _language_row(g, by_group[g], signals)
                    for g in names
                ],
            }
        )
        evidence.append(
            _withheld_section(
                d.key,
                [
                    _hidden_row(g, EVIDENCE_KEYS)
                    if g in hidden
                    else _evidence_row(g, by_group[g], signals, size)
                    for g in names
                ],
                suppression,
                EVIDENCE_OUTCOME_FIELDS,
            )
        )
        calibration.append(
            _withheld_section(
                d.key,
                [
                    _hidden_row(g, CALIBRATION_KEYS)
                    if g in hidden
                    else _calibration_row(g, by_group[g])
                    for g in names
                ],
                suppression,
                CALIBRATION_OUTCOME_FIELDS,
            )
        )
    _adjust(results)
    labels = {d.key: d.label for d in population.dimensions}
    before = previous_cycle(cycle)
    comparison: dict[str, Any] = {"previous_cycle": None, "results": []}
    if before is not None:
        current = {(r["dimension"], r["outcome"]): r for r in results}
        earlier = audit_rates(cycle=before, dimensions=population.dimensions, min_group_size=size)
        comparison = {
            "previous_cycle": _cycle_summary(before),
            "results": compare_results(current, earlier),
        }
    return {
        "cycle": _cycle_summary(cycle),
        "generated_at": timezone.now().isoformat(),
        "min_group_size": size,
        "dimensions": [
            {"key": d.key, "label": d.label, "kind": d.kind} for d in population.dimensions
        ],
        "outcomes": [
            {"key": key, "label": label, "higher_is_less_favourable": adverse}
            for key, (label, adverse) in OUTCOMES.items()
        ],
        "lint_codes": list(LINT_CODES),
        "invisible_work_kinds": sorted(str(k.value) for k in INVISIBLE_WORK_KINDS),
        "results": results,
        "language": language,
        "evidence": evidence,
        "calibration": calibration,
        "comparison": comparison,
        "findings": report_findings(results, dimension_labels=labels),
        "notes": [note.format(min=size) for note in NOTES],
    }


def report_state_key(cycle: ReviewCycle) -> str:
    """Changes whenever anything the report is computed from changes. It is built from
    the very queries the report reads (``audit.population.report_sources`` for the cycle,
    ``population_sources`` for the previous cycle, which the comparison reads), so no
    input can be left out; then the cycle's own fields and the minimum group size. At
    most one query per source (fourteen in all), whatever the size of the cycle or the
    org: about 35 ms for a 10,000-person cycle on SQLite, against 27 ms for the key that
    listed its inputs by hand."""
    before = previous_cycle(cycle)
    parts = [
        f"min{settings.AUDIT_MIN_GROUP_SIZE}",
        repr((cycle.pk, cycle.name, cycle.starts_on, cycle.ends_on, cycle.status)),
    ]
    parts += [f"{name}={source.state()}" for name, source in report_sources(cycle).items()]
    if before is None:
        parts.append("no-previous")
    else:
        parts.append(repr((before.pk, before.name, before.starts_on, before.ends_on)))
        parts += [
            f"previous-{name}={source.state()}"
            for name, source in population_sources(before).items()
            if name not in SHARED_SOURCES  # already in the key
        ]
    raw = "\x1f".join(parts)
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


# How long a computed report is kept in the cache. It is keyed by the state of its data,
# so a change is seen at once; the limit only bounds memory.
REPORT_CACHE_SECONDS = 3600


def audit_report_cached(*, cycle: ReviewCycle) -> dict[str, Any]:
    """``audit_report`` with the default group size, computed once per state of the data
    (``report_state_key``) and then read from the cache: a 10,000-person cycle takes
    seconds to compute, and HR opens the page, the CSV and the API on the same numbers."""
    key = f"audit-report:{cycle.pk}:{report_state_key(cycle)}"
    report = cache.get(key)
    if report is None:
        report = audit_report(cycle=cycle)
        cache.set(key, report, REPORT_CACHE_SECONDS)
    return report
