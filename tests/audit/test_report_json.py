"""The report's JSON is made once per computation of the report and kept beside it: the
body served is exactly what the serializer gives, and it follows the data at once."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from audit.models import AuditRun
from audit.selectors.report_cache import audit_report_cached
from audit.serializers import AuditReportSerializer
from org import services as org_services
from tests.audit import seventeen


@pytest.fixture
def org(world):
    return seventeen(world)


def _url(cycle) -> str:
    return reverse("api:audit-report") + f"?cycle={cycle.pk}"


def test_the_kept_json_is_what_the_serializer_gives(org, world, api_for):
    api = api_for("hr")
    first = api.get(_url(org.cycle))
    again = api.get(_url(org.cycle))
    assert first.status_code == again.status_code == 200
    assert first["Content-Type"] == "application/json"
    assert again.content == first.content
    report = audit_report_cached(user=world.hr.user, cycle=org.cycle)
    assert json.loads(again.content) == json.loads(json.dumps(AuditReportSerializer(report).data))
    assert AuditRun.objects.filter(kind="report").count() == 2


def test_indented_json_and_the_browsable_api_get_the_same_report(org, api_for):
    api = api_for("hr")
    compact = json.loads(api.get(_url(org.cycle)).content)
    indented = api.get(_url(org.cycle), HTTP_ACCEPT="application/json; indent=2")
    assert indented.status_code == 200 and b'\n  "cycle"' in indented.content
    assert json.loads(indented.content) == compact
    page = api.get(_url(org.cycle), HTTP_ACCEPT="text/html")
    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
    assert compact["generated_at"] in page.content.decode()


def test_the_json_follows_a_change_to_the_data_at_once(org, world, api_for):
    api = api_for("hr")
    before = api.get(_url(org.cycle)).json()
    org_services.team_update(actor=world.root, team=world.team_a, name="Payments Core")
    after = api.get(_url(org.cycle)).json()
    assert after["generated_at"] != before["generated_at"]
    groups = {g["group"] for r in after["results"] for g in r["groups"]}
    assert "Payments Core" in groups and "Team A" not in groups


@pytest.mark.parametrize("role", ["engineer", "manager", "director", "committee"])
def test_nobody_but_hr_gets_the_kept_json(org, api_for, role):
    api_for("hr").get(_url(org.cycle))  # kept in the cache
    assert api_for(role).get(_url(org.cycle)).status_code == 404


def test_the_kept_json_is_gated_and_logged_on_every_read(org, world):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=world.hr.user).key}")
    first = api.get(_url(org.cycle))
    with CaptureQueriesContext(connection) as ctx:
        again = api.get(_url(org.cycle))
    assert again.content == first.content
    sql = [q["sql"] for q in ctx.captured_queries]
    assert not any('"reviews_review"' in q for q in sql)
    assert sum('INSERT INTO "audit_auditrun"' in q for q in sql) == 1
    world.hr.user.groups.clear()
    assert api.get(_url(org.cycle)).status_code == 404
    assert AuditRun.objects.filter(kind="report").count() == 2
