"""Anonymous upward feedback on a manager (SPEC §11.4).

Three tables, kept apart on purpose. A round asks a manager's reports about the manager;
an invitation records that one person was asked and whether they have answered; an answer
holds what someone said. Nothing joins an answer to an invitation: the answer has no
respondent, no timestamp and a random primary key (an increasing id would line up with
the order the invitations flipped to answered), and no history table.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class Frequency(models.TextChoices):
    """How often the manager does what the prompt describes (one scale for every prompt)."""

    RARELY = "rarely", "Rarely"
    SOMETIMES = "sometimes", "Sometimes"
    OFTEN = "often", "Often"
    ALMOST_ALWAYS = "almost_always", "Almost always"
    CANT_SAY = "cant_say", "Can't say"


class UpwardRound(models.Model):
    """One request for anonymous feedback on a manager, sent to their reports."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    subject = models.ForeignKey(
        "org.Person", on_delete=models.PROTECT, related_name="upward_rounds_about"
    )
    requested_by = models.ForeignKey(
        "org.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="upward_rounds_requested",
    )
    # A superuser without a person record asks as an account.
    requested_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cycle = models.ForeignKey(
        "reviews.ReviewCycle",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="upward_rounds",
    )
    rubric_version = models.ForeignKey(
        "rubrics.RubricVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # What was asked, copied at creation: [{key, name, description, level, expectation}].
    # A later rubric version does not rewrite the question people answered.
    prompts = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    closes_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject"],
                condition=models.Q(status="open"),
                name="one_open_upward_round_per_subject",
            )
        ]

    def __str__(self) -> str:
        return f"Upward feedback #{self.pk}"


class UpwardInvitation(models.Model):
    """That ``respondent`` was asked, and whether they have answered. Deliberately no
    answered-at time and no link to the answer."""

    round = models.ForeignKey(UpwardRound, on_delete=models.CASCADE, related_name="invitations")
    respondent = models.ForeignKey(
        "org.Person", on_delete=models.PROTECT, related_name="upward_invitations"
    )
    has_answered = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["round", "respondent"], name="one_upward_invitation_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"Invitation to round #{self.round_id}"


class UpwardAnswer(models.Model):
    """What one (unknown) respondent said: ``items`` maps each prompt key to
    ``{"choice": <Frequency>, "comment": str}``. No respondent, no timestamp.

    ``shown``: whether the answer is in the results readers see. Answers join the results
    in batches of at least ANONYMOUS_MIN_RESPONSES, so comparing the results before and
    after never isolates one answer (see upward.services.round_answer)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(UpwardRound, on_delete=models.CASCADE, related_name="answers")
    items = models.JSONField(default=dict)
    shown = models.BooleanField(default=False)

    def __str__(self) -> str:
        return "Anonymous answer"
