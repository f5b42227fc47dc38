"""The upward feedback pages and the home page's prompt, as their users see them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.upward.conftest import answer
from upward import services
from upward.models import UpwardAnswer, UpwardRound


@pytest.fixture
def asked(upward_world):
    w = upward_world
    w.upward_round = services.round_create(actor=w.director.user, subject=w.manager)
    return w


def _form(upward_round: UpwardRound, choice: str = "often", comment: str = "") -> dict[str, str]:
    data = {}
    for p in upward_round.prompts:
        data[f"choice_{p['key']}"] = choice
        data[f"comment_{p['key']}"] = comment
    return data


def test_the_skip_level_asks_from_the_form_and_lands_on_the_notice(upward_world, client_for):
    w = upward_world
    client = client_for("director")
    page = client.get(reverse("upward:new"))
    assert page.status_code == 200
    assert "Mia Manager (Team A)" in page.content.decode()

    response = client.post(
        reverse("upward:new"),
        {"subject": w.manager.pk, "competencies": ["coaching", "hiring", "strategy"]},
        follow=True,
    )

    text = response.content.decode()
    assert response.status_code == 200
    assert "Asked Mia Manager&#x27;s reports for anonymous feedback." in text
    assert "0 of 5 have answered; results appear once at least 3 have." in text
    assert [p["key"] for p in UpwardRound.objects.get().prompts] == [
        "coaching",
        "hiring",
        "strategy",
    ]


def test_the_form_says_why_a_manager_with_one_report_cannot_be_asked(upward_world, client_for):
    response = client_for("director").post(
        reverse("upward:new"), {"subject": upward_world.other_manager.pk}
    )
    assert response.status_code == 400
    assert "has 1 active direct report" in response.content.decode()
    assert not UpwardRound.objects.exists()


def test_a_report_answers_once_and_is_thanked(asked, client_for):
    w = asked
    client = client_for("engineer")
    url = reverse("upward:answer", args=[w.upward_round.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "stored without your name" in page.content.decode()

    done = client.post(url, _form(w.upward_round, comment="Good at 1:1s"), follow=True)
    assert "Your answer was saved without your name." in done.content.decode()
    assert "You have answered. Thank you." in done.content.decode()
    # The thank-you never shows the answer back.
    assert "Good at 1:1s" not in done.content.decode()

    again = client.post(url, _form(w.upward_round, choice="rarely"))
    assert again.status_code == 409
    assert "You have already answered." in again.content.decode()
    assert UpwardAnswer.objects.count() == 1


def test_an_incomplete_answer_is_refused_and_nothing_is_stored(asked, client_for):
    w = asked
    data = _form(w.upward_round)
    del data["choice_coaching"]
    response = client_for("engineer").post(reverse("upward:answer", args=[w.upward_round.pk]), data)
    assert response.status_code == 400
    assert "Your answer was not sent." in response.content.decode()
    assert not UpwardAnswer.objects.exists()


def test_the_subject_sees_the_notice_then_the_totals(asked, client_for):
    w = asked
    url = reverse("upward:detail", args=[w.upward_round.pk])
    answer(w.engineer, w.upward_round, "often", "Protects our focus time")
    answer(w.teammate, w.upward_round, "sometimes")
    text = client_for("manager").get(url).content.decode()
    assert "2 of 5 have answered; results appear once at least 3 have." in text
    assert "Protects our focus time" not in text

    answer(w.extra_reports[0], w.upward_round, "often")
    text = client_for("manager").get(url).content.decode()
    assert "Totals of 3 anonymous answers." in text
    assert "Protects our focus time (coaching)" in text
    assert "Close the round" not in text  # the subject does not close it


def test_whoever_asked_closes_the_round_from_its_page(asked, client_for):
    w = asked
    client = client_for("director")
    url = reverse("upward:detail", args=[w.upward_round.pk])
    assert "Close the round" in client.get(url).content.decode()
    page = client.post(reverse("upward:close", args=[w.upward_round.pk]), follow=True)
    assert "The round is closed." in page.content.decode()
    assert UpwardRound.objects.get().status == "closed"


def test_home_tells_a_report_they_are_asked_until_they_answer(asked, client_for):
    w = asked
    client = client_for("teammate")
    text = client.get(reverse("home")).content.decode()
    assert "You're asked for anonymous feedback on Mia Manager" in text
    assert reverse("upward:answer", args=[w.upward_round.pk]) in text

    answer(w.teammate, w.upward_round)
    text = client.get(reverse("home")).content.decode()
    assert "anonymous feedback on Mia Manager" not in text
    # Nobody else is prompted: the manager is the subject, not a respondent.
    assert (
        "anonymous feedback on" not in client_for("manager").get(reverse("home")).content.decode()
    )


def test_the_index_lists_what_i_am_asked_and_what_i_may_read(asked, client_for):
    mine = client_for("engineer").get(reverse("upward:index")).content.decode()
    assert "Anonymous feedback on Mia Manager" in mine
    assert "Rounds you can read" not in mine
    hr = client_for("hr").get(reverse("upward:index")).content.decode()
    assert "0 of 5" in hr
    assert "Ask for upward feedback" in hr
