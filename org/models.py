"""Organisation data: teams, people, the reporting chain and self-identified demographics."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from simple_history.models import HistoricalRecords
from tree_queries.fields import TreeNodeForeignKey
from tree_queries.models import TreeNode
from tree_queries.query import TreeQuerySet

# Always accepted for every demographic dimension, whatever its configured values.
PREFER_NOT_TO_SAY = "prefer not to say"


class User(AbstractUser):
    """The login account. Names, team and level live on ``Person``."""


class Team(TreeNode):
    """A team in the organisation tree (``parent`` is the enclosing team)."""

    parent = TreeNodeForeignKey(
        "self",
        blank=True,
        null=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name="parent team",
    )
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    description = models.TextField(blank=True, max_length=2000)

    objects = TreeQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Person(TreeNode):
    """Someone in the organisation.

    django-tree-queries requires the tree's foreign key to be called ``parent``; for a
    person that is their manager, so the API and the pages call it ``manager``.
    """

    parent = TreeNodeForeignKey(
        "self",
        blank=True,
        null=True,
        on_delete=models.PROTECT,
        related_name="reports",
        verbose_name="manager",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="person"
    )
    full_name = models.CharField(max_length=200)
    email = models.EmailField(max_length=254, blank=True)
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="members"
    )
    function = models.CharField(
        max_length=100, blank=True, help_text="e.g. Backend, Frontend, Mobile, SRE, Data"
    )
    ladder = models.ForeignKey(
        "rubrics.Ladder", on_delete=models.PROTECT, null=True, blank=True, related_name="people"
    )
    level = models.CharField(max_length=20, blank=True, help_text="Level code, e.g. L5")
    is_active = models.BooleanField(default=True)
    # From the HR system (SPEC §10.5), all optional: the HR system's own id, the first
    # day at the company (reviews record the tenure band it gives) and where they work.
    employee_id = models.CharField(max_length=64, blank=True)
    start_date = models.DateField(null=True, blank=True)
    location = models.CharField(max_length=120, blank=True, help_text="e.g. Berlin, Remote (EU)")

    objects = TreeQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["full_name", "id"]
        verbose_name_plural = "people"
        indexes = [
            # People lists filter by team and by ladder + level (rubric pages, audits).
            models.Index(fields=["team", "full_name"]),
            models.Index(fields=["ladder", "level"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["employee_id"],
                condition=~models.Q(employee_id=""),
                name="one_person_per_employee_id",
            )
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def manager(self) -> Person | None:
        return self.parent

    @property
    def manager_id(self) -> int | None:
        return self.parent_id


class DemographicDimension(models.Model):
    """A self-identification question HR configures (gender, ethnicity, age band…)."""

    key = models.SlugField(max_length=50, unique=True)
    label = models.CharField(max_length=120)
    values = models.JSONField(default=list, help_text="Allowed answers, in display order.")
    order = models.PositiveIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "key"]

    def __str__(self) -> str:
        return self.label

    @property
    def allowed_values(self) -> list[str]:
        values = [str(v) for v in self.values]
        return values if PREFER_NOT_TO_SAY in values else [*values, PREFER_NOT_TO_SAY]


class DemographicAnswer(models.Model):
    """One person's self-identified answer for one dimension; absence means undisclosed."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="demographics")
    dimension = models.ForeignKey(
        DemographicDimension, on_delete=models.CASCADE, related_name="answers"
    )
    value = models.CharField(max_length=120)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "dimension"], name="one_answer_per_dimension")
        ]

    def __str__(self) -> str:
        return f"{self.person_id}:{self.dimension_id}"


class Activity(models.Model):
    """Append-only record of domain events people read: publishing, role changes, …"""

    class Action(models.TextChoices):
        PERSON_CREATED = "person_created", "Person created"
        PERSON_UPDATED = "person_updated", "Person updated"
        TEAM_CREATED = "team_created", "Team created"
        TEAM_UPDATED = "team_updated", "Team updated"
        DEMOGRAPHICS_UPDATED = "demographics_updated", "Demographics updated"
        DIMENSION_SAVED = "dimension_saved", "Demographic dimension saved"
        RUBRIC_DRAFT_CREATED = "rubric_draft_created", "Rubric draft created"
        RUBRIC_DRAFT_UPDATED = "rubric_draft_updated", "Rubric draft updated"
        RUBRIC_DRAFT_DELETED = "rubric_draft_deleted", "Rubric draft deleted"
        RUBRIC_PUBLISHED = "rubric_published", "Rubric version published"
        RUBRIC_RETIRED = "rubric_retired", "Rubric version retired"
        LADDER_SAVED = "ladder_saved", "Ladder saved"
        CYCLE_CREATED = "cycle_created", "Review cycle created"
        CYCLE_TRANSITION = "cycle_transition", "Review cycle moved"
        REVIEW_CREATED = "review_created", "Review started"
        REVIEW_SUBMITTED = "review_submitted", "Review submitted"
        CYCLE_UPDATED = "cycle_updated", "Review cycle changed"
        EVIDENCE_CREATED = "evidence_created", "Evidence added"
        REVIEW_UPDATED = "review_updated", "Review draft saved"
        REVIEW_ACKNOWLEDGED = "review_acknowledged", "Review acknowledged"
        FEEDBACK_REQUESTED = "feedback_requested", "Feedback requested"
        FEEDBACK_ANSWERED = "feedback_answered", "Feedback given"
        FEEDBACK_DECLINED = "feedback_declined", "Feedback request declined"
        CHECK_IN_CREATED = "check_in_created", "Check-in recorded"
        CHECK_IN_PROMOTED = "check_in_promoted", "Check-in item promoted to evidence"
        INGESTION_TOKEN_CREATED = "ingestion_token_created", "Ingestion token created"
        INGESTION_TOKEN_REVOKED = "ingestion_token_revoked", "Ingestion token revoked"
        OUTCOMES_CSV_IMPORTED = "outcomes_csv_imported", "Outcome data imported from CSV"
        PEOPLE_IMPORTED = "people_imported", "People imported"
        CALIBRATION_SESSION_CREATED = "calibration_session_created", "Calibration session created"
        CALIBRATION_SESSION_OPENED = "calibration_session_opened", "Calibration session opened"
        CALIBRATION_CASE_DECIDED = "calibration_case_decided", "Calibration case decided"
        CALIBRATION_SESSION_FINALIZED = (
            "calibration_session_finalized",
            "Calibration session finalized",
        )
        SELF_ASSESSMENT_CREATED = "self_assessment_created", "Self-assessment started"
        SELF_ASSESSMENT_UPDATED = "self_assessment_updated", "Self-assessment saved"
        SELF_ASSESSMENT_SUBMITTED = "self_assessment_submitted", "Self-assessment submitted"
        CYCLE_SELF_ASSESSMENT_SETTINGS = (
            "cycle_self_assessment_settings",
            "Cycle self-assessment settings changed",
        )
        EVIDENCE_TAGGED = "evidence_tagged", "Evidence competencies tagged"
        APPEAL_OPENED = "appeal_opened", "Appeal opened"
        APPEAL_RESOLVED = "appeal_resolved", "Appeal resolved"
        UPWARD_ROUND_CREATED = "upward_round_created", "Upward feedback asked"
        UPWARD_ROUND_CLOSED = "upward_round_closed", "Upward feedback round closed"

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    action = models.CharField(max_length=40, choices=Action.choices)
    target_type = models.CharField(max_length=60)
    target_id = models.CharField(max_length=40)
    old = models.JSONField(null=True, blank=True)
    new = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "activity"

    def __str__(self) -> str:
        return f"{self.action} {self.target_type}#{self.target_id}"


class AccessLog(models.Model):
    """Append-only who-viewed-what for reports, exports and PDFs."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    action = models.CharField(max_length=40)  # e.g. "rubric_pdf", "audit_report_view"
    target_type = models.CharField(max_length=60)
    target_id = models.CharField(max_length=40)
    path = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.action} {self.target_type}#{self.target_id}"


class SignIn(models.Model):
    """A session a login opened, recorded at sign-in (org.access): what ends at once when
    the login is deactivated, whichever way that happens (SPEC §10.3)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    session_key = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id} at {self.created_at:%Y-%m-%d %H:%M}"


class LevelChange(models.Model):
    """A step in someone's level history (SPEC §10.6): from which level to which, from
    when, who recorded it and why. A promotion approved in calibration is recorded once
    (``source_case_id``, the calibration case that approved it: org sits below
    calibration, so the case is named by id); the level itself changes on
    ``effective_on`` (``applied_at`` says when it did)."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="level_changes")
    from_level = models.CharField(max_length=20, blank=True)
    to_level = models.CharField(max_length=20)
    effective_on = models.DateField()
    reason = models.CharField(max_length=300)
    source_case_id = models.PositiveBigIntegerField(null=True, blank=True, unique=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-effective_on", "-id"]
        indexes = [models.Index(fields=["applied_at", "effective_on"])]

    def __str__(self) -> str:
        return f"{self.person}: {self.from_level or '—'} → {self.to_level} from {self.effective_on}"


class CompanyIdentity(models.Model):
    """Who a login is at the company's identity provider (SPEC §10.1): the provider's
    ``sub`` for it, found by verified email at the first company sign-in and matched by
    ``sub`` ever after (an email address can change; ``sub`` does not)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="company_identities"
    )
    issuer = models.URLField(max_length=300)
    subject = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)
    last_sign_in = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="one_login_per_subject")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} at {self.issuer}"
