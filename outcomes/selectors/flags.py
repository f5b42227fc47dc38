"""The stories a scorecard tells: patterns across figures worth a conversation."""

from __future__ import annotations

from dataclasses import dataclass

from outcomes.selectors.metrics import WindowMetrics

# Thresholds for the stories the scorecard tells; each compares the window with the one
# before it. They are deliberately coarse: flags start a conversation, they judge nothing.
FLAG_INCIDENTS_RISING = 0.10  # incidents per week up by at least 10%…
FLAG_HEALTH_FALLING = 0.20  # …while the health index falls by at least 0.2 points
FLAG_LEAD_TIME_RISING = 0.20  # lead time up by at least 20%…
FLAG_INCIDENTS_STABLE = 0.10  # …while incidents per week move by less than 10%…
FLAG_INCIDENTS_STABLE_ABSOLUTE = 0.5  # …or by less than half an incident a week
FLAG_STRAIN_RISING = 0.30  # workload or on-call burden up by at least 0.3 points


@dataclass(frozen=True)
class Flag:
    code: str
    title: str
    message: str


def _rose(cur: float | None, prev: float | None, relative: float) -> bool:
    return cur is not None and prev is not None and cur > prev and cur - prev >= relative * prev


def flags_for(current: WindowMetrics, previous: WindowMetrics) -> list[Flag]:
    flags: list[Flag] = []
    inc, inc_prev = current.incidents_per_week, previous.incidents_per_week
    health, health_prev = current.health_index, previous.health_index
    if (
        _rose(inc, inc_prev, FLAG_INCIDENTS_RISING)
        and inc_prev
        and health is not None
        and health_prev is not None
        and health_prev - health >= FLAG_HEALTH_FALLING
    ):
        flags.append(
            Flag(
                "incidents_up_health_down",
                "Incident load is rising while team health falls",
                "More incidents than in the previous window and a lower health score: the "
                "team may be heading for burnout. Look at on-call load, staffing and the "
                "causes behind the incidents before asking for more delivery.",
            )
        )
    lead, lead_prev = current.lead_time_median_hours, previous.lead_time_median_hours
    if _rose(lead, lead_prev, FLAG_LEAD_TIME_RISING) and inc is not None and inc_prev is not None:
        change = abs(inc - inc_prev)
        if change < FLAG_INCIDENTS_STABLE_ABSOLUTE or change < FLAG_INCIDENTS_STABLE * inc_prev:
            flags.append(
                Flag(
                    "lead_time_up_incidents_stable",
                    "Lead time is creeping up while incident load is stable",
                    "Changes take longer to reach production although firefighting has not "
                    "grown. That usually points at batch size or slow verification: invest "
                    "in smaller changes and in test automation.",
                )
            )
    strain_up = any(
        current.health is not None
        and previous.health is not None
        and getattr(current.health, f) - getattr(previous.health, f) >= FLAG_STRAIN_RISING
        for f in ("workload", "on_call_burden")
    )
    if current.slos and all(s.met for s in current.slos) and strain_up:
        flags.append(
            Flag(
                "slos_holding_strain_rising",
                "SLOs are holding while workload strain rises",
                "Every service met its objective, but the team reports a heavier workload or "
                "on-call burden than before. Reliability may be held up by extra effort that "
                "cannot last.",
            )
        )
    spent = [s.service for s in current.slos if (s.error_budget_remaining or 0) < 0]
    if spent:
        flags.append(
            Flag(
                "error_budget_spent",
                "Error budget overspent",
                f"{', '.join(spent)} used more than its error budget in this window: "
                "reliability work should come before new features there.",
            )
        )
    return flags
