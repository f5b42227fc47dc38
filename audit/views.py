"""The fairness audit pages (SPEC §6): a list of cycles, the report of one cycle as a
page, and the same outcome tables as CSV. HR only: everyone else gets 404, so the audit's
existence is not revealed (SPEC §3). Every page view and download is logged as an
AuditRun (who and when).

The report is computed from the cycle on every request (a fixed number of queries); for
a big cycle the page takes a few seconds.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from audit import csv as audit_csv
from audit import selectors, services
from audit.charts import rates_svg
from audit.models import AuditRun
from org.selectors import is_hr
from reviews.models import ReviewCycle


def _require_hr(request: HttpRequest) -> None:
    if not is_hr(request.user):
        raise Http404("No such page.")


def _audited_cycles() -> Any:
    return ReviewCycle.objects.exclude(status=ReviewCycle.Status.DRAFT).order_by(
        "-starts_on", "-id"
    )


def _cycle(pk: int) -> ReviewCycle:
    cycle = _audited_cycles().filter(pk=pk).first()
    if cycle is None:
        raise Http404("No such cycle.")
    return cycle


def _pct(value: Any) -> str:
    return "" if value is None else f"{float(value) * 100:.1f}%"


def _dec(value: Any, places: int = 2) -> str:
    return "" if value is None else f"{float(value):.{places}f}"


def _p(value: Any) -> str:
    if value is None:
        return "not run"
    return "< 0.001" if float(value) < 0.001 else f"{float(value):.3f}"


def _test_rows(tests: dict[str, Any]) -> list[dict[str, str]]:
    chi = tests["chi_square"]
    fisher = tests["fisher_exact"]
    cmh = tests["cmh_by_level"]
    return [
        {
            "name": "Chi-square",
            "statistic": ""
            if chi.get("statistic") is None
            else (
                f"χ² = {_dec(chi['statistic'])}, {chi.get('dof')} "
                f"degree{'' if chi.get('dof') == 1 else 's'} of freedom"
            ),
            "p": _p(chi.get("p_value")),
            "p_adjusted": _p(chi.get("p_value_adjusted")),
        },
        {
            "name": "Fisher's exact",
            "statistic": ""
            if fisher.get("odds_ratio") is None
            else (f"odds ratio {_dec(fisher['odds_ratio'])}"),
            "p": _p(fisher.get("p_value")),
            "p_adjusted": _p(fisher.get("p_value_adjusted")),
        },
        {
            "name": "Cochran–Mantel–Haenszel by level",
            "statistic": ""
            if cmh.get("statistic") is None
            else (f"statistic {_dec(cmh['statistic'])}, odds ratio {_dec(cmh.get('odds_ratio'))}"),
            "p": _p(cmh.get("p_value")),
            "p_adjusted": _p(cmh.get("p_value_adjusted")),
        },
    ]


def _group_row(g: dict[str, Any]) -> dict[str, Any]:
    if g["suppressed"]:
        return {"group": g["group"], "suppressed": True}
    ci = g["ci95"] or [None, None]
    return {
        "group": g["group"],
        "suppressed": False,
        "n": g["n"],
        "count": g["count"],
        "rate": _pct(g["rate"]),
        "ci95": f"{_pct(ci[0])} – {_pct(ci[1])}" if ci[0] is not None else "",
        "impact_ratio": _dec(g["impact_ratio"]),
        "below": g["below_four_fifths"],
    }


def _sections(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Per dimension: its outcome tables (with a chart each) and its language, evidence
    and calibration rows, formatted for the template."""
    outcomes = {o["key"]: o for o in report["outcomes"]}
    by_dim: dict[str, list[dict[str, Any]]] = {}
    for result in report["results"]:
        by_dim.setdefault(result["dimension"], []).append(result)
    language = {x["dimension"]: x["groups"] for x in report["language"]}
    evidence = {x["dimension"]: x["groups"] for x in report["evidence"]}
    calibration = {x["dimension"]: x["groups"] for x in report["calibration"]}
    sections = []
    for d in report["dimensions"]:
        tables = []
        for result in by_dim.get(d["key"], []):
            outcome = outcomes[result["outcome"]]
            ref = result["reference_group"]
            ref_rate = next(
                (g["rate"] for g in result["groups"] if g["group"] == ref and not g["suppressed"]),
                None,
            )
            title = f"{outcome['label']} rate by {d['label'].lower()}"
            desc = (
                f"Each group's rate with its 95% interval. Reference group: {ref}; the dashed "
                "line marks four fifths of its rate."
                if ref
                else "No group is large enough to show."
            )
            tables.append(
                {
                    "key": f"{slugify(d['key'])}-{outcome['key']}",
                    "label": outcome["label"],
                    "adverse": outcome["higher_is_less_favourable"],
                    "reference": ref,
                    "chart": rates_svg(
                        result["groups"],
                        reference_rate=ref_rate,
                        title=title,
                        desc=desc,
                        ident=f"chart-{slugify(d['key'])}-{outcome['key']}",
                    ),
                    "title": title,
                    "groups": [_group_row(g) for g in result["groups"]],
                    "tests": _test_rows(result["tests"]),
                }
            )
        sections.append(
            {
                "key": slugify(d["key"]) or "dimension",
                "label": d["label"],
                "kind": d["kind"],
                "tables": tables,
                "language": [
                    g
                    if g["suppressed"]
                    else {
                        **g,
                        "specific": _pct(g["specific_share"]),
                        "vague": _dec(g["vague_judgement_per_review"]),
                        "personality": _dec(g["personality_per_review"]),
                    }
                    for g in language.get(d["key"], [])
                ],
                "evidence": [
                    g
                    if g["suppressed"]
                    else {
                        **g,
                        "items": _dec(g["evidence_per_review"], 1),
                        "citations": _dec(g["citations_per_review"], 1),
                        "invisible": _pct(g["invisible_work_share"]) or "—",
                        "invisible_cited": _pct(g["invisible_cited_share"]) or "—",
                        "other_cited": _pct(g["other_cited_share"]) or "—",
                        "high_cited": _dec(g["high_rated_citations_per_review"], 1) or "—",
                    }
                    for g in evidence.get(d["key"], [])
                ],
                "calibration": [
                    g
                    if g["suppressed"]
                    else {
                        **g,
                        "up": _pct(g["changed_up_share"]) or "—",
                        "down": _pct(g["changed_down_share"]) or "—",
                        "unchanged": _pct(g["unchanged_share"]) or "—",
                    }
                    for g in calibration.get(d["key"], [])
                ],
            }
        )
    return sections


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    _require_hr(request)
    return render(request, "audit/audit_index.html", {"cycles": list(_audited_cycles())})


@login_required
@require_GET
def report(request: HttpRequest, cycle_pk: int) -> HttpResponse:
    _require_hr(request)
    cycle = _cycle(cycle_pk)
    data = selectors.audit_report(cycle=cycle)
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
        {"cycle": cycle, "report": data, "sections": _sections(data)},
    )


@login_required
@require_GET
def report_csv_download(request: HttpRequest, cycle_pk: int) -> HttpResponse:
    _require_hr(request)
    cycle = _cycle(cycle_pk)
    data = selectors.audit_report(cycle=cycle)
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
