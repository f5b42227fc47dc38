"""The audit's HR gate lives in its selectors (audit.selectors.access): every selector and
delivery function a page, the API, the CSV or the PDF calls refuses anyone but HR with
404 itself, whoever calls it, so that no new view can forget the check."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.urls import reverse

from audit import documents
from audit.models import AuditRun, ReportPdf
from audit.selectors.access import (
    audit_cycle_get,
    audit_reader_require,
    audited_cycle_get,
    audited_cycles,
)
from audit.selectors.comparison import audit_comparison
from audit.selectors.outcome_tables import audit_dimension_list, audit_outcomes
from audit.selectors.report import audit_report
from audit.selectors.report_cache import audit_report_cached
from org import services as org_services
from org.models import AccessLog
from tests.audit import seventeen
from tests.calibration.conftest import run_task_worker
from tests.conftest import user_for


@pytest.fixture
def org(world):
    return seventeen(world)


# Each entry: what a page, the API, the CSV or the PDF asks for, called as ``user``.
CALLS: dict[str, Callable[[Any, Any], Any]] = {
    "audited_cycles": lambda user, org: audited_cycles(user=user),
    "audited_cycle_get": lambda user, org: audited_cycle_get(user=user, pk=org.cycle.pk),
    "audit_cycle_get": lambda user, org: audit_cycle_get(user=user, pk=org.cycle.pk),
    "audit_dimension_list": lambda user, org: audit_dimension_list(user=user),
    "audit_outcomes": lambda user, org: audit_outcomes(
        user=user, cycle=org.cycle, dimension="team", outcome="high_rating"
    ),
    "audit_report": lambda user, org: audit_report(user=user, cycle=org.cycle),
    "audit_report_cached": lambda user, org: audit_report_cached(user=user, cycle=org.cycle),
    "audit_comparison": lambda user, org: audit_comparison(
        user=user, cycles=[org.cycle], dimension="team"
    ),
    "report_deliver": lambda user, org: documents.report_deliver(
        user=user, cycle=org.cycle, path="/x", page=True
    ),
    "report_csv_deliver": lambda user, org: documents.report_csv_deliver(
        user=user, cycle=org.cycle, path="/x"
    ),
    "report_pdf_current": lambda user, org: documents.report_pdf_current(
        user=user, cycle=org.cycle
    ),
    "report_pdf_request": lambda user, org: documents.report_pdf_request(
        user=user, cycle=org.cycle
    ),
    "report_pdf_deliver": lambda user, org: documents.report_pdf_deliver(
        user=user, cycle=org.cycle, pdf=None, path="/x", attachment=True
    ),
}


@pytest.mark.parametrize("role", ["anonymous", "engineer", "manager", "committee", "no_person"])
def test_every_audit_selector_refuses_anyone_but_hr_with_404(org, world, role):
    user = user_for(world, role) or AnonymousUser()
    logs = AccessLog.objects.count()
    answered = []
    for name, call in CALLS.items():
        try:
            call(user, org)
        except Http404:
            continue
        answered.append(name)
    assert answered == []
    assert not AuditRun.objects.exists() and not ReportPdf.objects.exists()
    assert AccessLog.objects.count() == logs


@pytest.mark.parametrize("role", ["hr", "superuser"])
def test_hr_and_superusers_pass_the_same_gate(org, world, role):
    user = user_for(world, role)
    assert audit_reader_require(user=user) == user
    for call in CALLS.values():
        call(user, org)  # no refusal
    assert ReportPdf.objects.get().requested_by == user


def test_a_user_who_leaves_hr_is_refused_from_then_on(org, world):
    hr = world.hr.user
    assert audited_cycle_get(user=hr, pk=org.cycle.pk) == org.cycle
    org_services.person_update(actor=world.root, person=world.hr, is_hr=False)
    hr.refresh_from_db()
    with pytest.raises(Http404):
        audit_report_cached(user=hr, cycle=org.cycle)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/audit/outcomes/",
        "/api/v1/audit/report/",
        "/api/v1/audit/report.pdf",
        "/api/v1/audit/outcomes/?cycle=abc&dimension=height",
    ],
)
def test_a_caller_who_is_not_hr_gets_404_before_the_parameters_are_read(org, api_for, url):
    # A 400 naming the missing parameters would tell anyone the endpoint exists.
    r = api_for("engineer").get(url)
    assert r.status_code == 404
    assert r.json() == {"detail": "Not found."}
    assert api_for("anonymous").get(url).status_code == 401
    assert api_for("hr").get(url).status_code == 400


def test_a_pdf_asked_for_by_someone_who_left_hr_before_it_was_built_fails_without_numbers(
    org, world, client_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        pdf = documents.report_pdf_request(user=world.hr.user, cycle=org.cycle)
    org_services.person_update(actor=world.root, person=world.hr, is_hr=False)
    run_task_worker()
    pdf.refresh_from_db()
    assert pdf.status == ReportPdf.Status.FAILED and pdf.pdf is None
    assert "may no longer read the audit" in pdf.error
    # Someone who is HR asking again gets it built, for them.
    with django_capture_on_commit_callbacks(execute=True):
        r = client_for("superuser").get(reverse("audit:pdf", args=[org.cycle.pk]))
    assert r.status_code == 200
    run_task_worker()
    download = client_for("superuser").get(reverse("audit:pdf-download", args=[org.cycle.pk]))
    assert download.status_code == 200 and download.content.startswith(b"%PDF")
