"""Role-test rows for the reviews app's HTML pages (imported by tests/test_routes.py).

world.review is the manager's draft review of the engineer in the open world.cycle; the
engineer (its subject) cannot see it before release; other_manager (outside the chain, and
the respondent of world.fb) cannot see it at all; HR reads but never writes.
"""

from __future__ import annotations

from tests.route_cases import ANON_HTML, NO_ARGS, Case, everyone


def _review(w):
    return [w.review.pk]


def _by_role(engineer: int, manager: int, other_manager: int, hr: int) -> dict[str, int]:
    return {
        "anonymous": ANON_HTML,
        "engineer": engineer,
        "manager": manager,
        "other_manager": other_manager,
        "hr": hr,
    }


ROUTES: list[Case] = [
    Case("reviews:workspace", "get", NO_ARGS, everyone(200, ANON_HTML)),
    # Every refusal (not in the chain, HR, …) comes back to the workspace as a message.
    Case(
        "reviews:start",
        "post",
        NO_ARGS,
        everyone(302, ANON_HTML),
        data=lambda w: {"cycle": w.cycle.pk, "subject": w.teammate.pk},
    ),
    Case("reviews:start", "get", NO_ARGS, everyone(405, ANON_HTML), note="POST only"),
    Case("reviews:edit", "get", _review, _by_role(404, 200, 404, 403)),
    Case(
        "reviews:edit",
        "post",
        _review,
        _by_role(404, 302, 404, 403),
        data=lambda w: {"version": 1, "ownership": "Owned the billing split."},
    ),
    Case(
        "reviews:lint",
        "post",
        _review,
        _by_role(404, 200, 404, 403),
        data=lambda w: {"version": 1, "ownership": "Not strategic."},
    ),
    Case("reviews:lint", "get", _review, everyone(405, ANON_HTML), note="POST only"),
    Case(
        "reviews:submit",
        "post",
        _review,
        _by_role(404, 400, 404, 403),
        data=lambda w: {"version": 1},
        note="incomplete draft",
    ),
    Case("reviews:submit", "get", _review, everyone(405, ANON_HTML), note="POST only"),
    Case("reviews:detail", "get", _review, _by_role(404, 200, 404, 200), note="draft"),
    Case(
        "reviews:acknowledge",
        "post",
        _review,
        _by_role(404, 403, 404, 403),
        data=lambda w: {"response": "Read it."},
        note="draft",
    ),
]
