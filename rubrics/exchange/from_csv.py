"""The lists of a CSV file, checked, with errors placed by line and column; and the rating
scale a file without one keeps."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from rubrics.exchange.errors import _file_error, _Problems, _short, _validated
from rubrics.exchange.formats import CSV_COLUMN_OF, CSV_COLUMNS, CSV_REQUIRED, _unescape
from rubrics.models import Ladder, RubricVersion
from rubrics.selectors import ladder_current_version, version_as_data, with_contents


def _whole_number(raw: str) -> int | None:
    raw = raw.strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 9 else None


def _csv_rows(text: str, problems: _Problems) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, {column: cell}) for each row that is not blank, after the header is checked."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, [])
        names = [h.strip().lower() for h in header]
        for i, name in enumerate(names):
            if name not in CSV_COLUMNS:
                problems.add(1, name or f"column {i + 1}", "Unknown column.")
            elif names.index(name) != i:
                problems.add(1, name, "This column appears twice.")
        for name in CSV_REQUIRED:
            if name not in names:
                problems.add(1, name, "This column is missing.")
        if problems:
            problems.add_other("file", f"The columns are {', '.join(CSV_COLUMNS)}.")
            return
        end = reader.line_num
        for cells in reader:
            line, end = end + 1, reader.line_num
            if not any(c.strip() for c in cells):
                continue
            extra = [i for i, c in enumerate(cells) if i >= len(names) and c.strip()]
            if extra:
                problems.add(
                    line,
                    f"column {extra[0] + 1}",
                    "This row has more cells than the header has columns.",
                )
                continue
            yield (
                line,
                {
                    name: _unescape(cells[i]) if i < len(cells) else ""
                    for i, name in enumerate(names)
                },
            )
    except csv.Error as exc:
        problems.add(reader.line_num, "row", f"Not valid CSV: {_short(exc, 200)}.")


@dataclass
class _Seen:
    line: int
    values: dict[str, str]


def contents_from_csv(text: str, ladder: Ladder) -> dict[str, list[dict[str, Any]]]:
    """The lists of a CSV export, checked, with the rating scale of the ladder's latest
    published version (none if nothing is published yet)."""
    problems = _Problems()
    levels: dict[str, _Seen] = {}
    comps: dict[str, _Seen] = {}
    cells: dict[tuple[str, str], int] = {}
    data: dict[str, list[dict[str, Any]]] = {"levels": [], "competencies": [], "expectations": []}
    lines: dict[str, list[int]] = {"levels": [], "competencies": [], "expectations": []}
    any_rows = False

    def same_as_before(
        seen: dict[str, _Seen], key: str, line: int, values: dict[str, str], what: str
    ) -> bool:
        """The first row of a level (competency) defines it; later rows must agree."""
        first = seen.get(key)
        if first is None:
            seen[key] = _Seen(line, values)
            return True
        for column, value in values.items():
            if value.strip() != first.values[column].strip():
                problems.add(
                    line,
                    column,
                    f"{what} '{_short(key)}' has '{_short(first.values[column])}' here on "
                    f"line {first.line}; every row of it must say the same.",
                )
        return False

    for line, row in _csv_rows(text, problems):
        any_rows = True
        code, key = row["level_code"].strip(), row["competency_key"].strip()
        order = _whole_number(row["level_order"])
        if order is None:
            problems.add(line, "level_order", "Enter a whole number (0, 1, 2, …).")
            continue
        comp_order_raw = row.get("competency_order", "")
        comp_order = _whole_number(comp_order_raw) if comp_order_raw.strip() else None
        if comp_order_raw.strip() and comp_order is None:
            problems.add(line, "competency_order", "Enter a whole number (0, 1, 2, …).")
            continue
        level_values = {c: row.get(c, "") for c in ("level_title", "level_order", "level_summary")}
        if same_as_before(levels, code, line, level_values, "Level"):
            data["levels"].append(
                {
                    "code": code,
                    "title": row["level_title"],
                    "order": order,
                    "summary": row.get("level_summary", ""),
                }
            )
            lines["levels"].append(line)
        comp_values = {
            c: row.get(c, "")
            for c in ("competency_name", "competency_description", "competency_order")
        }
        if same_as_before(comps, key, line, comp_values, "Competency"):
            comp: dict[str, Any] = {
                "key": key,
                "name": row["competency_name"],
                "description": row.get("competency_description", ""),
            }
            # Without the column, competencies keep the order of their first rows.
            comp["order"] = comp_order if comp_order is not None else len(data["competencies"])
            data["competencies"].append(comp)
            lines["competencies"].append(line)
        if (code, key) in cells:
            problems.add(
                line,
                "competency_key",
                f"{_short(code)} × {_short(key)} is already on line {cells[(code, key)]}; "
                "give each level × competency one row.",
            )
            continue
        cells[(code, key)] = line
        if row["expectation"].strip():
            data["expectations"].append(
                {
                    "level": code,
                    "competency": key,
                    "text": row["expectation"],
                    "examples": row["examples"],
                }
            )
            lines["expectations"].append(line)
        elif row["examples"].strip():
            problems.add(line, "expectation", "This row has examples but no expectation.")
    if not any_rows and not problems:
        raise _file_error("The file has a header but no rows.")
    problems.raise_if_any()

    def locate(path: tuple[Any, ...]) -> tuple[int, str] | None:
        if len(path) < 2 or path[0] not in lines or not isinstance(path[1], int):
            return None  # a whole list (too long) or the kept ratings: pass through
        field = str(path[2]) if len(path) > 2 else ""
        return lines[path[0]][path[1]], CSV_COLUMN_OF[path[0]].get(field, field or "row")

    checked = _validated(data, locate)
    checked["ratings"] = published_ratings(ladder, {lv["code"] for lv in checked["levels"]})
    return checked


def published_ratings(ladder: Ladder, level_codes: set[str]) -> list[dict[str, Any]]:
    """The rating scale of the ladder's latest published version, for a file that brings
    none. Per-level definitions of levels the file no longer has go with those levels."""
    current = ladder_current_version(ladder)
    if current is None:
        return []
    source = with_contents(RubricVersion.objects.filter(pk=current.pk)).get()
    ratings = version_as_data(source)["ratings"]
    for r in ratings:
        r["level_definitions"] = {
            code: text for code, text in r["level_definitions"].items() if code in level_codes
        }
    return ratings
