"""The windows of whole days that outcome figures are computed over."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

MAX_WINDOW_DAYS = 3 * 366  # longer windows answer 400
EARLIEST_DATE = dt.date(1970, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)
SERIES_PERIODS = 12  # sparklines: the window and the eleven equal windows before it


@dataclass(frozen=True)
class Window:
    """Whole days, both ends included, in the organisation's time zone (TIME_ZONE)."""

    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def weeks(self) -> float:
        return self.days / 7

    def previous(self) -> Window:
        """The window of equal length that ends the day before this one starts."""
        return Window(self.start - dt.timedelta(days=self.days), self.start - dt.timedelta(days=1))

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        tz = timezone.get_current_timezone()
        lo = dt.datetime.combine(self.start, dt.time.min, tzinfo=tz)
        hi = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        return lo, hi

    def overlap_days(self, start: dt.date, end: dt.date) -> int:
        return max(0, (min(end, self.end) - max(start, self.start)).days + 1)


def windows_ending_with(window: Window, count: int) -> list[Window]:
    """``count`` consecutive windows of equal length, oldest first, the last being ``window``."""
    out = [window]
    while len(out) < count:
        out.append(out[-1].previous())
    return out[::-1]


def month_window(anchor: dt.date) -> Window:
    """The calendar month that contains ``anchor``."""
    start = anchor.replace(day=1)
    following = (start + dt.timedelta(days=32)).replace(day=1)
    return Window(start, following - dt.timedelta(days=1))


def quarter_window(anchor: dt.date) -> Window:
    """The calendar quarter that contains ``anchor``."""
    first_month = 3 * ((anchor.month - 1) // 3) + 1
    start = anchor.replace(month=first_month, day=1)
    following = (start + dt.timedelta(days=95)).replace(day=1)
    return Window(start, following - dt.timedelta(days=1))


def period_window(period: str, anchor: dt.date | None, today: dt.date) -> Window:
    """A month or quarter window. Without an anchor: the latest complete one (whole
    periods compare fairly). A period that is still running ends today, so per-day and
    per-week figures are not diluted by days that have not happened yet."""
    make = quarter_window if period == "quarter" else month_window
    if anchor is None:
        anchor = make(today).start - dt.timedelta(days=1)
    window = make(anchor)
    return Window(window.start, min(window.end, today)) if window.end > today else window
