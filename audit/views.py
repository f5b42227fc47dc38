"""The fairness audit pages (SPEC §6): a list of cycles, the report of one cycle as a
page, and the same outcome tables as CSV. HR only: everyone else gets 404, so the audit's
existence is not revealed (SPEC §3); the selectors and documents these views call refuse
them (audit.selectors.access). Every page view and download is logged as an AuditRun
(who and when).

The report is computed from the cycle (a fixed number of queries; seconds for a big
cycle) once per state of its data, then read from the cache. Its page is a summary (the
findings, the contents, the methods); each section (a dimension's outcome tables, the
language, evidence and calibration tables, the comparison with the previous cycle) has
its own address, rendered once per computation of the report and kept beside it in the
cache. The PDF is built by the background worker and its page follows the progress
(htmx polling, or a Refresh link without JavaScript). The comparison page puts the
outcome rates of one dimension's groups side by side across several cycles.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from audit import charts, documents, presentation, services
from audit.models import AuditRun
from audit.selectors.access import audited_cycle_get, audited_cycles
from audit.selectors.comparison import audit_comparison
from audit.selectors.outcome_tables import audit_dimension_list
from audit.selectors.report_cache import report_part
from core.page_cache import kept_page
from core.query_state import code_fingerprint
from org.types import Viewer, signed_in
from reviews.models import ReviewCycle

# The comparison page shows at most this many cycles side by side.
MAX_COMPARED = 6


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    cycles = list(audited_cycles(user=request.user))
    return render(request, "audit/audit_index.html", {"cycles": cycles})


@login_required
@require_GET
def report(request: HttpRequest, cycle_pk: int) -> HttpResponseBase:
    """The summary of the report (findings, contents, methods); each section follows
    from its own address (``_report_part``), loaded as it scrolls into view (htmx) or
    followed as a link without JavaScript."""
    cycle = audited_cycle_get(user=request.user, pk=cycle_pk)

    def build() -> HttpResponse:
        entry = documents.report_entry(user=request.user, cycle=cycle)
        return render(
            request,
            "audit/audit_report.html",
            {
                "cycle": cycle,
                "head": entry.head,
                "summary": report_part(entry, _page_family(), "summary", _render_page),
                "pdf": documents.report_pdf_current(
                    user=request.user, cycle=cycle, state=entry.state
                ),
            },
        )

    return _logged(request, cycle, "", build)


def _logged(
    request: HttpRequest, cycle: ReviewCycle, section: str, build: Callable[[], HttpResponse]
) -> HttpResponseBase:
    """The page (or section) ``build`` makes, kept for this viewer until the data changes
    (core.page_cache), and this view of it logged, kept or not."""
    response = kept_page(request, f"audit.report:{section}", build)
    documents.report_view_record(
        user=request.user, cycle=cycle, path=request.get_full_path(), page=True, section=section
    )
    return response


# The report page's summary and sections as HTML, with what renders them: a deploy that
# changes a template or the presentation code renders them anew.
_TEMPLATES = Path(settings.BASE_DIR) / "templates"
_RENDERERS = (
    Path(presentation.__file__),
    Path(charts.__file__),
    *(
        _TEMPLATES / "audit" / f"{name}.html"
        for name in (
            "_report_summary",
            "_findings",
            "_methods",
            "_dimension",
            "_outcome",
            "_suppressed",
        )
    ),
    *(_TEMPLATES / template for template in presentation.TOPIC_TEMPLATES.values()),
)


def _page_family() -> str:
    return f"page-html:{settings.AUDIT_MAX_LISTED_GROUPS}:{code_fingerprint(_RENDERERS)}"


def _render_page(data: dict[str, Any]) -> dict[str, str]:
    """The report page's summary and every section, as HTML, by ``part`` (report_outline)."""
    cycle_pk = data["cycle"]["id"]
    outline = [
        {
            **s,
            "url": reverse(
                f"audit:report-{s['kind']}", kwargs={"cycle_pk": cycle_pk, "key": s["name"]}
            ),
        }
        for s in presentation.report_outline(data)
    ]
    sections = presentation.report_sections(data)
    parts: dict[str, str] = {
        "summary": render_to_string(
            "audit/_report_summary.html",
            {"report": data, "outline": outline, **presentation.findings_context(data)},
        ),
        **{
            f"dimensions/{s['key']}": render_to_string("audit/_dimension.html", {"s": s})
            for s in sections
        },
    }
    context = {
        "report": data,
        "sections": sections,
        "comparison": presentation.comparison_sections(data),
    }
    for name, template in presentation.TOPIC_TEMPLATES.items():
        parts[f"sections/{name}"] = render_to_string(template, context)
    return parts


def _report_part(request: HttpRequest, cycle_pk: int, part: str) -> HttpResponseBase:
    """One section of the report page, logged like the page: the bare section for htmx
    (which swaps it in for its placeholder), else a page of its own."""
    cycle = audited_cycle_get(user=request.user, pk=cycle_pk)

    def build() -> HttpResponse:
        entry = documents.report_entry(user=request.user, cycle=cycle, section=part)
        html = report_part(entry, _page_family(), part, _render_page)
        if html is None:
            raise Http404("No such section of the report.")
        if getattr(request, "htmx", False):
            response = HttpResponse(html)
        else:
            outline = next(s for s in presentation.report_outline(entry.head) if s["part"] == part)
            response = render(
                request,
                "audit/report_section.html",
                {"cycle": cycle, "head": entry.head, "section": outline, "html": html},
            )
        patch_vary_headers(response, ["HX-Request"])
        return response

    return _logged(request, cycle, part, build)


@login_required
@require_GET
def report_dimension(request: HttpRequest, cycle_pk: int, key: str) -> HttpResponseBase:
    """One dimension's outcome tables, charts and tests."""
    return _report_part(request, cycle_pk, f"dimensions/{key}")


@login_required
@require_GET
def report_section(request: HttpRequest, cycle_pk: int, key: str) -> HttpResponseBase:
    """The language, evidence or calibration tables, or the comparison with the previous
    cycle."""
    return _report_part(request, cycle_pk, f"sections/{key}")


@login_required
@require_GET
def report_csv_download(request: HttpRequest, cycle_pk: int) -> HttpResponse:
    cycle = audited_cycle_get(user=request.user, pk=cycle_pk)
    return documents.report_csv_deliver(
        user=request.user, cycle=cycle, path=request.get_full_path()
    )


# --- PDF -------------------------------------------------------------------------------


@login_required
@require_GET
def pdf_page(request: HttpRequest, cycle_pk: int) -> HttpResponse:
    """Asks for the PDF of the data as it is now (built once, in the background) and
    follows its progress."""
    cycle = audited_cycle_get(user=request.user, pk=cycle_pk)
    pdf = documents.report_pdf_request(user=request.user, cycle=cycle)
    return render(request, "audit/pdf_page.html", {"cycle": cycle, "pdf": pdf})


@login_required
@require_GET
def pdf_status(request: HttpRequest, cycle_pk: int) -> HttpResponse:
    cycle = audited_cycle_get(user=request.user, pk=cycle_pk)
    return render(
        request,
        "audit/_pdf_status.html",
        {"cycle": cycle, "pdf": documents.report_pdf_current(user=request.user, cycle=cycle)},
    )


@login_required
@require_GET
def pdf_download(request: HttpRequest, cycle_pk: int) -> HttpResponse:
    cycle = audited_cycle_get(user=request.user, pk=cycle_pk)
    response = documents.report_pdf_deliver(
        user=request.user,
        cycle=cycle,
        pdf=documents.report_pdf_current(user=request.user, cycle=cycle),
        path=request.get_full_path(),
        attachment=True,
    )
    return response or redirect("audit:pdf", cycle_pk=cycle.pk)


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

    def __init__(self, *args: Any, user: Viewer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cycles = self.fields["cycle"]
        assert isinstance(cycles, forms.ModelMultipleChoiceField)
        cycles.queryset = audited_cycles(user=user)
        dimension = self.fields["dimension"]
        assert isinstance(dimension, forms.ChoiceField)
        dimension.choices = [(d.key, d.label) for d in audit_dimension_list(user=user)]

    def clean_cycle(self) -> list[ReviewCycle]:
        chosen = list(self.cleaned_data["cycle"])
        if len(chosen) > MAX_COMPARED:
            raise forms.ValidationError(f"Choose at most {MAX_COMPARED} cycles.")
        return chosen


def _default_cycles(user: Viewer) -> list[ReviewCycle]:
    """The latest four cycles with final outcomes (finalized or released); the latest
    four of any status when none has."""
    done = (ReviewCycle.Status.FINALIZED, ReviewCycle.Status.RELEASED)
    final = list(audited_cycles(user=user).filter(status__in=done)[:4])
    return final or list(audited_cycles(user=user)[:4])


@login_required
@require_GET
def comparison(request: HttpRequest) -> HttpResponse:
    """Outcome rates of one dimension's groups across cycles (the latest four unless
    chosen). Every cycle is suppressed on its own, as in its report."""
    form = ComparisonForm(request.GET or {"dimension": "team"}, user=request.user)
    asked = {int(v) for v in request.GET.getlist("cycle") if v.isdigit() and len(v) < 12}
    context: dict[str, Any] = {"form": form, "data": None, "chosen": asked}
    if not form.is_valid():
        return render(request, "audit/comparison.html", context, status=400)
    cycles = form.cleaned_data["cycle"] or _default_cycles(request.user)
    if cycles:
        data = audit_comparison(
            user=request.user, cycles=cycles, dimension=form.cleaned_data["dimension"]
        )
        newest = max(cycles, key=lambda c: (c.starts_on, c.pk))
        services.audit_run_record(
            actor=signed_in(request.user),
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
