"""`seed_demo` loads a believable organisation once; everything is checked on one load
because loading takes several seconds."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import models
from django.test import Client

from org.models import DemographicAnswer, Person, Team
from reviews.models import CheckIn, Evidence, FeedbackRequest, Review
from rubrics.models import Expectation, RubricVersion
from tests.factories import seed_demo


def seed() -> str:
    out = io.StringIO()
    seed_demo(stdout=out)
    return out.getvalue()


def test_seed_demo_builds_a_believable_org_once(db):
    first = seed()
    assert "Demo data loaded" in first
    people = Person.objects.count()
    assert 110 <= people <= 130
    # 12 delivery teams under 3 director groups, under Engineering; plus People (HR)
    assert Team.objects.filter(parent__parent__slug="engineering").count() == 12
    assert Team.objects.filter(parent__slug="engineering").count() == 3
    assert DemographicAnswer.objects.values("person").distinct().count() >= 0.8 * people

    # Rubrics: one published version and a draft per ladder, every cell written.
    for slug, cells in (("engineering-ic", 30), ("engineering-manager", 24)):
        published = RubricVersion.objects.get(ladder__slug=slug, status="published")
        assert Expectation.objects.filter(version=published).count() == cells
        assert RubricVersion.objects.filter(ladder__slug=slug, status="draft").count() == 1

    # Reviews: a released cycle and an open one with reviews in every state.
    statuses = set(Review.objects.values_list("cycle__status", "status"))
    assert {
        ("released", "released"),
        ("released", "acknowledged"),
        ("open", "draft"),
        ("open", "submitted"),
    } <= statuses
    assert set(Evidence.objects.values_list("kind", flat=True)) == set(Evidence.Kind.values)
    assert set(FeedbackRequest.objects.values_list("status", flat=True)) == {"pending", "answered"}
    assert CheckIn.objects.exists()

    # Calibration: a finalized earlier cycle (letters to read) and a session in progress
    # with decided, changed and pending cases, and a promotion case.
    from calibration.models import CalibrationCase, CalibrationSession

    assert CalibrationSession.objects.filter(status="finalized").exists()
    live = CalibrationSession.objects.get(status="open")
    assert {"decided", "pending"} <= set(live.cases.values_list("status", flat=True))
    assert live.cases.filter(kind="promotion").exists()
    changed = CalibrationCase.objects.filter(status="decided", kind="rating").exclude(
        calibrated_rating=models.F("proposed_rating")
    )
    assert changed.exists() and all(c.rationale for c in changed)

    # Every printed login works; the manager has reports.
    for username in ("sam", "priya", "marcus", "hana", "admin"):
        assert f" {username} " in first
        assert Client().login(username=username, password="levelhead-demo"), username
    assert Person.objects.get(user__username="priya").reports.count() >= 7

    # A second run changes nothing.
    counts = (Person.objects.count(), Team.objects.count(), Review.objects.count())
    assert "already loaded" in seed()
    assert (Person.objects.count(), Team.objects.count(), Review.objects.count()) == counts


def test_seed_demo_refuses_a_production_server_unless_told(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--i-know-this-is-production"):
        call_command("seed_demo", stdout=io.StringIO())
    assert not Person.objects.exists()
    call_command("seed_demo", "--i-know-this-is-production", stdout=io.StringIO())
    assert Person.objects.filter(user__username="sam").exists()
