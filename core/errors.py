"""Domain errors raised by services and understood by both the API and the HTML views.

Bad input raises Django's ``ValidationError`` (API: 400). A write that the current state
forbids raises a ``ConflictError`` subclass (API: 409 with ``{"detail", "code"}``).
"""

from __future__ import annotations

from typing import Any


class ConflictError(Exception):
    code = "conflict"

    def __init__(self, message: str, *, current: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.current = current


class ImmutableError(ConflictError):
    code = "immutable"


class InvalidStateError(ConflictError):
    code = "invalid_state"


class StaleVersionError(ConflictError):
    code = "stale_version"
