"""The fairness audit as PDF (SPEC §6): built by the background worker with progress,
kept for the state of the data, HR only, every download logged, and no suppressed group's
numbers in its text."""

from __future__ import annotations

import re

import pypdfium2 as pdfium
import pytest
from django.urls import reverse

from audit import documents
from audit.models import AuditRun, ReportPdf
from org import services as org_services
from tests.audit import seventeen
from tests.calibration.conftest import run_task_worker


@pytest.fixture
def org(world):
    return seventeen(world)


def pdf_lines(data: bytes) -> list[str]:
    pdf = pdfium.PdfDocument(data)
    try:
        text = "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    finally:
        pdf.close()
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def _build(org, world, django_capture_on_commit_callbacks) -> ReportPdf:
    with django_capture_on_commit_callbacks(execute=True):
        pdf = documents.report_pdf_request(user=world.hr.user, cycle=org.cycle)
    run_task_worker()
    pdf.refresh_from_db()
    return pdf


def test_hr_asks_for_the_pdf_and_follows_its_progress_until_it_can_be_downloaded(
    org, world, client_for, django_capture_on_commit_callbacks
):
    client = client_for("hr")
    with django_capture_on_commit_callbacks(execute=True):
        r = client.get(reverse("audit:pdf", args=[org.cycle.pk]))
    assert r.status_code == 200
    html = r.content.decode()
    assert "Queued" in html and 'hx-trigger="every 2s"' in html
    assert '<progress id="pdf-status-progress" max="100" value="0">' in html
    # Nothing is downloadable yet: the download link leads back to the progress page.
    r = client.get(reverse("audit:pdf-download", args=[org.cycle.pk]))
    assert r.status_code == 302 and r["Location"] == reverse("audit:pdf", args=[org.cycle.pk])

    assert run_task_worker() == 1

    status = client.get(reverse("audit:pdf-status", args=[org.cycle.pk])).content.decode()
    assert "Ready" in status and "hx-trigger" not in status
    assert reverse("audit:pdf-download", args=[org.cycle.pk]) in status
    r = client.get(reverse("audit:pdf-download", args=[org.cycle.pk]))
    assert r.status_code == 200
    assert r["Content-Type"] == "application/pdf"
    assert r["Content-Disposition"].startswith('attachment; filename="fairness-audit-')
    assert r.content.startswith(b"%PDF")
    assert list(AuditRun.objects.values_list("kind", "user_id")) == [
        ("report_pdf", world.hr.user.pk)
    ]


def test_the_pdf_holds_the_findings_every_section_and_the_methods(
    org, world, django_capture_on_commit_callbacks
):
    pdf = _build(org, world, django_capture_on_commit_callbacks)
    assert pdf.status == ReportPdf.Status.DONE and pdf.progress == 100
    assert pdf.pages and pdf.pages > 5
    text = " ".join(pdf_lines(bytes(pdf.pdf)))
    for heading in (
        "Summary of findings",
        "High rating",
        "Review language",
        "Evidence",
        "Calibration",
        "Comparison with the previous cycle",
        "Benjamini–Hochberg",
        "Wilson",
        "complementary suppression",
    ):
        assert heading in text, heading
    assert "Confidential: HR only" in text
    assert "not shown: too few people, or hidden to protect a small group" in text


def test_no_suppressed_groups_numbers_appear_in_the_pdf_text(
    org, world, django_capture_on_commit_callbacks
):
    pdf = _build(org, world, django_capture_on_commit_callbacks)
    lines = pdf_lines(bytes(pdf.pdf))
    for group in ("Team B", "Team C", "non-binary", "undisclosed"):
        rows = [line for line in lines if line.startswith(group)]
        assert rows, group
        for line in rows:
            rest = (
                line.removeprefix(group)
                .replace("not shown: too few people, or hidden to protect a small group", "")
                .replace("not shown (small group)", "")
            )
            assert not re.search(r"\d", rest), (group, line)
    # Shown groups keep their numbers (Team A has 8 people).
    assert any(re.match(r"Team A 8 ", line) for line in lines)


def test_asking_again_while_nothing_changed_reuses_the_pdf_and_a_change_builds_a_new_one(
    org, world, django_capture_on_commit_callbacks
):
    first = _build(org, world, django_capture_on_commit_callbacks)
    again = documents.report_pdf_request(user=world.hr.user, cycle=org.cycle)
    assert again.pk == first.pk and again.status == ReportPdf.Status.DONE

    # A person changes their self-identified answer: the report could change.
    org_services.demographics_set(
        actor=world.hr.user, person=org.people["a6"], attributes={"gender": "woman"}
    )
    with django_capture_on_commit_callbacks(execute=True):
        fresh = documents.report_pdf_request(user=world.hr.user, cycle=org.cycle)
    assert fresh.pk != first.pk and fresh.status == ReportPdf.Status.QUEUED
    assert ReportPdf.objects.count() == 2
    # Once the new one is built, the superseded one is deleted: its numbers are stale.
    run_task_worker()
    assert list(ReportPdf.objects.values_list("pk", "status")) == [(fresh.pk, "done")]


def test_the_api_answers_202_with_progress_then_200_with_the_pdf(
    org, world, api_for, django_capture_on_commit_callbacks
):
    client = api_for("hr")
    url = reverse("api:audit-report-pdf") + f"?cycle={org.cycle.pk}"
    with django_capture_on_commit_callbacks(execute=True):
        r = client.get(url)
    assert r.status_code == 202
    assert r.json()["status"] == "queued" and r.json()["progress"] == 0
    assert not AuditRun.objects.exists()
    # Asking again before the worker ran queues nothing new.
    with django_capture_on_commit_callbacks(execute=True):
        assert client.get(url).status_code == 202
    assert run_task_worker() == 1

    r = client.get(url)
    assert r.status_code == 200
    assert r["Content-Type"] == "application/pdf"
    assert b"".join(r.streaming_content if r.streaming else [r.content]).startswith(b"%PDF")
    assert AuditRun.objects.get().kind == "report_pdf"


@pytest.mark.parametrize("query", ["", "?cycle=abc", "?cycle=0", "?cycle=999999"])
def test_the_pdf_api_names_a_bad_cycle_parameter_and_builds_nothing(org, api_for, query):
    r = api_for("hr").get(reverse("api:audit-report-pdf") + query)
    assert r.status_code == 400
    assert "cycle" in r.json()
    assert not ReportPdf.objects.exists()


@pytest.mark.parametrize("role", ["engineer", "manager", "other_manager"])
def test_people_who_are_not_hr_get_not_found_for_the_pdf(org, client_for, api_for, role):
    client = client_for(role)
    for name in ("audit:pdf", "audit:pdf-status", "audit:pdf-download"):
        assert client.get(reverse(name, args=[org.cycle.pk])).status_code == 404
    r = api_for(role).get(reverse("api:audit-report-pdf") + f"?cycle={org.cycle.pk}")
    assert r.status_code == 404
    assert not ReportPdf.objects.exists() and not AuditRun.objects.exists()
