"""Role-test rows for this workstream's routes (imported by tests/test_routes.py).

Where I stand (SPEC §11.2): a person's growth page and its PDF are for the person, their
manager chain at any depth, and HR (read). The engineer's own id leads to /me/growth/;
a teammate, a committee member and a feedback respondent get the same 404 as for a person
who does not exist.
"""

from __future__ import annotations

from types import SimpleNamespace

from tests.route_cases import ANON_HTML, NO_ARGS, Case, everyone, roles

# The engineer's page: 200 for the chain and HR, the engineer is sent to their own.
ENGINEER_PAGE = roles(
    404, ANON_HTML, engineer=302, manager=200, director=200, hr=200, superuser=200
)

ROUTES: list[Case] = [
    Case("reviews:my-growth", "get", NO_ARGS, everyone(200, ANON_HTML)),
    Case(
        "reviews:my-growth-pdf",
        "get",
        NO_ARGS,
        roles(200, ANON_HTML, superuser=404, no_person=404),
        note="accounts without a person record have no page to print",
    ),
    Case("reviews:person-growth", "get", lambda w: [w.engineer.pk], ENGINEER_PAGE),
    Case("reviews:person-growth-pdf", "get", lambda w: [w.engineer.pk], ENGINEER_PAGE),
    Case(
        "reviews:person-growth",
        "get",
        lambda w: [w.other_engineer.pk],
        roles(404, ANON_HTML, director=200, committee=200, respondent=302, hr=200, superuser=200),
        note="Team B's engineer: their manager (the committee role here) and the director",
    ),
    Case(
        "reviews:evidence-competencies",
        "post",
        lambda w: [w.ev.pk],
        roles(
            302,
            ANON_HTML,
            teammate=404,
            committee=403,
            respondent=404,
            hr=403,
            superuser=403,
            no_person=404,
        ),
        data=lambda w: {"competencies": ["execution", "collaboration"]},
        note="re-tag the engineer's item: the engineer and their chain",
    ),
]


def extend_world(w: SimpleNamespace) -> None:
    """Add what these routes act on to the route world (called by build_route_world)."""
    # The engineer's evidence is tagged, so the pages render a listed item for every role.
    w.ev.competencies = ["execution"]
    w.ev.save(update_fields=["competencies"])
