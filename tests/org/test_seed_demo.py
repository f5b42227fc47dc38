from __future__ import annotations

import io

from django.core.management import call_command
from django.test import Client

from org.models import DemographicAnswer, Person, Team
from rubrics.models import Expectation, RubricVersion


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_demo_builds_a_believable_org_once(db):
    first = seed()
    assert "Demo data loaded" in first
    people, teams = Person.objects.count(), Team.objects.count()
    assert 110 <= people <= 130
    # 12 delivery teams under 3 director groups, under Engineering; plus People (HR)
    assert Team.objects.filter(parent__parent__slug="engineering").count() == 12
    assert Team.objects.filter(parent__slug="engineering").count() == 3
    second = seed()
    assert "already loaded" in second
    assert (Person.objects.count(), Team.objects.count()) == (people, teams)


def test_seed_demo_publishes_one_version_and_leaves_a_draft_per_ladder(db):
    seed()
    for slug, cells in (("engineering-ic", 30), ("engineering-manager", 24)):
        published = RubricVersion.objects.get(ladder__slug=slug, status="published")
        assert Expectation.objects.filter(version=published).count() == cells
        assert RubricVersion.objects.filter(ladder__slug=slug, status="draft").count() == 1


def test_most_people_answered_demographics(db):
    seed()
    answered = DemographicAnswer.objects.values("person").distinct().count()
    assert answered >= 0.8 * Person.objects.count()


def test_every_printed_demo_login_works(db):
    out = seed()
    for username in ("sam", "priya", "marcus", "hana", "admin"):
        assert f" {username} " in out
        c = Client()
        assert c.login(username=username, password="levelhead-demo"), username
    assert Person.objects.get(user__username="priya").reports.count() >= 7
