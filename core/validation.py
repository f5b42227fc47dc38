"""Input rules every interface shares: plausible dates and text without control characters.

One home for each rule. The validators are plain Django validators, so the same callable
sits on a DRF serializer field (API: 400 ``{"field": ["message"]}``), on a Django form field
(the form shows the error) and is called by services through ``check`` (a rule the service
must hold whoever calls it). They live on serializer and form fields, not model fields, so
adding one needs no migration.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

# Cycles, evidence and check-ins are about work people did at this company: nothing before
# the Unix epoch or beyond this century is a real date, and date arithmetic near the ends of
# Python's range (0001, 9999) overflows in charts and scorecards.
EARLIEST_DATE = datetime.date(1970, 1, 1)
LATEST_DATE = datetime.date(2100, 12, 31)
# Evidence records what happened; a day of slack covers time zones ahead of the server's.
FUTURE_TOLERANCE = datetime.timedelta(days=1)

# C0 controls, DEL and C1 controls. A name or title is one line; long text may keep tabs
# and line breaks (``\r`` comes with ``\n`` from browsers' text areas).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_CONTROL_IN_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def plausible_date(value: datetime.date) -> None:
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValidationError(
            "Enter a date between %(earliest)s and %(latest)s.",
            code="date_out_of_range",
            params={"earliest": EARLIEST_DATE.isoformat(), "latest": LATEST_DATE.isoformat()},
        )


def past_date(value: datetime.date) -> None:
    """A plausible date that is not in the future (with a day of slack)."""
    plausible_date(value)
    if value > timezone.localdate() + FUTURE_TOLERANCE:
        raise ValidationError("This date is in the future.", code="date_in_future")


def single_line(value: str) -> None:
    """Names and titles: no control character at all, line breaks included."""
    if _CONTROL.search(value):
        raise ValidationError(
            "Remove the control characters (line breaks included) from this text.",
            code="control_characters",
        )


def long_text(value: str) -> None:
    """Descriptions and narratives: tabs and line breaks only."""
    if _CONTROL_IN_TEXT.search(value):
        raise ValidationError(
            "Remove the control characters from this text (tabs and line breaks are fine).",
            code="control_characters",
        )


def check(field: str, value: Any, *validators: Callable[[Any], None]) -> None:
    """Run validators for a service: failures are raised keyed by ``field``."""
    if value is None:
        return
    try:
        for validate in validators:
            validate(value)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from exc
