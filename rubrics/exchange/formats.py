"""The two file formats: their names, the YAML keys and CSV columns, and the quoting of a CSV
cell against spreadsheet formulas."""

from __future__ import annotations

from core.csv import FORMULA_STARTS
from rubrics.serializers import (
    CompetencySerializer,
    ExpectationSerializer,
    LevelSerializer,
    RatingSerializer,
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


def _needs_quote(text: str) -> bool:
    # A spreadsheet runs a cell starting with = + - @ (or tab / CR) as a formula. Quotes
    # already in front count too: the import strips one quote only where the export added
    # one, so "'=x" must leave as "''=x" for the round trip to stay exact.
    return text.lstrip("'").startswith(FORMULA_STARTS)


def _escape(text: str) -> str:
    return "'" + text if _needs_quote(text) else text


def _unescape(text: str) -> str:
    return text[1:] if text.startswith("'") and _needs_quote(text[1:]) else text
