"""The DORA software delivery performance clusters a team's figures are placed in."""

from __future__ import annotations

from dataclasses import dataclass

# Source: Accelerate State of DevOps Report 2023 (DORA, Google Cloud), the four software
# delivery performance clusters (elite, high, medium, low). The report gives each cluster
# as a typical range; we turn the ranges into cut-offs, described below in our own words.
# Two readings of ours, written down so nobody has to guess:
# - In that report the low cluster's deployment frequency and lead time overlap the medium
#   cluster's ranges; we call anything slower than the medium range "low".
# - The report lists one change-failure percentage per cluster; we use each as the upper
#   limit of its cluster.
# - The report's "failed deployment recovery time" is what SPEC §7 calls time to restore.
DORA_REPORT = "Accelerate State of DevOps Report 2023"
DORA_REPORT_YEAR = 2023
CLUSTERS = ("elite", "high", "medium", "low")


@dataclass(frozen=True)
class Band:
    cluster: str
    op: str  # how the value compares with the limit: ">=", "<" or "<="
    limit: float
    text: str

    def holds(self, value: float) -> bool:
        if self.op == ">=":
            return value >= self.limit
        if self.op == "<":
            return value < self.limit
        return value <= self.limit


@dataclass(frozen=True)
class DoraMetric:
    key: str
    label: str
    unit: str
    higher_is_better: bool
    bands: tuple[Band, ...]  # elite, high, medium; anything else is low
    low_text: str

    def cluster(self, value: float | None) -> str | None:
        if value is None:
            return None
        return next((b.cluster for b in self.bands if b.holds(value)), "low")

    @property
    def texts(self) -> list[tuple[str, str]]:
        return [(b.cluster, b.text) for b in self.bands] + [("low", self.low_text)]


DORA_THRESHOLDS: tuple[DoraMetric, ...] = (
    DoraMetric(
        key="deployment_frequency",
        label="Deployment frequency",
        unit="deployments per day",
        higher_is_better=True,
        bands=(
            Band("elite", ">=", 1.0, "On demand: one or more deployments a day on average"),
            Band("high", ">=", 1 / 7, "At least weekly, but less than daily"),
            Band("medium", ">=", 1 / 30, "At least monthly (every 30 days), but less than weekly"),
        ),
        low_text="Less often than once a month",
    ),
    DoraMetric(
        key="lead_time",
        label="Lead time for changes",
        unit="hours (median)",
        higher_is_better=False,
        bands=(
            Band("elite", "<", 24, "Under a day"),
            Band("high", "<=", 24 * 7, "From a day up to a week"),
            Band("medium", "<=", 24 * 30, "From a week up to a month (30 days)"),
        ),
        low_text="More than a month",
    ),
    DoraMetric(
        key="change_failure_rate",
        label="Change failure rate",
        unit="share of deployments",
        higher_is_better=False,
        bands=(
            Band("elite", "<=", 0.05, "5% or less"),
            Band("high", "<=", 0.10, "Above 5%, up to 10%"),
            Band("medium", "<=", 0.15, "Above 10%, up to 15%"),
        ),
        low_text="Above 15%",
    ),
    DoraMetric(
        key="time_to_restore",
        label="Time to restore service",
        unit="hours (median)",
        higher_is_better=False,
        bands=(
            Band("elite", "<", 1, "Under an hour"),
            Band("high", "<", 24, "From an hour up to a day"),
            Band("medium", "<=", 24 * 7, "From a day up to a week"),
        ),
        low_text="More than a week",
    ),
)
DORA = {m.key: m for m in DORA_THRESHOLDS}
