"""Request-body parsers for the API: the one place that refuses bodies no field could use.

SPEC §4: no client input, however malformed or large, produces a 500. DRF's own JSON parser
lets the C decoder recurse until it raises ``RecursionError`` (about 1,000 levels), turns
``1e400`` into ``inf`` and passes lone surrogates through, which then fail to render in any
error message that quotes them; its form parser replaces bytes that are not UTF-8. Every one
of those is refused here with a 400, before any serializer runs; NUL characters too, in keys
and in fields that are not text. Text errors name where they are, like field errors. (DRF
reads JSON and form bodies through ``request.body``, so Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE``
bounds them; config/api.py turns that refusal into a 413.)
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

from django.conf import settings
from django.http import QueryDict
from rest_framework import parsers
from rest_framework.exceptions import ParseError, ValidationError

# No resource nests anywhere near this deep (a rubric version is four levels).
MAX_DEPTH = 32


def _encoding(parser_context: Mapping[str, Any] | None) -> str:
    """The request's charset; only text encodings (a bytes codec such as bz2 would
    decompress a small body into a huge one)."""
    encoding = str((parser_context or {}).get("encoding") or settings.DEFAULT_CHARSET)
    try:
        "".encode(encoding)
    except (LookupError, UnicodeError) as exc:
        raise ParseError(f'Unsupported charset "{encoding[:40]}".') from exc
    return encoding


def _decode(data: bytes, parser_context: Mapping[str, Any] | None) -> str:
    encoding = _encoding(parser_context)
    try:
        return data.decode(encoding)  # strict: invalid bytes are an error, never replaced
    except UnicodeDecodeError as exc:
        raise ParseError(f"The request body is not valid {encoding} text.") from exc


def text_problem(value: str) -> str | None:
    """What is wrong with text no column can hold and no response can echo, if anything.

    A lone surrogate cannot be encoded as UTF-8, so an error message that quotes it (``"…"
    is not a valid choice``) would fail to render; NUL is refused by PostgreSQL.
    The messages are DRF's own, so a field reads the same whichever layer refused it.
    """
    if "\x00" in value:
        return "Null characters are not allowed."
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        return f"Surrogate characters are not allowed: U+{ord(value[exc.start]):X}."
    return None


def _refuse_at(path: tuple[str, ...], message: str) -> None:
    """Raise the error where it is in the body: ``{"levels": {"0": {"title": [msg]}}}``."""
    if not path:
        raise ParseError(message)
    error: Any = [message]
    for key in reversed(path):
        error = {key: error}
    raise ValidationError(error)


def _parse_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"number {text[:30]} is out of range")
    return number


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a valid JSON number")


def _check_tree(data: Any) -> None:
    """Walk the parsed body with an explicit stack (no recursion): depth and text."""
    stack: list[tuple[Any, tuple[str, ...]]] = [(data, ())]
    while stack:
        value, path = stack.pop()
        if isinstance(value, str):
            if problem := text_problem(value):
                _refuse_at(path, problem)
            continue
        if not isinstance(value, dict | list):
            continue
        if len(path) >= MAX_DEPTH:
            raise ParseError(f"The request body is nested more than {MAX_DEPTH} levels deep.")
        if isinstance(value, dict):
            for key, item in value.items():
                if problem := text_problem(key):
                    # The key itself cannot be quoted back; name the object holding it.
                    _refuse_at(path, problem)
                stack.append((item, (*path, key)))
        else:
            stack.extend((item, (*path, str(i))) for i, item in enumerate(value))


class JSONParser(parsers.JSONParser):
    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        text = _decode(stream.read(), parser_context)
        try:
            data = json.loads(
                text,
                parse_float=_parse_float,
                parse_constant=_refuse_constant,
            )
        except RecursionError as exc:
            # The C decoder recurses once per level; it gives up long before the stack does.
            raise ParseError(
                f"The request body is nested more than {MAX_DEPTH} levels deep."
            ) from exc
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc
        _check_tree(data)
        return data


class FormParser(parsers.FormParser):
    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        encoding = _encoding(parser_context)
        body = stream.read()
        try:
            # Django's QueryDict replaces undecodable bytes; here they are an error.
            pairs = parse_qsl(
                body.decode("ascii"),
                keep_blank_values=True,
                encoding=encoding,
                errors="strict",
                max_num_fields=settings.DATA_UPLOAD_MAX_NUMBER_FIELDS,
            )
        except (UnicodeDecodeError, ValueError) as exc:
            raise ParseError(f"The form body is not valid {encoding} text.") from exc
        result = QueryDict(mutable=True, encoding=encoding)
        for key, value in pairs:
            if problem := text_problem(key):
                raise ParseError(problem)
            if problem := text_problem(value):
                _refuse_at((key,), problem)
            result.appendlist(key, value)
        result._mutable = False
        return result
