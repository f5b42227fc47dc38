"""The shape of a role-test row (see tests/test_routes.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.conftest import ROLES

ANON_HTML = 302  # HTML pages send anonymous visitors to the login page
ANON_API = 401


@dataclass
class Case:
    name: str
    method: str
    args: Callable[[Any], list[Any]]
    expect: dict[str, int]
    data: Callable[[Any], dict[str, Any]] | None = None
    api: bool = False
    note: str = ""
    query: str = ""
    id: str = field(default="")


def everyone(code: int, anon: int) -> dict[str, int]:
    return {"anonymous": anon, **{r: code for r in ROLES if r != "anonymous"}}


def hr_only(code: int, others: int, anon: int) -> dict[str, int]:
    return {
        "anonymous": anon,
        **{r: others for r in ROLES if r not in ("anonymous", "hr")},
        "hr": code,
    }


NO_ARGS: Callable[[Any], list[Any]] = lambda w: []  # noqa: E731
