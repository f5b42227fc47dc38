"""The fairness audit pages (SPEC §6): the cycle list, the HTML report and the CSV. HR
only; small groups' numbers appear nowhere; every view and download is logged."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from audit import presentation
from audit.models import AuditRun
from audit.selectors.report_cache import audit_report_cached
from org import services as org_services
from reviews.models import LintTerm
from tests.audit import answer, gender, generated_at, open_cycle, report_page, seventeen
from tests.calibration.conftest import submitted_review
from tests.factories import make_person


@pytest.fixture
def org(world):
    return seventeen(world)


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _suppressed_row_cells(html: str, group: str) -> list[str]:
    """The cells after each table row headed by ``group``."""
    pattern = re.compile(r'<th scope="row">' + re.escape(group) + r"</th>(.*?)</tr>", re.DOTALL)
    return pattern.findall(html)


def test_hr_sees_the_list_of_cycles_with_links_to_report_and_csv(org, client_for):
    r = client_for("hr").get(reverse("audit:index"))
    assert r.status_code == 200
    html = r.content.decode()
    assert "H2 2025" in html
    assert reverse("audit:report", args=[org.cycle.pk]) in html
    assert reverse("audit:csv", args=[org.cycle.pk]) in html


def test_hr_sees_findings_charts_tables_and_methods_in_the_report(org, world, client_for):
    html = report_page(client_for("hr"), org.cycle)
    assert "Summary of findings" in html
    assert html.index("Summary of findings") < html.index("<svg")
    assert 'role="img"' in html and "<title" in html
    assert "<table" in html and "Impact ratio" in html
    assert "Adjusted p-value" in html
    assert "Benjamini–Hochberg" in html and "Wilson" in html
    assert "complementary suppression" in html
    assert "Review language" in html and "Calibration changes by" in html
    report = audit_report_cached(user=world.hr.user, cycle=org.cycle)
    for note in report["notes"]:
        assert escape(note) in html
    for finding in report["findings"]:
        assert escape(finding["text"]) in html


@pytest.mark.parametrize("role", ["engineer", "manager", "other_manager"])
def test_people_who_are_not_hr_get_not_found_on_every_audit_page(org, client_for, role):
    client = client_for(role)
    for url in (
        reverse("audit:index"),
        reverse("audit:report", args=[org.cycle.pk]),
        reverse("audit:csv", args=[org.cycle.pk]),
    ):
        assert client.get(url).status_code == 404
    assert not AuditRun.objects.exists()


def test_a_suppressed_groups_numbers_appear_nowhere_in_the_report_page(org, client_for):
    html = report_page(client_for("hr"), org.cycle)
    for group in ("Team B", "Team C", "non-binary", "undisclosed"):
        cells = _suppressed_row_cells(html, group)
        assert cells, group
        for cell in cells:
            text = re.sub(r"<[^>]+>", "", cell).replace(
                "not shown: too few people, or hidden to protect a small group", ""
            )
            assert not re.search(r"\d", text), (group, text)
    assert "not shown: too few people, or hidden to protect a small group" in html
    # Shown groups keep their numbers.
    team_a = _suppressed_row_cells(html, "Team A")[0]
    assert "<td>8</td>" in team_a


def test_a_suppressed_groups_numbers_appear_nowhere_in_the_csv(org, client_for):
    r = client_for("hr").get(reverse("audit:csv", args=[org.cycle.pk]))
    assert r.status_code == 200
    assert r["Content-Type"].startswith("text/csv")
    assert r["Content-Disposition"].startswith('attachment; filename="fairness-audit-')
    rows = _rows(r.content.decode())
    numeric = ("n", "count", "rate", "ci95_low", "ci95_high", "impact_ratio")
    hidden = [x for x in rows if x["group"] in ("Team B", "Team C", "non-binary", "undisclosed")]
    assert hidden
    for row in hidden:
        assert row["suppressed"] == "yes"
        assert all(row[k] == "" for k in (*numeric, "below_four_fifths"))
    team_a = [x for x in rows if x["group"] == "Team A" and x["outcome"] == "high_rating"]
    assert team_a[0]["n"] == "8" and team_a[0]["suppressed"] == "no"


def test_the_csv_neutralises_a_team_name_that_looks_like_a_formula(world, client_for):
    evil = org_services.team_create(actor=world.root, name="=cmd()", slug="evil", parent=world.eng)
    cycle = open_cycle(world)
    person = make_person(
        world.root, "eve", team=evil, manager=world.manager, ladder=world.ladder, level="L4"
    )
    submitted_review(world, cycle, person)
    submitted_review(world, cycle, world.engineer)
    body = client_for("hr").get(reverse("audit:csv", args=[cycle.pk])).content.decode()
    assert "'=cmd()" in body
    assert not re.search(r"(^|,)=cmd\(\)", body, re.MULTILINE)


def test_every_page_view_and_csv_download_is_logged(org, client_for, world):
    client = client_for("hr")
    client.get(reverse("audit:report", args=[org.cycle.pk]))
    client.get(reverse("audit:report", args=[org.cycle.pk]))
    client.get(reverse("audit:csv", args=[org.cycle.pk]))
    runs = list(AuditRun.objects.order_by("id").values_list("kind", "user_id", "cycle_id"))
    assert runs == [
        ("report_html", world.hr.user.pk, org.cycle.pk),
        ("report_html", world.hr.user.pk, org.cycle.pk),
        ("report_csv", world.hr.user.pk, org.cycle.pk),
    ]


def _cycle_of(world, name: str, size: int):
    cycle = open_cycle(world, name=name)
    for i in range(size):
        person = make_person(
            world.root,
            f"{name.lower().replace(' ', '')}{i}",
            team=world.team_a if i % 2 else world.team_b,
            manager=world.manager,
            ladder=world.ladder,
            level=("L3", "L4", "L5")[i % 3],
            function="Backend",
        )
        answer(world, person, ("woman", "man")[i % 2])
        submitted_review(world, cycle, person, rating=("meets", "exceeds")[i % 2])
    return cycle


def test_the_report_page_runs_as_many_queries_for_a_big_cycle_as_for_a_small_one(world, client_for):
    gender(world)
    small = _cycle_of(world, "Small", 4)
    big = _cycle_of(world, "Big", 14)
    client = client_for("hr")
    client.get(reverse("audit:report", args=[small.pk]))  # warm caches (session, content types)
    counts = []
    for cycle in (small, big):
        cache.clear()  # measure the report being computed, not read from the cache
        with CaptureQueriesContext(connection) as ctx:
            r = client.get(reverse("audit:report", args=[cycle.pk]))
        assert r.status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_the_report_is_computed_once_per_state_of_its_data(org, world, client_for):
    client = client_for("hr")
    url = reverse("audit:report", args=[org.cycle.pk])
    first = generated_at(client.get(url).content.decode())
    with CaptureQueriesContext(connection) as ctx:
        again = generated_at(client.get(url).content.decode())
    assert again == first  # read from the cache
    # The state key counts the assessments; only computing the report reads their text.
    assert not any('"reviews_assessment"."narrative"' in q["sql"] for q in ctx.captured_queries)
    # The CSV and the API read the same numbers.
    api = client.get(reverse("api:audit-report") + f"?cycle={org.cycle.pk}").json()
    assert api["generated_at"] == first

    # A person changes their self-identified answer: the next view computes afresh.
    org_services.demographics_set(
        actor=world.hr.user, person=org.people["a6"], attributes={"gender": "woman"}
    )
    fresh = generated_at(client.get(url).content.decode())
    assert fresh != first
    report = audit_report_cached(user=world.hr.user, cycle=org.cycle)
    assert report["generated_at"] == fresh
    women = next(
        g
        for r in report["results"]
        if (r["dimension"], r["outcome"]) == ("gender", "high_rating")
        for g in r["groups"]
        if g["group"] == "woman"
    )
    assert women["n"] == 7
    assert AuditRun.objects.filter(kind="report_html").count() == 3


def test_a_dimension_with_too_many_groups_lists_only_those_below_four_fifths(
    org, world, client_for, settings
):
    """A big org has a thousand teams and managers: the page lists, for such a dimension,
    the groups below four-fifths and the reference group, and says so."""
    settings.AUDIT_MAX_LISTED_GROUPS = 3  # gender has 4 groups here; team, level 3
    html = report_page(client_for("hr"), org.cycle)
    sections = presentation.report_sections(
        audit_report_cached(user=world.hr.user, cycle=org.cycle)
    )
    gender = next(s for s in sections if s["key"] == "gender")
    team = next(s for s in sections if s["key"] == "team")
    assert gender["large"] and not team["large"]
    high = next(t for t in gender["tables"] if t["key"] == "gender-high_rating")
    # woman 3 of 6 (the reference), man 2 of 6 (below four-fifths); the two small groups
    # are not listed at all.
    assert [g["group"] for g in high["groups"]] == ["man", "woman"]
    assert high["note"].startswith("Gender has 4 groups, too many to list.")
    assert escape(high["note"]) in html
    assert gender["language"] == gender["evidence"] == gender["calibration"] == []
    assert "Gender: 4 groups, too many to list here." in html
    # The team tables list all 3 groups, but those of outcomes too rare for the 9 people
    # of the two hidden teams (3 of 17 rated low, nobody promoted or moved in
    # calibration), which are withheld.
    assert [len(t["groups"]) for t in team["tables"]] == [3, 0, 0, 0, 0]
    assert [t["withheld"] for t in team["tables"]] == [False, True, True, True, True]


def test_renaming_a_team_shows_the_new_name_on_the_next_view(org, world, client_for):
    client = client_for("hr")
    assert "Team A" in report_page(client, org.cycle)
    org_services.team_update(actor=world.root, team=world.team_a, name="Payments Core")
    html = report_page(client, org.cycle)
    assert "Payments Core" in html and "Team A" not in html


def test_editing_a_word_list_phrase_recomputes_the_report(org, client_for):
    client = client_for("hr")
    url = reverse("audit:report", args=[org.cycle.pk])
    first = client.get(url).context["report"]["generated_at"]
    term = LintTerm.objects.filter(is_active=True).order_by("pk").first()
    term.phrase = term.phrase + " indeed"  # HR edits the phrase in the admin
    term.save()
    assert client.get(url).context["report"]["generated_at"] != first


WITHHELD = "Not shown: the groups too small to report would be identifiable"


def test_an_outcome_withheld_for_a_dimension_says_why_on_the_page_and_in_the_csv(
    org, world, client_for
):
    """Nobody was promoted (issue #10, point 7): Team A's 0 of 8 would say that the 9
    people of the hidden teams were not promoted either. The team table for promotion says
    why it is empty; the level table, which hides nobody, keeps its numbers."""
    client = client_for("hr")
    html = report_page(client, org.cycle)
    sections = presentation.report_sections(
        audit_report_cached(user=world.hr.user, cycle=org.cycle)
    )
    team = next(s for s in sections if s["key"] == "team")
    promoted = next(t for t in team["tables"] if t["key"] == "team-promoted")
    assert promoted["withheld"] and promoted["groups"] == []
    block = re.search(r'aria-labelledby="h-team-promoted">(.*?)</section>', html, re.DOTALL)
    assert block and WITHHELD in block.group(1)
    assert "Team A" not in block.group(1)
    level = re.search(r'aria-labelledby="h-level-promoted">(.*?)</section>', html, re.DOTALL)
    assert level and WITHHELD not in level.group(1) and "<td>0</td>" in level.group(1)
    # Nobody was calibrated up or down: no calibration shares for the teams.
    calibration = team["calibration"]
    assert calibration and all(
        g["suppressed"] or g["up"] == g["down"] == g["unchanged"] == "not shown"
        for g in calibration
    )
    rows = _rows(client.get(reverse("audit:csv", args=[org.cycle.pk])).content.decode())
    team_promoted = [x for x in rows if (x["dimension"], x["outcome"]) == ("team", "promoted")]
    assert team_promoted and all(
        x["suppressed"] == "yes" and x["n"] == x["count"] == "" for x in team_promoted
    )
