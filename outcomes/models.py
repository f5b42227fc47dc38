"""Team outcomes: deployments, incidents, SLO reports and health-survey aggregates.

Every row belongs to a team and to nothing else (SPEC §1.4): no model here may point at a
person, so no query can ever turn these figures into an individual scorecard. The
identities of SPEC §7 are unique constraints, which is what makes ingestion idempotent
even when two requests race.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from org.models import Team

# A health-survey aggregate needs at least this many respondents (privacy, SPEC §7).
MIN_SURVEY_RESPONDENTS = 5
SCORE_MIN = 1
SCORE_MAX = 5
HEALTH_FIELDS = (
    "psychological_safety",
    "workload",
    "clarity",
    "on_call_burden",
    "decision_latency",
)


class Deployment(models.Model):
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="deployments")
    external_id = models.CharField(max_length=200, help_text="The CI/CD system's id.")
    deployed_at = models.DateTimeField()
    committed_at = models.DateTimeField(
        null=True, blank=True, help_text="Time of the oldest commit in the deployment."
    )
    failed = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-deployed_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["team", "external_id"], name="deployment_identity"),
            models.CheckConstraint(
                condition=Q(committed_at__isnull=True) | Q(committed_at__lte=F("deployed_at")),
                name="deployment_commit_before_deploy",
            ),
        ]
        indexes = [
            # Scorecards: one team's deployments in a date range.
            models.Index(fields=["team", "deployed_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.external_id} ({self.deployed_at:%Y-%m-%d})"


class Incident(models.Model):
    class Severity(models.TextChoices):
        SEV1 = "sev1", "SEV1 (critical)"
        SEV2 = "sev2", "SEV2 (major)"
        SEV3 = "sev3", "SEV3 (minor)"
        SEV4 = "sev4", "SEV4 (low)"
        SEV5 = "sev5", "SEV5 (informational)"

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="incidents")
    external_id = models.CharField(max_length=200, help_text="The incident tool's id.")
    started_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True, help_text="Empty while open.")
    # The deployment's external_id, kept as text: the incident may arrive before the
    # deployment it names, and the change-failure rate matches the two at read time.
    caused_by_deployment = models.CharField(max_length=200, blank=True)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["team", "external_id"], name="incident_identity"),
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True) | Q(resolved_at__gte=F("started_at")),
                name="incident_resolved_after_start",
            ),
        ]
        indexes = [
            # Scorecards: one team's incidents started in a date range.
            models.Index(fields=["team", "started_at"]),
            # Change-failure rate: "is this deployment named by one of the team's incidents?"
            models.Index(fields=["team", "caused_by_deployment"]),
        ]

    def __str__(self) -> str:
        return f"{self.external_id} ({self.started_at:%Y-%m-%d})"


class SLOReport(models.Model):
    """A service's objective and what it attained over a reporting period (fractions)."""

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="slo_reports")
    service = models.CharField(max_length=120)
    period_start = models.DateField()
    period_end = models.DateField()
    objective = models.FloatField(help_text="e.g. 0.999")
    attained = models.FloatField(help_text="e.g. 0.9994")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period_start", "service", "id"]
        verbose_name = "SLO report"
        constraints = [
            models.UniqueConstraint(
                fields=["team", "service", "period_start", "period_end"], name="slo_report_identity"
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="slo_report_period_order"
            ),
            models.CheckConstraint(
                condition=Q(objective__gte=0, objective__lte=1, attained__gte=0, attained__lte=1),
                name="slo_report_fractions",
            ),
        ]
        indexes = [
            # Scorecards: one team's reports overlapping a date range.
            models.Index(fields=["team", "period_start"]),
        ]

    def __str__(self) -> str:
        return f"{self.service} {self.period_start}–{self.period_end}"


class HealthSurvey(models.Model):
    """Team means of a health survey (1–5). Psychological safety and clarity: higher is
    healthier. Workload, on-call burden and decision latency: higher means more strain."""

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="health_surveys")
    period_start = models.DateField()
    respondents = models.PositiveIntegerField()
    psychological_safety = models.FloatField()
    workload = models.FloatField()
    clarity = models.FloatField()
    on_call_burden = models.FloatField()
    decision_latency = models.FloatField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period_start", "id"]
        constraints = [
            models.UniqueConstraint(fields=["team", "period_start"], name="health_survey_identity"),
            # Privacy: an aggregate of fewer people could reveal individual answers.
            models.CheckConstraint(
                condition=Q(respondents__gte=MIN_SURVEY_RESPONDENTS),
                name="health_survey_min_respondents",
            ),
            models.CheckConstraint(
                condition=Q(
                    *(Q(**{f"{f}__gte": SCORE_MIN, f"{f}__lte": SCORE_MAX}) for f in HEALTH_FIELDS)
                ),
                name="health_survey_scores_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"Health survey {self.period_start}"


class IngestionToken(models.Model):
    """A credential for a CI/CD system or incident tool: it may write outcome data and
    nothing else. Only a hash of the secret is stored; the secret is shown once."""

    name = models.CharField(max_length=120, help_text="What posts with it, e.g. 'GitHub Actions'.")
    key_prefix = models.CharField(max_length=16, help_text="The first characters, to recognise it.")
    key_hash = models.CharField(max_length=64, unique=True)
    # The service account requests run as: no Person, unusable password, not staff.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ingestion_token"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
