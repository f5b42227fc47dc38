"""Writing the checked rows in bulk, and ``people_import``, the entry point."""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from simple_history.utils import bulk_create_with_history

from org import selectors
from org.access import access_end
from org.models import Activity, Person, User
from org.people_import.checking import _check, _final_parents, _key, _Row
from org.people_import.selectors import _Checker
from org.people_import.shared import _NOT_IN_USERNAME, BATCH, _refuse_file
from org.services import _snapshot  # the same snapshot person_create/person_update record

# --- Writing --------------------------------------------------------------------------


def _depths(parents: dict[Any, Any], keys: list[Any]) -> dict[Any, int]:
    """How far below the top of the final graph each person sits (the graph has no loop)."""
    depth: dict[Any, int] = {}
    for key in keys:
        path = []
        node = key
        while node is not None and node not in depth:
            path.append(node)
            node = parents.get(node)
        base = depth[node] if node is not None else -1
        for n in reversed(path):
            base += 1
            depth[n] = base
    return depth


def _usernames(emails: list[str]) -> dict[str, str]:
    taken = {u.lower() for u in User.objects.values_list("username", flat=True)}
    out: dict[str, str] = {}
    for email in emails:
        base = _NOT_IN_USERNAME.sub("-", email.split("@", 1)[0])[:140] or "person"
        name, n = base, 1
        while name.lower() in taken:
            n += 1
            name = f"{base}-{n}"
        taken.add(name.lower())
        out[email] = name
    return out


def _create(actor: User, rows: list[_Row], depth: dict[Any, int]) -> dict[Any, Person]:
    """New people in bulk: person_create costs a dozen queries a person (too slow for an
    export of thousands), so this writes the same rows — a login with no usable password,
    the person, its history and its Activity — a few batches at a time. The rows were
    checked above with the rules person_validate holds."""
    usernames = _usernames([r.email for r in rows])
    users = User.objects.bulk_create(
        [
            User(
                username=usernames[r.email],
                email=r.email,
                is_active=r.final["active"],
                password=make_password(None),
            )
            for r in rows
        ],
        batch_size=BATCH,
    )
    created: dict[Any, Person] = {}
    by_depth: dict[int, list[tuple[_Row, User]]] = {}
    for row, user in zip(rows, users, strict=True):
        by_depth.setdefault(depth[_key(row)], []).append((row, user))
    # Shallowest first: a new person's new manager is in the database before they are.
    for level in sorted(by_depth):
        batch = []
        for row, user in by_depth[level]:
            f = row.final
            manager = f["manager"]
            if isinstance(manager, str):
                boss: dict[str, Any] = {"parent": created[manager]}
            else:
                boss = {"parent_id": manager}
            batch.append(
                Person(
                    user=user,
                    **boss,
                    full_name=f["full_name"],
                    email=row.email,
                    team=f["team"],
                    function=f["function"],
                    ladder=f["ladder"],
                    level=f["level"],
                    is_active=f["active"],
                    employee_id=f["employee_id"],
                    start_date=f["start_date"],
                    location=f["location"],
                )
            )
        for person, (row, _user) in zip(
            bulk_create_with_history(batch, Person, batch_size=BATCH, default_user=actor),
            by_depth[level],
            strict=True,
        ):
            created[_key(row)] = person
            row.person = person
    Activity.objects.bulk_create(
        [
            Activity(
                actor=actor,
                action=Activity.Action.PERSON_CREATED,
                target_type=Person._meta.label_lower,
                target_id=str(p.pk),
                new=_snapshot(p),
            )
            for p in created.values()
        ],
        batch_size=BATCH,
    )
    return created


# The import's column → the Person field it writes.
_PERSON_FIELD = {"manager": "parent", "active": "is_active"}


def _update(actor: User, checker: _Checker, rows: list[_Row], created: dict[Any, Person]) -> None:
    """Changed people in bulk, writing what person_update writes — the fields, a history
    record, an Activity with old and new values — and ending the sessions and API tokens of
    everyone deactivated (§10.3, as saving an inactive login does). Not person_update
    itself: its loop check is a recursive query over the whole organisation per person,
    about 25 ms each on SQLite with 12,000 people, so a file of 10,000 changes took minutes.
    The rows were checked above against the finished graph, with person_validate's rules."""
    people: list[Person] = []
    olds: list[dict[str, Any]] = []
    fields: set[str] = set()
    leaving: list[User] = []
    for row in rows:
        person = row.person
        assert person is not None
        olds.append(_snapshot(person))
        for column in row.changes:
            value = row.final[column]
            if column == "manager":
                value = created[value] if isinstance(value, str) else checker.by_pk.get(value)
            setattr(person, _PERSON_FIELD.get(column, column), value)
            fields.add(_PERSON_FIELD.get(column, column))
        if "active" in row.changes:
            person.user.is_active = person.is_active
            if not person.is_active:
                leaving.append(person.user)
        people.append(person)
    # Employee ids are unique and the database checks each row as it goes: give up the old
    # ids first, so two people exchanging theirs in one file is not a clash halfway.
    moving = [p.pk for p, row in zip(people, rows, strict=True) if "employee_id" in row.changes]
    for i in range(0, len(moving), BATCH):
        Person.objects.filter(pk__in=moving[i : i + BATCH]).update(employee_id="")
    Person.objects.bulk_update(people, sorted(fields), batch_size=BATCH)
    Person.history.bulk_history_create(  # type: ignore[attr-defined]
        people, batch_size=BATCH, update=True, default_user=actor
    )
    logins = [p.user for p, row in zip(people, rows, strict=True) if "active" in row.changes]
    User.objects.bulk_update(logins, ["is_active"], batch_size=BATCH)
    for user in leaving:
        access_end(user=user)
    Activity.objects.bulk_create(
        [
            Activity(
                actor=actor,
                action=Activity.Action.PERSON_UPDATED,
                target_type=Person._meta.label_lower,
                target_id=str(person.pk),
                old=old,
                new=_snapshot(person),
            )
            for person, old in zip(people, olds, strict=True)
        ],
        batch_size=BATCH,
    )


def people_import(
    *, actor: User, data: bytes, filename: str = "", dry_run: bool = True
) -> dict[str, Any]:
    """Check a people file and, unless ``dry_run``, apply it; all or nothing. Raises
    ``PeopleImportError`` with the 400 answer when anything is wrong."""
    if not selectors.is_hr(actor):
        raise PermissionDenied("Only HR can import people.")
    checker, rows = _check(actor, data, filename)
    counts = {
        "created": sum(r.action == "create" for r in rows),
        "updated": sum(r.action == "update" for r in rows),
        "deactivated": sum(r.action == "deactivate" for r in rows),
        "unchanged": sum(r.action == "unchanged" for r in rows),
    }
    changes = [
        {"line": r.line, "email": r.email, "action": r.action, "fields": r.changes} for r in rows
    ]
    if not dry_run:
        try:
            _write(actor, checker, rows, counts, hashlib.sha256(data).hexdigest())
        except IntegrityError as exc:
            # Checked above, so only a write racing this import gets here (another HR
            # session giving someone the same employee id). Nothing was written.
            raise _refuse_file(
                "Someone changed these people while the file was imported: try again."
            ) from exc
    return {"dry_run": dry_run, **counts, "changes": changes}


@transaction.atomic
def _write(
    actor: User, checker: _Checker, rows: list[_Row], counts: dict[str, int], digest: str
) -> None:
    depth = _depths(_final_parents(checker, rows), [_key(r) for r in rows])
    new = [r for r in rows if r.action == "create"]
    created = _create(actor, new, depth) if new else {}
    changed = [r for r in rows if r.action in ("update", "deactivate")]
    if changed:
        _update(actor, checker, changed, created)
    Activity.objects.create(
        actor=actor,
        action=Activity.Action.PEOPLE_IMPORTED,
        target_type=Person._meta.label_lower,
        target_id="import",
        new={**counts, "rows": len(rows), "sha256": digest},
    )
