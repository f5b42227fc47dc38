"""The demo's released cycles give the fairness audit something to find: a team rated
high far less often than the others, a pooled gender gap that level explains, more
unevidenced judgements in reviews of women, and groups too small to report. Everything
is checked on one load, because loading takes several seconds."""

from __future__ import annotations

import io
from typing import Any

import pytest

from audit.selectors.report import audit_report
from org.models import User
from reviews.models import ReviewCycle
from tests.factories import seed_demo

pytestmark = pytest.mark.django_db


def result(report: dict[str, Any], dimension: str, outcome: str) -> dict[str, Any]:
    return next(
        r for r in report["results"] if r["dimension"] == dimension and r["outcome"] == outcome
    )


def finding(report: dict[str, Any], kind: str, dimension: str, outcome: str) -> dict[str, Any]:
    found = [
        f
        for f in report["findings"]
        if (f["kind"], f["dimension"], f["outcome"]) == (kind, dimension, outcome)
    ]
    assert len(found) == 1, (kind, dimension, outcome)
    return found[0]


def group(res: dict[str, Any], name: str) -> dict[str, Any]:
    return next(g for g in res["groups"] if g["group"] == name)


def test_the_released_demo_cycles_show_what_the_audit_looks_for():
    seed_demo(stdout=io.StringIO())
    h1 = ReviewCycle.objects.get(name="H1 2026")
    hana = User.objects.get(username="hana")  # the demo's HR partner
    report = audit_report(user=hana, cycle=h1)

    # 1. Reliability is the one team below four-fifths of the reference's high-rating rate.
    teams = result(report, "team", "high_rating")
    assert [g["group"] for g in teams["groups"] if g["below_four_fifths"]] == ["Reliability"]
    reliability = group(teams, "Reliability")
    assert reliability["impact_ratio"] < 0.5
    gap = finding(report, "gap", "team", "high_rating")
    assert gap["groups"] == ["Reliability", teams["reference_group"]]
    assert gap["statistic"] == "chi_square"
    assert 'Team "Reliability"' in gap["text"]

    # 2. Reviews of women carry unevidenced judgements far more often than reviews of men.
    language = next(s for s in report["language"] if s["dimension"] == "gender")
    per_review = {
        g["group"]: g["vague_judgement_per_review"]
        for g in language["groups"]
        if not g["suppressed"]
    }
    assert set(per_review) == {"man", "woman"}
    assert per_review["woman"] > 0.3
    assert all(per_review["woman"] >= 2 * v for g, v in per_review.items() if g != "woman")

    # 3. Pooled, women are rated high far less often than men; level by level, about as
    # often (Simpson's paradox).
    gender = result(report, "gender", "high_rating")
    tests = gender["tests"]
    assert group(gender, "woman")["rate"] < group(gender, "man")["rate"]
    assert tests["chi_square"]["p_value_adjusted"] < 0.05
    assert tests["fisher_exact"]["odds_ratio"] > 1.25  # man's odds over woman's
    assert 0.8 <= tests["cmh_by_level"]["odds_ratio"] <= 1.25
    simpson = finding(report, "simpson", "gender", "high_rating")
    assert simpson["groups"] == ["man", "woman"]

    # 4. Small groups are suppressed, everywhere the dimension appears.
    demographic = {d["key"] for d in report["dimensions"] if d["kind"] == "demographic"}
    hidden = {
        (r["dimension"], g["group"])
        for r in report["results"]
        if r["dimension"] in demographic
        for g in r["groups"]
        if g["suppressed"]
    }
    assert ("gender", "non-binary") in hidden
    assert all(g["n"] is None for r in report["results"] for g in r["groups"] if g["suppressed"])
    assert {("gender", g["group"]) for g in language["groups"] if g["suppressed"]} <= hidden

    # 5. An earlier released cycle, where Reliability's gap was smaller.
    released = list(ReviewCycle.objects.filter(status="released").order_by("starts_on"))
    assert [c.name for c in released] == ["H2 2025", "H1 2026"]
    earlier = audit_report(user=hana, cycle=released[0])
    earlier_teams = result(earlier, "team", "high_rating")
    assert {g["group"] for g in earlier_teams["groups"]} == {g["group"] for g in teams["groups"]}
    before = group(earlier_teams, "Reliability")
    assert before["rate"] > reliability["rate"]
    assert before["impact_ratio"] > reliability["impact_ratio"]

    # 6. The summary leads with what is unlikely to be chance; the level note follows the
    # pooled gender gap it qualifies; Reliability's gap (9 people) is listed as maybe chance.
    kinds = [(f["kind"], f["dimension"], f["outcome"]) for f in report["findings"]]
    significant = [f["significant"] for f in report["findings"]]
    assert significant == sorted(significant, reverse=True)
    at = kinds.index(("gap", "gender", "high_rating"))
    assert kinds[at + 1] == ("simpson", "gender", "high_rating")
    assert report["findings"][at]["significant"] and report["findings"][at + 1]["significant"]
    assert gap["significant"] is False and "weak evidence" in gap["text"]

    # 7. The report compares H1 2026 with H2 2025, group by group.
    assert report["comparison"]["previous_cycle"]["name"] == "H2 2025"
    compared = next(
        r
        for r in report["comparison"]["results"]
        if (r["dimension"], r["outcome"]) == ("team", "high_rating")
    )
    row = next(g for g in compared["groups"] if g["group"] == "Reliability")
    assert row["rate"] == reliability["rate"] and row["previous_rate"] == before["rate"]
    assert row["change"] == pytest.approx(reliability["rate"] - before["rate"])
