"""Team outcome pages: the organisation table and one team's scorecard. Every signed-in
person may read both (SPEC §3); neither shows or accepts anything about a person."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from core.page_cache import cached_page
from org.selectors import team_list
from outcomes.charts import Sparkline, fmt_metric, sparkline
from outcomes.forms import PeriodForm, default_window
from outcomes.models import HEALTH_FIELDS
from outcomes.selectors.dora import DORA_REPORT, DORA_REPORT_YEAR, DORA_THRESHOLDS
from outcomes.selectors.events import team_for_slug
from outcomes.selectors.metrics import WindowMetrics
from outcomes.selectors.scorecard import Scorecard, team_scorecard_with_history, team_scorecards
from outcomes.selectors.trends import Trend, trend_between
from outcomes.selectors.windows import Window

# Organisation table columns: (sort key, heading, higher is better). Sorting puts teams
# without data last in either direction.
COLUMNS: list[tuple[str, str, bool]] = [
    ("deployment_frequency_per_day", "Deployments a week", True),
    ("lead_time_median_hours", "Lead time, days (median)", False),
    ("change_failure_rate", "Change failure rate", False),
    ("time_to_restore_median_hours", "Time to restore, hours (median)", False),
    ("slos_met_share", "SLOs met", True),
    ("health_index", "Health index (1–5)", True),
    ("incidents_per_week", "Incidents a week", False),
    ("out_of_hours_pages_per_week", "Out-of-hours pages a week", False),
]
SORT_KEYS = {"team", *(c[0] for c in COLUMNS)}
CLUSTER_OF = {
    "deployment_frequency_per_day": "deployment_frequency_cluster",
    "lead_time_median_hours": "lead_time_cluster",
    "change_failure_rate": "change_failure_rate_cluster",
    "time_to_restore_median_hours": "time_to_restore_cluster",
}
HEALTH_LABELS = {
    "psychological_safety": ("Psychological safety", True),
    "workload": ("Workload", False),
    "clarity": ("Clarity", True),
    "on_call_burden": ("On-call burden", False),
    "decision_latency": ("Decision latency", False),
}
DEFINITIONS = {
    "deployment_frequency_per_day": "Deployments in the window divided by its days.",
    "lead_time_median_hours": (
        "Median time from the oldest commit to its deployment, over deployments that "
        "report a commit time."
    ),
    "change_failure_rate": (
        "Share of the window's deployments that failed or that an incident names as its cause."
    ),
    "time_to_restore_median_hours": (
        "Median time from start to resolution of incidents that started in the window and "
        "are resolved."
    ),
    "incidents_per_week": "Incidents that started in the window, per week.",
    "out_of_hours_pages_per_week": (
        "Incidents that started before 08:00, after 18:00 or at a weekend, per week."
    ),
    "health_index": (
        "Mean of the five survey scores with workload, on-call burden and decision latency "
        "turned around, so that 5 is always healthiest."
    ),
}


def _window_from(request: HttpRequest) -> tuple[PeriodForm, Window, str, bool]:
    form = PeriodForm(request.GET or None)
    if not request.GET:
        return form, default_window(), "month", True
    if form.is_valid():
        return form, form.cleaned_data["window"], form.cleaned_data["period"], True
    return form, default_window(), "month", False


def _query(**params: Any) -> str:
    return "?" + urlencode({k: v for k, v in params.items() if v not in (None, "")})


def _period_params(period: str, window: Window) -> dict[str, str]:
    if period == "custom":
        return {"period": period, "start": window.start.isoformat(), "end": window.end.isoformat()}
    return {"period": period, "start": window.start.isoformat()}


def _neighbours(period: str, window: Window) -> tuple[dict[str, str], dict[str, str] | None]:
    """Links to the period before and after (none after a period that reaches today)."""
    one_day = dt.timedelta(days=1)
    if period == "custom":
        before = window.previous()
        after = Window(window.end + one_day, window.end + window.days * one_day)
    else:
        before = Window(window.start - one_day, window.start - one_day)
        after = Window(window.end + one_day, window.end + one_day)
    later = _period_params(period, after) if after.start <= timezone.localdate() else None
    return _period_params(period, before), later


def _sort_value(card: Scorecard, key: str) -> float | None:
    return card.current.value(key)


@login_required
@require_GET
@cached_page
def organisation(request: HttpRequest) -> HttpResponse:
    """Every team's scorecard for one window, in one sortable table (server-side sort)."""
    form, window, period, valid = _window_from(request)
    teams = list(team_list(user=request.user))
    cards = team_scorecards(teams=teams, start=window.start, end=window.end)
    with_data = [c for c in cards if c.current.has_data or c.previous.has_data]
    without_data = [c for c in cards if not (c.current.has_data or c.previous.has_data)]

    sort = request.GET.get("sort", "team")
    descending = sort.startswith("-")
    key = sort.removeprefix("-")
    if key not in SORT_KEYS:
        key, descending = "team", False
    if key == "team":
        with_data.sort(key=lambda c: c.team_name.lower(), reverse=descending)
    else:
        known = [c for c in with_data if _sort_value(c, key) is not None]
        unknown = [c for c in with_data if _sort_value(c, key) is None]
        known.sort(key=lambda c: _sort_value(c, key) or 0.0, reverse=descending)
        with_data = known + sorted(unknown, key=lambda c: c.team_name.lower())

    params = _period_params(period, window)
    columns = []
    for col_key, label, higher_is_better in [("team", "Team", True), *COLUMNS]:
        active = col_key == key
        # First click sorts best-first; a second click turns the order around.
        if active:
            next_sort = col_key if descending else f"-{col_key}"
        elif col_key == "team":
            next_sort = "team"
        else:
            next_sort = f"-{col_key}" if higher_is_better else col_key
        columns.append(
            {
                "key": col_key,
                "label": label,
                "href": _query(**params, sort=next_sort),
                "aria_sort": ("descending" if descending else "ascending") if active else None,
            }
        )
    rows = [
        {
            "card": c,
            "cells": [
                {
                    "key": col_key,
                    "text": _cell_text(c.current, col_key),
                    "cluster": getattr(c.current, CLUSTER_OF[col_key])
                    if col_key in CLUSTER_OF
                    else None,
                }
                for col_key, _, _ in COLUMNS
            ],
        }
        for c in with_data
    ]
    return render(
        request,
        "outcomes/organisation.html",
        {
            "form": form,
            "window": window,
            "period": period,
            "columns": columns,
            "rows": rows,
            "without_data": without_data,
            "sort_label": next(
                (label for k, label, _ in [("team", "Team", True), *COLUMNS] if k == key), "Team"
            ),
            "descending": descending,
            "sort": sort if key != "team" or descending else "",
            "dora_report": DORA_REPORT,
        },
        status=200 if valid else 400,
    )


# One unit per column, so that a column reads at a glance (the tiles adapt their units).
TABLE_FORMATS = {
    "deployment_frequency_per_day": lambda v: f"{v * 7:.1f}",
    "lead_time_median_hours": lambda v: f"{v / 24:.1f}",
    "time_to_restore_median_hours": lambda v: f"{v:.1f}",
    "incidents_per_week": lambda v: f"{v:.1f}",
    "out_of_hours_pages_per_week": lambda v: f"{v:.1f}",
    "health_index": lambda v: f"{v:.2f}",
}


def _cell_text(m: WindowMetrics, key: str) -> str:
    if key == "slos_met_share":
        return f"{m.slos_met} of {len(m.slos)}" if m.slos else "no data"
    value = m.value(key)
    if value is not None and key in TABLE_FORMATS:
        return TABLE_FORMATS[key](value)
    return fmt_metric(key, value)


@dataclass(frozen=True)
class Tile:
    key: str
    title: str
    value: str
    cluster: str | None
    trend: Trend
    chart: Sparkline
    definition: str


def _tile(
    key: str, title: str, card: Scorecard, series: list[WindowMetrics], cluster: str | None
) -> Tile:
    return Tile(
        key=key,
        title=title,
        value=fmt_metric(key, card.current.value(key)),
        cluster=cluster,
        trend=card.trends[key],
        chart=sparkline(
            key=key,
            title=title,
            series=series,
            value=lambda m: m.value(key),
            fmt=lambda v: fmt_metric(key, v),
            floor=1.0 if key == "health_index" else 0.0,
        ),
        definition=DEFINITIONS[key],
    )


@login_required
@require_GET
@cached_page
def team_page(request: HttpRequest, slug: str) -> HttpResponse:
    """One team's scorecard for a window, trends, twelve-window sparklines and flags."""
    team = team_for_slug(user=request.user, slug=slug)
    form, window, period, valid = _window_from(request)
    card, series = team_scorecard_with_history(team=team, start=window.start, end=window.end)
    cur = card.current
    dora = [
        _tile(key, title, card, series, getattr(cur, CLUSTER_OF[key]))
        for key, title in [
            ("deployment_frequency_per_day", "Deployment frequency"),
            ("lead_time_median_hours", "Lead time for changes"),
            ("change_failure_rate", "Change failure rate"),
            ("time_to_restore_median_hours", "Time to restore service"),
        ]
    ]
    load = [
        _tile("incidents_per_week", "Incidents a week", card, series, None),
        _tile("out_of_hours_pages_per_week", "Out-of-hours pages a week", card, series, None),
        _tile("health_index", "Health index", card, series, None),
    ]
    health_rows = []
    for field in HEALTH_FIELDS:
        label, higher_is_better = HEALTH_LABELS[field]
        now = getattr(cur.health, field) if cur.health else None
        before = getattr(card.previous.health, field) if card.previous.health else None
        trend = trend_between(
            key=field, label=label, current=now, previous=before, higher_is_better=higher_is_better
        )
        health_rows.append({"label": label, "higher_is_better": higher_is_better, "trend": trend})
    previous_params, next_params = _neighbours(period, window)
    return render(
        request,
        "outcomes/team_scorecard.html",
        {
            "team": team,
            "form": form,
            "window": window,
            "period": period,
            "scorecard": card,
            "dora_tiles": dora,
            "load_tiles": load,
            "health_rows": health_rows,
            "dora_thresholds": DORA_THRESHOLDS,
            "dora_report": DORA_REPORT,
            "dora_report_year": DORA_REPORT_YEAR,
            "previous_href": _query(**previous_params),
            "next_href": _query(**next_params) if next_params else None,
            "periods": len(series),
        },
        status=200 if valid else 400,
    )
