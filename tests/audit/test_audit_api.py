"""GET /api/v1/audit/outcomes/ and /api/v1/audit/report/: who may call them, what they
answer, what they log, and what they never reveal."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient
from statsmodels.stats.multitest import multipletests

from audit.models import AuditRun
from org.models import AccessLog
from tests.audit import open_cycle, seventeen

OUTCOMES_URL = "/api/v1/audit/outcomes/"
REPORT_URL = "/api/v1/audit/report/"

GROUP_KEYS = {
    "group",
    "n",
    "count",
    "rate",
    "ci95",
    "impact_ratio",
    "below_four_fifths",
    "suppressed",
}
TEST_KEYS = {
    "chi_square": {"statistic", "dof", "p_value"},
    "fisher_exact": {"odds_ratio", "p_value"},
    "cmh_by_level": {"odds_ratio", "statistic", "p_value"},
}


@pytest.fixture
def org(world):
    return seventeen(world)


def get(client: APIClient, url: str, **params: Any):
    return client.get(url, params)


def test_hr_gets_the_outcome_table_in_the_documented_shape(org, api_for):
    r = get(
        api_for("hr"), OUTCOMES_URL, cycle=org.cycle.pk, dimension="gender", outcome="high_rating"
    )
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {
        "cycle",
        "dimension",
        "outcome",
        "min_group_size",
        "reference_group",
        "withheld",
        "groups",
        "tests",
    }
    assert body["withheld"] is False
    assert (body["cycle"], body["dimension"], body["outcome"]) == (
        org.cycle.pk,
        "gender",
        "high_rating",
    )
    assert body["min_group_size"] == 5
    assert [g["group"] for g in body["groups"]] == ["man", "non-binary", "undisclosed", "woman"]
    for g in body["groups"]:
        assert set(g) == GROUP_KEYS
    shown = {g["group"]: g for g in body["groups"] if not g["suppressed"]}
    assert set(shown) == {"man", "woman"}
    assert (shown["woman"]["n"], shown["woman"]["count"]) == (6, 3)
    assert (shown["man"]["n"], shown["man"]["count"]) == (6, 2)
    assert body["reference_group"] == "woman"
    assert shown["man"]["impact_ratio"] == pytest.approx((2 / 6) / (3 / 6))
    assert shown["man"]["below_four_fifths"] is True
    assert len(shown["man"]["ci95"]) == 2
    assert {k: set(v) for k, v in body["tests"].items()} == TEST_KEYS
    assert body["tests"]["chi_square"]["dof"] == 1
    assert body["tests"]["fisher_exact"]["p_value"] is not None


def test_a_superuser_is_answered_like_hr(org, world):
    client = APIClient()
    client.force_authenticate(world.root)
    r = get(client, OUTCOMES_URL, cycle=org.cycle.pk, dimension="team", outcome="promoted")
    assert r.status_code == 200
    assert get(client, REPORT_URL, cycle=org.cycle.pk).status_code == 200


@pytest.mark.parametrize("role", ["engineer", "manager", "other_manager"])
@pytest.mark.parametrize("url", [OUTCOMES_URL, REPORT_URL])
def test_anyone_but_hr_gets_404_even_a_committee_member(world, api_for, role, url):
    cycle = world.calib.cycle  # other_manager sits on the committee of world.calib.session
    r = get(api_for(role), url, cycle=cycle.pk, dimension="team", outcome="high_rating")
    assert r.status_code == 404
    assert not AuditRun.objects.exists()


@pytest.mark.parametrize("url", [OUTCOMES_URL, REPORT_URL])
def test_anonymous_callers_get_401(world, api_for, url):
    cycle = open_cycle(world)
    r = get(api_for("anonymous"), url, cycle=cycle.pk, dimension="team", outcome="high_rating")
    assert r.status_code == 401


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"dimension": "team", "outcome": "high_rating"}, "cycle", "required"),
        ({"cycle": "abc", "dimension": "team", "outcome": "high_rating"}, "cycle", "integer"),
        ({"cycle": "99999999", "dimension": "team", "outcome": "high_rating"}, "cycle", "No such"),
        ({"cycle": "9" * 40, "dimension": "team", "outcome": "high_rating"}, "cycle", ""),
        ({"cycle": "{cycle}", "outcome": "high_rating"}, "dimension", "required"),
        (
            {"cycle": "{cycle}", "dimension": "height", "outcome": "high_rating"},
            "dimension",
            "gender",
        ),
        ({"cycle": "{cycle}", "dimension": "team"}, "outcome", "required"),
        ({"cycle": "{cycle}", "dimension": "team", "outcome": "raise"}, "outcome", "high_rating"),
        (
            {"cycle": "{cycle}", "dimension": "team", "outcome": "promoted", "reference": "Team Z"},
            "reference",
            "not a group",
        ),
        (
            {"cycle": "{cycle}", "dimension": "team", "outcome": "promoted", "reference": "Team B"},
            "reference",
            "suppressed",
        ),
        ({"cycle": "{cycle}", "dimension": "x" * 500, "outcome": "promoted"}, "dimension", ""),
        ({"cycle": "{cycle}", "dimension": "team\x00", "outcome": "promoted"}, "dimension", ""),
    ],
)
def test_bad_parameters_answer_400_naming_the_parameter_and_log_nothing(
    org, api_for, params, field, message
):
    params = {k: v.format(cycle=org.cycle.pk) for k, v in params.items()}
    logs = AccessLog.objects.count()
    r = api_for("hr").get(OUTCOMES_URL, params)
    assert r.status_code == 400, r.content
    assert field in r.json()
    assert message in " ".join(r.json()[field])
    assert not AuditRun.objects.exists()
    assert AccessLog.objects.count() == logs


@pytest.mark.parametrize("params", [{}, {"cycle": "x"}, {"cycle": "0"}, {"cycle": "99999999"}])
def test_the_report_needs_a_real_cycle(org, api_for, params):
    r = api_for("hr").get(REPORT_URL, params)
    assert r.status_code == 400
    assert "cycle" in r.json()
    assert not AuditRun.objects.exists()


def test_the_reference_parameter_sets_the_reference_group(org, api_for):
    r = get(
        api_for("hr"),
        OUTCOMES_URL,
        cycle=org.cycle.pk,
        dimension="gender",
        outcome="high_rating",
        reference="man",
    )
    assert r.status_code == 200
    body = r.json()
    assert body["reference_group"] == "man"
    woman = next(g for g in body["groups"] if g["group"] == "woman")
    assert woman["impact_ratio"] == pytest.approx((3 / 6) / (2 / 6))
    assert woman["below_four_fifths"] is False


def test_an_empty_reference_means_the_default_one(org, api_for):
    r = api_for("hr").get(
        OUTCOMES_URL,
        {"cycle": org.cycle.pk, "dimension": "gender", "outcome": "high_rating", "reference": ""},
    )
    assert r.status_code == 200
    assert r.json()["reference_group"] == "woman"


def test_an_empty_cycle_answers_200_with_no_groups(world, api_for):
    cycle = open_cycle(world)
    r = get(api_for("hr"), OUTCOMES_URL, cycle=cycle.pk, dimension="level", outcome="low_rating")
    assert r.status_code == 200
    assert r.json()["groups"] == []
    report = get(api_for("hr"), REPORT_URL, cycle=cycle.pk).json()
    assert report["findings"] == []
    assert all(result["groups"] == [] for result in report["results"])


def test_every_call_is_logged_with_who_when_and_what(org, world, api_for):
    hr = api_for("hr")
    get(hr, OUTCOMES_URL, cycle=org.cycle.pk, dimension="gender", outcome="promoted")
    get(
        hr,
        OUTCOMES_URL,
        cycle=org.cycle.pk,
        dimension="team",
        outcome="high_rating",
        reference="Team A",
    )
    get(hr, REPORT_URL, cycle=org.cycle.pk)
    runs = list(AuditRun.objects.order_by("id"))
    assert [r.kind for r in runs] == ["outcomes", "outcomes", "report"]
    assert all(r.user == world.hr.user and r.cycle == org.cycle for r in runs)
    assert all(r.created_at is not None for r in runs)
    assert runs[0].params == {
        "dimension": "gender",
        "outcome": "promoted",
        "reference": None,
        "min_group_size": 5,
    }
    assert runs[1].params["reference"] == "Team A"
    assert runs[2].params == {"min_group_size": 5}
    logs = AccessLog.objects.filter(action__startswith="audit_").order_by("id")
    assert [log.action for log in logs] == ["audit_outcomes", "audit_outcomes", "audit_report"]
    assert all(log.target_id == str(org.cycle.pk) for log in logs)
    assert logs[2].path.startswith(REPORT_URL)


def test_the_report_has_every_dimension_and_outcome_with_bh_adjusted_p_values(org, api_for):
    r = get(api_for("hr"), REPORT_URL, cycle=org.cycle.pk)
    assert r.status_code == 200
    report = r.json()
    assert set(report) == {
        "cycle",
        "generated_at",
        "min_group_size",
        "dimensions",
        "outcomes",
        "lint_codes",
        "invisible_work_kinds",
        "results",
        "language",
        "evidence",
        "calibration",
        "comparison",
        "findings",
        "notes",
    }
    assert report["comparison"] == {"previous_cycle": None, "results": []}
    dims = [d["key"] for d in report["dimensions"]]
    org = ["team", "level", "function", "ladder", "manager", "tenure", "location"]
    assert dims == [*org, "gender"]
    outcomes = [o["key"] for o in report["outcomes"]]
    assert [(x["dimension"], x["outcome"]) for x in report["results"]] == [
        (d, o) for d in dims for o in outcomes
    ]
    tests = [t for x in report["results"] for t in x["tests"].values()]
    raw = [t["p_value"] for t in tests if t["p_value"] is not None]
    assert raw, "the data gives some tests to adjust"
    expected = iter(multipletests(raw, method="fdr_bh")[1])
    for t in tests:
        if t["p_value"] is None:
            assert t["p_value_adjusted"] is None
        else:
            assert t["p_value_adjusted"] == pytest.approx(next(expected))
    for section in ("language", "evidence", "calibration"):
        assert [s["dimension"] for s in report[section]] == dims
    for finding in report["findings"]:
        assert "adjusted p" in finding["text"]


# --- Small groups -------------------------------------------------------------------------
def _walk(value: Any, key: str = ""):
    """Every (key, value) pair of a JSON document, at any depth."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield k, v
            yield from _walk(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from _walk(v, key)


def _dicts(value: Any):
    if isinstance(value, dict):
        yield value
        for v in value.values():
            yield from _dicts(v)
    elif isinstance(value, list):
        for v in value:
            yield from _dicts(v)


def _suppressed_rows(doc: Any) -> list[dict[str, Any]]:
    return [d for d in _dicts(doc) if d.get("suppressed")]


def _assert_no_suppressed_numbers(doc: Any) -> None:
    rows = _suppressed_rows(doc)
    assert rows
    for row in rows:
        assert {k for k, v in row.items() if v is not None} == {"group", "suppressed"}, row


def test_suppressed_groups_show_no_number_in_the_outcome_table(org, api_for):
    hr = api_for("hr")
    for dimension in ("team", "gender", "manager"):
        for outcome in ("high_rating", "low_rating"):
            body = get(
                hr, OUTCOMES_URL, cycle=org.cycle.pk, dimension=dimension, outcome=outcome
            ).json()
            _assert_no_suppressed_numbers(body)
    team = get(hr, OUTCOMES_URL, cycle=org.cycle.pk, dimension="team", outcome="high_rating").json()
    # Team B (2 people) is small; Team C (7) is suppressed with it so B cannot be worked out.
    assert {g["group"]: g["suppressed"] for g in team["groups"]} == {
        "Team A": False,
        "Team B": True,
        "Team C": True,
    }


def test_suppressed_groups_show_no_number_anywhere_in_the_report(org, api_for):
    report = get(api_for("hr"), REPORT_URL, cycle=org.cycle.pk).json()
    _assert_no_suppressed_numbers(report)
    # The same groups are hidden in every section of a dimension (an outcome withheld
    # for the dimension hides them all).
    for dimension in ("team", "gender"):
        hidden = {
            frozenset(g["group"] for g in section["groups"] if g["suppressed"])
            for name in ("results", "language", "evidence", "calibration")
            for section in report[name]
            if section["dimension"] == dimension and section.get("withheld") is not True
        }
        assert len(hidden) == 1
    texts = " ".join(f["text"] for f in report["findings"])
    for name in ("Team B", "Team C", "non-binary", "undisclosed"):
        assert name not in texts


# Known sizes and high-rating counts of the suppressed groups (see tests/audit/__init__.py).
HIDDEN = {
    "team": {"n": {"Team B": 2, "Team C": 7}, "high": {"Team B": 1, "Team C": 3}},
    "gender": {
        "n": {"non-binary": 2, "undisclosed": 3},
        "high": {"non-binary": 1, "undisclosed": 2},
    },
}
POPULATION = 17


def _ints(doc: Any, keys: set[str]) -> set[int]:
    return {
        v for k, v in _walk(doc) if k in keys and isinstance(v, int) and not isinstance(v, bool)
    }


@pytest.mark.parametrize("dimension", ["team", "gender"])
def test_no_suppressed_group_can_be_recovered_by_subtraction(org, api_for, dimension):
    hr = api_for("hr")
    report = get(hr, REPORT_URL, cycle=org.cycle.pk).json()
    table = get(
        hr, OUTCOMES_URL, cycle=org.cycle.pk, dimension=dimension, outcome="high_rating"
    ).json()
    for doc in (report, table):
        for k, _ in _walk(doc):
            assert "total" not in k and "population" not in k, k
    docs = [report, table]
    # Sizes: every whole number the responses give about people.
    size_keys = {"n", "reviews", "calibrated_reviews", "high_rated_reviews", "count"}
    sizes = set().union(*(_ints(d, size_keys) for d in docs))
    shown_n = sum(g["n"] for g in table["groups"] if not g["suppressed"])
    for total in sizes:
        assert total - shown_n not in HIDDEN[dimension]["n"].values(), total
    # High-rating counts: every count of that outcome given anywhere.
    counts = {
        g["count"]
        for result in [*report["results"], table]
        if result["outcome"] == "high_rating"
        for g in result["groups"]
        if not g["suppressed"]
    } | _ints(report["evidence"], {"high_rated_reviews"})
    shown_count = sum(g["count"] for g in table["groups"] if not g["suppressed"])
    for total in counts:
        assert total - shown_count not in HIDDEN[dimension]["high"].values(), total
    # What can be worked out is only the suppressed groups together, never one of them.
    assert POPULATION - shown_n == sum(HIDDEN[dimension]["n"].values())
    assert len(HIDDEN[dimension]["n"]) >= 2


def _remainder(result: dict[str, Any], total_n: int, total_count: int) -> tuple[int, int]:
    """What subtraction gives about the suppressed groups of a table, together."""
    shown = [g for g in result["groups"] if not g["suppressed"]]
    return (
        total_n - sum(g["n"] for g in shown),
        total_count - sum(g["count"] for g in shown),
    )


# a6 (undisclosed) and c6 (non-binary) rated "exceeds": all 5 people hidden by gender are
# rated high. Before the fix, woman (3 of 6) and man (2 of 6) were shown beside a total
# of 10, which said so of each of them.
ALL_HIDDEN_HIGH = {"a6": "exceeds", "c6": "exceeds"}


@pytest.mark.parametrize("ratings", [{}, ALL_HIDDEN_HIGH], ids=["mixed", "all-hidden-high"])
def test_no_outcome_of_the_suppressed_groups_can_be_read_off_by_subtraction(
    world, api_for, ratings
):
    """Issue #10, point 7. Every level has 5 or more people here, so the level tables give
    each outcome's total: subtracting the groups a table shows must never leave hidden
    people who all share the outcome, or none of whom has it."""
    org = seventeen(world, ratings=ratings)
    hr = api_for("hr")
    report = get(hr, REPORT_URL, cycle=org.cycle.pk).json()
    results = {(r["dimension"], r["outcome"]): r for r in report["results"]}
    for (dimension, outcome), result in results.items():
        level = results[("level", outcome)]
        assert not any(g["suppressed"] for g in level["groups"])
        total_n = sum(g["n"] for g in level["groups"])
        total_count = sum(g["count"] for g in level["groups"])
        table = get(hr, OUTCOMES_URL, cycle=org.cycle.pk, dimension=dimension, outcome=outcome)
        for shown in (result, table.json()):
            if all(g["suppressed"] for g in shown["groups"]):
                continue
            hidden_n, hidden_count = _remainder(shown, total_n, total_count)
            if hidden_n:
                assert 0 < hidden_count < hidden_n, (dimension, outcome, hidden_count, hidden_n)
    gender_high = results[("gender", "high_rating")]
    assert gender_high["withheld"] is False
    # The smallest group with someone not rated high is hidden too (man and woman have 6
    # people each; the tie goes by name).
    assert {g["group"]: g["suppressed"] for g in gender_high["groups"]} == {
        "man": ratings == ALL_HIDDEN_HIGH,
        "non-binary": True,
        "undisclosed": True,
        "woman": False,
    }
    # Only 2 or 3 of 17 were rated low: 5 hidden people would be expected to include
    # fewer than 2 of them, so low ratings are not shown by gender at all.
    assert results[("gender", "low_rating")]["withheld"] is True
    # Every table and section of the dimension hides the same groups, and so does the
    # outcome endpoint: a group hidden in one place only would say why by its absence.
    hidden = [g["suppressed"] for g in gender_high["groups"]]
    for outcome in ("high_rating", "low_rating"):
        table = get(hr, OUTCOMES_URL, cycle=org.cycle.pk, dimension="gender", outcome=outcome)
        body = table.json()
        assert body["withheld"] is (outcome == "low_rating")
        if not body["withheld"]:
            assert [g["suppressed"] for g in body["groups"]] == hidden
    for name in ("language", "evidence", "calibration"):
        section = next(s for s in report[name] if s["dimension"] == "gender")
        assert [g["suppressed"] for g in section["groups"]] == hidden


def test_an_outcome_nobody_has_is_withheld_where_groups_are_hidden(org, api_for):
    """Nobody was promoted: with Team B and Team C hidden, Team A's 0 of 8 would say the
    hidden 9 were not promoted either, so the team dimension says nothing about promotion.
    Level hides no group, so it has no remainder to protect and is shown."""
    report = get(api_for("hr"), REPORT_URL, cycle=org.cycle.pk).json()
    results = {(r["dimension"], r["outcome"]): r for r in report["results"]}
    team = results[("team", "promoted")]
    assert team["withheld"] is True
    assert all(g["suppressed"] for g in team["groups"])
    assert results[("team", "high_rating")]["withheld"] is False
    level = results[("level", "promoted")]
    assert level["withheld"] is False and not any(g["suppressed"] for g in level["groups"])
    body = get(
        api_for("hr"), OUTCOMES_URL, cycle=org.cycle.pk, dimension="team", outcome="promoted"
    ).json()
    assert body["withheld"] is True and all(g["suppressed"] for g in body["groups"])
    # Nobody was calibrated up or down either: the calibration section has no shares for
    # the team dimension, and no group's count of the outcome appears in it.
    calibration = next(s for s in report["calibration"] if s["dimension"] == "team")
    assert {"changed_up_share", "changed_down_share", "unchanged_share"} <= set(
        calibration["withheld"]
    )
