"""Role-test rows for the upward feedback routes (imported by tests/test_routes.py).

The round: the director asked the manager's two reports (the engineer and the teammate)
about the manager. The manager has two reports only, so extend_world lowers
ANONYMOUS_MIN_RESPONSES to 2 while it creates the round; the rows themselves run with the
default (3). The "respondent" role (another team's engineer) is not invited.
"""

from __future__ import annotations

from types import SimpleNamespace

from tests.route_cases import ANON_API, ANON_HTML, NO_ARGS, Case, everyone, roles

ROUND = lambda w: [w.upward_round.pk]  # noqa: E731

# Nobody outside the round's readers and invitees learns it exists.
HIDDEN = {"committee": 404, "respondent": 404, "no_person": 404}
READERS = {"manager": 200, "director": 200, "hr": 200, "superuser": 200}
INVITEES = {"engineer": 200, "teammate": 200}
CREATORS = ("director", "hr", "superuser")


def _answer(w: SimpleNamespace) -> dict[str, object]:
    return {
        "answers": {p["key"]: {"choice": "often", "comment": ""} for p in w.upward_round.prompts}
    }


def _answer_form(w: SimpleNamespace) -> dict[str, str]:
    data = {}
    for p in w.upward_round.prompts:
        data[f"choice_{p['key']}"] = "often"
        data[f"comment_{p['key']}"] = ""
    return data


# Other manager has one report: too few to ask, so a creator's request answers 400.
_create = lambda w: {"subject": w.other_manager.pk}  # noqa: E731

ROUTES: list[Case] = [
    # Pages
    Case("upward:index", "get", NO_ARGS, everyone(200, ANON_HTML)),
    Case("upward:new", "get", NO_ARGS, roles(403, ANON_HTML, **dict.fromkeys(CREATORS, 200))),
    Case(
        "upward:new",
        "post",
        NO_ARGS,
        roles(403, ANON_HTML, **dict.fromkeys(CREATORS, 400)),
        data=lambda w: {"subject": str(w.other_manager.pk)},
        note="too few reports",
    ),
    Case("upward:detail", "get", ROUND, {"anonymous": ANON_HTML, **HIDDEN, **READERS, **INVITEES}),
    Case(
        "upward:answer",
        "get",
        ROUND,
        {"anonymous": ANON_HTML, **HIDDEN, **dict.fromkeys(READERS, 403), **INVITEES},
    ),
    Case(
        "upward:answer",
        "post",
        ROUND,
        {
            "anonymous": ANON_HTML,
            **HIDDEN,
            **dict.fromkeys(READERS, 403),
            **dict.fromkeys(INVITEES, 302),
        },
        data=_answer_form,
    ),
    Case(
        "upward:close",
        "post",
        ROUND,
        {
            "anonymous": ANON_HTML,
            **HIDDEN,
            **dict.fromkeys(INVITEES, 403),
            "manager": 403,
            **dict.fromkeys(CREATORS, 302),
        },
    ),
    # API
    Case("api:upward-round-list", "get", NO_ARGS, everyone(200, ANON_API), api=True),
    Case(
        "api:upward-round-list",
        "post",
        NO_ARGS,
        roles(403, ANON_API, **dict.fromkeys(CREATORS, 400)),
        data=_create,
        api=True,
        note="too few reports",
    ),
    Case(
        "api:upward-round-detail",
        "get",
        ROUND,
        {"anonymous": ANON_API, **HIDDEN, **READERS, **INVITEES},
        api=True,
    ),
    Case(
        "api:upward-round-answer",
        "post",
        ROUND,
        {
            "anonymous": ANON_API,
            **HIDDEN,
            **dict.fromkeys(READERS, 403),
            **dict.fromkeys(INVITEES, 201),
        },
        data=_answer,
        api=True,
    ),
    Case(
        "api:upward-round-close",
        "post",
        ROUND,
        {
            "anonymous": ANON_API,
            **HIDDEN,
            **dict.fromkeys(INVITEES, 403),
            "manager": 403,
            **dict.fromkeys(CREATORS, 200),
        },
        api=True,
    ),
]


def extend_world(w: SimpleNamespace) -> None:
    """Add what these routes act on to the route world (called by build_route_world)."""
    from tests.upward.conftest import add_manager_ladder, round_on_manager

    add_manager_ladder(w)
    w.upward_round = round_on_manager(w)
