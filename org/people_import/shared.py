"""What every step of the people import shares: its limits and columns, and the error
that refuses a file."""

from __future__ import annotations

import re
from typing import Any

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
# An XLSX is a zip: 5 MB of it can unpack to gigabytes. Its parts together may not unpack
# to more than this before openpyxl reads them (real exports of 20,000 rows stay far below).
MAX_XLSX_UNPACKED = 100 * 1024 * 1024
BATCH = 500

COLUMNS = (
    "email",
    "full_name",
    "employee_id",
    "team",
    "manager",
    "ladder",
    "level",
    "function",
    "start_date",
    "location",
    "active",
)
TEXT_LENGTHS = {"full_name": 200, "employee_id": 64, "function": 100, "location": 120, "level": 20}
TRUE_WORDS = {"true", "yes", "1"}
FALSE_WORDS = {"false", "no", "0"}
_NOT_IN_USERNAME = re.compile(r"[^\w.+-]")

Errors = dict[str, dict[str, list[str]]]


class PeopleImportError(Exception):
    """The file is refused; ``body`` is the API's 400 answer: ``{"file": [...]}`` for a
    file that cannot be read at all, ``{"rows": {line: {column: [...]}}}`` otherwise."""

    def __init__(self, body: dict[str, Any]) -> None:
        super().__init__("The people import was refused.")
        self.body = body


def _refuse_file(message: str) -> PeopleImportError:
    return PeopleImportError({"file": [message]})
