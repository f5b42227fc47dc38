"""Reading an uploaded file: its kind from the name, its text (size, encoding, NULs)."""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile

from rubrics.exchange.errors import _file_error, _Problems, _where
from rubrics.exchange.formats import EXTENSIONS, MAX_IMPORT_BYTES


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
