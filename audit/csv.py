"""The fairness audit as CSV (SPEC §6): one row per dimension × outcome × group.

Suppressed groups keep their name and ``suppressed = yes``; every numeric cell is empty.
Cells go through core.csv.to_csv, which neutralises spreadsheet formulas.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from core.csv import to_csv

HEADER = [
    "dimension",
    "outcome",
    "group",
    "n",
    "count",
    "rate",
    "ci95_low",
    "ci95_high",
    "impact_ratio",
    "below_four_fifths",
    "suppressed",
    "chi_square_p",
    "chi_square_p_adjusted",
    "fisher_p",
    "fisher_p_adjusted",
    "cmh_p",
    "cmh_p_adjusted",
]


def _num(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    return f"{float(value):.6g}"


def _rows(report: Mapping[str, Any]) -> Iterator[list[str]]:
    for result in report["results"]:
        tests = result["tests"]
        p_cells = [
            _num(tests[name].get(key))
            for name in ("chi_square", "fisher_exact", "cmh_by_level")
            for key in ("p_value", "p_value_adjusted")
        ]
        for g in result["groups"]:
            if g["suppressed"]:
                numbers = [""] * 7
            else:
                ci = g["ci95"] or [None, None]
                numbers = [
                    _num(g["n"]),
                    _num(g["count"]),
                    _num(g["rate"]),
                    _num(ci[0]),
                    _num(ci[1]),
                    _num(g["impact_ratio"]),
                    _num(g["below_four_fifths"]),
                ]
            yield [
                result["dimension"],
                result["outcome"],
                str(g["group"]),
                *numbers,
                "yes" if g["suppressed"] else "no",
                *p_cells,
            ]


def report_csv(report: Mapping[str, Any]) -> str:
    return to_csv(HEADER, _rows(report))
