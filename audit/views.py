"""The fairness audit pages (SPEC §6): a list of cycles, the report of one cycle as a
page, and the same outcome tables as CSV. HR only: everyone else gets 404, so the audit's
existence is not revealed (SPEC §3). Every page view and download is logged as an
AuditRun (who and when).

The report is computed from the cycle (a fixed number of queries; seconds for a big
cycle) once per state of its data, then read from the cache. The PDF is built by the
background worker and its page follows the progress (htmx polling, or a Refresh link
without JavaScript). The comparison page puts the outcome rates of one dimension's
groups side by side across several cycles.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from audit import csv as audit_csv
from audit import documents, presentation, selectors, services
from audit.models import AuditRun, ReportPdf
from audit.population import audit_dimensions
from org.selectors import is_hr
from reviews.models import ReviewCycle

# The comparison page shows at most this many cycles side by side.
MAX_COMPARED = 6


def _require_hr(request: HttpRequest) -> None:
    if not is_hr(request.user):
        raise Http404("No such page.")


def _cycle(pk: int) -> ReviewCycle:
    cycle = selectors.audited_cycles().filter(pk=pk).first()
    if cycle is None:
        raise Http404("No such cycle.")
    return cycle


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    _require_hr(request)
    return render(request, "audit/audit_index.html", {"cycles": list(selectors.audited_cycles())})


@login_required
@require_GET
def report(request: HttpRequest, cycle_pk: int) -> HttpResponse:
    _require_hr(request)
    cycle = _cycle(cycle_pk)
    data = selectors.audit_report_cached(cycle=cycle)
    services.audit_run_record(
        actor=request.user,
        cycle=cycle,
        kind=AuditRun.Kind.REPORT_HTML,
        params={"min_group_size": data["min_group_size"]},
        path=request.get_full_path(),
    )
    return render(
        request,
        "audit/audit_report.html",
        {
            "cycle": cycle,
            "report": data,
            "sections": presentation.report_sections(data),
            "comparison": presentation.comparison_sections(data),
            "pdf": documents.report_pdf_current(cycle),
            **presentation.findings_context(data),
        },
    )


@login_required
@require_GET
def report_csv_download(request: HttpRequest, cycle_pk: int) -> HttpResponse:
    _require_hr(request)
    cycle = _cycle(cycle_pk)
    data = selectors.audit_report_cached(cycle=cycle)
    services.audit_run_record(
        actor=request.user,
        cycle=cycle,
        kind=AuditRun.Kind.REPORT_CSV,
        params={"min_group_size": data["min_group_size"]},
        path=request.get_full_path(),
    )
    response = HttpResponse(audit_csv.report_csv(data), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="fairness-audit-{cycle.pk}-{slugify(cycle.name)}.csv"'
    )
    return response


# --- PDF -------------------------------------------------------------------------------


@login_required
@require_GET
def pdf_page(request: HttpRequest, cycle_pk: int) -> HttpResponse:
    """Asks for the PDF of the data as it is now (built once, in the background) and
    follows its progress."""
    _require_hr(request)
    cycle = _cycle(cycle_pk)
    pdf = documents.report_pdf_request(user=request.user, cycle=cycle)
    return render(request, "audit/pdf_page.html", {"cycle": cycle, "pdf": pdf})


@login_required
@require_GET
def pdf_status(request: HttpRequest, cycle_pk: int) -> HttpResponse:
    _require_hr(request)
    cycle = _cycle(cycle_pk)
    return render(
        request,
        "audit/_pdf_status.html",
        {"cycle": cycle, "pdf": documents.report_pdf_current(cycle)},
    )


@login_required
@require_GET
def pdf_download(request: HttpRequest, cycle_pk: int) -> HttpResponse:
    _require_hr(request)
    cycle = _cycle(cycle_pk)
    pdf = documents.report_pdf_current(cycle)
    if pdf is None or pdf.status != ReportPdf.Status.DONE or not pdf.pdf:
        return redirect("audit:pdf", cycle_pk=cycle.pk)
    return documents.report_pdf_response(
        user=request.user, cycle=cycle, pdf=pdf, path=request.get_full_path(), attachment=True
    )


# --- Comparison across cycles ----------------------------------------------------------


class ComparisonForm(forms.Form):
    cycle = forms.ModelMultipleChoiceField(
        queryset=ReviewCycle.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Cycles",
        help_text=(
            f"Up to {MAX_COMPARED}. Without a choice, the latest four cycles with final "
            "outcomes are compared."
        ),
    )
    dimension = forms.ChoiceField(choices=(), label="Compare groups by")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cycles = self.fields["cycle"]
        assert isinstance(cycles, forms.ModelMultipleChoiceField)
        cycles.queryset = selectors.audited_cycles()
        dimension = self.fields["dimension"]
        assert isinstance(dimension, forms.ChoiceField)
        dimension.choices = [(d.key, d.label) for d in audit_dimensions()]

    def clean_cycle(self) -> list[ReviewCycle]:
        chosen = list(self.cleaned_data["cycle"])
        if len(chosen) > MAX_COMPARED:
            raise forms.ValidationError(f"Choose at most {MAX_COMPARED} cycles.")
        return chosen


def _default_cycles() -> list[ReviewCycle]:
    """The latest four cycles with final outcomes (finalized or released); the latest
    four of any status when none has."""
    done = (ReviewCycle.Status.FINALIZED, ReviewCycle.Status.RELEASED)
    final = list(selectors.audited_cycles().filter(status__in=done)[:4])
    return final or list(selectors.audited_cycles()[:4])


@login_required
@require_GET
def comparison(request: HttpRequest) -> HttpResponse:
    """Outcome rates of one dimension's groups across cycles (the latest four unless
    chosen). Every cycle is suppressed on its own, as in its report."""
    _require_hr(request)
    form = ComparisonForm(request.GET or {"dimension": "team"})
    asked = {int(v) for v in request.GET.getlist("cycle") if v.isdigit() and len(v) < 12}
    context: dict[str, Any] = {"form": form, "data": None, "chosen": asked}
    if not form.is_valid():
        return render(request, "audit/comparison.html", context, status=400)
    cycles = form.cleaned_data["cycle"] or _default_cycles()
    if cycles:
        data = selectors.audit_comparison(cycles=cycles, dimension=form.cleaned_data["dimension"])
        newest = max(cycles, key=lambda c: (c.starts_on, c.pk))
        services.audit_run_record(
            actor=request.user,
            cycle=newest,
            kind=AuditRun.Kind.COMPARISON,
            params={
                "cycles": [c["id"] for c in data["cycles"]],
                "dimension": data["dimension"],
                "min_group_size": data["min_group_size"],
            },
            path=request.get_full_path(),
        )
        context.update(
            data=data,
            tables=presentation.comparison_tables(data),
            chosen={c["id"] for c in data["cycles"]},
        )
    return render(request, "audit/comparison.html", context)
