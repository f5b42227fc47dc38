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

from rubrics.exchange.export import rubric_version_export, version_to_yaml
from rubrics.exchange.formats import CSV, CSV_COLUMNS, FORMATS, MAX_IMPORT_BYTES, YAML
from rubrics.exchange.importing import error_messages, rubric_version_import

__all__ = [
    "CSV",
    "CSV_COLUMNS",
    "FORMATS",
    "MAX_IMPORT_BYTES",
    "YAML",
    "error_messages",
    "rubric_version_export",
    "rubric_version_import",
    "version_to_yaml",
]
