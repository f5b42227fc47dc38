"""The whole fairness audit of a cycle (SPEC §6): every outcome table, the language,
evidence and calibration sections, the comparison with the previous cycle, the findings
and the method notes. Its state key and the cache the page, the API and the CSV share
are ``audit.selectors.report_cache``.

The report runs a fixed number of queries (ten), whatever the size of the cycle, and
computes everything else in Python. Each section of a dimension hides the groups its
outcome tables hide (``outcome_tables.suppression``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.utils import timezone

from audit import stats
from audit.findings import report_findings
from audit.selectors.access import audit_reader_require, cycle_summary, previous_cycle
from audit.selectors.comparison import compare_results
from audit.selectors.groups import group_members
from audit.selectors.outcome_tables import (
    OUTCOME_KEYS,
    cycle_rates,
    min_size,
    outcome_result,
    suppression,
    tally,
)
from audit.selectors.population import (
    CALIBRATED_DOWN,
    CALIBRATED_UP,
    HIGH_RATING,
    INVISIBLE_WORK_KINDS,
    OUTCOMES,
    Member,
    Signals,
    cycle_population,
    review_signals,
)
from org.types import Viewer
from reviews import lint
from reviews.models import ReviewCycle

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


def audit_report(
    *,
    user: Viewer,
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
    audit_reader_require(user=user)
    size = min_size(min_group_size)
    population = cycle_population(cycle=cycle)
    signals = review_signals(population=population, progress=progress)
    members = population.members

    results: list[dict[str, Any]] = []
    language: list[dict[str, Any]] = []
    evidence: list[dict[str, Any]] = []
    calibration: list[dict[str, Any]] = []
    for d in population.dimensions:
        counted = tally(members, d.key)
        suppressed = suppression(counted, size)
        hidden = suppressed.groups
        for outcome in OUTCOME_KEYS:
            result = outcome_result(counted, outcome, suppressed, size)
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
                suppressed,
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
                suppressed,
                CALIBRATION_OUTCOME_FIELDS,
            )
        )
    _adjust(results)
    labels = {d.key: d.label for d in population.dimensions}
    before = previous_cycle(cycle)
    comparison: dict[str, Any] = {"previous_cycle": None, "results": []}
    if before is not None:
        current = {(r["dimension"], r["outcome"]): r for r in results}
        earlier = cycle_rates(cycle=before, dimensions=population.dimensions, min_group_size=size)
        comparison = {
            "previous_cycle": cycle_summary(before),
            "results": compare_results(current, earlier),
        }
    return {
        "cycle": cycle_summary(cycle),
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
