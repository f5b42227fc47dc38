"""A rubric version as a YAML or CSV file."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import yaml
from rest_framework.exceptions import ValidationError

from org.services import access_log_record
from org.types import Viewer
from rubrics.exchange.formats import (
    CONTENT_TYPES,
    CSV_COLUMNS,
    FORMATS,
    YAML,
    YAML_HEADER,
    _escape,
)
from rubrics.models import RubricVersion
from rubrics.selectors import version_as_data


def version_to_yaml(version: RubricVersion) -> str:
    """Everything a version holds, ratings included (``version`` prefetched with contents)."""
    doc = {
        "ladder": version.ladder.slug,
        "number": version.number,
        "status": version.status,
        **version_as_data(version),
    }
    return YAML_HEADER + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)


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
