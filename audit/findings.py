"""Plain-English findings written from the numbers of a report (SPEC §6).

Each finding names the groups, the rates, the statistic and its (Benjamini–Hochberg
adjusted) p-value, and is worded not to claim more than the numbers show: a p-value says
how often chance alone would give a gap this large, not why the gap exists.

Rules, per dimension × outcome (suppressed groups never appear):

- ``gap``: at least one group is below four-fifths of the reference group. The sentence
  names the lowest-rate such group against the reference, the impact ratio, and the
  chi-square test (and Fisher's exact test when there are two groups).
- ``difference``: no group is below four-fifths, but the chi-square adjusted p < 0.05.
- ``simpson`` (a pooled difference that disappears or reverses within levels): exactly two
  groups; the pooled odds ratio (Fisher's sample odds ratio) lies outside [0.8, 1.25] with
  chi-square adjusted p < 0.05; and the Mantel–Haenszel odds ratio over levels is inside
  [0.8, 1.25] ("largely disappears") or beyond it on the other side of 1 ("reverses").

Each finding says whether it is ``significant``: the chi-square adjusted p < 0.05 (for a
``simpson`` note, the pooled gap it qualifies). The report lists those first; a gap below
four-fifths that may well be chance (common with small groups and rare outcomes) is listed
apart, so it is seen but not mistaken for a result. The findings of one dimension ×
outcome stay together, the Simpson note right after the gap it qualifies.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

SIGNIFICANCE = 0.05
# Odds ratios within this band count as "close to 1" (the four-fifths band, symmetric on
# the log scale).
NEAR_ONE = (0.8, 1.25)

RATE_PHRASE = {
    "high_rating": "high-rating rate",
    "low_rating": "low-rating rate",
    "promoted": "promotion rate",
    "calibrated_up": "rate of ratings raised in calibration",
    "calibrated_down": "rate of ratings lowered in calibration",
    "appealed": "appeal rate",
    "changed_on_appeal": "rate of ratings changed on appeal",
}
ODDS_PHRASE = {
    "high_rating": "a high rating",
    "low_rating": "a low rating",
    "promoted": "promotion",
    "calibrated_up": "a rating raised in calibration",
    "calibrated_down": "a rating lowered in calibration",
    "appealed": "an appeal",
    "changed_on_appeal": "a rating changed on appeal",
}
# Outcomes where the higher rate is the less favourable side.
ADVERSE = frozenset({"low_rating", "calibrated_down", "changed_on_appeal"})


def _p(test: Mapping[str, Any]) -> tuple[float | None, str]:
    """The p-value a finding quotes (adjusted when the report adjusted it) and its name."""
    if "p_value_adjusted" in test:
        return test["p_value_adjusted"], "adjusted p"
    return test.get("p_value"), "p"


def format_p(p: float) -> str:
    if p < 0.001:
        return "< 0.001"
    if p < 0.01:
        return f"= {p:.3f}"
    return f"= {p:.2f}"


def _frequency(p: float) -> str:
    """How often chance alone gives a gap this large, as words."""
    if p > 0.99:
        return "in almost every cycle of this size"
    if p < 0.001:
        return "in fewer than 1 in 1,000 cycles of this size"
    if p < 0.01:
        return f"in about {max(1, round(p * 1000))} in 1,000 cycles of this size"
    return f"in about {round(p * 100)}% of cycles of this size"


def _pct(rate: float) -> str:
    return f"{rate * 100:.0f}%"


def _near_one(value: float) -> bool:
    return NEAR_ONE[0] <= value <= NEAR_ONE[1]


def _chance(result: Mapping[str, Any], dimension_label: str) -> tuple[str, float | None]:
    chi = result["tests"]["chi_square"]
    p, p_name = _p(chi)
    if p is None:
        return "No test of this difference is available (chi-square not defined).", None
    tests = f"chi-square, {p_name} {format_p(p)}"
    fisher_p, _ = _p(result["tests"]["fisher_exact"])
    if fisher_p is not None:
        tests += f"; Fisher's exact test, {p_name} {format_p(fisher_p)}"
    # With more than two groups the test is about all of them, not the two named.
    shown = sum(not g["suppressed"] for g in result["groups"])
    gap = "a gap" if shown == 2 else "differences across the groups"
    text = (
        f"If {dimension_label.lower()} made no difference, {gap} at least this large would "
        f"arise by chance {_frequency(p)} ({tests})."
    )
    if p < SIGNIFICANCE:
        text += " Chance alone is an unlikely explanation, though this does not show the cause."
    else:
        text += " On its own this is weak evidence of a real difference."
    return text, p


def _who(dimension_label: str, group: str) -> str:
    return f'{dimension_label} "{group}"'


def result_findings(result: Mapping[str, Any], *, dimension_label: str) -> list[dict[str, Any]]:
    """Findings of one dimension × outcome result (the shape of ``audit_outcomes``)."""
    outcome = result["outcome"]
    shown = [g for g in result["groups"] if not g["suppressed"]]
    by_name = {g["group"]: g for g in shown}
    ref = by_name.get(result["reference_group"] or "")
    out: list[dict[str, Any]] = []
    below = [g for g in shown if g["below_four_fifths"]]
    if below and ref is not None:
        low = min(below, key=lambda g: (g["rate"], g["group"]))
        chance, p = _chance(result, dimension_label)
        ratio = f"impact ratio {low['impact_ratio']:.2f}, below four-fifths"
        if outcome in ADVERSE:
            # The reference (highest rate) is the group faring worse: lead with it.
            text = (
                f"{_who(dimension_label, ref['group'])} has a {RATE_PHRASE[outcome]} of "
                f"{_pct(ref['rate'])} (n = {ref['n']}) against {_pct(low['rate'])} for "
                f'"{low["group"]}" (n = {low["n"]}): {ratio}. For this outcome the higher '
                "rate is the less favourable one."
            )
        else:
            text = (
                f"{_who(dimension_label, low['group'])} has a {RATE_PHRASE[outcome]} of "
                f"{_pct(low['rate'])} (n = {low['n']}) against {_pct(ref['rate'])} for "
                f'"{ref["group"]}" (n = {ref["n"]}): {ratio}.'
            )
        if len(below) > 1:
            text += (
                f" {len(below)} of the {len(shown)} reported groups are below four-fifths "
                f'of "{ref["group"]}".'
            )
        out.append(
            {
                "kind": "gap",
                "dimension": result["dimension"],
                "outcome": outcome,
                "groups": [low["group"], ref["group"]],
                "statistic": "chi_square",
                "p_value_adjusted": p,
                "significant": p is not None and p < SIGNIFICANCE,
                "text": f"{text} {chance}",
            }
        )
    elif len(shown) >= 2:
        chance, p = _chance(result, dimension_label)
        if p is not None and p < SIGNIFICANCE:
            low = min(shown, key=lambda g: (g["rate"], g["group"]))
            high = min(shown, key=lambda g: (-g["rate"], g["group"]))
            text = (
                f"{dimension_label} groups differ in their {RATE_PHRASE[outcome]}, from "
                f'{_pct(low["rate"])} for "{low["group"]}" to {_pct(high["rate"])} for '
                f'"{high["group"]}", though no group is below four-fifths of the highest.'
            )
            if outcome in ADVERSE:
                text += " For this outcome the higher rate is the less favourable one."
            out.append(
                {
                    "kind": "difference",
                    "dimension": result["dimension"],
                    "outcome": outcome,
                    "groups": [low["group"], high["group"]],
                    "statistic": "chi_square",
                    "p_value_adjusted": p,
                    "significant": True,
                    "text": f"{text} {chance}",
                }
            )
    simpson = _simpson(result, shown)
    if simpson is not None:
        out.append(simpson)
    return out


def _simpson(
    result: Mapping[str, Any], shown: Sequence[Mapping[str, Any]]
) -> dict[str, Any] | None:
    if len(shown) != 2:
        return None
    tests = result["tests"]
    crude = tests["fisher_exact"]["odds_ratio"]
    pooled_mh = tests["cmh_by_level"]["odds_ratio"]
    p_chi, p_name = _p(tests["chi_square"])
    if not crude or not pooled_mh or p_chi is None or p_chi >= SIGNIFICANCE:
        return None
    if _near_one(crude):
        return None
    # Within the four-fifths band the level-by-level odds are about equal: the gap
    # "largely disappears", whichever side of 1 they fall; beyond it, on the other side,
    # it "reverses".
    if _near_one(pooled_mh):
        change = "largely disappears"
    elif math.log(crude) * math.log(pooled_mh) < 0:
        change = "reverses"
    else:
        return None
    first, second = shown[0]["group"], shown[1]["group"]
    p_cmh, _ = _p(tests["cmh_by_level"])
    cmh_text = (
        f"CMH test, {p_name} {format_p(p_cmh)}" if p_cmh is not None else "CMH test not defined"
    )
    text = (
        f'Level mix: over all levels, "{first}" has {"lower" if crude < 1 else "higher"} odds '
        f'of {ODDS_PHRASE[result["outcome"]]} than "{second}" (odds ratio {crude:.2f}; '
        f"chi-square, {p_name} {format_p(p_chi)}), but compared level by level the gap "
        f"{change} (Mantel–Haenszel odds ratio {pooled_mh:.2f}; {cmh_text}). The pooled "
        "difference may come from how the two groups are spread across levels (Simpson's "
        "paradox): compare people at the same level before drawing conclusions."
    )
    return {
        "kind": "simpson",
        "dimension": result["dimension"],
        "outcome": result["outcome"],
        "groups": [first, second],
        "statistic": "cmh_by_level",
        "p_value_adjusted": p_cmh,
        # It qualifies a pooled gap that is itself unlikely to be chance.
        "significant": True,
        "text": text,
    }


def report_findings(
    results: Sequence[Mapping[str, Any]], *, dimension_labels: Mapping[str, str]
) -> list[dict[str, Any]]:
    """Every finding of a report: significant ones first, then by the smallest adjusted
    p-value of their dimension × outcome (ties keep the order of dimensions and outcomes);
    the findings of one dimension × outcome stay together, in the order written."""
    blocks: list[tuple[bool, float, list[dict[str, Any]]]] = []
    for result in results:
        found = result_findings(result, dimension_label=dimension_labels[result["dimension"]])
        if not found:
            continue
        p = result["tests"]["chi_square"]
        p_value = p.get("p_value_adjusted", p.get("p_value"))
        blocks.append(
            (
                any(f["significant"] for f in found),
                p_value if p_value is not None else 2.0,
                found,
            )
        )
    blocks.sort(key=lambda b: (not b[0], b[1]))
    return [f for _, _, found in blocks for f in found]
