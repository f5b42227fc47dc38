"""What the HR system knows of a person (SPEC §10.5): employee id, start date and location
on the person; the tenure band and location recorded on each review as they were; both
grouped by the fairness audit."""

from __future__ import annotations

import datetime

import pytest

from audit.selectors.population import cycle_population
from org import services
from org.models import Person
from org.tenure import tenure_band
from reviews.models import Review
from tests.audit import open_cycle
from tests.calibration.conftest import END, submitted_review

URL = "/api/v1/people/"


@pytest.mark.parametrize(
    ("start", "on", "band"),
    [
        ("2025-01-01", "2025-12-31", "<1y"),
        ("2024-12-31", "2025-12-31", "1-2y"),  # one year to the day
        ("2024-02-29", "2025-02-28", "<1y"),  # a leap-day start: its anniversary is 1 March
        ("2024-02-29", "2025-03-01", "1-2y"),
        ("2023-06-01", "2025-12-31", "2-5y"),
        ("2020-12-31", "2025-12-31", "5y+"),
        ("2026-01-05", "2025-12-31", ""),  # not started yet by the end of the cycle
    ],
)
def test_tenure_bands(start, on, band):
    parse = datetime.date.fromisoformat
    assert tenure_band(parse(start), on=parse(on)) == band
    assert tenure_band(None, on=parse(on)) == ""


def test_hr_records_the_hr_system_fields_and_only_the_full_record_shows_them(world, api_for):
    hr = api_for("hr")
    answer = hr.patch(
        f"{URL}{world.engineer.pk}/",
        {"employee_id": "E-1042", "start_date": "2023-03-01", "location": "Berlin"},
        format="json",
    )
    assert answer.status_code == 200
    assert answer.json()["employee_id"] == "E-1042"
    assert answer.json()["start_date"] == "2023-03-01"
    assert answer.json()["location"] == "Berlin"
    # A teammate sees the name and team only.
    seen = api_for("teammate").get(f"{URL}{world.engineer.pk}/").json()
    assert not {"employee_id", "start_date", "location"} & set(seen)


@pytest.mark.parametrize(
    "body",
    [
        {"employee_id": "E-1"},  # another person's id
        {"start_date": "2023-02-30"},
        {"start_date": "yesterday"},
        {"location": "Berlin\nLondon"},
        {"employee_id": "x" * 65},
    ],
)
def test_bad_hr_system_fields_answer_400_and_change_nothing(world, api_for, body):
    services.person_update(actor=world.hr.user, person=world.teammate, employee_id="E-1")
    before = Person.objects.values().get(pk=world.engineer.pk)
    answer = api_for("hr").patch(f"{URL}{world.engineer.pk}/", body, format="json")
    assert answer.status_code == 400
    assert set(answer.json()) == set(body)
    assert Person.objects.values().get(pk=world.engineer.pk) == before


def test_a_review_records_tenure_and_location_as_they_were(world):
    engineer = world.engineer
    services.person_update(
        actor=world.hr.user,
        person=engineer,
        start_date=datetime.date(2023, 3, 1),
        location="Berlin",
    )
    cycle = open_cycle(world)
    review = submitted_review(world, cycle, Person.objects.get(pk=engineer.pk))
    stored = Review.objects.get(pk=review.pk)
    assert (stored.tenure_band, stored.location) == ("2-5y", "Berlin")  # at END, 2025-12-31
    assert END == datetime.date(2025, 12, 31)

    # Moving later changes the person, not the review the audit reads.
    services.person_update(actor=world.hr.user, person=engineer, location="Lisbon")
    members = {m.person_id: m for m in cycle_population(cycle=cycle).members}
    assert members[engineer.pk].groups["tenure"] == "2-5y"
    assert members[engineer.pk].groups["location"] == "Berlin"
    dimensions = {d.key: d.label for d in cycle_population(cycle=cycle).dimensions}
    assert dimensions["tenure"] == "Tenure" and dimensions["location"] == "Location"
