"""The shape of a role-test row (see tests/test_routes.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.conftest import ROLES

ANON_HTML = 302  # HTML pages send anonymous visitors to the login page
ANON_API = 401
# SPEC §5: superusers hold every HR permission.
HR_ROLES = ("hr", "superuser")


@dataclass
class Case:
    name: str
    method: str
    args: Callable[[Any], list[Any]]
    expect: dict[str, int]
    data: Callable[[Any], Any] | None = None
    api: bool = False
    note: str = ""
    # Formatted with the world's v1, v2 (rubric version ids) and cycle (world.cycle's id).
    query: str = ""
    id: str = field(default="")


def everyone(code: int, anon: int) -> dict[str, int]:
    return {"anonymous": anon, **{r: code for r in ROLES if r != "anonymous"}}


def hr_only(code: int, others: int, anon: int) -> dict[str, int]:
    """HR and superusers get `code`; every other signed-in role `others`."""
    return roles(others, anon, **dict.fromkeys(HR_ROLES, code))


def roles(others: int, anon: int, **cells: int) -> dict[str, int]:
    """The named roles get their code, every other signed-in role `others`."""
    unknown = set(cells) - set(ROLES)
    assert not unknown, f"not roles: {sorted(unknown)}"
    return {
        "anonymous": anon,
        **{r: cells.get(r, others) for r in ROLES if r != "anonymous"},
    }


NO_ARGS: Callable[[Any], list[Any]] = lambda w: []  # noqa: E731
