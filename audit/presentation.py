"""How the audit's numbers are written on the page and in the PDF: percentages, p-values,
the per-dimension sections with their charts, and the comparison tables. The HTML report
and the PDF use the same functions, so they show the same figures."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.text import slugify

from audit.charts import rates_svg, trend_svg
from audit.selectors.appeal_rates import APPEALED, CHANGED_ON_APPEAL
from audit.selectors.population import OUTCOMES

APPEAL_OUTCOMES = frozenset({APPEALED, CHANGED_ON_APPEAL})


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


# Why a table or a column of a dimension is empty when its outcome is withheld. Saying
# more (e.g. that everybody shares the outcome) would give away what is withheld.
WITHHELD_NOTE = (
    "Not shown: the groups too small to report would be identifiable from this "
    "dimension's numbers for this outcome."
)


def _listed(result: dict[str, Any], limit: int) -> tuple[list[dict[str, Any]], int]:
    """For a dimension with too many groups to list: the groups below four-fifths (lowest
    rate first, at most ``limit``) then the reference group; and how many were below."""
    shown = [g for g in result["groups"] if not g["suppressed"]]
    below = sorted(
        (g for g in shown if g["below_four_fifths"]), key=lambda g: (g["rate"], g["group"])
    )
    ref = [g for g in shown if g["group"] == result["reference_group"]]
    return below[:limit] + ref, len(below)


# The cells of the evidence and calibration tables, by the report field they show.
EVIDENCE_CELLS = {
    "high_rated_citations_per_review": "high_cited",
}
CALIBRATION_CELLS = {
    "changed_up_share": "up",
    "changed_down_share": "down",
    "unchanged_share": "unchanged",
}


def _not_shown(withheld: list[str], cells: dict[str, str]) -> dict[str, str]:
    """The cells of a row whose field is withheld for the dimension."""
    return {cell: "not shown" for field, cell in cells.items() if field in withheld}


def _max_listed(max_groups: int | None) -> int:
    return settings.AUDIT_MAX_LISTED_GROUPS if max_groups is None else max_groups


def report_sections(
    report: dict[str, Any], *, chart_font: str | None = None, max_groups: int | None = None
) -> list[dict[str, Any]]:
    """Per dimension: its outcome tables (with a chart each) and its language, evidence
    and calibration rows, formatted for the template.

    A dimension with more than ``max_groups`` groups (default: the
    ``AUDIT_MAX_LISTED_GROUPS`` setting) is ``large``: each outcome lists only the groups
    below four-fifths and the reference group, with a note saying how many others there
    are, and the language, evidence and calibration rows are left to the JSON report. A
    chart of a thousand teams helps no one, and the PDF would run to hundreds of pages."""
    limit = _max_listed(max_groups)
    outcomes = {o["key"]: o for o in report["outcomes"]}
    by_dim: dict[str, list[dict[str, Any]]] = {}
    for result in report["results"]:
        by_dim.setdefault(result["dimension"], []).append(result)
    language = {x["dimension"]: x["groups"] for x in report["language"]}
    evidence = {x["dimension"]: x["groups"] for x in report["evidence"]}
    calibration = {x["dimension"]: x["groups"] for x in report["calibration"]}
    withheld = {
        (name, x["dimension"]): x.get("withheld", [])
        for name in ("evidence", "calibration")
        for x in report[name]
    }
    sections = []
    for d in report["dimensions"]:
        withheld_evidence = withheld.get(("evidence", d["key"]), [])
        withheld_calibration = withheld.get(("calibration", d["key"]), [])
        tables = []
        results = by_dim.get(d["key"], [])
        count = len(results[0]["groups"]) if results else 0
        large = count > limit
        for result in results:
            if result["outcome"] in APPEAL_OUTCOMES and result.get("withheld"):
                # Too few appeals to report (or none): the page leaves the appeal tables
                # out rather than add empty ones; the JSON and CSV say they are withheld.
                continue
            outcome = outcomes[result["outcome"]]
            groups = result["groups"]
            note = ""
            if large:
                groups, below = _listed(result, limit)
                note = (
                    f"{d['label']} has {count} groups, too many to list. Shown: "
                    + (
                        f"the {min(below, limit)} with the lowest rates of the {below} below "
                        if below > limit
                        else f"the {below} group{'' if below == 1 else 's'} below "
                    )
                    + "four fifths of the reference group, and the reference group. The CSV "
                    "and the JSON report hold every group."
                )
            if result.get("withheld"):
                groups, note = [], WITHHELD_NOTE
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
                else "No group can be shown."
            )
            tables.append(
                {
                    "key": f"{slugify(d['key'])}-{outcome['key']}",
                    "label": outcome["label"],
                    "adverse": outcome["higher_is_less_favourable"],
                    "reference": ref,
                    "note": note,
                    "withheld": bool(result.get("withheld")),
                    "chart": ""
                    if result.get("withheld")
                    else rates_svg(
                        groups,
                        reference_rate=ref_rate,
                        title=title,
                        desc=desc,
                        ident=f"chart-{slugify(d['key'])}-{outcome['key']}",
                        font=chart_font,
                    ),
                    "title": title,
                    "groups": [_group_row(g) for g in groups],
                    "tests": _test_rows(result["tests"]),
                }
            )
        sections.append(
            {
                "key": slugify(d["key"]) or "dimension",
                "label": d["label"],
                "kind": d["kind"],
                "large": large,
                "group_count": count,
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
                    for g in ([] if large else language.get(d["key"], []))
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
                        **_not_shown(withheld_evidence, EVIDENCE_CELLS),
                    }
                    for g in ([] if large else evidence.get(d["key"], []))
                ],
                "calibration": [
                    g
                    if g["suppressed"]
                    else {
                        **g,
                        "up": _pct(g["changed_up_share"]) or "—",
                        "down": _pct(g["changed_down_share"]) or "—",
                        "unchanged": _pct(g["unchanged_share"]) or "—",
                        **_not_shown(withheld_calibration, CALIBRATION_CELLS),
                    }
                    for g in ([] if large else calibration.get(d["key"], []))
                ],
            }
        )
    return sections


def _change(value: float | None) -> str:
    if value is None:
        return ""
    points = value * 100
    if abs(points) < 0.05:
        return "no change"
    return f"{'+' if points > 0 else '−'}{abs(points):.1f} pts"


def comparison_sections(
    report: dict[str, Any], *, max_groups: int | None = None
) -> list[dict[str, Any]]:
    """The comparison with the previous cycle, per dimension: one row per group with,
    for each outcome, this cycle's rate, the previous one and the change. A dimension with
    more than ``max_groups`` groups is ``large``: no rows (the JSON report has them)."""
    limit = _max_listed(max_groups)
    comparison = report.get("comparison") or {}
    if not comparison.get("previous_cycle"):
        return []
    by_dim: dict[str, dict[str, dict[str, Any]]] = {}
    for result in comparison["results"]:
        by_dim.setdefault(result["dimension"], {})[result["outcome"]] = result
    outcome_keys = [o["key"] for o in report["outcomes"]]
    sections = []
    for d in report["dimensions"]:
        results = by_dim.get(d["key"], {})
        names: list[str] = []
        for key in outcome_keys:
            for g in results.get(key, {"groups": []})["groups"]:
                if g["group"] not in names:
                    names.append(g["group"])
        large = len(names) > limit
        rows = []
        for name in [] if large else sorted(names):
            cells = []
            for key in outcome_keys:
                g = next(
                    (x for x in results.get(key, {"groups": []})["groups"] if x["group"] == name),
                    None,
                )
                if g is None:
                    cells.append({"now": "—", "before": "—", "change": ""})
                    continue
                cells.append(
                    {
                        "now": _pct(g["rate"]) or ("not shown" if g["suppressed"] else "—"),
                        "before": _pct(g["previous_rate"])
                        or ("not shown" if g["previous_suppressed"] else "—"),
                        "change": _change(g["change"]),
                    }
                )
            rows.append({"group": name, "cells": cells})
        sections.append(
            {
                "key": slugify(d["key"]) or "dimension",
                "label": d["label"],
                "outcomes": [OUTCOMES[k][0] for k in outcome_keys],
                "large": large,
                "group_count": len(names),
                "rows": rows,
            }
        )
    return sections


def comparison_tables(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The multi-cycle comparison page: per outcome, one row per group and one cell per
    cycle (rate, interval and group size), oldest cycle first."""
    tables = []
    names = [c["name"] for c in data["cycles"]]
    for block in data["outcomes"]:
        label, adverse = OUTCOMES[block["outcome"]]
        rows = []
        for g in block["groups"]:
            cells = []
            previous = None
            for cell in g["cells"]:
                if not cell["present"]:
                    cells.append({"text": "—", "note": "not in this cycle"})
                    previous = None
                    continue
                if cell["suppressed"]:
                    cells.append({"text": "not shown", "note": "small group"})
                    previous = None
                    continue
                ci = cell["ci95"] or [None, None]
                change = _change(cell["rate"] - previous) if previous is not None else ""
                cells.append(
                    {
                        "text": _pct(cell["rate"]),
                        "note": f"n = {cell['n']}; 95% interval {_pct(ci[0])} – {_pct(ci[1])}",
                        "change": change,
                        "below": cell["below_four_fifths"],
                    }
                )
                previous = cell["rate"]
            rows.append({"group": g["group"], "cells": cells})
        chart = None
        if len(block["groups"]) <= _max_listed(None):
            title = f"{label} rate by {data['dimension_label'].lower()}, per cycle"
            chart = trend_svg(
                [
                    {
                        "group": g["group"],
                        "rates": [
                            c["rate"] if c["present"] and not c["suppressed"] else None
                            for c in g["cells"]
                        ],
                    }
                    for g in block["groups"]
                ],
                cycles=names,
                title=title,
                desc="One row per group and one marker per cycle at its rate, oldest to "
                "newest joined by a line. Groups not shown in a cycle have no marker for it.",
                ident=f"trend-{block['outcome']}",
            )
        tables.append(
            {
                "key": block["outcome"],
                "label": label,
                "adverse": adverse,
                "rows": rows,
                "chart": chart,
            }
        )
    return tables


def findings_context(report: dict[str, Any]) -> dict[str, Any]:
    """The findings split for the summary: unlikely to be chance, and the rest."""
    return {
        "strong_findings": [f for f in report["findings"] if f["significant"]],
        "weak_findings": [f for f in report["findings"] if not f["significant"]],
    }


# --- The report page: a summary, then each section at its own address ----------------

# The sections after the dimensions' outcome tables: (name, heading, heading id, label in
# the page's table of contents).
TOPIC_SECTIONS = (
    ("language", "Review language", "language-heading", "Review language"),
    ("evidence", "Evidence", "evidence-heading", "Evidence"),
    ("calibration", "Calibration", "calibration-heading", "Calibration"),
    ("comparison", "Comparison with the previous cycle", "comparison-heading", "Previous cycle"),
)
TOPIC_TEMPLATES = {name: f"audit/_{name}.html" for name, *_ in TOPIC_SECTIONS}


def dimension_slug(key: str) -> str:
    return slugify(key) or "dimension"


def report_outline(report: dict[str, Any]) -> list[dict[str, str]]:
    """The sections of the report page in order, each with its ``part`` (``dimensions/
    <slug>`` or ``sections/<name>``: the address of its own page, under the cycle's
    report, and the name of its rendered HTML), heading, heading id and contents label."""
    outline = [
        {
            "part": f"dimensions/{dimension_slug(d['key'])}",
            "kind": "dimension",
            "name": dimension_slug(d["key"]),
            "heading": d["label"],
            "heading_id": f"dim-{dimension_slug(d['key'])}",
            "label": d["label"],
        }
        for d in report["dimensions"]
    ]
    outline += [
        {
            "part": f"sections/{name}",
            "kind": "section",
            "name": name,
            "heading": heading,
            "heading_id": heading_id,
            "label": label,
        }
        for name, heading, heading_id, label in TOPIC_SECTIONS
    ]
    return outline
