"""Tenure bands (SPEC §10.5): how long someone had been at the company, as reviews record
it and the fairness audit groups it."""

from __future__ import annotations

import datetime

# In order, shortest first: what the audit lists and the demo data uses.
BANDS = ("<1y", "1-2y", "2-5y", "5y+")


def _years_between(start: datetime.date, on: datetime.date) -> int:
    """Whole years from ``start`` to ``on`` (a birthday-style count)."""
    years = on.year - start.year
    if (on.month, on.day) < (start.month, start.day):
        years -= 1
    return years


def tenure_band(start_date: datetime.date | None, *, on: datetime.date) -> str:
    """The band of someone who started on ``start_date``, on the day ``on``; blank when
    the start date is unknown or after ``on``."""
    if start_date is None or start_date > on:
        return ""
    years = _years_between(start_date, on)
    if years < 1:
        return BANDS[0]
    if years < 2:
        return BANDS[1]
    if years < 5:
        return BANDS[2]
    return BANDS[3]
