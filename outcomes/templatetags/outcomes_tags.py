from __future__ import annotations

from typing import Any

from django import template

from outcomes.charts import fmt_metric, fmt_percent, fmt_score

register = template.Library()


@register.filter
def metric(value: Any, key: str) -> str:
    """``{{ value|metric:"lead_time_median_hours" }}`` → "5.2 h" (or "no data")."""
    return fmt_metric(key, None if value is None else float(value))


@register.filter
def percent(value: Any) -> str:
    return "no data" if value is None else fmt_percent(float(value))


@register.filter
def score(value: Any) -> str:
    return "no data" if value is None else fmt_score(float(value))


@register.filter
def cluster_label(cluster: str | None) -> str:
    return "No data" if not cluster else cluster.capitalize()


@register.filter
def slo_percent(value: Any) -> str:
    """SLO fractions need their nines: 0.9995 → "99.95%", 0.99 → "99%"."""
    if value is None:
        return "no data"
    text = f"{float(value) * 100:.3f}".rstrip("0").rstrip(".")
    return f"{text}%"
