"""State keys for caches, at the cost of running a few small queries and no ORM work.

A cached answer is kept under the *state* of the rows it is computed from: aggregates that
move whenever one of those rows is added, edited or removed (a row count, the highest id,
the latest ``updated_at``, the highest id of a change log), or for a small table the
values themselves. Running such a query costs tens of microseconds in SQLite; building and
compiling it through the ORM costs twenty times that, which is most of what a page served
from a cache would cost.

``QueryState(build)`` builds the queries with ``build(*shape)`` and compiles them once per
process for each *shape* (the plain values they are built from: ids, dates), and from then
on only runs their SQL: every one-row query (``aggregate_rows``) together in a single
statement, each other query on its own. ``build`` receives the shape and nothing else, so
the SQL cannot depend on anything the shape does not hold; a shape with other values is
compiled anew.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Aggregate, QuerySet, Value


@dataclass(frozen=True)
class OneRow:
    """A query that gives exactly one row of ``width`` values."""

    qs: QuerySet[Any]
    width: int


StateQuery = QuerySet[Any] | OneRow


def aggregate_rows(qs: QuerySet[Any], **aggregates: Aggregate) -> OneRow:
    """``qs.aggregate(**aggregates)`` as a query of one row, which can be compiled without
    being run (grouped by a constant, so the SQL is a plain aggregate)."""
    one = (
        qs.order_by()
        .annotate(_state=Value(1))
        .values("_state")
        .annotate(**aggregates)
        .values_list(*aggregates)
    )
    return OneRow(one, len(aggregates))


@dataclass(frozen=True)
class _Statement:
    alias: str
    sql: str
    params: tuple[Any, ...]
    # What the statement gives, in the order of its columns: (name, width) for each
    # one-row query joined into it, or (name, None) for a query given on its own.
    names: tuple[tuple[str, int | None], ...]


@dataclass(frozen=True)
class _Plan:
    statements: tuple[_Statement, ...]
    # Queries that match nothing (no SQL): their rows.
    constant: tuple[tuple[str, list[tuple[Any, ...]]], ...]
    order: tuple[str, ...]


def _sql(qs: QuerySet[Any]) -> tuple[str, tuple[Any, ...]] | None:
    try:
        sql, params = qs.query.sql_with_params()
    except EmptyResultSet:
        return None
    return sql, tuple(params)


def _compile(queries: Mapping[str, StateQuery]) -> _Plan:
    statements: list[_Statement] = []
    constant: list[tuple[str, list[tuple[Any, ...]]]] = []
    joined: dict[str, list[tuple[str, int, str, tuple[Any, ...]]]] = {}
    for name, query in queries.items():
        qs = query.qs if isinstance(query, OneRow) else query
        compiled = _sql(qs)
        if compiled is None:
            empty = [(None,) * query.width] if isinstance(query, OneRow) else []
            constant.append((name, empty))
        elif isinstance(query, OneRow):
            joined.setdefault(qs.db, []).append((name, query.width, *compiled))
        else:
            statements.append(_Statement(qs.db, compiled[0], compiled[1], ((name, None),)))
    for alias, parts in joined.items():
        sql = "SELECT * FROM " + ", ".join(
            f"({part_sql}) AS state_{i}" for i, (_, _, part_sql, _) in enumerate(parts)
        )
        params = tuple(p for *_, part_params in parts for p in part_params)
        names: tuple[tuple[str, int | None], ...] = tuple(
            (name, width) for name, width, _, _ in parts
        )
        statements.append(_Statement(alias, sql, params, names))
    return _Plan(tuple(statements), tuple(constant), tuple(queries))


class QueryState:
    """The rows (``rows``) or their text (``state``) of the queries ``build(*shape)``
    gives, by name; compiled once per shape and process."""

    def __init__(
        self, build: Callable[..., Mapping[str, StateQuery]], *, max_plans: int = 1024
    ) -> None:
        self._build = build
        self._plans: dict[Hashable, _Plan] = {}
        self._max_plans = max_plans

    def _plan(self, shape: tuple[Hashable, ...]) -> _Plan:
        found = self._plans.get(shape)
        if found is None:
            found = _compile(self._build(*shape))
            if len(self._plans) >= self._max_plans:
                self._plans.clear()
            self._plans[shape] = found
        return found

    def rows(self, *shape: Hashable) -> dict[str, list[tuple[Any, ...]]]:
        plan = self._plan(shape)
        out: dict[str, list[tuple[Any, ...]]] = dict(plan.constant)
        for statement in plan.statements:
            with connections[statement.alias].cursor() as cursor:
                cursor.execute(statement.sql, statement.params)
                rows = [tuple(row) for row in cursor.fetchall()]
            (name, width), *_ = statement.names
            if width is None:
                out[name] = rows
                continue
            (row,) = rows
            at = 0
            for name, width in statement.names:
                assert width is not None
                out[name] = [row[at : at + width]]
                at += width
        return {name: out[name] for name in plan.order}

    def state(self, *shape: Hashable) -> str:
        return "\x1f".join(f"{name}={rows!r}" for name, rows in self.rows(*shape).items())


@functools.cache
def code_fingerprint(paths: tuple[Path | str, ...]) -> str:
    """A hash of the files' contents (read once per process, for a tuple of paths). What
    renders a cached representation (its templates, the code that formats it) belongs in
    its key, as much as the state of its data: a deploy that changes them does not serve
    kept copies."""
    digest = hashlib.sha256()
    for path in sorted(Path(p) for p in paths):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
