"""Asking for, answering and closing anonymous upward feedback (SPEC §11.4), through the
API and the services, as the people involved would notice it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.errors import InvalidStateError
from org import services as org_services
from org.models import Activity
from reviews.models import Evidence
from tests.upward.conftest import answer
from upward import services
from upward.models import UpwardAnswer, UpwardInvitation, UpwardRound

LIST = "/api/v1/upward-rounds/"


def _detail(pk: int) -> str:
    return reverse("api:upward-round-detail", args=[pk])


def _answers(upward_round: UpwardRound, choice: str = "often", comment: str = "") -> dict:
    return {
        "answers": {p["key"]: {"choice": choice, "comment": comment} for p in upward_round.prompts}
    }


@pytest.fixture
def round_(upward_world):
    return services.round_create(actor=upward_world.director.user, subject=upward_world.manager)


def test_the_skip_level_asks_the_managers_reports_about_three_manager_competencies(
    upward_world, api_for
):
    w = upward_world
    response = api_for("director").post(LIST, {"subject": w.manager.pk}, format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert [p["key"] for p in body["prompts"]] == ["coaching", "delivery", "hiring"]
    assert body["invited"] == 5 and body["answered"] == 0 and body["results"] is None
    invited = set(UpwardInvitation.objects.values_list("respondent_id", flat=True))
    assert invited == {p.pk for p in w.reports}


def test_the_creator_picks_the_three_competencies_and_the_expectation_is_copied(
    upward_world, api_for
):
    w = upward_world
    org_services.person_update(actor=w.root, person=w.manager, ladder=w.em_ladder, level="M1")
    response = api_for("hr").post(
        LIST,
        {"subject": w.manager.pk, "competencies": ["strategy", "coaching", "hiring"]},
        format="json",
    )

    assert response.status_code == 201, response.json()
    prompts = response.json()["prompts"]
    assert [p["key"] for p in prompts] == ["strategy", "coaching", "hiring"]
    assert prompts[0]["expectation"] == "At M1, strategy looks like this."
    assert UpwardRound.objects.get().prompts[0]["expectation"] == "At M1, strategy looks like this."


@pytest.mark.parametrize(
    "competencies",
    [
        ["coaching", "delivery"],
        ["coaching", "coaching", "hiring"],
        ["coaching", "delivery", "nope"],
    ],
)
def test_anything_but_three_known_competencies_is_refused(upward_world, api_for, competencies):
    w = upward_world
    response = api_for("director").post(
        LIST, {"subject": w.manager.pk, "competencies": competencies}, format="json"
    )
    assert response.status_code == 400
    assert "competencies" in response.json()
    assert not UpwardRound.objects.exists()


def test_a_manager_with_fewer_reports_than_the_threshold_is_refused_with_a_message(
    upward_world, api_for
):
    response = api_for("director").post(
        LIST, {"subject": upward_world.other_manager.pk}, format="json"
    )

    assert response.status_code == 400
    message = response.json()["subject"][0]
    assert "has 1 active direct report" in message and "at least 3" in message
    assert not UpwardRound.objects.exists() and not UpwardInvitation.objects.exists()


def test_without_a_published_manager_ladder_nothing_can_be_asked(world, api_for):
    world.extra = [
        org_services.person_create(
            actor=world.root, username=f"r{i}", full_name=f"R {i}", manager=world.manager
        )
        for i in range(3)
    ]
    response = api_for("director").post(LIST, {"subject": world.manager.pk}, format="json")
    assert response.status_code == 400
    assert "Engineering Manager ladder" in response.json()["competencies"][0]


@pytest.mark.parametrize("role", ["manager", "engineer", "committee", "respondent", "no_person"])
def test_only_the_chain_above_and_hr_may_ask(upward_world, api_for, role):
    response = api_for(role).post(LIST, {"subject": upward_world.manager.pk}, format="json")
    assert response.status_code == 403
    assert not UpwardRound.objects.exists()


def test_a_second_open_round_on_the_same_manager_is_a_conflict(upward_world, api_for, round_):
    response = api_for("hr").post(LIST, {"subject": upward_world.manager.pk}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_state"
    assert UpwardRound.objects.count() == 1


def test_answering_flips_the_invitation_and_stores_no_one(upward_world, api_for, round_):
    w = upward_world
    evidence_before = Evidence.objects.count()
    activity_before = Activity.objects.count()

    response = api_for("engineer").post(
        reverse("api:upward-round-answer", args=[round_.pk]),
        _answers(round_, comment="Clear priorities"),
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["i_answered"] is True
    assert response.json()["results"] is None  # a respondent never reads results
    assert UpwardInvitation.objects.get(respondent=w.engineer).has_answered
    assert UpwardAnswer.objects.count() == 1
    # Not evidence (it cannot be cited), and no activity row tells who answered when.
    assert Evidence.objects.count() == evidence_before
    assert Activity.objects.count() == activity_before


def test_answering_twice_is_a_conflict_and_keeps_one_answer(upward_world, api_for, round_):
    client = api_for("engineer")
    url = reverse("api:upward-round-answer", args=[round_.pk])
    assert client.post(url, _answers(round_), format="json").status_code == 201

    again = client.post(url, _answers(round_, choice="rarely"), format="json")

    assert again.status_code == 409
    assert again.json()["code"] == "invalid_state"
    assert UpwardAnswer.objects.count() == 1


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"answers": {}},
        {"answers": {"coaching": {"choice": "often"}}},
        {"answers": "often"},
        {
            "answers": {
                "coaching": {"choice": "always"},
                "delivery": {"choice": "often"},
                "hiring": {"choice": "often"},
            }
        },
        {
            "answers": {
                "coaching": {"choice": "often", "comment": "bad\x07bell"},
                "delivery": {"choice": "often"},
                "hiring": {"choice": "often"},
            }
        },
        {
            "answers": {
                "coaching": {"choice": "often", "comment": "x" * 2001},
                "delivery": {"choice": "often"},
                "hiring": {"choice": "often"},
            }
        },
    ],
)
def test_a_bad_answer_answers_400_and_writes_nothing(upward_world, api_for, round_, body):
    w = upward_world
    response = api_for("engineer").post(
        reverse("api:upward-round-answer", args=[round_.pk]), body, format="json"
    )
    assert response.status_code == 400, response.content
    assert not UpwardAnswer.objects.exists()
    assert not UpwardInvitation.objects.get(respondent=w.engineer).has_answered


def test_readers_cannot_answer_and_outsiders_do_not_see_the_round(upward_world, api_for, round_):
    url = reverse("api:upward-round-answer", args=[round_.pk])
    assert api_for("manager").post(url, _answers(round_), format="json").status_code == 403
    assert api_for("hr").post(url, _answers(round_), format="json").status_code == 403
    assert api_for("respondent").post(url, _answers(round_), format="json").status_code == 404
    assert api_for("respondent").get(_detail(round_.pk)).status_code == 404
    assert api_for("committee").get(LIST).json()["count"] == 0


def test_the_results_wait_for_three_answers(upward_world, api_for, round_):
    w = upward_world
    answer(w.engineer, round_, "often", "Clear priorities")
    answer(w.teammate, round_, "rarely", "Cancels our 1:1s")

    body = api_for("manager").get(_detail(round_.pk)).json()
    assert (body["answered"], body["invited"], body["results"]) == (2, 5, None)

    answer(w.extra_reports[0], round_, "often", "Asks what blocks us")
    body = api_for("manager").get(_detail(round_.pk)).json()

    results = body["results"]
    assert results["included"] == 3
    coaching = results["prompts"][0]
    counts = {row["choice"]: row["count"] for row in coaching["counts"]}
    assert counts == {"rarely": 1, "sometimes": 0, "often": 2, "almost_always": 0, "cant_say": 0}
    # Sorted by text, not by arrival.
    assert coaching["comments"] == [
        "Asks what blocks us (coaching)",
        "Cancels our 1:1s (coaching)",
        "Clear priorities (coaching)",
    ]


def test_later_answers_join_the_results_in_batches(upward_world, api_for, round_):
    w = upward_world
    for person in w.reports[:4]:
        answer(person, round_)
    body = api_for("director").get(_detail(round_.pk)).json()
    assert body["answered"] == 4
    assert (body["results"]["included"], body["results"]["held_back"]) == (3, 1)

    # Closing does not release a batch smaller than the threshold.
    services.round_close(actor=w.director.user, round=round_)
    body = api_for("director").get(_detail(round_.pk)).json()
    assert (body["results"]["included"], body["results"]["held_back"]) == (3, 1)


def test_invitees_never_read_the_results(upward_world, api_for, round_):
    w = upward_world
    for person in w.reports[:3]:
        answer(person, round_, comment="Kind words")
    body = api_for("engineer").get(_detail(round_.pk)).json()
    assert body["results"] is None and body["answered"] is None and body["invited"] is None
    assert b"Kind words" not in api_for("engineer").get(LIST).content


def test_whoever_asked_closes_the_round_and_answers_stop(upward_world, api_for, round_):
    close = reverse("api:upward-round-close", args=[round_.pk])
    assert api_for("manager").post(close).status_code == 403

    response = api_for("director").post(close)
    assert response.status_code == 200 and response.json()["status"] == "closed"

    late = api_for("engineer").post(
        reverse("api:upward-round-answer", args=[round_.pk]), _answers(round_), format="json"
    )
    assert late.status_code == 409
    again = api_for("hr").post(close)
    assert again.status_code == 409 and again.json()["code"] == "invalid_state"


def test_the_services_refuse_the_same_whoever_calls_them(upward_world, round_):
    w = upward_world
    with pytest.raises(ValidationError):
        services.round_create(actor=w.hr.user, subject=w.other_manager)
    answer(w.engineer, round_)
    with pytest.raises(InvalidStateError):
        answer(w.engineer, round_)


def test_the_list_costs_the_same_for_one_round_or_several(
    upward_world, api_for, round_, django_assert_num_queries
):
    w = upward_world
    client = api_for("hr")
    client.get(LIST)  # warm the user's role

    def add_answers(upward_round: UpwardRound) -> None:
        for person in w.reports[:3]:
            answer(person, upward_round)
        services.round_close(actor=w.hr.user, round=upward_round)

    add_answers(round_)
    with CaptureQueriesContext(connection) as one:
        assert client.get(LIST).json()["count"] == 1
    for _ in range(3):
        add_answers(services.round_create(actor=w.hr.user, subject=w.manager))
    with django_assert_num_queries(len(one)):
        body = client.get(LIST).json()
    assert body["count"] == 4
    assert all(r["results"]["included"] == 3 for r in body["results"])


@pytest.mark.parametrize("pk", [str(2**63), "9" * 30, "0"])
def test_an_id_that_cannot_be_a_round_answers_404(upward_world, api_for, client_for, pk):
    assert api_for("hr").get(f"{LIST}{pk}/").status_code == 404
    assert api_for("engineer").post(f"{LIST}{pk}/answer/", {}, format="json").status_code == 404
    if pk.isdigit() and int(pk) > 0:
        assert client_for("hr").get(f"/upward/{pk}/").status_code == 404


def test_a_filter_value_that_is_no_id_answers_400(upward_world, api_for, round_):
    assert api_for("hr").get(LIST, {"subject": "abc"}).status_code == 400
    assert api_for("hr").get(LIST, {"subject": upward_world.manager.pk}).json()["count"] == 1
    assert api_for("hr").get(LIST, {"status": "closed"}).json()["count"] == 0
