"""HR uploads outcome data as CSV in the admin: a dry run first, then the import, whole or
not at all, through the same validation and the same idempotent services as the API."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from org.models import Activity
from outcomes.models import Deployment, HealthSurvey, Incident, IngestionToken
from tests.conftest import ROLES

pytestmark = pytest.mark.django_db

DEPLOY_IMPORT = "admin:outcomes_deployment_import_csv"

GOOD = (
    "team,external_id,deployed_at,committed_at,failed\n"
    "team-a,d1,2026-03-02T10:00:00Z,2026-03-02T08:00:00Z,false\n"
    "team-a,d2,2026-03-03T10:00:00Z,,true\n"
    "{team_b},d1,2026-03-03T11:00:00Z,,\n"
)


def upload(client, url_name, text: str, dry_run: bool, name: str = "deploys.csv"):
    data = {"file": SimpleUploadedFile(name, text.encode("utf-8"), "text/csv")}
    if dry_run:
        data["dry_run"] = "on"
    return client.post(reverse(url_name), data)


def test_a_dry_run_counts_what_would_change_and_writes_nothing(world, client_for):
    response = upload(client_for("hr"), DEPLOY_IMPORT, GOOD.format(team_b=world.team_b.pk), True)

    assert response.status_code == 200
    assert response.context["result"].created == 3
    assert "Dry run: nothing was written." in response.content.decode()
    assert Deployment.objects.count() == 0
    assert not Activity.objects.filter(action=Activity.Action.OUTCOMES_CSV_IMPORTED).exists()


def test_the_import_stores_rows_once_and_is_logged(world, client_for):
    hr = client_for("hr")
    text = GOOD.format(team_b=world.team_b.pk)

    first = upload(hr, DEPLOY_IMPORT, text, dry_run=False)
    again = upload(hr, DEPLOY_IMPORT, text, dry_run=False)

    assert first.context["result"].created == 3
    assert (again.context["result"].created, again.context["result"].unchanged) == (0, 3)
    assert Deployment.objects.count() == 3
    d2 = Deployment.objects.get(team=world.team_a, external_id="d2")
    assert d2.failed is True and d2.committed_at is None
    log = Activity.objects.filter(action=Activity.Action.OUTCOMES_CSV_IMPORTED).first()
    assert log.new["file"] == "deploys.csv" and log.new["created"] == 0  # latest first
    assert log.actor == world.hr.user


def test_a_file_with_a_bad_row_writes_nothing_and_names_the_line(world, client_for):
    text = GOOD.format(team_b="no-such-team") + "team-a,d9,not-a-time,,\n"

    response = upload(client_for("hr"), DEPLOY_IMPORT, text, dry_run=False)

    assert response.status_code == 400
    errors = response.context["errors"]
    assert "Line 4, team: No team with the id or slug 'no-such-team'." in errors
    assert any(e.startswith("Line 5, deployed_at:") for e in errors)
    assert Deployment.objects.count() == 0


@pytest.mark.parametrize(
    "text",
    [
        "team,external_id,deployed_at,engineer\nteam-a,d1,2026-03-02T10:00:00Z,7\n",
        "team,external_id\n",
        "",
    ],
)
def test_a_file_with_wrong_columns_or_no_rows_is_refused(world, client_for, text):
    response = upload(client_for("hr"), DEPLOY_IMPORT, text, dry_run=False)

    assert response.status_code == 400
    assert response.context["form"].errors
    assert Deployment.objects.count() == 0


def test_a_file_that_is_not_utf8_is_refused(world, client_for):
    data = {"file": SimpleUploadedFile("x.csv", b"\xff\xfe\x00bad", "text/csv")}

    response = client_for("hr").post(reverse(DEPLOY_IMPORT), data)

    assert response.status_code == 400


def test_every_kind_of_outcome_data_can_be_imported(world, client_for):
    hr = client_for("hr")
    incidents = (
        "team,external_id,started_at,resolved_at,caused_by_deployment,severity\n"
        "team-a,INC-1,2026-03-02T10:00:00Z,2026-03-02T11:00:00Z,d1,sev2\n"
        "team-a,INC-2,2026-03-04T10:00:00Z,,,sev4\n"
    )
    surveys = (
        "team,period_start,respondents,psychological_safety,workload,clarity,on_call_burden,"
        "decision_latency\nteam-a,2026-03-02,6,4.1,3.2,3.9,2.5,2.8\n"
    )
    r1 = upload(hr, "admin:outcomes_incident_import_csv", incidents, dry_run=False)
    r2 = upload(hr, "admin:outcomes_healthsurvey_import_csv", surveys, dry_run=False)
    small = surveys.replace(",6,", ",4,")
    r3 = upload(
        hr, "admin:outcomes_healthsurvey_import_csv", small.replace("03-02", "03-16"), False
    )

    assert r1.context["result"].created == 2 and Incident.objects.count() == 2
    assert r2.context["result"].created == 1
    assert r3.status_code == 400 and "Fewer than 5 respondents" in " ".join(r3.context["errors"])
    assert HealthSurvey.objects.count() == 1
    page = hr.get(reverse("admin:outcomes_sloreport_changelist"))
    assert "Import CSV" in page.content.decode()


# A superuser is HR (org.selectors.is_hr) and reaches it too.
@pytest.mark.parametrize("role", [r for r in ROLES if r not in ("hr", "superuser")])
def test_only_hr_reaches_the_import(world, client_for, role):
    response = client_for(role).get(reverse(DEPLOY_IMPORT))

    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_hr_creates_a_token_in_the_admin_and_sees_the_secret_once(world, client_for):
    hr = client_for("hr")

    response = hr.post(reverse("admin:outcomes_ingestiontoken_add"), {"name": "PagerDuty"})

    assert response.status_code == 200
    secret = response.context["secret"]
    token = IngestionToken.objects.get()
    assert secret.startswith(token.key_prefix) and token.name == "PagerDuty"
    listing = hr.get(reverse("admin:outcomes_ingestiontoken_changelist")).content.decode()
    assert secret not in listing and token.key_prefix in listing


def test_hr_revokes_tokens_with_an_admin_action(world, client_for):
    hr = client_for("hr")
    hr.post(reverse("admin:outcomes_ingestiontoken_add"), {"name": "CI"})
    token = IngestionToken.objects.get()

    response = hr.post(
        reverse("admin:outcomes_ingestiontoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )

    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_events_are_read_only_in_the_admin(world, client_for):
    Deployment.objects.create(team=world.team_a, external_id="x", deployed_at="2026-03-01T00:00Z")
    hr = client_for("hr")
    pk = Deployment.objects.get().pk

    assert hr.get(reverse("admin:outcomes_deployment_add")).status_code == 403
    assert hr.post(reverse("admin:outcomes_deployment_change", args=[pk]), {}).status_code == 403
    assert hr.get(reverse("admin:outcomes_deployment_change", args=[pk])).status_code == 200
