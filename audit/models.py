"""The fairness audit stores no results: it computes them from the cycle every time. What
it stores is the trail of who generated which report or outcome table, and when."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from core.background_documents import BackgroundDocument


class AuditRun(models.Model):
    """One generation of an outcome table or a report (SPEC §6: every generation is
    logged with who and when). Written by ``audit.services.audit_run_record`` only."""

    class Kind(models.TextChoices):
        OUTCOMES = "outcomes", "Outcome table"
        REPORT = "report", "Report (JSON)"
        REPORT_HTML = "report_html", "Report page"
        REPORT_PDF = "report_pdf", "Report PDF"
        REPORT_CSV = "report_csv", "Report CSV"
        COMPARISON = "comparison", "Cycle comparison"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="audit_runs"
    )
    cycle = models.ForeignKey(
        "reviews.ReviewCycle", on_delete=models.PROTECT, related_name="audit_runs"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    # What was asked for (dimension, outcome, reference, min_group_size…), never results.
    params = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # "Who ran audits of this cycle, newest first."
            models.Index(fields=["cycle", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} of cycle {self.cycle_id} by {self.user_id}"


class ReportPdf(BackgroundDocument):
    """The report of a cycle as a PDF, built in the background (WeasyPrint takes seconds
    for a big cycle) for one state of the data it is computed from (``state_key``, see
    ``audit.pdf_build.report_pdf_state_key``). The numbers themselves are not stored
    elsewhere: the PDF is the only copy, readable by HR only. Status, progress, PDF and
    lease: core.background_documents.BackgroundDocument."""

    build_task_path = "audit.tasks.build_report_pdf"

    cycle = models.ForeignKey(
        "reviews.ReviewCycle", on_delete=models.CASCADE, related_name="audit_pdfs"
    )
    state_key = models.CharField(max_length=64)
    pages = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "state_key"], name="one_audit_pdf_per_state"),
        ]

    def __str__(self) -> str:
        return f"Audit PDF of cycle {self.cycle_id} ({self.status})"
