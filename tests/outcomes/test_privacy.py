"""SPEC §1.4: team outcomes can never become a personal scorecard. No outcomes model links
to a person, no serializer or filter names one, and every endpoint refuses a person."""

from __future__ import annotations

import inspect

import pytest
from django.apps import apps
from rest_framework import serializers as drf_serializers

from org.models import Person, Team
from outcomes import filters as outcome_filters
from outcomes import serializers as outcome_serializers
from outcomes.models import IngestionToken
from outcomes.serializers import PERSON_FIELD_MESSAGE, PERSON_KEYS
from tests.outcomes.helpers import (
    DEPLOYMENTS_URL,
    HEALTH_URL,
    INCIDENTS_URL,
    SLO_URL,
    deployment_item,
    scorecard_url,
)

PERSONISH = PERSON_KEYS | {"person", "people", "employee", "individual", "member", "members"}


def _outcome_models():
    return list(apps.get_app_config("outcomes").get_models())


def test_no_outcomes_model_has_a_link_to_a_person():
    models = _outcome_models()
    assert {m.__name__ for m in models} >= {"Deployment", "Incident", "SLOReport", "HealthSurvey"}
    for model in models:
        for field in model._meta.get_fields():
            assert field.related_model is not Person, f"{model.__name__}.{field.name}"
            assert field.name.lower() not in PERSONISH - {"user"}, f"{model.__name__}.{field.name}"


def test_outcome_data_relates_to_teams_and_nothing_else():
    for model in _outcome_models():
        if model is IngestionToken:
            continue  # a credential: its service account and creator, never outcome data
        related = {f.related_model for f in model._meta.get_fields() if f.is_relation}
        assert related == {Team}, model.__name__


def test_the_token_links_only_to_login_accounts_that_are_not_people():
    related = {f.name: f.related_model for f in IngestionToken._meta.get_fields() if f.is_relation}
    assert set(related) == {"user", "created_by"}
    assert all(model._meta.label == "org.User" for model in related.values())


def _serializer_classes():
    return [
        cls
        for _, cls in inspect.getmembers(outcome_serializers, inspect.isclass)
        if issubclass(cls, drf_serializers.BaseSerializer)
        and cls.__module__ == outcome_serializers.__name__
    ]


@pytest.mark.parametrize("serializer_class", _serializer_classes(), ids=lambda c: c.__name__)
def test_no_serializer_has_a_person_field(serializer_class):
    fields = serializer_class().fields
    for name, field in fields.items():
        assert name.lower() not in PERSONISH, f"{serializer_class.__name__}.{name}"
        queryset = getattr(field, "queryset", None)
        assert queryset is None or queryset.model is not Person, name
        child = getattr(field, "child", None) or getattr(field, "child_relation", None)
        assert getattr(getattr(child, "queryset", None), "model", None) is not Person, name


def _filtersets():
    return [
        cls
        for _, cls in inspect.getmembers(outcome_filters, inspect.isclass)
        if hasattr(cls, "base_filters") and cls.__module__ == outcome_filters.__name__
    ]


@pytest.mark.parametrize("filterset", _filtersets(), ids=lambda c: c.__name__)
def test_no_filter_is_about_a_person(filterset):
    for name, f in filterset.base_filters.items():
        assert name.lower() not in PERSONISH, name
        field_path = f.field_name.lower()
        assert not any(part in PERSONISH for part in field_path.split("__")), f.field_name
    assert len(_filtersets()) == 4


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["person", "user", "engineer", "author", "email"])
@pytest.mark.parametrize("url", [DEPLOYMENTS_URL, INCIDENTS_URL, SLO_URL, HEALTH_URL])
def test_ingestion_refuses_a_person_in_an_item(world, api_for, url, key):
    item = {**deployment_item(world.team_a, 1), key: world.engineer.pk}

    response = api_for("hr").post(url, item, format="json")

    assert response.status_code == 400
    assert response.json()["items"]["0"][key] == [PERSON_FIELD_MESSAGE]


@pytest.mark.django_db
@pytest.mark.parametrize("url", [DEPLOYMENTS_URL, INCIDENTS_URL, SLO_URL, HEALTH_URL])
def test_lists_refuse_a_person_filter_instead_of_ignoring_it(world, api_for, url):
    response = api_for("manager").get(url, {"person": world.engineer.pk})

    assert response.status_code == 400
    assert response.json() == {"person": [PERSON_FIELD_MESSAGE]}


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["person", "user", "subject"])
def test_the_scorecard_refuses_a_person_parameter(world, api_for, key):
    url = scorecard_url(world.team_a, "2026-03-01", "2026-03-31") + f"&{key}={world.engineer.pk}"

    response = api_for("manager").get(url)

    assert response.status_code == 400
    assert response.json() == {key: [PERSON_FIELD_MESSAGE]}
