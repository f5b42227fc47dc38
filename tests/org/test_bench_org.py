"""`manage.py bench` builds its generated organisation through org's services."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from demo.management.commands.bench import Command
from demo.org import seed_actor
from org import services
from org.models import Person, Team, User
from org.selectors import is_hr, person_list


def test_the_bench_builds_a_whole_org_of_the_size_asked_for(db):
    actor = seed_actor()

    people = Command().build_org(actor, 30)

    assert Person.objects.count() == 30  # VP, HR, 3 managers, 25 engineers
    assert Team.objects.filter(slug__startswith="team-").count() == 3
    assert is_hr(people["hr"].user)
    engineer = people["engineer"]
    assert engineer.parent.parent == people["vp"] and engineer.level in {"L3", "L4", "L5"}
    # Every generated person can be signed in as, and is seen by HR in full.
    assert person_list(user=people["hr"].user).count() == 30
    assert User.objects.get(pk=engineer.user_id).check_password("bench")


def test_only_hr_may_bulk_create_people(world):
    with pytest.raises(PermissionDenied):
        services.people_bulk_create(
            actor=world.manager.user,
            people=[Person(user=User(username="bulk"), full_name="Bulk")],
        )
    assert not User.objects.filter(username="bulk").exists()
