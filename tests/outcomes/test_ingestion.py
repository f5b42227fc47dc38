"""Ingestion (SPEC §7): bulk or single items, idempotent on the identities, all-or-nothing,
errors that name the item index and field, and no client input producing a 500."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outcomes.models import Deployment, HealthSurvey, Incident, SLOReport
from outcomes.serializers import PRIVACY_MESSAGE
from tests.outcomes.helpers import (
    DEPLOYMENTS_URL,
    HEALTH_URL,
    INCIDENTS_URL,
    SLO_URL,
    at,
    deployment_item,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def hr(api_for):
    return api_for("hr")


def incident_item(team, n, **extra):
    return {
        "team": team.pk,
        "external_id": f"INC-{n}",
        "started_at": "2026-03-02T10:00:00Z",
        "resolved_at": "2026-03-02T11:00:00Z",
        "caused_by_deployment": "deploy-1",
        "severity": "sev2",
        **extra,
    }


def slo_item(team, **extra):
    return {
        "team": team.pk,
        "service": "api",
        "period_start": "2026-03-01",
        "period_end": "2026-03-31",
        "objective": 0.999,
        "attained": 0.9995,
        **extra,
    }


def survey_item(team, **extra):
    return {
        "team": team.pk,
        "period_start": "2026-03-02",
        "respondents": 6,
        "psychological_safety": 4.1,
        "workload": 3.2,
        "clarity": 3.9,
        "on_call_burden": 2.5,
        "decision_latency": 2.8,
        **extra,
    }


# --- Single items and batches ---------------------------------------------------------------------


def test_one_object_is_stored(world, hr):
    response = hr.post(DEPLOYMENTS_URL, deployment_item(world.team_a, 1), format="json")

    assert response.status_code == 201, response.content
    assert response.json() == {"created": 1, "unchanged": 0}
    stored = Deployment.objects.get()
    assert (stored.team_id, stored.external_id, stored.failed) == (
        world.team_a.pk,
        "deploy-1",
        False,
    )
    assert stored.deployed_at == at("2026-03-02", "10:00")
    assert stored.committed_at == at("2026-03-02", "08:00")


def test_a_list_is_stored_and_optional_fields_take_their_defaults(world, hr):
    items = [deployment_item(world.team_a, n) for n in range(5)]
    items.append({"team": world.team_b.pk, "external_id": "bare", "deployed_at": "2026-03-04"})

    response = hr.post(DEPLOYMENTS_URL, items, format="json")

    assert response.status_code == 201
    assert response.json() == {"created": 6, "unchanged": 0}
    bare = Deployment.objects.get(external_id="bare")
    assert bare.committed_at is None and bare.failed is False


def test_an_empty_list_changes_nothing(world, hr):
    response = hr.post(DEPLOYMENTS_URL, [], format="json")

    assert response.status_code == 200
    assert response.json() == {"created": 0, "unchanged": 0}


# --- Idempotency ----------------------------------------------------------------------------------


def test_re_sending_a_batch_creates_nothing_and_changes_nothing(world, hr):
    items = [deployment_item(world.team_a, n) for n in range(10)]
    hr.post(DEPLOYMENTS_URL, items, format="json")
    changed = [{**item, "failed": True, "deployed_at": "2026-03-20T10:00:00Z"} for item in items]

    again = hr.post(DEPLOYMENTS_URL, items, format="json")
    differs = hr.post(DEPLOYMENTS_URL, changed, format="json")

    assert again.status_code == differs.status_code == 200
    assert again.json() == differs.json() == {"created": 0, "unchanged": 10}
    assert Deployment.objects.count() == 10
    assert not Deployment.objects.filter(failed=True).exists()
    assert not Deployment.objects.filter(deployed_at=at("2026-03-20", "10:00")).exists()


def test_overlapping_batches_leave_one_row_per_external_id(world, hr):
    first = [deployment_item(world.team_a, n) for n in range(0, 60)]
    second = [deployment_item(world.team_a, n) for n in range(40, 100)]

    r1 = hr.post(DEPLOYMENTS_URL, first, format="json")
    r2 = hr.post(DEPLOYMENTS_URL, second, format="json")

    assert r1.json() == {"created": 60, "unchanged": 0}
    assert r2.json() == {"created": 40, "unchanged": 20}
    ids = list(Deployment.objects.values_list("external_id", flat=True))
    assert len(ids) == len(set(ids)) == 100


def test_a_repeated_identity_within_a_batch_is_stored_once(world, hr):
    item = deployment_item(world.team_a, 7)
    response = hr.post(DEPLOYMENTS_URL, [item, {**item, "failed": True}], format="json")

    assert response.json() == {"created": 1, "unchanged": 1}
    assert Deployment.objects.get().failed is False  # the first one wins


def test_the_same_external_id_in_another_team_is_another_deployment(world, hr):
    items = [deployment_item(world.team_a, 1), deployment_item(world.team_b, 1)]

    assert hr.post(DEPLOYMENTS_URL, items, format="json").json()["created"] == 2


def test_the_identity_is_a_database_constraint(world):
    Deployment.objects.create(team=world.team_a, external_id="x", deployed_at=at("2026-03-01"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Deployment.objects.create(team=world.team_a, external_id="x", deployed_at=at("2026-03-02"))
    # The insert path used by the services skips the clash instead of failing.
    Deployment.objects.bulk_create(
        [Deployment(team=world.team_a, external_id="x", deployed_at=at("2026-03-03"))],
        ignore_conflicts=True,
    )
    assert Deployment.objects.count() == 1


# --- All or nothing, and the error shape ----------------------------------------------------------


def test_a_batch_with_one_bad_item_writes_nothing_and_names_index_and_field(world, hr):
    items = [deployment_item(world.team_a, n) for n in range(6)]
    items[3]["deployed_at"] = "yesterday-ish"

    response = hr.post(DEPLOYMENTS_URL, items, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["items"]
    assert list(response.json()["items"]) == ["3"]
    assert list(response.json()["items"]["3"]) == ["deployed_at"]
    assert Deployment.objects.count() == 0


def test_every_bad_item_is_reported(world, hr):
    items = [deployment_item(world.team_a, n) for n in range(4)]
    items[0]["team"] = 999_999
    items[2].pop("external_id")
    items[3]["committed_at"] = "2026-03-30T00:00:00Z"  # after the deployment

    errors = hr.post(DEPLOYMENTS_URL, items, format="json").json()["items"]

    assert errors["0"] == {"team": ["No team with id 999999."]}
    assert "external_id" in errors["2"]
    assert errors["3"] == {
        "committed_at": ["The commit time must not be after the deployment time."]
    }
    assert "1" not in errors
    assert Deployment.objects.count() == 0


def test_a_single_bad_object_is_item_0(world, hr):
    response = hr.post(DEPLOYMENTS_URL, {"team": world.team_a.pk}, format="json")

    assert response.status_code == 400
    assert set(response.json()["items"]["0"]) == {"external_id", "deployed_at"}


def test_more_than_1000_items_are_refused(world, hr):
    items = [deployment_item(world.team_a, n) for n in range(1001)]

    response = hr.post(DEPLOYMENTS_URL, items, format="json")

    assert response.status_code == 400
    assert "at most 1,000" in response.json()["items"][0]
    assert Deployment.objects.count() == 0


def test_exactly_1000_items_are_accepted(world, hr):
    items = [{**deployment_item(world.team_a, 0), "external_id": f"n{n}"} for n in range(1000)]

    assert hr.post(DEPLOYMENTS_URL, items, format="json").json()["created"] == 1000


@pytest.mark.parametrize("body", ["text", 12, None, [[1, 2]], [1], True])
def test_a_body_that_is_neither_an_object_nor_a_list_of_objects_is_refused(world, hr, body):
    response = hr.post(DEPLOYMENTS_URL, body, format="json")

    assert response.status_code == 400
    assert Deployment.objects.count() == 0


def test_a_body_that_is_not_json_is_refused(world, hr):
    response = hr.post(DEPLOYMENTS_URL, "{not json", content_type="application/json")

    assert response.status_code == 400


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("deployed_at", "2099-01-01T00:00:00Z"),  # in the future
        ("deployed_at", "1969-12-31T00:00:00Z"),
        ("deployed_at", "9999-12-31T23:59:59-05:00"),
        ("deployed_at", "0001-01-01T00:00:00+05:00"),
        ("failed", "perhaps"),
        ("external_id", ""),
        ("external_id", "x" * 201),
        ("team", 0),
        ("team", 2**70),
        ("team", "team-a"),
    ],
)
def test_bad_deployment_fields_answer_400(world, hr, field, value):
    item = {**deployment_item(world.team_a, 1), field: value}

    response = hr.post(DEPLOYMENTS_URL, item, format="json")

    assert response.status_code == 400, response.content
    assert field in response.json()["items"]["0"]


def test_unknown_fields_are_refused(world, hr):
    response = hr.post(
        DEPLOYMENTS_URL, deployment_item(world.team_a, 1, colour="blue"), format="json"
    )

    assert response.json()["items"]["0"] == {"colour": ["Unknown field."]}


# --- Incidents, SLO reports, health surveys -------------------------------------------------------


def test_incidents_are_idempotent_on_team_and_external_id(world, hr):
    items = [incident_item(world.team_a, 1), incident_item(world.team_a, 2, resolved_at=None)]
    assert hr.post(INCIDENTS_URL, items, format="json").json() == {"created": 2, "unchanged": 0}

    again = hr.post(INCIDENTS_URL, [incident_item(world.team_a, 1, severity="sev1")], format="json")

    assert again.json() == {"created": 0, "unchanged": 1}
    assert Incident.objects.get(external_id="INC-1").severity == "sev2"
    assert Incident.objects.get(external_id="INC-2").resolved_at is None


@pytest.mark.parametrize(
    "extra",
    [
        {"resolved_at": "2026-03-02T09:00:00Z"},  # before it started
        {"severity": "catastrophic"},
        {"started_at": None},
        {"caused_by_deployment": "d" * 201},
    ],
)
def test_bad_incidents_answer_400(world, hr, extra):
    response = hr.post(INCIDENTS_URL, incident_item(world.team_a, 1, **extra), format="json")

    assert response.status_code == 400
    assert Incident.objects.count() == 0


def test_a_null_cause_is_stored_as_no_cause(world, hr):
    hr.post(INCIDENTS_URL, incident_item(world.team_a, 1, caused_by_deployment=None), format="json")

    assert Incident.objects.get().caused_by_deployment == ""


def test_slo_reports_are_idempotent_on_team_service_and_period(world, hr):
    hr.post(SLO_URL, slo_item(world.team_a), format="json")

    same = hr.post(SLO_URL, slo_item(world.team_a, attained=0.5), format="json")
    other_period = hr.post(SLO_URL, slo_item(world.team_a, period_end="2026-03-30"), format="json")
    other_service = hr.post(SLO_URL, slo_item(world.team_a, service="web"), format="json")

    assert same.json() == {"created": 0, "unchanged": 1}
    assert other_period.json() == other_service.json() == {"created": 1, "unchanged": 0}
    assert SLOReport.objects.count() == 3
    assert SLOReport.objects.get(service="api", period_end="2026-03-31").attained == 0.9995


@pytest.mark.parametrize(
    "extra",
    [
        {"objective": 1.5},
        {"attained": -0.1},
        {"attained": "NaN"},
        {"objective": "Infinity"},
        {"period_end": "2026-02-01"},
        {"service": ""},
    ],
)
def test_bad_slo_reports_answer_400(world, hr, extra):
    response = hr.post(SLO_URL, slo_item(world.team_a, **extra), format="json")

    assert response.status_code == 400, response.content
    assert SLOReport.objects.count() == 0


def test_fractions_at_the_ends_of_0_to_1_are_accepted(world, hr):
    response = hr.post(SLO_URL, slo_item(world.team_a, objective=1, attained=0), format="json")

    assert response.status_code == 201


def test_health_surveys_are_idempotent_on_team_and_period_start(world, hr):
    assert hr.post(HEALTH_URL, survey_item(world.team_a), format="json").status_code == 201

    again = hr.post(HEALTH_URL, survey_item(world.team_a, workload=5), format="json")

    assert again.json() == {"created": 0, "unchanged": 1}
    assert HealthSurvey.objects.get().workload == 3.2


@pytest.mark.parametrize("respondents", [0, 1, 4])
def test_a_survey_with_fewer_than_5_respondents_is_refused_for_privacy(world, hr, respondents):
    response = hr.post(
        HEALTH_URL, survey_item(world.team_a, respondents=respondents), format="json"
    )

    assert response.status_code == 400
    assert response.json()["items"]["0"]["respondents"] == [PRIVACY_MESSAGE]
    assert HealthSurvey.objects.count() == 0


def test_a_survey_with_5_respondents_is_accepted(world, hr):
    response = hr.post(HEALTH_URL, survey_item(world.team_a, respondents=5), format="json")

    assert response.status_code == 201


def test_the_database_refuses_small_surveys_too(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        HealthSurvey.objects.create(
            team=world.team_a,
            period_start="2026-03-02",
            respondents=4,
            psychological_safety=4,
            workload=3,
            clarity=4,
            on_call_burden=2,
            decision_latency=2,
        )


@pytest.mark.parametrize("extra", [{"workload": 0.9}, {"clarity": 5.1}, {"decision_latency": None}])
def test_scores_outside_1_to_5_answer_400(world, hr, extra):
    response = hr.post(HEALTH_URL, survey_item(world.team_a, **extra), format="json")

    assert response.status_code == 400


# --- Who may write, and reading back --------------------------------------------------------------


@pytest.mark.parametrize("role", ["engineer", "manager", "other_manager"])
def test_only_hr_and_tokens_write(world, api_for, role):
    response = api_for(role).post(DEPLOYMENTS_URL, deployment_item(world.team_a, 1), format="json")

    assert response.status_code == 403
    assert Deployment.objects.count() == 0


def test_everyone_signed_in_reads_the_events_filtered_by_team(world, hr, api_for):
    hr.post(DEPLOYMENTS_URL, [deployment_item(world.team_a, n) for n in range(3)], format="json")
    hr.post(DEPLOYMENTS_URL, deployment_item(world.team_b, 9), format="json")

    body = api_for("engineer").get(DEPLOYMENTS_URL, {"team": world.team_b.pk}).json()

    assert body["count"] == 1
    assert body["results"][0]["external_id"] == "deploy-9"
    assert set(body["results"][0]) == {
        "id",
        "team",
        "external_id",
        "deployed_at",
        "committed_at",
        "failed",
    }


@pytest.mark.parametrize(
    ("url", "query"),
    [
        (DEPLOYMENTS_URL, {"deployed_after": "2026-13-01"}),
        (DEPLOYMENTS_URL, {"deployed_after": "0001-01-01T00:00:00+05:00"}),
        (INCIDENTS_URL, {"severity": "huge"}),
        (SLO_URL, {"period_start_after": "soon"}),
        (HEALTH_URL, {"team": "1.5"}),
        (HEALTH_URL, {"colour": "blue"}),
    ],
)
def test_bad_filters_answer_400(world, api_for, url, query):
    assert api_for("engineer").get(url, query).status_code == 400


# --- No input produces a 500 ----------------------------------------------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
field_values = st.one_of(
    json_values,
    st.sampled_from(
        [
            "2026-03-01",
            "2026-03-01T10:00:00Z",
            "9999-12-31T23:59:59-12:00",
            "0001-01-01",
            "NaN",
            "-Infinity",
            "1e309",
            "sev1",
            5,
            4,
            0.5,
            1,
        ]
    ),
)


@pytest.mark.parametrize(
    ("url", "fields"),
    [
        (DEPLOYMENTS_URL, ["team", "external_id", "deployed_at", "committed_at", "failed"]),
        (
            INCIDENTS_URL,
            [
                "team",
                "external_id",
                "started_at",
                "resolved_at",
                "caused_by_deployment",
                "severity",
            ],
        ),
        (SLO_URL, ["team", "service", "period_start", "period_end", "objective", "attained"]),
        (
            HEALTH_URL,
            [
                "team",
                "period_start",
                "respondents",
                "psychological_safety",
                "workload",
                "clarity",
                "on_call_burden",
                "decision_latency",
            ],
        ),
    ],
)
def test_no_item_however_malformed_produces_a_500(world, api_for, url, fields):
    client = api_for("hr")

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(
        st.lists(
            st.fixed_dictionaries({}, optional=dict.fromkeys(fields, field_values)), max_size=3
        )
    )
    def run(items):
        for item in items:
            if item.get("team") is True:
                item["team"] = world.team_a.pk
        response = client.post(url, items, format="json")
        assert response.status_code in (200, 201, 400), response.content

    run()
