"""Checking the file's rows: the header, each row's cells, and what needs the whole file
(managers, levels, employee ids, reporting loops)."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from core.validation import plausible_date, single_line
from org.models import Person, User
from org.people_import.reading import _cell_text, _read
from org.people_import.selectors import _Checker
from org.people_import.shared import (
    COLUMNS,
    FALSE_WORDS,
    TEXT_LENGTHS,
    TRUE_WORDS,
    PeopleImportError,
)

# --- Checking rows --------------------------------------------------------------------


@dataclass
class _Row:
    line: int
    email: str
    cells: dict[str, str]  # the columns present, as text
    person: Person | None = None  # the existing person, None for a new one
    # The final values, in the import's own vocabulary (team/ladder objects, manager key).
    final: dict[str, Any] = field(default_factory=dict)
    changes: dict[str, list[Any]] = field(default_factory=dict)
    action: str = "unchanged"


def _key(row_or_person: _Row | Person) -> Any:
    """A node of the reporting graph: an existing person's pk, or a new person's email."""
    if isinstance(row_or_person, Person):
        return row_or_person.pk
    return row_or_person.person.pk if row_or_person.person else f"new:{row_or_person.email}"


def _header(checker: _Checker, cells: list[Any]) -> list[str | None]:
    names = [_cell_text(c).lower() for c in cells]
    while names and names[-1] == "":
        names.pop()
    seen: set[str] = set()
    columns: list[str | None] = []
    for position, name in enumerate(names, start=1):
        if name == "":
            checker.error(1, f"column {position}", "This column has no name in the header.")
            columns.append(None)
        elif name not in COLUMNS:
            # Demographic answers are self-identified only (§1.6): a column for one is as
            # unknown here as any other.
            checker.error(
                1, name, f"Unknown column '{name}': the columns are {', '.join(COLUMNS)}."
            )
            columns.append(None)
        elif name in seen:
            checker.error(1, name, f"The column '{name}' appears twice.")
            columns.append(None)
        else:
            seen.add(name)
            columns.append(name)
    if "email" not in seen:
        checker.error(1, "email", "The header needs an 'email' column: it says who each row is.")
    return columns


def _active(text: str) -> bool | None:
    word = text.lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError


def _current(person: Person) -> dict[str, Any]:
    return {
        "full_name": person.full_name,
        "employee_id": person.employee_id,
        "team": person.team,
        "manager": person.parent_id,
        "ladder": person.ladder,
        "level": person.level,
        "function": person.function,
        "start_date": person.start_date,
        "location": person.location,
        "active": person.is_active,
    }


def _shown(column: str, value: Any, checker: _Checker) -> Any:
    """A value as the result shows it: dates as ISO text, teams and ladders by slug,
    managers by email."""
    if value is None:
        return None
    if column in ("team", "ladder"):
        return value.slug
    if column == "start_date":
        return value.isoformat()
    if column == "manager":
        if isinstance(value, str):
            return value.removeprefix("new:")
        return checker.by_pk[value].email or None
    return value


def _read_cells(checker: _Checker, row: _Row) -> None:
    """Turn the row's text into values (``row.final``), with an error per bad cell."""
    final = _current(row.person) if row.person else {c: None for c in COLUMNS[1:]}
    if row.person is None:
        final.update(full_name="", employee_id="", level="", function="", location="")
        final["active"] = True
    for column, text in row.cells.items():
        if column == "email":
            continue
        if text == "":
            if column == "full_name":
                checker.error(row.line, column, "A full name cannot be blank.")
            elif column != "active":
                final[column] = (
                    None if column in ("team", "manager", "ladder", "start_date") else ""
                )
            continue
        if column in TEXT_LENGTHS:
            limit = TEXT_LENGTHS[column]
            if len(text) > limit:
                checker.error(row.line, column, f"At most {limit} characters.")
                continue
            try:
                single_line(text)
            except ValidationError as exc:
                checker.error(row.line, column, exc.messages[0])
                continue
            final[column] = text
        elif column == "team":
            team = checker.team_by_slug.get(text)
            named = checker.teams_by_name.get(text, [])
            if team is None and len(named) > 1:
                checker.error(row.line, column, f"Several teams are called '{text}': use a slug.")
            elif team is None and not named:
                checker.error(row.line, column, f"No team has the slug or name '{text}'.")
            else:
                final[column] = team or named[0]
        elif column == "ladder":
            ladder = checker.ladder_by_slug.get(text)
            if ladder is None:
                checker.error(row.line, column, f"No ladder has the slug '{text}'.")
            else:
                final[column] = ladder
        elif column == "manager":
            final[column] = text.lower()  # resolved once every row is read
        elif column == "start_date":
            try:
                day = datetime.date.fromisoformat(text)
                if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                    raise ValueError
                plausible_date(day)
            except ValueError:
                checker.error(row.line, column, f"'{text}' is not a date as YYYY-MM-DD.")
                continue
            except ValidationError as exc:
                checker.error(row.line, column, exc.messages[0])
                continue
            final[column] = day
        elif column == "active":
            try:
                final[column] = _active(text)
            except ValueError:
                checker.error(row.line, column, f"'{text}' is not true or false.")
    if (
        row.person is None
        and not final["full_name"]
        and "full_name" not in checker.errors.get(str(row.line), {})
    ):
        checker.error(row.line, "full_name", "A new person needs a full name.")
    row.final = final


def _resolve(checker: _Checker, rows: list[_Row]) -> None:
    """What needs the whole file: managers, levels on ladders, employee ids, loops."""
    in_file = {row.email: row for row in rows}
    for row in rows:
        manager = row.final["manager"]
        if not isinstance(manager, str):
            continue
        if manager in in_file:
            row.final["manager"] = _key(in_file[manager])
        else:
            found = checker.by_email.get(manager, [])
            if len(found) == 1:
                row.final["manager"] = found[0].pk
            else:
                checker.error(
                    row.line,
                    "manager",
                    "Several people have this email in Levelhead."
                    if found
                    else f"No one has the email '{manager}', in Levelhead or in this file.",
                )
                row.final["manager"] = row.person.parent_id if row.person else None
                continue
        if row.final["manager"] == _key(row):
            checker.error(row.line, "manager", "A person cannot be their own manager.")
            row.final["manager"] = None
            continue
        target = row.final["manager"]
        target_row = in_file.get(manager)
        active = target_row.final["active"] if target_row else checker.by_pk[target].is_active
        if not active and row.final["active"]:
            checker.error(row.line, "manager", f"{manager} is not active.")

    for row in rows:
        level, ladder = row.final["level"], row.final["ladder"]
        if not level:
            continue
        column = "level" if "level" in row.cells else "ladder"
        if ladder is None:
            checker.error(row.line, column, "A level needs a ladder.")
            continue
        codes = checker.level_codes(ladder)
        if codes is not None and level not in codes:
            checker.error(
                row.line,
                column,
                f"'{level}' is not a level of {ladder}: choose one of {', '.join(sorted(codes))}.",
            )

    _check_employee_ids(checker, rows)
    _check_loops(checker, rows)


def _check_employee_ids(checker: _Checker, rows: list[_Row]) -> None:
    holder: dict[str, Any] = {p.employee_id: p.pk for p in checker.by_pk.values() if p.employee_id}
    for row in rows:  # the file's rows give up their old ids first, then claim new ones
        old = row.person.employee_id if row.person else ""
        if "employee_id" in row.cells and old and holder.get(old) == _key(row):
            del holder[old]
    for row in rows:
        if "employee_id" not in row.cells or not row.final["employee_id"]:
            continue
        eid = row.final["employee_id"]
        if eid in holder and holder[eid] != _key(row):
            checker.error(row.line, "employee_id", "Another person has this employee id.")
        else:
            holder[eid] = _key(row)


def _final_parents(checker: _Checker, rows: list[_Row]) -> dict[Any, Any]:
    parents: dict[Any, Any] = {p.pk: p.parent_id for p in checker.by_pk.values()}
    for row in rows:
        parents[_key(row)] = row.final["manager"]
    return parents


def _check_loops(checker: _Checker, rows: list[_Row]) -> None:
    """Refuse a reporting loop in the graph the import would leave (existing people and
    the file together). One parent per person: walk up from each person, remembering the
    walk; arriving back on it is a loop. Linear in the number of people."""
    parents = _final_parents(checker, rows)
    line_of = {_key(row): row for row in rows if "manager" in row.cells}
    done: set[Any] = set()
    for start in parents:
        path: list[Any] = []
        on_path: set[Any] = set()
        node = start
        while node is not None and node not in done and node not in on_path:
            path.append(node)
            on_path.add(node)
            node = parents.get(node)
        if node is not None and node in on_path:
            loop = path[path.index(node) :]
            setters = [line_of[k] for k in loop if k in line_of]
            if setters:  # the loop needs a row of the file: the org had none before
                closing = max(setters, key=lambda r: r.line)
                checker.error(
                    closing.line, "manager", "This manager would make the reporting chain loop."
                )
        done.update(path)


def _diff(checker: _Checker, row: _Row) -> None:
    before = _current(row.person) if row.person else {}
    for column in COLUMNS[1:]:
        new = row.final[column]
        old = before.get(column)
        if row.person is None:
            if new not in (None, "") and not (column == "active" and new is True):
                row.changes[column] = [None, _shown(column, new, checker)]
        elif new != old:
            row.changes[column] = [_shown(column, old, checker), _shown(column, new, checker)]
    if row.person is None:
        row.action = "create"
    elif row.person.is_active and row.final["active"] is False:
        row.action = "deactivate"
    elif row.changes:
        row.action = "update"


def _check(actor: User, data: bytes, filename: str) -> tuple[_Checker, list[_Row]]:
    lines = _read(data, filename)
    checker = _Checker(actor)
    columns = _header(checker, lines[0][1])
    rows: list[_Row] = []
    first_line: dict[str, int] = {}
    for line, cells in lines[1:]:
        present: dict[str, str] = {}
        for position, value in enumerate(cells):
            column = columns[position] if position < len(columns) else None
            if column is not None:
                present[column] = _cell_text(value)
            elif position >= len(columns) and _cell_text(value) != "":
                checker.error(line, f"column {position + 1}", "This cell has no column header.")
        email = present.get("email", "").lower()
        if "email" not in columns:
            continue
        if not email:
            checker.error(line, "email", "Every row needs an email.")
            continue
        try:
            validate_email(email)
        except ValidationError:
            checker.error(line, "email", f"'{email}' is not an email address.")
            continue
        if email in first_line:
            checker.error(line, "email", f"This email is also on line {first_line[email]}.")
            continue
        first_line[email] = line
        found = checker.by_email.get(email, [])
        if len(found) > 1:
            checker.error(line, "email", "Several people have this email in Levelhead.")
            continue
        for column in columns:
            if column is not None:
                present.setdefault(column, "")  # a short row: its missing cells are blank
        row = _Row(line=line, email=email, cells=present, person=found[0] if found else None)
        _read_cells(checker, row)
        rows.append(row)
    if not checker.errors:
        _resolve(checker, rows)
    if checker.errors:
        raise PeopleImportError({"rows": checker.errors})
    for row in rows:
        _diff(checker, row)
    return checker, rows
