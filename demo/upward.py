"""Anonymous upward feedback in the demo (SPEC §11.4, called by demo/voice.py).

Marcus (the Product director) asked two of his managers' teams about their managers:
Priya's reports gave enough answers for the results to show (Priya, Marcus and Hana read
them; Sam has not answered yet, so his home page asks him), while the Search and
Discovery team's manager has too few answers so far, and the page says so.
"""

from __future__ import annotations

from org.models import Person, User
from org.selectors import person_list
from reviews.models import ReviewCycle
from upward import services
from upward.models import UpwardRound

# (choice per prompt, comment per prompt): what each answering report said.
PRIYA_ANSWERS = [
    (
        ["often", "almost_always", "sometimes"],
        [
            "Our 1:1s always start from what I am stuck on.",
            "Says no to late scope, and explains why.",
            "",
        ],
    ),
    (
        ["almost_always", "often", "often"],
        ["", "Plans are written down before the sprint starts.", "Asked for my view on a hire."],
    ),
    (
        ["sometimes", "often", "rarely"],
        [
            "Feedback comes late, usually at review time.",
            "",
            "I would like to hear more about where the team is going.",
        ],
    ),
]
OTHER_ANSWERS = [
    (["often", "sometimes", "often"], ["Makes time for pairing.", "", ""]),
    (["sometimes", "often", "cant_say"], ["", "Keeps incidents calm.", ""]),
]


def _answer(
    person: Person, upward_round: UpwardRound, choices: list[str], comments: list[str]
) -> None:
    answers = {
        prompt["key"]: {"choice": choice, "comment": comment}
        for prompt, choice, comment in zip(upward_round.prompts, choices, comments, strict=True)
    }
    services.round_answer(actor=person.user, round=upward_round, answers=answers)


def _reports(actor: User, manager: Person, *, skip: set[str]) -> list[Person]:
    people = (
        person_list(user=actor)
        .filter(parent=manager, is_active=True)
        .exclude(user__username__in=skip)
    )
    # Only people who can sign in answer (the new starters have not been invited yet).
    return [p for p in people.order_by("full_name") if p.user.has_usable_password()]


def seed(*, actor: User, cycles: dict[str, ReviewCycle]) -> None:
    """Two rounds asked by Marcus: one with enough answers, one with too few."""
    people = person_list(user=actor)
    marcus = people.get(user__username="marcus")
    priya = people.get(user__username="priya")
    other = people.get(team__slug="search-discovery", parent=marcus)
    cycle = cycles.get("h2")

    on_priya = services.round_create(actor=marcus.user, subject=priya, cycle=cycle)
    for person, (choices, comments) in zip(
        _reports(actor, priya, skip={"sam"}), PRIYA_ANSWERS, strict=False
    ):
        _answer(person, on_priya, choices, comments)

    on_other = services.round_create(actor=marcus.user, subject=other, cycle=cycle)
    for person, (choices, comments) in zip(
        _reports(actor, other, skip=set()), OTHER_ANSWERS, strict=False
    ):
        _answer(person, on_other, choices, comments)
