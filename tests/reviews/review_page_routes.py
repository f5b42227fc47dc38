"""Role-test rows for the reviews app's HTML pages (imported by tests/test_routes.py).

world.review is the manager's draft review of the engineer in the open world.cycle; the
engineer (its subject) cannot see it before release; the director (skip level) can, and
writes it like the manager; the committee, the respondent and the teammate cannot see it
at all; HR (and a superuser) reads but never writes.
"""

from __future__ import annotations

from tests.route_cases import ANON_HTML, NO_ARGS, Case, everyone, roles


def _review(w):
    return [w.review.pk]


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
    Case(
        "reviews:edit",
        "get",
        _review,
        roles(404, ANON_HTML, manager=200, director=200, hr=403, superuser=403),
    ),
    Case(
        "reviews:edit",
        "post",
        _review,
        roles(404, ANON_HTML, manager=302, director=302, hr=403, superuser=403),
        data=lambda w: {"version": 1, "ownership": "Owned the billing split."},
    ),
    Case(
        "reviews:lint",
        "post",
        _review,
        roles(404, ANON_HTML, manager=200, director=200, hr=403, superuser=403),
        data=lambda w: {"version": 1, "ownership": "Not strategic."},
    ),
    Case("reviews:lint", "get", _review, everyone(405, ANON_HTML), note="POST only"),
    Case(
        "reviews:submit",
        "post",
        _review,
        roles(404, ANON_HTML, manager=400, director=400, hr=403, superuser=403),
        data=lambda w: {"version": 1},
        note="incomplete draft",
    ),
    Case("reviews:submit", "get", _review, everyone(405, ANON_HTML), note="POST only"),
    Case(
        "reviews:detail",
        "get",
        _review,
        roles(404, ANON_HTML, manager=200, director=200, hr=200, superuser=200),
        note="draft",
    ),
    Case(
        "reviews:acknowledge",
        "post",
        _review,
        roles(404, ANON_HTML, manager=403, director=403, hr=403, superuser=403),
        data=lambda w: {"response": "Read it."},
        note="draft",
    ),
]
