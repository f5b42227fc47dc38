"""Review cycles, evidence, narrative reviews, feedback requests and check-ins."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords


class ReviewCycle(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        OPEN = "open", "Open"
        CALIBRATING = "calibrating", "Calibrating"
        FINALIZED = "finalized", "Finalized"
        RELEASED = "released", "Released"

    name = models.CharField(max_length=120)
    starts_on = models.DateField()
    ends_on = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    rubric_versions = models.ManyToManyField(
        "rubrics.RubricVersion", related_name="cycles", blank=True
    )
    # Self-assessments (SPEC §11.1, §12.1): when required, a manager's review cannot be
    # submitted until the subject's self-assessment is, or its due date has passed.
    self_assessment_required = models.BooleanField(default=False)
    self_assessment_due = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(m2m_fields=[rubric_versions])

    class Meta:
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="cycle_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Evidence(models.Model):
    """Something a person did, linked and dated: the ground every rating must stand on."""

    class Kind(models.TextChoices):
        PULL_REQUEST = "pull_request", "Pull request"
        DESIGN_DOC = "design_doc", "Design doc"
        INCIDENT = "incident", "Incident"
        POSTMORTEM = "postmortem", "Postmortem"
        ON_CALL = "on_call", "On-call"
        MENTORING = "mentoring", "Mentoring"
        PEER_FEEDBACK = "peer_feedback", "Peer feedback"
        CROSS_FUNCTIONAL_FEEDBACK = "cross_functional_feedback", "Cross-functional feedback"
        CUSTOMER_FEEDBACK = "customer_feedback", "Customer feedback"
        TEAM_OUTCOME = "team_outcome", "Team outcome"
        OTHER = "other", "Other"

    class Source(models.TextChoices):
        MANUAL = "manual", "Added by hand"
        FEEDBACK = "feedback", "Feedback answer"
        CHECK_IN = "check_in", "Promoted from a check-in"

    person = models.ForeignKey("org.Person", on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(max_length=32, choices=Kind.choices, default=Kind.OTHER)
    title = models.CharField(max_length=200)
    url = models.URLField(max_length=1000, blank=True)
    occurred_on = models.DateField()
    summary = models.TextField(blank=True, max_length=8000)
    source = models.CharField(max_length=12, choices=Source.choices, default=Source.MANUAL)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # For team_outcome evidence: the team scorecard window it points to (SPEC §7).
    outcome_team = models.ForeignKey(
        "org.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    outcome_start = models.DateField(null=True, blank=True)
    outcome_end = models.DateField(null=True, blank=True)
    # For feedback answers: who gave it (the respondent), so it is attributed.
    attributed_to = models.ForeignKey(
        "org.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Competency keys of the person's ladder this item speaks to (optional tags, SPEC §11.2):
    # the growth page lists an item under each competency it is tagged with or cited for.
    competencies = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-occurred_on", "-id"]
        verbose_name_plural = "evidence"
        indexes = [
            # The evidence library and the review editor list a person's items by date.
            models.Index(fields=["person", "occurred_on"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def scorecard_url(self) -> str:
        """The team scorecard window a team_outcome item links to ("" for other kinds)."""
        if not (self.outcome_team_id and self.outcome_start and self.outcome_end):
            return ""
        from django.urls import reverse

        team = self.outcome_team
        assert team is not None
        return (
            reverse("outcomes:team", args=[team.slug])
            + f"?period=custom&start={self.outcome_start:%Y-%m-%d}&end={self.outcome_end:%Y-%m-%d}"
        )


CONTENTS_FIELDS = ("contents_shown", "contents_lint", "contents_blockers", "contents_key")


class Review(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        CALIBRATED = "calibrated", "Calibrated"
        RELEASED = "released", "Released"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"

    NARRATIVE_SECTIONS = ("ownership", "impact", "outcomes", "growth", "context")

    cycle = models.ForeignKey(ReviewCycle, on_delete=models.PROTECT, related_name="reviews")
    subject = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="reviews")
    author = models.ForeignKey(
        "org.Person", on_delete=models.PROTECT, related_name="authored_reviews"
    )
    rubric_version = models.ForeignKey(
        "rubrics.RubricVersion", on_delete=models.PROTECT, related_name="reviews"
    )
    # Where the subject stood when reviewed (set at creation, refreshed at submission):
    # fairness audits report a cycle as it was, even after people move team or level.
    level = models.CharField(max_length=20)
    team = models.ForeignKey(
        "org.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    function = models.CharField(max_length=100, blank=True)
    manager = models.ForeignKey(
        "org.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Years at the company at the end of the cycle (org.tenure.BANDS; blank when the
    # start date is not known) and the work location.
    tenure_band = models.CharField(max_length=8, blank=True)
    location = models.CharField(max_length=120, blank=True)
    status = models.CharField(max_length=14, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveIntegerField(default=1)
    ownership = models.TextField(blank=True, max_length=20000)
    impact = models.TextField(blank=True, max_length=20000)
    outcomes = models.TextField(blank=True, max_length=20000)
    growth = models.TextField(blank=True, max_length=20000)
    context = models.TextField(blank=True, max_length=20000)
    overall_rating = models.CharField(max_length=60, blank=True)
    # Set when calibration finalizes; the rating the subject finally receives.
    final_rating = models.CharField(max_length=60, blank=True)
    promotion_to = models.CharField(max_length=20, blank=True)
    promotion_outcome = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledgement = models.TextField(blank=True, max_length=8000)
    # What is derived from the text, stored (as JSON text, the API's own encoding) when
    # the text is written and read by every list and page (reviews.contents): the
    # narrative and assessments as shown with their sanitised HTML, the quality-check
    # findings, and what blocks submission. ``contents_key`` names what they were derived
    # with: a row with another key (or none) is derived again.
    contents_shown = models.TextField(blank=True, editable=False)
    contents_lint = models.TextField(blank=True, editable=False)
    contents_blockers = models.TextField(blank=True, editable=False)
    contents_key = models.CharField(max_length=64, blank=True, editable=False)

    # Derived data is not history: the text it comes from is.
    history = HistoricalRecords(excluded_fields=list(CONTENTS_FIELDS))

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "subject"], name="one_review_per_cycle"),
        ]
        indexes = [
            models.Index(fields=["cycle", "status"]),
            # Lists page through reviews newest first (the ordering above).
            models.Index(fields=["created_at", "id"], name="review_created_order"),
        ]

    def __str__(self) -> str:
        return f"Review of {self.subject_id} in {self.cycle_id}"


class Assessment(models.Model):
    """One competency of a review: a rating, the narrative behind it, the evidence cited."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="assessments")
    competency = models.CharField(max_length=60)
    rating = models.CharField(max_length=60, blank=True)
    narrative = models.TextField(blank=True, max_length=20000)
    evidence = models.ManyToManyField(Evidence, blank=True, related_name="citations")
    order = models.PositiveIntegerField(default=0)

    # Ratings and narratives are what calibration and the fairness audit read: keep
    # every saved value, as the review itself does.
    history = HistoricalRecords()

    class Meta:
        ordering = ["review_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "competency"], name="one_assessment_per_competency"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.review_id}:{self.competency}"


class FeedbackRequest(models.Model):
    class Relationship(models.TextChoices):
        PEER = "peer", "Peer"
        CROSS_FUNCTIONAL = "cross_functional", "Cross-functional partner"
        REPORT = "report", "Direct report"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ANSWERED = "answered", "Answered"
        DECLINED = "declined", "Declined"

    cycle = models.ForeignKey(ReviewCycle, on_delete=models.CASCADE, related_name="feedback")
    subject = models.ForeignKey(
        "org.Person", on_delete=models.CASCADE, related_name="feedback_about"
    )
    respondent = models.ForeignKey(
        "org.Person", on_delete=models.CASCADE, related_name="feedback_to_give"
    )
    requested_by = models.ForeignKey(
        "org.Person", on_delete=models.CASCADE, related_name="feedback_requested"
    )
    relationship = models.CharField(max_length=20, choices=Relationship.choices)
    message = models.TextField(blank=True, max_length=4000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    # The structured prompts: what did they own, what changed because of their work,
    # what could they do more of.
    owned = models.TextField(blank=True, max_length=8000)
    changed = models.TextField(blank=True, max_length=8000)
    more_of = models.TextField(blank=True, max_length=8000)
    evidence = models.OneToOneField(
        Evidence, on_delete=models.SET_NULL, null=True, blank=True, related_name="feedback"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "subject", "respondent"], name="one_request_per_respondent"
            ),
        ]

    def __str__(self) -> str:
        return f"Feedback on {self.subject_id} from {self.respondent_id}"


class CheckIn(models.Model):
    """Continuous 1:1 notes between a person and their manager."""

    PROMPTS = ("what_changed", "blocked", "risks", "support")

    person = models.ForeignKey("org.Person", on_delete=models.CASCADE, related_name="check_ins")
    manager = models.ForeignKey(
        "org.Person", on_delete=models.SET_NULL, null=True, related_name="check_ins_held"
    )
    occurred_on = models.DateField()
    what_changed = models.TextField(blank=True, max_length=8000)
    blocked = models.TextField(blank=True, max_length=8000)
    risks = models.TextField(blank=True, max_length=8000)
    support = models.TextField(blank=True, max_length=8000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_on", "-id"]
        indexes = [models.Index(fields=["person", "occurred_on"])]

    def __str__(self) -> str:
        return f"Check-in {self.person_id} {self.occurred_on}"


class LintTerm(models.Model):
    """A phrase the review quality checks look for. Loaded from reviews/lint_data/*.json
    (each file names its research source) and editable by HR in the admin."""

    class Code(models.TextChoices):
        VAGUE_JUDGEMENT = "vague_judgement", "Unevidenced judgement phrase"
        PERSONALITY = "personality", "Personality rather than behaviour"
        HEDGING = "hedging", "Hedging or doubt-raiser"
        VAGUE_PRAISE = "vague_praise", "Vague praise with no outcome"

    code = models.CharField(max_length=30, choices=Code.choices)
    phrase = models.CharField(max_length=120)
    source = models.CharField(max_length=300, blank=True, help_text="Research source")
    suggestion = models.CharField(max_length=300, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code", "phrase"]
        constraints = [
            models.UniqueConstraint(fields=["code", "phrase"], name="lint_term_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.phrase}"


class SelfAssessment(models.Model):
    """The subject's own account of a cycle (SPEC §11.1), written against the same pinned
    rubric as the manager's review; once submitted it never changes."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"

    NARRATIVE_SECTIONS = Review.NARRATIVE_SECTIONS

    cycle = models.ForeignKey(
        ReviewCycle, on_delete=models.PROTECT, related_name="self_assessments"
    )
    subject = models.ForeignKey(
        "org.Person", on_delete=models.PROTECT, related_name="self_assessments"
    )
    rubric_version = models.ForeignKey(
        "rubrics.RubricVersion", on_delete=models.PROTECT, related_name="self_assessments"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveIntegerField(default=1)
    ownership = models.TextField(blank=True, max_length=20000)
    impact = models.TextField(blank=True, max_length=20000)
    outcomes = models.TextField(blank=True, max_length=20000)
    growth = models.TextField(blank=True, max_length=20000)
    context = models.TextField(blank=True, max_length=20000)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "subject"], name="one_self_assessment_per_cycle"
            ),
        ]

    def __str__(self) -> str:
        return f"Self-assessment of {self.subject_id} in {self.cycle_id}"


class SelfAssessmentItem(models.Model):
    """One competency of a self-assessment: an optional self-rating, the narrative, the
    evidence the subject cites."""

    self_assessment = models.ForeignKey(
        SelfAssessment, on_delete=models.CASCADE, related_name="items"
    )
    competency = models.CharField(max_length=60)
    rating = models.CharField(max_length=60, blank=True)
    narrative = models.TextField(blank=True, max_length=20000)
    evidence = models.ManyToManyField(Evidence, blank=True, related_name="self_citations")
    order = models.PositiveIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["self_assessment_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["self_assessment", "competency"], name="one_self_item_per_competency"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.self_assessment_id}:{self.competency}"
