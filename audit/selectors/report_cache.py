"""The report of a cycle computed once per state of its data and kept in the cache, and
what is made from it (its JSON, the rendered sections of its page) kept beside it.

- ``report_state_key`` changes whenever anything the report is computed from changes. It
  is built from the very queries the report reads (``population.report_sources`` for the
  cycle, ``population_sources`` for the previous cycle, which the comparison reads), so no
  input can be left out; then the cycle's own fields, the previous cycle's and the minimum
  group size. One small query per source (fifteen at most), whatever the size of the cycle
  or the org. Their SQL is compiled once per cycle and process (core.query_state): building
  them through the ORM cost ten milliseconds a request, running them costs half of one.
- ``audit_report_entry`` is the report for the key (computed on a miss: seconds for a
  10,000-person cycle), with the identity of that computation.
- ``report_part`` keeps representations of one computation under its identity, so a
  representation always matches the report it was made from, and a change to the data is
  seen at once (a new key, a new report, new representations).

Nothing here says anything about anyone without the report itself, which only HR reads:
every entry point takes the user and asks ``audit_reader_require``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache

from audit import findings, stats
from audit.selectors import access, comparison, outcome_tables, population
from audit.selectors import report as report_module
from audit.selectors.access import audit_reader_require, cycles_before
from audit.selectors.population import SHARED_SOURCES, population_sources, report_sources
from audit.selectors.report import audit_report
from core.query_state import QueryState, StateQuery, code_fingerprint
from org.types import Viewer
from reviews import lint, lint_terms
from reviews.models import ReviewCycle

T = TypeVar("T")

# How long a computed report (and what is made from it) is kept in the cache. It is keyed
# by the state of its data, so a change is seen at once; the limit only bounds memory.
REPORT_CACHE_SECONDS = 3600
# What a report's head holds (``CachedReport.head``).
HEAD_KEYS = ("cycle", "generated_at", "min_group_size", "dimensions")


# The code that computes a report: a deploy that changes it computes reports anew.
_COMPUTERS = tuple(
    Path(module.__file__ or "")
    for module in (
        access,
        comparison,
        findings,
        lint,
        lint_terms,
        outcome_tables,
        population,
        report_module,
        stats,
    )
)


def _cycle(pk: int, starts_on: Any = None, ends_on: Any = None) -> ReviewCycle:
    """A stand-in for a saved cycle, holding only what the sources are built from."""
    cycle = ReviewCycle(pk=pk, starts_on=starts_on, ends_on=ends_on)
    cycle._state.adding = False
    return cycle


_PREVIOUS = QueryState(
    lambda starts_on: {
        "previous": cycles_before(starts_on).values_list(
            "pk", "name", "starts_on", "ends_on", "status"
        )[:1]
    }
)


def _state_queries(
    cycle_pk: int, starts_on: Any, ends_on: Any, previous_pk: int | None
) -> dict[str, StateQuery]:
    sources = dict(report_sources(_cycle(cycle_pk, starts_on, ends_on)))
    if previous_pk is not None:
        sources.update(
            (f"previous-{name}", source)
            for name, source in population_sources(_cycle(previous_pk)).items()
            if name not in SHARED_SOURCES  # already in the key
        )
    queries = {name: source.state_query() for name, source in sources.items()}
    return {name: q for name, q in queries.items() if q is not None}


_SOURCES = QueryState(_state_queries)


def report_state_key(cycle: ReviewCycle) -> str:
    """A hash of the state of everything the report of ``cycle`` is computed from. It
    says nothing about anyone, so it takes no user: the cache and the PDF's key are built
    from it."""
    previous = _PREVIOUS.rows(cycle.starts_on)["previous"]
    parts = [
        f"min{settings.AUDIT_MIN_GROUP_SIZE}",
        repr((cycle.pk, cycle.name, cycle.starts_on, cycle.ends_on, cycle.status)),
        f"previous={previous!r}",
        _SOURCES.state(
            cycle.pk, cycle.starts_on, cycle.ends_on, previous[0][0] if previous else None
        ),
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


class CachedReport:
    """The report of ``cycle`` for the state ``state`` of its data, read from the cache
    (or computed) only when asked for: what is made from it is found under its ``ident``,
    which its ``head``, a small entry of its own, gives."""

    def __init__(self, *, user: Viewer, cycle: ReviewCycle, state: str) -> None:
        self.cycle = cycle
        self.state = state
        self._user = user
        self._key = f"audit-report:{cycle.pk}:{state}:{code_fingerprint(_COMPUTERS)}"
        self._report: dict[str, Any] | None = None
        self._head: dict[str, Any] | None = None

    def _load(self) -> dict[str, Any]:
        report = cache.get(self._key)
        if report is None:
            report = audit_report(user=self._user, cycle=self.cycle)
            cache.set(self._key, report, REPORT_CACHE_SECONDS)
        self._report = report
        self._head = {key: report[key] for key in HEAD_KEYS}
        cache.set(f"{self._key}:head", self._head, REPORT_CACHE_SECONDS)
        return report

    @property
    def report(self) -> dict[str, Any]:
        return self._report if self._report is not None else self._load()

    @property
    def head(self) -> dict[str, Any]:
        """The report's ``HEAD_KEYS``: when this computation of it was made, its minimum
        group size and its dimensions (what the page's outline is made from)."""
        if self._head is None:
            self._head = cache.get(f"{self._key}:head")
            if self._head is None:
                self._load()
        assert self._head is not None
        return self._head

    @property
    def ident(self) -> str:
        """This computation of the report: its cycle, its state and when it was made."""
        return f"{self.cycle.pk}:{self.state}:{self.head['generated_at']}"


def audit_report_entry(*, user: Viewer, cycle: ReviewCycle) -> CachedReport:
    """``audit_report`` with the default group size, computed once per state of the data
    (``report_state_key``) and then read from the cache: a 10,000-person cycle takes
    seconds to compute, and HR opens the page, the CSV and the API on the same numbers."""
    audit_reader_require(user=user)
    return CachedReport(user=user, cycle=cycle, state=report_state_key(cycle))


def audit_report_cached(*, user: Viewer, cycle: ReviewCycle) -> dict[str, Any]:
    return audit_report_entry(user=user, cycle=cycle).report


def report_part(
    entry: CachedReport,
    family: str,
    part: str,
    build: Callable[[dict[str, Any]], Mapping[str, T]],
) -> T | None:
    """One part of a representation of the cached report: ``family`` names the
    representation (say, the sections of the page as HTML, with the version of the code
    that renders them), ``part`` one piece of it. ``build(report)`` makes every part of
    the family at once the first time any is asked for; they are then read from the cache
    under the report's identity. None when ``build`` makes no such part."""

    def prefix() -> str:
        digest = hashlib.sha256(f"{entry.ident}\x1f{family}".encode()).hexdigest()[:40]
        return f"audit-report-part:{digest}:"

    names, key = prefix(), prefix() + part
    found = cache.get_many([names, key])
    if key in found:
        return found[key]  # type: ignore[no-any-return]
    if names in found and part not in found[names]:  # built, and has no such part
        return None
    report = entry.report  # read now: a report computed anew has a new identity
    built = dict(build(report))
    names = prefix()
    cache.set_many(
        {names: sorted(built), **{names + name: value for name, value in built.items()}},
        REPORT_CACHE_SECONDS,
    )
    return built.get(part)
