"""Rubric versions to and from files (SPEC §10.7): YAML holds everything, CSV one row per
level × competency.

An import always makes a **new draft** through ``services.rubric_version_create``, so the
rules of a draft sent to ``POST rubric-versions/`` hold for a file too: field types and
lengths come from the API's own serializers, the cross-checks from ``validate_contents``.
Nothing here writes a version itself, and no existing version is ever touched.

Errors are DRF ``ValidationError``s, not Django's: Django's cannot nest a dict in a dict, and
a place in a file needs two keys. The shape is the people import's (SPEC §10.4):

- ``{"rows": {"<line>": {"<column>": ["message"]}}}`` for a problem at a place in the file
  (lines as an editor counts them, the CSV header is line 1). The column is the CSV column's
  name; in YAML the path of the value (``levels[2].code``), or ``column <n>`` for a syntax
  error or a character that cannot be read.
- ``{"file": ["message"]}`` for the file as a whole (missing, too large, empty, wrong kind).
- ``{"levels" | "competencies" | "expectations" | "ratings": ["message"]}``: what
  ``validate_contents`` refuses (duplicate codes, unknown references), passed through as
  the create API answers it.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, NoReturn

import yaml
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.uploadedfile import UploadedFile
from rest_framework.exceptions import ValidationError
from rest_framework.serializers import as_serializer_error

from core.csv import FORMULA_STARTS
from org.selectors import is_hr
from org.services import access_log_record
from org.types import User, Viewer
from rubrics import services
from rubrics.models import Ladder, RubricVersion
from rubrics.selectors import ladder_current_version, version_as_data, with_contents
from rubrics.serializers import (
    CompetencySerializer,
    ExpectationSerializer,
    LevelSerializer,
    RatingSerializer,
    RubricVersionUpdateSerializer,
)

YAML = "yaml"
CSV = "csv"
FORMATS = (YAML, CSV)
CONTENT_TYPES = {YAML: "application/yaml; charset=utf-8", CSV: "text/csv; charset=utf-8"}
EXTENSIONS = {".yaml": YAML, ".yml": YAML, ".csv": CSV}

MAX_IMPORT_BYTES = 2 * 1024 * 1024
# An error answer lists at most this many lines, so a file of 50,000 bad rows does not
# make a 5 MB answer; the rest are counted.
MAX_REPORTED_LINES = 100

# The SPEC's columns, then three the SPEC leaves out that an exact round trip needs (a level's
# summary, a competency's description and place). On import the first seven are required,
# the last three optional.
CSV_REQUIRED = (
    "level_code",
    "level_title",
    "level_order",
    "competency_key",
    "competency_name",
    "expectation",
    "examples",
)
CSV_OPTIONAL = ("level_summary", "competency_description", "competency_order")
CSV_COLUMNS = CSV_REQUIRED + CSV_OPTIONAL
# Which CSV column holds each field of the assembled lists (for error messages).
CSV_COLUMN_OF = {
    "levels": {"code": "level_code", "title": "level_title", "order": "level_order"}
    | {"summary": "level_summary"},
    "competencies": {"key": "competency_key", "name": "competency_name"}
    | {"description": "competency_description", "order": "competency_order"},
    "expectations": {"level": "level_code", "competency": "competency_key"}
    | {"text": "expectation", "examples": "examples"},
}

LISTS = ("levels", "competencies", "expectations", "ratings")
YAML_REQUIRED = ("levels", "competencies", "expectations")
# Written by the export to say where a file came from; an import ignores them (the draft
# belongs to the ladder the import names, with the next free number).
YAML_INFO = ("ladder", "number", "status")
YAML_ITEM_FIELDS = {
    "levels": set(LevelSerializer().fields),
    "competencies": set(CompetencySerializer().fields),
    "expectations": set(ExpectationSerializer().fields),
    "ratings": set(RatingSerializer().fields),
}
YAML_HEADER = (
    "# A Levelhead rubric version. Importing it makes a new draft of the ladder the import\n"
    "# names; 'ladder', 'number' and 'status' only say where this file came from.\n"
)

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


# --- Export --------------------------------------------------------------------------


def version_to_yaml(version: RubricVersion) -> str:
    """Everything a version holds, ratings included (``version`` prefetched with contents)."""
    doc = {
        "ladder": version.ladder.slug,
        "number": version.number,
        "status": version.status,
        **version_as_data(version),
    }
    return YAML_HEADER + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)


def _needs_quote(text: str) -> bool:
    # A spreadsheet runs a cell starting with = + - @ (or tab / CR) as a formula. Quotes
    # already in front count too: the import strips one quote only where the export added
    # one, so "'=x" must leave as "''=x" for the round trip to stay exact.
    return text.lstrip("'").startswith(FORMULA_STARTS)


def _escape(text: str) -> str:
    return "'" + text if _needs_quote(text) else text


def _unescape(text: str) -> str:
    return text[1:] if text.startswith("'") and _needs_quote(text[1:]) else text


def version_to_csv(version: RubricVersion) -> str:
    """One row per level × competency (``version`` prefetched with contents). A cell with no
    expectation is a row with empty ``expectation`` and ``examples``."""
    levels = list(version.levels.all())
    competencies = list(version.competencies.all())
    by_cell = {(e.level_id, e.competency_id): e for e in version.expectations.all()}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for level in levels:
        for comp in competencies:
            cell = by_cell.get((level.pk, comp.pk))
            row = {
                "level_code": level.code,
                "level_title": level.title,
                "level_order": str(level.order),
                "competency_key": comp.key,
                "competency_name": comp.name,
                "expectation": cell.text if cell else "",
                "examples": cell.examples if cell else "",
                "level_summary": level.summary,
                "competency_description": comp.description,
                "competency_order": str(comp.order),
            }
            writer.writerow([_escape(row[c]) for c in CSV_COLUMNS])
    return out.getvalue()


@dataclass(frozen=True)
class Export:
    text: str
    content_type: str
    filename: str


def rubric_version_export(*, user: Viewer, version: RubricVersion, fmt: str, path: str) -> Export:
    """The file for a version the caller was allowed to fetch (through the version
    selector), with the read logged as the PDF's is. The page and the API both call this."""
    if fmt not in FORMATS:
        raise ValidationError({"format": ["Choose format=yaml or format=csv."]})
    text = version_to_yaml(version) if fmt == YAML else version_to_csv(version)
    access_log_record(user=user, action=f"rubric_{fmt}", target=version, path=path)
    return Export(
        text=text,
        content_type=CONTENT_TYPES[fmt],
        filename=f"{version.ladder.slug}-v{version.number}.{fmt}",
    )


# --- Errors --------------------------------------------------------------------------


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


# --- Reading a file ------------------------------------------------------------------


def _check_text(text: str) -> None:
    # PostgreSQL cannot store NUL and the YAML reader refuses it; say where it is.
    nul = text.find("\x00")
    if nul >= 0:
        line, column = _where(text, nul)
        problems = _Problems()
        problems.add(line, f"column {column}", "Null characters are not allowed.")
        problems.fail()


def read_upload(upload: UploadedFile) -> str:
    """The file's text: at most 2 MB, UTF-8 (a byte-order mark is fine), not empty."""
    buffer = bytearray()
    for chunk in upload.chunks():
        buffer += chunk
        if len(buffer) > MAX_IMPORT_BYTES:
            raise _file_error("The file is larger than 2 MB.")
    raw = bytes(buffer)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        problems = _Problems()
        problems.add(line, f"column {column}", "This is not UTF-8 text; save the file as UTF-8.")
        problems.fail()
    if not text.strip():
        raise _file_error("The file is empty.")
    _check_text(text)
    return text


def file_kind(upload: UploadedFile) -> str:
    name = (upload.name or "").lower()
    for ext, kind in EXTENSIONS.items():
        if name.endswith(ext):
            return kind
    raise _file_error("Upload a YAML file (.yaml or .yml) or a CSV file (.csv).")


# --- YAML ----------------------------------------------------------------------------


def _path_label(path: tuple[Any, ...]) -> str:
    """``("levels", 2, "code")`` → ``levels[2].code``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{_short(part)}" if out else _short(part)
    return out or "document"


def _yaml_locator(text: str) -> Callable[[tuple[Any, ...]], int]:
    """path → line of the deepest node of the path that exists. The data itself only ever
    comes from ``yaml.safe_load``; ``compose`` (with the safe loader, building no Python
    objects) is read here for the positions of nodes, which ``safe_load`` drops."""
    composed: list[yaml.Node | None] = []

    def root() -> yaml.Node | None:
        # Parsed a second time only when there is an error to place (it costs as much as
        # the load), and once however many errors there are.
        if not composed:
            try:
                composed.append(yaml.compose(text, Loader=yaml.SafeLoader))
            except (yaml.YAMLError, RecursionError, ValueError):
                composed.append(None)
        return composed[0]

    def line_of(path: tuple[Any, ...]) -> int:
        node = root()
        line = node.start_mark.line + 1 if node is not None else 1
        for part in path:
            # A key's own line (its value may start on the next one), an item's first line.
            found: tuple[yaml.Node, yaml.Node] | None = None
            if isinstance(node, yaml.MappingNode):
                found = next(
                    (
                        (k, v)
                        for k, v in node.value
                        if isinstance(k, yaml.ScalarNode) and k.value == str(part)
                    ),
                    None,
                )
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                if 0 <= part < len(node.value):
                    found = (node.value[part], node.value[part])
            if found is None:
                break
            line = found[0].start_mark.line + 1
            node = found[1]
        return line

    return line_of


def _yaml_load(text: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = exc.problem or exc.context or "This is not valid YAML."
        problems = _Problems()
        problems.add(line, f"column {column}", f"Not valid YAML: {message}.")
        problems.fail()
    except yaml.reader.ReaderError as exc:
        line, column = _where(text, exc.position)
        problems = _Problems()
        problems.add(line, f"column {column}", "This character is not allowed in YAML.")
        problems.fail()
    except (yaml.YAMLError, ValueError, OverflowError) as exc:
        # ValueError: a scalar that looks like a date but is not one (2024-13-45).
        raise _file_error(f"The file could not be read as YAML: {_short(exc, 200)}") from exc
    except RecursionError as exc:
        raise _file_error("The file nests too deeply to be a rubric.") from exc


def contents_from_yaml(text: str) -> dict[str, list[dict[str, Any]]]:
    """The lists of a YAML export, checked. ``ratings`` is absent when the file has none
    (the caller keeps the ladder's published scale)."""
    doc = _yaml_load(text)
    line_of = _yaml_locator(text)
    problems = _Problems()
    if doc is None:
        raise _file_error("The file holds no rubric (it is empty or only comments).")
    if not isinstance(doc, dict):
        problems.add(
            line_of(()),
            "document",
            "The file must be a mapping with the keys levels, competencies, expectations "
            "and ratings.",
        )
        problems.fail()
    known = (*LISTS, *YAML_INFO)
    for key in doc:
        if key not in known:
            problems.add(
                line_of((str(key),)),
                _short(key),
                f"Unknown key; the keys are {', '.join(known)}.",
            )
    for key in YAML_REQUIRED:
        if key not in doc:
            problems.add(1, key, "This key is missing.")
    for key in LISTS:
        items = doc.get(key)
        if not isinstance(items, list):
            continue  # the serializer says what is wrong with it
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                continue
            fields = YAML_ITEM_FIELDS[key]
            for field in item:
                if field not in fields:
                    problems.add(
                        line_of((key, i, str(field))),
                        _path_label((key, i, field)),
                        f"Unknown field; the fields are {', '.join(sorted(fields))}.",
                    )
    problems.raise_if_any()

    def locate(path: tuple[Any, ...]) -> tuple[int, str]:
        return line_of(path), _path_label(path)

    return _validated({k: doc[k] for k in LISTS if k in doc}, locate)


# --- CSV -----------------------------------------------------------------------------


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


# --- Import --------------------------------------------------------------------------


def rubric_version_import(
    *, actor: User, ladder: Ladder, upload: UploadedFile | None
) -> RubricVersion:
    """A new draft of ``ladder`` from a YAML or CSV file. Existing versions never change."""
    if not is_hr(actor):
        raise PermissionDenied("Only HR can import rubrics.")
    if upload is None:
        raise _file_error("Choose a YAML or CSV file to import.")
    kind = file_kind(upload)
    text = read_upload(upload)
    data = contents_from_yaml(text) if kind == YAML else contents_from_csv(text, ladder)
    if "ratings" not in data:
        data["ratings"] = published_ratings(ladder, {lv["code"] for lv in data["levels"]})
    name = _short(upload.name or "", 200)
    try:
        return services.rubric_version_create(
            actor=actor, ladder=ladder, change_summary=f"Imported from {name}.", **data
        )
    except DjangoValidationError as exc:
        raise ValidationError(as_serializer_error(exc)) from exc


def error_messages(detail: Any) -> list[str]:
    """An import's error answer as sentences for a page."""
    if not isinstance(detail, dict):
        return [message for _path, message in _walk_errors(detail)]
    out: list[str] = []
    for key, value in detail.items():
        if key == "rows" and isinstance(value, dict):
            for line, columns in value.items():
                for column, messages in columns.items():
                    out.extend(f"Line {line}, {column}: {m}" for m in messages)
        elif key == "file":
            out.extend(str(m) for _p, m in _walk_errors(value))
        else:
            out.extend(f"{key.capitalize()}: {m}" for _p, m in _walk_errors(value))
    return out
