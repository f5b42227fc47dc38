from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from django import forms
from django.utils import timezone

from outcomes.selectors.windows import (
    EARLIEST_DATE,
    LATEST_DATE,
    MAX_WINDOW_DAYS,
    Window,
    period_window,
)

PERIODS = [("month", "Month"), ("quarter", "Quarter"), ("custom", "Custom range")]
MAX_CSV_BYTES = 5 * 1024 * 1024
MAX_CSV_ROWS = 10_000


class PeriodForm(forms.Form):
    """The window a scorecard page shows: a month, a quarter or a custom range of days."""

    period = forms.ChoiceField(choices=PERIODS, required=False, initial="month")
    start = forms.DateField(
        required=False,
        label="From",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    end = forms.DateField(
        required=False,
        label="To",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        period = data.get("period") or "month"
        start, end = data.get("start"), data.get("end")
        today = timezone.localdate()
        for value in (start, end):
            if value is not None and not (EARLIEST_DATE <= value <= LATEST_DATE):
                raise forms.ValidationError(
                    f"Choose dates between {EARLIEST_DATE.year} and {LATEST_DATE.year}."
                )
        if period == "custom":
            if start is None or end is None:
                raise forms.ValidationError("A custom range needs a first and a last day.")
            if start > end:
                raise forms.ValidationError("The range cannot end before it starts.")
            if (end - start).days + 1 > MAX_WINDOW_DAYS:
                raise forms.ValidationError(f"Choose a range of at most {MAX_WINDOW_DAYS} days.")
            data["window"] = Window(start, end)
        else:
            if start is not None and start > today:
                raise forms.ValidationError("That period has not started yet.")
            data["window"] = period_window(period, start, today)
        data["period"] = period
        return data


def default_window(today: dt.date | None = None) -> Window:
    return period_window("month", None, today or timezone.localdate())


class CSVImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="UTF-8, a header row with the field names, at most 10,000 rows and 5 MB.",
    )
    dry_run = forms.BooleanField(
        required=False,
        initial=True,
        label="Dry run: check the file and count what would change, without writing",
    )

    def __init__(self, *args: Any, fields: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.expected = fields

    def clean_file(self) -> list[dict[str, str]]:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_CSV_BYTES:
            raise forms.ValidationError("The file is larger than 5 MB.")
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise forms.ValidationError("The file is not UTF-8 text.") from exc
        reader = csv.DictReader(io.StringIO(text, newline=""))
        header = [h.strip() for h in (reader.fieldnames or [])]
        unknown = [h for h in header if h not in self.expected]
        if not header or unknown:
            raise forms.ValidationError(
                f"Unexpected columns: {', '.join(unknown) or '(none)'}. "
                f"Use these columns: {', '.join(self.expected)}."
            )
        rows: list[dict[str, str]] = []
        try:
            for raw in reader:
                if len(rows) >= MAX_CSV_ROWS:
                    raise forms.ValidationError(f"The file has more than {MAX_CSV_ROWS:,} rows.")
                # Empty cells mean "not given", so optional fields take their defaults.
                row = {
                    (k or "").strip(): (v or "").strip()
                    for k, v in raw.items()
                    if k is not None and isinstance(v, str)
                }
                rows.append({k: v for k, v in row.items() if v != ""})
        except csv.Error as exc:
            raise forms.ValidationError(f"The file is not valid CSV: {exc}") from exc
        if not rows:
            raise forms.ValidationError("The file has a header but no rows.")
        return rows
