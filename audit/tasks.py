"""Background tasks of the fairness audit (django-tasks; run by `manage.py db_worker`)."""

from __future__ import annotations

from django_tasks import task

from audit.models import ReportPdf
from config.builds import build_run


@task()
def build_report_pdf(pdf_id: int) -> int:
    """Build one report PDF. Idempotent: a PDF already built is left as it is."""
    from audit.documents import report_pdf_build

    return build_run(ReportPdf, pdf_id, report_pdf_build)
