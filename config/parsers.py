"""Request-body parsers for the API: the one place that refuses bodies no field could use.

SPEC §4: no client input, however malformed or large, produces a 500. DRF's own JSON parser
lets the C decoder recurse until it raises ``RecursionError`` (about 1,000 levels), turns
``1e400`` into ``inf`` and passes NUL characters and lone surrogates through to the database,
which then fails; its form parser replaces bytes that are not UTF-8. Every one of those is
refused here with a 400, before any serializer runs. (DRF reads JSON and form bodies through
``request.body``, so Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE`` bounds them; config/api.py turns
that refusal into a 413.)
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
from rest_framework.exceptions import ParseError

# No resource nests anywhere near this deep (a rubric version is four levels).
MAX_DEPTH = 32
# Integers travel as signed 64-bit values in the database (ids included).
MAX_INT = 2**63 - 1


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


def check_text(value: str) -> None:
    """Refuse text no database column can hold: NUL characters and lone surrogates."""
    if "\x00" in value:
        raise ParseError("The request body contains a NUL character.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ParseError(
            "The request body contains an invalid character (a lone surrogate)."
        ) from exc


def _parse_int(text: str) -> int:
    number = int(text)
    if abs(number) > MAX_INT:
        raise ValueError(f"number {text[:30]} is out of range")
    return number


def _parse_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"number {text[:30]} is out of range")
    return number


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a valid JSON number")


def _check_tree(data: Any) -> None:
    """Walk the parsed body with an explicit stack (no recursion): depth and text."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            check_text(value)
            continue
        if not isinstance(value, dict | list):
            continue
        if depth > MAX_DEPTH:
            raise ParseError(f"The request body is nested more than {MAX_DEPTH} levels deep.")
        if isinstance(value, dict):
            for key, item in value.items():
                check_text(key)
                stack.append((item, depth + 1))
        else:
            stack.extend((item, depth + 1) for item in value)


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
                parse_int=_parse_int,
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
            check_text(key)
            check_text(value)
            result.appendlist(key, value)
        result._mutable = False
        return result
