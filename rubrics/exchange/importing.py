"""An import: a new draft from a file, and its error answer as sentences for a page."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.uploadedfile import UploadedFile
from rest_framework.exceptions import ValidationError
from rest_framework.serializers import as_serializer_error

from org.selectors import is_hr
from org.types import User
from rubrics import services
from rubrics.exchange.errors import _file_error, _short, _walk_errors
from rubrics.exchange.formats import YAML
from rubrics.exchange.from_csv import contents_from_csv, published_ratings
from rubrics.exchange.from_yaml import contents_from_yaml
from rubrics.exchange.reading import file_kind, read_upload
from rubrics.models import Ladder, RubricVersion


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
