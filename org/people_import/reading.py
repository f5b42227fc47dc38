"""Reading an uploaded CSV or XLSX file into rows of cells."""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from collections.abc import Iterator
from typing import Any

from org.people_import.shared import (
    MAX_BYTES,
    MAX_ROWS,
    MAX_XLSX_UNPACKED,
    PeopleImportError,
    _refuse_file,
)

# --- Reading the file -----------------------------------------------------------------


def _looks_like_xlsx(data: bytes, filename: str) -> bool:
    return data[:4] == b"PK\x03\x04" or filename.lower().endswith((".xlsx", ".xlsm"))


def _read_csv(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _refuse_file("The file is not UTF-8 text: save the CSV as UTF-8.") from exc
    if "\x00" in text:
        raise _refuse_file("The file holds NUL characters: it is not a CSV file.")
    reader = csv.reader(io.StringIO(text, newline=""))
    # Line numbers are the file's own: a quoted cell with line breaks spans several, and
    # a row is named by the line it starts on.
    previous = 0
    try:
        for row in reader:
            yield previous + 1, row
            previous = reader.line_num
    except csv.Error as exc:
        raise PeopleImportError(
            {"rows": {str(previous + 1): {"file": [f"This line cannot be read as CSV: {exc}."]}}}
        ) from exc


def _read_xlsx(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    from openpyxl import load_workbook  # only an XLSX upload pays for importing it

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise _refuse_file("The file is not a readable XLSX workbook.") from exc
    if unpacked > MAX_XLSX_UNPACKED:
        raise _refuse_file("The workbook unpacks to too much data to be a people export.")
    try:
        # Read-only streams the sheet; data_only=False gives a formula cell's text (never
        # its computed value), which is what gets stored.
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        sheet = book.worksheets[0]
        for line, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield line, list(row)
        book.close()
    except PeopleImportError:
        raise
    except Exception as exc:  # noqa: BLE001 (openpyxl raises many kinds on a broken file)
        raise _refuse_file("The file is not a readable XLSX workbook.") from exc


def _read(data: bytes, filename: str) -> list[tuple[int, list[Any]]]:
    """The file's rows as (line, cells), blank rows dropped, at most MAX_ROWS data rows."""
    if len(data) > MAX_BYTES:
        raise _refuse_file(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.")
    if not data.strip():
        raise _refuse_file("The file is empty.")
    rows_in = _read_xlsx(data) if _looks_like_xlsx(data, filename) else _read_csv(data)
    rows: list[tuple[int, list[Any]]] = []
    for line, cells in rows_in:
        if all(_cell_text(c) == "" for c in cells):
            continue
        rows.append((line, cells))
        if len(rows) > MAX_ROWS + 1:  # + the header
            raise _refuse_file(f"The file has more than {MAX_ROWS:,} rows of people.")
    if not rows:
        raise _refuse_file("The file is empty.")
    return rows


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a spreadsheet keeps employee id 1042 as 1042.0
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()
