"""Calibration: sessions that compare each proposed outcome with the rubric and the
evidence, and record every change with its reason.

There is deliberately no field, setting or model here for a quota, curve, target share or
rank of people (SPEC §1.1): a session where every case is rated the same finalizes like
any other.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from core.background_documents import BackgroundDocument
from core.errors import ImmutableError


class CalibrationSession(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        OPEN = "open", "Open"
        FINALIZED = "finalized", "Finalized"

    cycle = models.ForeignKey(
        "reviews.ReviewCycle", on_delete=models.PROTECT, related_name="calibration_sessions"
    )
    name = models.CharField(max_length=120)
    facilitator = models.ForeignKey(
        "org.Person", on_delete=models.PROTECT, related_name="facilitated_sessions"
    )
    committee = models.ManyToManyField("org.Person", related_name="calibration_sessions")
    scope_teams = models.ManyToManyField("org.Team", blank=True, related_name="+")
    scope_levels = models.JSONField(default=list, blank=True)
    scheduled_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    finalized_at = models.DateTimeField(null=True, blank=True)
    finalized_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


class CalibrationCase(models.Model):
    class Kind(models.TextChoices):
        RATING = "rating", "Rating"
        PROMOTION = "promotion", "Promotion"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DECIDED = "decided", "Decided"

    class PromotionDecision(models.TextChoices):
        APPROVED = "approved", "Approved"
        NOT_APPROVED = "not_approved", "Not approved"

    session = models.ForeignKey(CalibrationSession, on_delete=models.PROTECT, related_name="cases")
    review = models.ForeignKey(
        "reviews.Review", on_delete=models.PROTECT, related_name="calibration_cases"
    )
    subject = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.RATING)
    # Snapshot at opening: the level the case is judged at and what the author proposed.
    level = models.CharField(max_length=20)
    proposed_rating = models.CharField(max_length=60, blank=True)
    calibrated_rating = models.CharField(max_length=60, blank=True)
    target_level = models.CharField(max_length=20, blank=True)
    promotion_decision = models.CharField(
        max_length=14, choices=PromotionDecision.choices, blank=True
    )
    rationale = models.TextField(blank=True, max_length=8000)
    rubric_refs = models.JSONField(default=list, blank=True)
    evidence = models.ManyToManyField("reviews.Evidence", blank=True, related_name="+")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    version = models.PositiveIntegerField(default=1)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # The board groups by level, then team, then name: never a ranking of people.
        ordering = ["session_id", "level", "subject__team__name", "subject__full_name", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "review", "kind"], name="one_case_per_review_and_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} case {self.pk}"


class DecisionLogQuerySet(models.QuerySet["DecisionLog"]):
    def update(self, **kwargs: Any) -> int:
        raise ImmutableError("The decision log is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ImmutableError("The decision log is append-only.")


class DecisionLog(models.Model):
    """Append-only: who changed what, from what to what, why and when.

    Guarded at every layer: no API or admin path writes it, the ORM refuses updates and
    deletes, and database triggers (migration 0002) reject raw UPDATE/DELETE.
    """

    class Action(models.TextChoices):
        SESSION_OPENED = "session_opened", "Session opened"
        DECIDED = "decided", "Case decided"
        SESSION_FINALIZED = "session_finalized", "Session finalized"
        APPEAL_CHANGED = "appeal_changed", "Rating changed on appeal"

    # Null only for a rating changed on appeal of a review that no session calibrated.
    session = models.ForeignKey(
        CalibrationSession, on_delete=models.PROTECT, null=True, blank=True, related_name="log"
    )
    case = models.ForeignKey(
        CalibrationCase, on_delete=models.PROTECT, null=True, blank=True, related_name="log"
    )
    appeal = models.ForeignKey(
        "Appeal", on_delete=models.PROTECT, null=True, blank=True, related_name="log"
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=20, choices=Action.choices)
    field = models.CharField(max_length=40, blank=True)
    from_value = models.CharField(max_length=60, blank=True)
    to_value = models.CharField(max_length=60, blank=True)
    rationale = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DecisionLogQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.action} {self.field} {self.from_value}→{self.to_value}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ImmutableError("The decision log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ImmutableError("The decision log is append-only.")


class SessionPacket(BackgroundDocument):
    """The committee's pre-read PDF, built in the background for one state of a session
    (status, progress, PDF and lease: core.background_documents.BackgroundDocument)."""

    build_task_path = "calibration.tasks.build_packet"

    session = models.ForeignKey(
        CalibrationSession, on_delete=models.CASCADE, related_name="packets"
    )
    state_key = models.CharField(max_length=64)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["session", "state_key"], name="one_packet_per_state"),
        ]

    def __str__(self) -> str:
        return f"Packet {self.session_id} {self.status}"


class Appeal(models.Model):
    """A subject's appeal of their released review (SPEC §11.3): opened once, resolved once
    by HR, never edited (calibration.appeals is the only writer)."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RESOLVED = "resolved", "Resolved"

    class Resolution(models.TextChoices):
        UPHELD = "upheld", "Upheld"
        CHANGED = "changed", "Changed"
        WITHDRAWN = "withdrawn", "Withdrawn"

    review = models.OneToOneField("reviews.Review", on_delete=models.PROTECT, related_name="appeal")
    reason = models.TextField(max_length=8000)
    evidence = models.ManyToManyField("reviews.Evidence", blank=True, related_name="+")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    resolution = models.CharField(max_length=9, choices=Resolution.choices, blank=True)
    resolution_note = models.TextField(blank=True, max_length=8000)
    rubric_refs = models.JSONField(default=list, blank=True)
    # The final rating before and after a `changed` resolution (blank otherwise).
    from_rating = models.CharField(max_length=60, blank=True)
    to_rating = models.CharField(max_length=60, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(auto_now_add=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # HR's queue: open ones first (status "open" sorts before "resolved"), oldest first.
        ordering = ["status", "opened_at", "id"]

    def __str__(self) -> str:
        return f"Appeal {self.pk} ({self.status})"
