"""Errors placed by line and column in the file, and the API serializer's check of the lists."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any, NoReturn

from rest_framework.exceptions import ValidationError

from rubrics.exchange.formats import LISTS, MAX_REPORTED_LINES
from rubrics.serializers import RubricVersionUpdateSerializer

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


class _Problems:
    """Messages collected by line and column, raised together."""

    def __init__(self) -> None:
        self.rows: dict[str, dict[str, list[str]]] = {}
        self.other: dict[str, list[str]] = {}
        self.unreported = 0

    def add(self, line: int, column: str, message: str) -> None:
        key = str(line)
        if key not in self.rows and len(self.rows) >= MAX_REPORTED_LINES:
            self.unreported += 1
            return
        self.rows.setdefault(key, {}).setdefault(column, []).append(message)

    def add_other(self, key: str, message: str) -> None:
        self.other.setdefault(key, []).append(message)

    def __bool__(self) -> bool:
        return bool(self.rows or self.other or self.unreported)

    def raise_if_any(self) -> None:
        if self:
            self.fail()

    def fail(self) -> NoReturn:
        detail: dict[str, Any] = dict(self.other)
        if self.rows:
            detail["rows"] = dict(sorted(self.rows.items(), key=lambda kv: int(kv[0])))
        if self.unreported:
            detail.setdefault("file", []).append(
                f"{self.unreported} more line(s) have problems; fix these first."
            )
        raise ValidationError(detail)


def _file_error(message: str) -> ValidationError:
    return ValidationError({"file": [message]})


def _short(value: Any, limit: int = 60) -> str:
    text = _CONTROL.sub("?", str(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _where(text: str, index: int) -> tuple[int, int]:
    """Line and column (both from 1) of a character index in ``text``."""
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def _walk_errors(err: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    """Every message in a serializer's nested errors, with the path of the value it is about."""
    if isinstance(err, dict):
        for key, value in err.items():
            yield from _walk_errors(value, path if key == "non_field_errors" else (*path, key))
    elif isinstance(err, list):
        if all(isinstance(e, str) for e in err):
            for e in err:
                yield path, str(e)
        else:
            for i, e in enumerate(err):  # one entry per item, {} for the valid ones
                yield from _walk_errors(e, (*path, i))
    else:
        yield path, str(err)


def _validated(
    data: dict[str, Any], locate: Callable[[tuple[Any, ...]], tuple[int, str] | None]
) -> dict[str, list[dict[str, Any]]]:
    """The lists checked field by field by the API's own serializer; each error is placed
    in the file by ``locate`` (path → line and column, or None to pass it through)."""
    serializer = RubricVersionUpdateSerializer(data=data)
    if serializer.is_valid():
        return {
            k: [dict(item) for item in serializer.validated_data[k]]
            for k in LISTS
            if k in serializer.validated_data
        }
    problems = _Problems()
    for path, message in _walk_errors(serializer.errors):
        place = locate(path)
        if place is None:
            problems.add_other(str(path[0]) if path else "file", message)
        else:
            problems.add(place[0], place[1], message)
    problems.fail()
