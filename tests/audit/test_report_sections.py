"""The report page is a summary; each section has its own address (issue: "a page that
size should be split"). Without JavaScript every section is a link away; with it, htmx
swaps each one in as it scrolls into view. Each read of a section is an HR read: gated
like the page and logged like it. Sections are rendered once per computation of the
report and served from the cache after that, until the data changes."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit import presentation
from audit.models import AuditRun
from audit.selectors.report_cache import audit_report_cached
from org import services as org_services
from org.models import AccessLog
from tests.audit import PLACEHOLDER, answer, gender, open_cycle, report_page, seventeen
from tests.calibration.conftest import submitted_review
from tests.factories import make_person


@pytest.fixture
def org(world):
    return seventeen(world)


def _outline(world, cycle) -> list[dict[str, str]]:
    return presentation.report_outline(audit_report_cached(user=world.hr.user, cycle=cycle))


def _url(cycle, section: dict[str, str]) -> str:
    name = "audit:report-dimension" if section["kind"] == "dimension" else "audit:report-section"
    return reverse(name, args=[cycle.pk, section["name"]])


def test_the_report_page_is_a_summary_with_a_link_to_every_section(org, world, client_for):
    html = client_for("hr").get(reverse("audit:report", args=[org.cycle.pk])).content.decode()
    assert "Summary of findings" in html and 'id="methods-heading"' in html
    # No section's tables or charts on the page itself: they load on demand.
    assert 'class="audit-chart"' not in html and "Impact ratio</th>" not in html
    assert len(html) < 40_000
    outline = _outline(world, org.cycle)
    assert [s["heading_id"] for s in outline][:2] == ["dim-team", "dim-level"]
    assert {"sections/language", "sections/comparison"} <= {s["part"] for s in outline}
    placeholders = PLACEHOLDER.findall(html)
    assert placeholders == [_url(org.cycle, s) for s in outline]
    for section in outline:
        url = _url(org.cycle, section)
        # The contents link to the section's heading on the page, which is there before
        # the section loads; without JavaScript, a plain link opens the section.
        assert f'href="#{section["heading_id"]}"' in html
        assert f'<h2 id="{section["heading_id"]}">' in html
        assert f'<a href="{url}">' in html


def test_each_section_is_a_page_of_its_own_without_javascript(org, world, client_for):
    client = client_for("hr")
    for section in _outline(world, org.cycle):
        r = client.get(_url(org.cycle, section))
        assert r.status_code == 200
        html = r.content.decode()
        assert "<html" in html and f"<title>{section['heading']} · Fairness audit" in html
        assert f'<h2 id="{section["heading_id"]}">' in html
        assert reverse("audit:report", args=[org.cycle.pk]) + f"#{section['heading_id']}" in html
        assert "HX-Request" in r["Vary"]


def test_htmx_gets_the_bare_section_in_place_of_its_placeholder(org, world, client_for):
    client = client_for("hr")
    team = _outline(world, org.cycle)[0]
    r = client.get(_url(org.cycle, team), HTTP_HX_REQUEST="true")
    html = r.content.decode()
    assert html.lstrip().startswith('<section class="section" aria-labelledby="dim-team">')
    assert "<html" not in html and 'class="audit-chart"' in html and "Impact ratio</th>" in html
    assert "HX-Request" in r["Vary"]


def test_every_read_of_a_section_is_logged_like_the_page(org, world, client_for):
    client = client_for("hr")
    page = reverse("audit:report", args=[org.cycle.pk])
    sections = PLACEHOLDER.findall(client.get(page).content.decode())
    last_run = AuditRun.objects.order_by("-id").values_list("id", flat=True).first()
    last_log = AccessLog.objects.order_by("-id").values_list("id", flat=True).first()
    report_page(client, org.cycle)
    parts = [s["part"] for s in _outline(world, org.cycle)]
    runs = list(
        AuditRun.objects.filter(id__gt=last_run).order_by("id").values_list("kind", "params")
    )
    assert [kind for kind, _ in runs] == ["report_html"] * (1 + len(parts))
    assert [params.get("section") for _, params in runs] == [None, *parts]
    assert all(params["min_group_size"] == 5 for _, params in runs)
    paths = list(
        AccessLog.objects.filter(user=world.hr.user, action="audit_report_html", id__gt=last_log)
        .order_by("id")
        .values_list("path", flat=True)
    )
    assert paths == [page, *sections]


def test_an_unknown_section_is_not_found_and_not_logged(org, client_for):
    client = client_for("hr")
    for url in (
        reverse("audit:report-dimension", args=[org.cycle.pk, "shoe-size"]),
        reverse("audit:report-section", args=[org.cycle.pk, "gossip"]),
        reverse("audit:report-section", args=[org.cycle.pk, "summary"]),
        reverse("audit:report-dimension", args=[999999, "team"]),
    ):
        assert client.get(url).status_code == 404, url
    assert not AuditRun.objects.exists()


@pytest.mark.parametrize("role", ["engineer", "manager", "other_manager", "director"])
def test_nobody_but_hr_reads_a_section(org, world, client_for, role):
    client = client_for(role)
    for section in _outline(world, org.cycle):
        assert client.get(_url(org.cycle, section)).status_code == 404
        assert client.get(_url(org.cycle, section), HTTP_HX_REQUEST="true").status_code == 404
    assert not AuditRun.objects.exists()


def test_small_groups_stay_hidden_in_every_section(org, world, client_for):
    client = client_for("hr")
    hidden = "not shown: too few people, or hidden to protect a small group"
    for section in _outline(world, org.cycle):
        html = client.get(_url(org.cycle, section), HTTP_HX_REQUEST="true").content.decode()
        for group in ("Team B", "Team C", "non-binary", "undisclosed"):
            for cells in re.findall(
                r'<th scope="row">' + re.escape(group) + r"</th>(.*?)</tr>", html, re.S
            ):
                text = re.sub(r"<[^>]+>", "", cells).replace(hidden, "")
                # The comparison names hidden groups "not shown" in each cell, with
                # the previous cycle's rate when that cycle showed it (none here).
                assert not re.search(r"\d", text), (section["part"], group, text)


def test_a_section_is_rendered_once_then_read_from_the_cache(org, world, client_for):
    client = client_for("hr")
    url = reverse("audit:report-dimension", args=[org.cycle.pk, "team"])
    first = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    with CaptureQueriesContext(connection) as ctx:
        again = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert again == first
    # Neither the report nor its rows are read again: only its state, and the log.
    assert not any('"reviews_assessment"' in q["sql"] for q in ctx.captured_queries)
    assert not any('"reviews_review"."narrative' in q["sql"] for q in ctx.captured_queries)


def test_a_change_to_the_data_shows_in_every_section_at_once(org, world, client_for):
    client = client_for("hr")
    assert "Team A" in report_page(client, org.cycle)
    org_services.team_update(actor=world.root, team=world.team_a, name="Payments Core")
    for section in _outline(world, org.cycle):
        html = client.get(_url(org.cycle, section), HTTP_HX_REQUEST="true").content.decode()
        assert "Team A" not in html, section["part"]
    team = client.get(
        reverse("audit:report-dimension", args=[org.cycle.pk, "team"]), HTTP_HX_REQUEST="true"
    )
    assert "Payments Core" in team.content.decode()


def test_a_new_dimension_gets_its_section(org, world, client_for):
    client = client_for("hr")
    url = reverse("audit:report-dimension", args=[org.cycle.pk, "age_band"])
    assert client.get(url).status_code == 404
    org_services.dimension_save(
        actor=world.hr.user, key="age_band", label="Age band", values=["under 30", "30+"]
    )
    r = client.get(url, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "Age band" in r.content.decode()


def _cycle_of(world, name: str, size: int):
    cycle = open_cycle(world, name=name)
    for i in range(size):
        person = make_person(
            world.root,
            f"{name.lower()}{i}",
            team=world.team_a if i % 2 else world.team_b,
            manager=world.manager,
            ladder=world.ladder,
            level=("L3", "L4", "L5")[i % 3],
            function="Backend",
        )
        answer(world, person, ("woman", "man")[i % 2])
        submitted_review(world, cycle, person, rating=("meets", "exceeds")[i % 2])
    return cycle


def test_a_section_runs_as_many_queries_for_a_big_cycle_as_for_a_small_one(world, client_for):
    gender(world)
    small = _cycle_of(world, "Small", 4)
    big = _cycle_of(world, "Big", 14)
    client = client_for("hr")
    for cold in (True, False):
        counts = []
        for cycle in (small, big):
            url = reverse("audit:report-dimension", args=[cycle.pk, "team"])
            client.get(url, HTTP_HX_REQUEST="true")  # warm the session and content types
            if cold:
                cache.clear()  # the report computed and the section rendered
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url, HTTP_HX_REQUEST="true").status_code == 200
            counts.append(len(ctx.captured_queries))
        assert counts[0] == counts[1], ("cold" if cold else "from the cache", counts)


def test_a_kept_page_is_gated_and_logged_on_every_read(org, world, client_for):
    client = client_for("hr")
    page = reverse("audit:report", args=[org.cycle.pk])
    section = reverse("audit:report-dimension", args=[org.cycle.pk, "team"])
    client.get(reverse("home"))  # the CSRF cookie a browser has by now
    first, first_section = client.get(page), client.get(section, HTTP_HX_REQUEST="true")
    with CaptureQueriesContext(connection) as ctx:
        again = client.get(page)
        again_section = client.get(section, HTTP_HX_REQUEST="true")
    assert again.content == first.content and again_section.content == first_section.content
    # Served as kept: neither the report's state nor the navigation is read again; the
    # HR gate and the log still are.
    sql = [q["sql"] for q in ctx.captured_queries]
    assert not any('"reviews_review"' in q for q in sql)
    assert not any('"org_person"' in q for q in sql)
    assert sum('INSERT INTO "org_accesslog"' in q for q in sql) == 2
    assert sum('INSERT INTO "audit_auditrun"' in q for q in sql) == 2
    assert AuditRun.objects.filter(kind="report_html").count() == 4
    # Kept, a page's CSRF token is the one it was built with (a new render masks it anew).
    assert again.content == first.content

    # Whoever stops being HR stops getting the kept page at once, and nothing is logged.
    world.hr.user.groups.clear()
    assert client.get(page).status_code == 404
    assert client.get(section, HTTP_HX_REQUEST="true").status_code == 404
    assert AuditRun.objects.count() == 4
