"""No page, API answer or admin page links an anonymous answer to its respondent, HR's and
the superuser's included (SPEC §11.4), and nothing of the answers shows before enough
people have answered. Every upward route of tests/upward/routes.py and every admin
changelist is fetched as every role."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib import admin
from django.db import connection
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from tests.conftest import user_for
from tests.upward import routes as upward_routes
from tests.upward.conftest import answer
from upward import services
from upward.models import UpwardAnswer, UpwardInvitation, UpwardRound

# Everyone who could look, and everyone who answered.
LOOKERS = [
    "engineer",
    "teammate",
    "manager",
    "director",
    "committee",
    "respondent",
    "hr",
    "superuser",
    "no_person",
]
COMMENTS = ["Zesty standups keep us honest", "Quiet about career paths", "Makes room to focus"]
# Words of the results: choice labels appear in a form too, so look for the totals' table.
RESULT_MARKERS = ["Number of answers", "Totals of"]


def _pages(w: Any) -> list[tuple[bool, str]]:
    """(is_api, url) for every GET route of the upward app, and the admin's pages."""
    urls = []
    for case in upward_routes.ROUTES:
        if case.method == "get":
            urls.append((case.api, reverse(case.name, args=case.args(w))))
    urls.append((False, reverse("admin:index")))
    for model in admin.site._registry:
        meta = model._meta
        urls.append((False, reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")))
    return urls


def _fetch(w: Any, role: str) -> list[tuple[str, str]]:
    user = user_for(w, role)
    bodies = []
    for is_api, url in _pages(w):
        client: Client = APIClient() if is_api else Client()
        client.force_login(user)
        response = client.get(url)
        assert response.status_code != 500, url
        if response.status_code == 200:
            bodies.append((url, response.content.decode()))
    return bodies


def _names(w: Any) -> list[str]:
    """Every respondent's name, and the usernames that are not also English words."""
    return [p.full_name for p in w.reports] + [p.user.username for p in w.extra_reports]


@pytest.fixture
def asked(upward_world):
    w = upward_world
    w.upward_round = services.round_create(actor=w.director.user, subject=w.manager)
    return w


def test_no_upward_model_is_in_the_admin():
    registered = {m._meta.app_label for m in admin.site._registry}
    assert "upward" not in registered


def test_with_two_answers_nothing_of_them_shows_anywhere(asked):
    w = asked
    answer(w.engineer, w.upward_round, "almost_always", COMMENTS[0])
    answer(w.teammate, w.upward_round, "rarely", COMMENTS[1])

    for role in LOOKERS:
        for url, body in _fetch(w, role):
            for comment in COMMENTS:
                assert comment not in body, (role, url)
            for marker in RESULT_MARKERS:
                assert marker not in body, (role, url)
            if url.startswith("/api/") and '"results"' in body:
                data = json.loads(body)
                rows = data["results"] if "count" in data else [data]
                assert all(r["results"] is None for r in rows), (role, url)


def test_with_three_answers_the_aggregate_shows_without_a_name_next_to_it(asked, client_for):
    w = asked
    respondents = [w.engineer, w.teammate, w.extra_reports[0]]
    for person, comment in zip(respondents, COMMENTS, strict=True):
        answer(person, w.upward_round, "often", comment)

    page = client_for("manager").get(reverse("upward:detail", args=[w.upward_round.pk]))
    assert "Number of answers" in page.content.decode()
    assert f"{COMMENTS[0]} (coaching)" in page.content.decode()

    shown_to = set()
    for role in LOOKERS:
        for url, body in _fetch(w, role):
            if not any(comment in body for comment in COMMENTS):
                continue
            shown_to.add(role)
            for name in _names(w):
                assert name not in body, (role, url, name)
            if url.startswith("/api/"):
                _assert_no_person_in_results(json.loads(body))
    # The subject and their chain read it, and HR; no respondent and no outsider does.
    assert shown_to == {"manager", "director", "hr", "superuser"}


def _assert_no_person_in_results(data: dict[str, Any]) -> None:
    rows = data["results"] if "count" in data else [data]
    for row in rows:
        results = row["results"]
        if results is None:
            continue
        assert set(results) == {"included", "held_back", "prompts"}
        for prompt in results["prompts"]:
            assert set(prompt) == {"key", "name", "counts", "comments"}
            assert all(isinstance(c, str) for c in prompt["comments"])
            for row_ in prompt["counts"]:
                assert set(row_) == {"choice", "label", "count"}


def test_comments_are_listed_by_text_not_by_arrival(asked, client_for):
    w = asked
    for person, comment in zip(w.reports[:3], COMMENTS, strict=True):
        answer(person, w.upward_round, "often", comment)
    body = client_for("hr").get(reverse("upward:detail", args=[w.upward_round.pk])).content
    text = body.decode()
    positions = [text.index(f"{c} (coaching)") for c in sorted(COMMENTS)]
    assert positions == sorted(positions)


def test_the_answer_table_has_no_respondent_and_no_time(db):
    """Schema: nothing on the answer row can name its author or order it in time."""
    fields = {f.name: f for f in UpwardAnswer._meta.get_fields() if getattr(f, "concrete", False)}
    assert set(fields) == {"id", "round", "items", "shown"}
    assert fields["id"].get_internal_type() == "UUIDField"
    for f in fields.values():
        assert f.get_internal_type() not in ("DateField", "DateTimeField", "TimeField")
        if f.is_relation:
            assert f.related_model is UpwardRound

    table = UpwardAnswer._meta.db_table
    with connection.cursor() as cursor:
        columns = {c.name for c in connection.introspection.get_table_description(cursor, table)}
        constraints = connection.introspection.get_constraints(cursor, table)
    assert columns == {"id", "round_id", "items", "shown"}
    targets = {c["foreign_key"][0] for c in constraints.values() if c["foreign_key"]}
    assert targets == {UpwardRound._meta.db_table}


def test_the_invitation_says_only_whether_someone_answered(db):
    columns = {f.column for f in UpwardInvitation._meta.concrete_fields}
    assert columns == {"id", "round_id", "respondent_id", "has_answered"}


def test_no_history_table_shadows_the_answers():
    from django.apps import apps

    names = {m.__name__ for m in apps.get_app_config("upward").get_models()}
    assert names == {"UpwardRound", "UpwardInvitation", "UpwardAnswer"}
