"""The reads the rows are checked against (people, teams, ladders, levels)."""

from __future__ import annotations

from typing import Any

from org import selectors
from org.models import Person, Team, User
from org.people_import.shared import Errors


class _Checker:
    """Everything the rows are checked against, loaded in a fixed number of queries."""

    def __init__(self, actor: User) -> None:
        self.errors: Errors = {}
        people = list(Person.objects.select_related("user", "team", "ladder"))
        self.by_pk = {p.pk: p for p in people}
        self.by_email: dict[str, list[Person]] = {}
        for p in people:
            if p.email:
                self.by_email.setdefault(p.email.lower(), []).append(p)
        teams = list(Team.objects.all())
        self.team_by_slug = {t.slug: t for t in teams}
        self.teams_by_name: dict[str, list[Team]] = {}
        for t in teams:
            self.teams_by_name.setdefault(t.name, []).append(t)
        self.ladder_by_slug = {lad.slug: lad for lad in selectors.ladder_choices(user=actor)}
        self._codes: dict[int, set[str] | None] = {}

    def error(self, line: int, column: str, message: str) -> None:
        self.errors.setdefault(str(line), {}).setdefault(column, []).append(message)

    def level_codes(self, ladder: Any) -> set[str] | None:
        # Two queries per ladder named, however many rows name it.
        if ladder.pk not in self._codes:
            self._codes[ladder.pk] = selectors.ladder_level_codes(ladder)
        return self._codes[ladder.pk]
