"""Level rubrics: ladders, versioned rubrics, levels, competencies, expectations, ratings.

A version is written as a draft, then published; a published (or retired) version never
changes. The services refuse such writes and database triggers (migration 0002) reject raw
UPDATE/DELETE as a last line of defence.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Ladder(models.Model):
    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    description = models.TextField(blank=True, max_length=4000)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class RubricVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        RETIRED = "retired", "Retired"

    ladder = models.ForeignKey(Ladder, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    change_summary = models.TextField(blank=True, max_length=4000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["ladder_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["ladder", "number"], name="one_number_per_ladder"),
        ]

    def __str__(self) -> str:
        return f"{self.ladder} v{self.number} ({self.status})"

    @property
    def is_frozen(self) -> bool:
        return self.status != self.Status.DRAFT


class Level(models.Model):
    version = models.ForeignKey(RubricVersion, on_delete=models.CASCADE, related_name="levels")
    code = models.CharField(max_length=20)
    title = models.CharField(max_length=120)
    order = models.PositiveIntegerField()
    summary = models.TextField(blank=True, max_length=4000)

    class Meta:
        ordering = ["version_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="level_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Competency(models.Model):
    version = models.ForeignKey(
        RubricVersion, on_delete=models.CASCADE, related_name="competencies"
    )
    key = models.SlugField(max_length=60)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True, max_length=4000)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["version_id", "order", "key"]
        verbose_name_plural = "competencies"
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="competency_key_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Expectation(models.Model):
    """What a level expects for one competency: behaviours, and example evidence."""

    version = models.ForeignKey(
        RubricVersion, on_delete=models.CASCADE, related_name="expectations"
    )
    level = models.ForeignKey(Level, on_delete=models.CASCADE, related_name="expectations")
    competency = models.ForeignKey(
        Competency, on_delete=models.CASCADE, related_name="expectations"
    )
    text = models.TextField(max_length=8000)
    examples = models.TextField(blank=True, max_length=4000)

    class Meta:
        ordering = ["version_id", "level__order", "competency__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["level", "competency"], name="one_expectation_per_cell"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.level_id}×{self.competency_id}"


class Rating(models.Model):
    """One point of the rating scale; exactly one per version is the baseline ("meets")."""

    version = models.ForeignKey(RubricVersion, on_delete=models.CASCADE, related_name="ratings")
    key = models.SlugField(max_length=60)
    label = models.CharField(max_length=120)
    order = models.PositiveIntegerField()
    is_baseline = models.BooleanField(default=False)
    definition = models.TextField(blank=True, max_length=4000)

    class Meta:
        ordering = ["version_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="rating_key_unique"),
            models.UniqueConstraint(
                fields=["version"],
                condition=models.Q(is_baseline=True),
                name="one_baseline_per_version",
            ),
        ]

    def __str__(self) -> str:
        return self.label


class RatingDefinition(models.Model):
    """What a rating means at one level (optional; falls back to the rating's definition)."""

    version = models.ForeignKey(
        RubricVersion, on_delete=models.CASCADE, related_name="rating_definitions"
    )
    rating = models.ForeignKey(Rating, on_delete=models.CASCADE, related_name="level_definitions")
    level = models.ForeignKey(Level, on_delete=models.CASCADE, related_name="rating_definitions")
    text = models.TextField(max_length=4000)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rating", "level"], name="one_definition_per_level"),
        ]

    def __str__(self) -> str:
        return f"{self.rating_id}@{self.level_id}"
