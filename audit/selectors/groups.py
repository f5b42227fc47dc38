"""Groups of the audit's members: their names, and the members of each."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Protocol, TypeVar


class _Grouped(Protocol):
    @property
    def groups(self) -> dict[str, str]: ...


M = TypeVar("M", bound=_Grouped)

# The group of people whose snapshot lacks the attribute (e.g. a deleted team).
NOT_RECORDED = "not recorded"


def group_labels(pairs: Iterable[tuple[int | None, str | None]]) -> dict[int | None, str]:
    """Group names for (id, name) pairs: the name, or ``NOT_RECORDED`` without an id; two
    ids sharing a name are told apart by id, so that they are not merged."""
    unique = set(pairs)
    ids_by_name: dict[str, set[int]] = defaultdict(set)
    for pk, name in unique:
        if pk is not None:
            ids_by_name[name or ""].add(pk)
    out: dict[int | None, str] = {None: NOT_RECORDED}
    for pk, name in unique:
        if pk is not None:
            label = name or NOT_RECORDED
            out[pk] = f"{label} (#{pk})" if len(ids_by_name[name or ""]) > 1 else label
    return out


def group_members(members: Iterable[M], key: str) -> Mapping[str, list[M]]:
    """The members of each group of dimension ``key``."""
    out: dict[str, list[M]] = defaultdict(list)
    for m in members:
        out[m.groups[key]].append(m)
    return out
