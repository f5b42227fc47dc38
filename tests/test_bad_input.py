"""No client input, however malformed or large, produces a 500 (SPEC §4): bodies that are too
deep, not finite, not text or too big answer 400 (or 413), on every JSON endpoint, the anonymous
token endpoint included, and nothing is written."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from org.models import Team
from reviews.models import Evidence, ReviewCycle
from reviews.services.cycles import cycle_create
from reviews.services.evidence import evidence_create
from tests.reviews.conftest import make_cycle

TOKEN_URL = "/api/v1/auth/token/"


def _deep(levels: int) -> bytes:
    return b'{"name": ' + b"[" * levels + b"]" * levels + b"}"


# Bodies no endpoint may answer with a 500. Each is raw bytes sent as application/json.
BAD_BODIES: dict[str, bytes] = {
    "nested 1,000 levels": _deep(1_000),
    "nested 50,000 levels": _deep(50_000),
    "nested 100 levels": _deep(100),
    "nested in a key's value": b'{"username": "a", "password": {"x": '
    + b"[" * 5000
    + b"]" * 5000
    + b"}}",
    "NaN": b'{"name": NaN, "slug": "x"}',
    "Infinity": b'{"name": "Team", "slug": "x", "parent": Infinity}',
    "-Infinity": b'{"name": "Team", "slug": "x", "parent": -Infinity}',
    "1e400 in a number": b'{"name": "Team", "slug": "x", "parent": 1e400}',
    "NUL escaped in a value": b'{"name": "Te\\u0000am", "username": "a\\u0000", "slug": "x"}',
    "NUL escaped in a key": b'{"na\\u0000me": "Team", "slug": "x"}',
    "raw NUL byte": b'{"name": "Te\x00am", "slug": "x"}',
    "lone surrogate": b'{"name": "Te\\ud800am", "username": "\\udfff", "slug": "x"}',
    "invalid UTF-8": b'{"name": "Te\xff\xfeam", "username": "\xc3\x28", "slug": "x"}',
    "not JSON at all": b"\x00\x01\x02",
}

# (who, method, url) for JSON endpoints across the apps.
ENDPOINTS = [
    ("anonymous", "post", TOKEN_URL),
    ("hr", "post", "/api/v1/teams/"),
    ("hr", "post", "/api/v1/ladders/"),
    ("engineer", "post", "/api/v1/evidence/"),
    ("hr", "post", "/api/v1/cycles/"),
]


def _client(world, role: str) -> APIClient:
    client = APIClient()
    if role != "anonymous":
        client.force_authenticate(getattr(world, role).user)
    return client


def _send(client: APIClient, method: str, url: str, body: bytes, **extra: Any):
    return getattr(client, method)(url, data=body, content_type="application/json", **extra)


def _counts() -> tuple[int, int]:
    return Team.objects.count(), Evidence.objects.count()


@pytest.mark.parametrize("who,method,url", ENDPOINTS)
@pytest.mark.parametrize("name", list(BAD_BODIES))
def test_a_malformed_json_body_answers_400_and_writes_nothing(world, who, method, url, name):
    before = _counts()
    response = _send(_client(world, who), method, url, BAD_BODIES[name])
    assert response.status_code == 400, (name, response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    assert response.json()  # says what is wrong: a detail, or the field that holds it
    assert _counts() == before


@pytest.mark.parametrize(
    "body,error",
    [
        (b'{"name": "Te\\u0000am", "slug": "x"}', {"name": ["Null characters are not allowed."]}),
        (
            b'{"name": "Te\\ud800am", "slug": "x"}',
            {"name": ["Surrogate characters are not allowed: U+D800."]},
        ),
        (
            b'{"name": "T", "slug": "x", "extra": [{"deep": "\\udfff"}]}',
            {"extra": {"0": {"deep": ["Surrogate characters are not allowed: U+DFFF."]}}},
        ),
        (b'{"name": "T", "slug": "x", "ke\\u0000y": 1}', ["Null characters are not allowed."]),
    ],
)
def test_unstorable_text_is_refused_naming_where_it_is(world, body, error):
    response = _send(_client(world, "hr"), "post", "/api/v1/teams/", body)
    assert response.status_code == 400
    got = response.json()
    assert got == error or got == {"detail": error[0]}, got
    assert not Team.objects.filter(slug="x").exists()


def test_a_lone_surrogate_in_a_choice_is_refused_not_crashed(world):
    """DRF quotes a bad choice back in its message; a lone surrogate cannot be encoded."""
    body = b'{"person": 1, "kind": "\\ud800", "title": "t", "occurred_on": "2026-01-01"}'
    response = _send(_client(world, "engineer"), "post", "/api/v1/evidence/", body)
    assert response.status_code == 400
    assert response.json() == {"kind": ["Surrogate characters are not allowed: U+D800."]}


@pytest.mark.parametrize("value", [2**63, 2**70, -(2**63) - 1, 10**4000])
def test_an_id_beyond_64_bits_answers_400_on_the_field(world, value):
    body = b'{"name": "Team", "slug": "x", "parent": ' + str(value).encode() + b"}"
    response = _send(_client(world, "hr"), "post", "/api/v1/teams/", body)
    assert response.status_code == 400, response.content[:300]
    assert not Team.objects.filter(slug="x").exists()


def test_the_depth_error_says_what_is_wrong(world):
    response = _send(_client(world, "hr"), "post", "/api/v1/teams/", _deep(100))
    assert response.status_code == 400
    assert "nested" in response.json()["detail"]


def test_a_body_nested_a_little_is_still_accepted(world):
    body = json.dumps({"name": "Platform", "slug": "platform", "extra": [[[[{"a": [1]}]]]]})
    response = _send(_client(world, "hr"), "post", "/api/v1/teams/", body.encode())
    assert response.status_code == 201, response.content
    assert Team.objects.filter(slug="platform").exists()


def test_non_ascii_text_is_still_accepted(world):
    body = json.dumps({"name": "Équipe Ünïcode 東京", "slug": "equipe"}, ensure_ascii=False)
    response = _send(_client(world, "hr"), "post", "/api/v1/teams/", body.encode())
    assert response.status_code == 201, response.content
    assert Team.objects.get(slug="equipe").name == "Équipe Ünïcode 東京"


@pytest.mark.parametrize("who,method,url", ENDPOINTS)
def test_an_oversized_json_body_answers_413_and_writes_nothing(world, settings, who, method, url):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = json.dumps({"name": "x" * 20_000, "slug": "big", "username": "a"}).encode()
    before = _counts()
    response = _send(_client(world, who), method, url, body)
    assert response.status_code == 413, response.content[:300]
    assert response.json()["code"] == "too_large"
    assert _counts() == before


@pytest.mark.parametrize(
    "content_type", ["application/x-www-form-urlencoded", "multipart/form-data; boundary=BoUnDaRy"]
)
def test_an_oversized_form_body_answers_4xx_not_500(world, settings, content_type):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    if content_type.startswith("multipart"):
        body = (
            b'--BoUnDaRy\r\nContent-Disposition: form-data; name="name"\r\n\r\n'
            + b"x" * 20_000
            + b"\r\n--BoUnDaRy--\r\n"
        )
    else:
        body = b"slug=big&name=" + b"x" * 20_000
    before = _counts()
    response = _client(world, "hr").post("/api/v1/teams/", data=body, content_type=content_type)
    assert response.status_code in (400, 413), response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    assert _counts() == before


@pytest.mark.parametrize(
    "body",
    [b"name=Te%00am&slug=nul", b"name=Te%FF%FEam&slug=bad-utf8", b"name=Team&slug=sl%00ug"],
)
def test_a_bad_form_body_answers_400(world, body):
    before = _counts()
    response = _client(world, "hr").post(
        "/api/v1/teams/", data=body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400, response.content[:300]
    assert _counts() == before


# --- Dates outside a sane range (cycles, evidence, check-ins) ----------------------------

CYCLES_URL = "/api/v1/cycles/"
EVIDENCE_URL = "/api/v1/evidence/"


def _in_days(days: int) -> str:
    return (datetime.date.today() + datetime.timedelta(days=days)).isoformat()


@pytest.mark.parametrize(
    "starts_on,ends_on,field",
    [
        ("0001-01-01", "9999-12-31", "starts_on"),
        ("1969-12-31", "2026-06-30", "starts_on"),
        ("2026-01-01", "2101-01-01", "ends_on"),
        ("2026-01-01", "9999-12-31", "ends_on"),
    ],
)
def test_a_cycle_dated_outside_1970_to_2100_is_refused_by_the_api(
    world, api_for, starts_on, ends_on, field
):
    body = {"name": "Odd", "starts_on": starts_on, "ends_on": ends_on}
    response = api_for("hr").post(CYCLES_URL, body, format="json")
    assert response.status_code == 400, response.content
    assert "between 1970-01-01 and 2100-12-31" in response.json()[field][0]
    assert not ReviewCycle.objects.exists()


def test_a_draft_cycle_cannot_be_moved_outside_the_range(world, api_for):
    cycle = make_cycle(world, status="draft")
    response = api_for("hr").patch(
        f"{CYCLES_URL}{cycle.pk}/", {"ends_on": "9999-12-31"}, format="json"
    )
    assert response.status_code == 400, response.content
    assert "ends_on" in response.json()
    cycle.refresh_from_db()
    assert cycle.ends_on == datetime.date(2026, 6, 30)


def test_the_cycle_service_refuses_a_date_outside_the_range_whoever_calls_it(world):
    with pytest.raises(DjangoValidationError) as caught:
        cycle_create(
            actor=world.hr.user,
            name="Old",
            starts_on=datetime.date(1, 1, 1),
            ends_on=datetime.date(2026, 1, 1),
        )
    assert "starts_on" in caught.value.message_dict


def test_a_cycle_dated_outside_the_range_is_refused_by_the_form(world, client_for):
    response = client_for("hr").post(
        reverse("reviews:cycles"),
        {"name": "Forever", "starts_on": "0001-01-01", "ends_on": "9999-12-31"},
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "between 1970-01-01 and 2100-12-31" in errors["starts_on"][0]
    assert not ReviewCycle.objects.exists()


@pytest.mark.parametrize("occurred_on", ["1969-12-31", "0001-01-01", "2999-01-01", "in 2 days"])
def test_evidence_dated_implausibly_or_in_the_future_is_refused_by_the_api(
    world, api_for, occurred_on
):
    if occurred_on == "in 2 days":
        occurred_on = _in_days(2)
    body = {
        "person": world.engineer.pk,
        "kind": "other",
        "title": "Time travel",
        "occurred_on": occurred_on,
    }
    response = api_for("engineer").post(EVIDENCE_URL, body, format="json")
    assert response.status_code == 400, response.content
    assert "occurred_on" in response.json()
    assert not Evidence.objects.exists()


def test_evidence_dated_tomorrow_is_accepted(world, api_for):
    body = {
        "person": world.engineer.pk,
        "kind": "other",
        "title": "Shipped late at night, somewhere east of here",
        "occurred_on": _in_days(1),
    }
    response = api_for("engineer").post(EVIDENCE_URL, body, format="json")
    assert response.status_code == 201, response.content


def test_evidence_in_the_future_is_refused_by_the_library_form(world, client_for):
    response = client_for("engineer").post(
        reverse("reviews:my-evidence"),
        {"title": "Next month's win", "kind": "other", "occurred_on": _in_days(30)},
    )
    assert response.status_code in (200, 400)
    assert "in the future" in response.context["form"].errors["occurred_on"][0]
    assert not Evidence.objects.exists()


def test_the_evidence_service_refuses_a_future_date_whoever_calls_it(world):
    with pytest.raises(DjangoValidationError) as caught:
        evidence_create(
            actor=world.engineer.user,
            person=world.engineer,
            title="Later",
            occurred_on=datetime.date.today() + datetime.timedelta(days=10),
            kind="other",
        )
    assert "occurred_on" in caught.value.message_dict


# --- Control characters in names, titles and long text -----------------------------------

CONTROL_MESSAGE = "control characters"


def _messages(value: Any) -> str:
    """Every message in an error body (nested lists and dicts), joined into one string."""
    if isinstance(value, dict):
        return " ".join(_messages(v) for v in value.values())
    if isinstance(value, list):
        return " ".join(_messages(v) for v in value)
    return str(value)


def _rubric_body(world, **override: Any) -> dict[str, Any]:
    from tests.factories import rubric_contents

    body: dict[str, Any] = {"ladder": world.ladder.pk, **rubric_contents()}
    for path, value in override.items():
        section, index, field = path.split(".")
        body[section][int(index)][field] = value
    return body


# (role, url, body, the field whose error must name the control characters)
SINGLE_LINE_CASES = {
    "team name": ("hr", "/api/v1/teams/", lambda w, v: {"name": v, "slug": "t"}, "name"),
    "person full name": (
        "hr",
        "/api/v1/people/",
        lambda w, v: {"username": "newbie", "full_name": v},
        "full_name",
    ),
    "cycle name": (
        "hr",
        CYCLES_URL,
        lambda w, v: {"name": v, "starts_on": "2026-01-01", "ends_on": "2026-06-30"},
        "name",
    ),
    "evidence title": (
        "engineer",
        EVIDENCE_URL,
        lambda w, v: {"person": w.engineer.pk, "title": v, "occurred_on": "2026-02-02"},
        "title",
    ),
    "session name": (
        "hr",
        "/api/v1/calibration-sessions/",
        lambda w, v: {"name": v},
        "name",
    ),
    "ladder name": ("hr", "/api/v1/ladders/", lambda w, v: {"name": v, "slug": "l"}, "name"),
    "rubric level title": (
        "hr",
        "/api/v1/rubric-versions/",
        lambda w, v: _rubric_body(w, **{"levels.0.title": v}),
        "levels",
    ),
    "rubric competency name": (
        "hr",
        "/api/v1/rubric-versions/",
        lambda w, v: _rubric_body(w, **{"competencies.0.name": v}),
        "competencies",
    ),
    "rubric rating label": (
        "hr",
        "/api/v1/rubric-versions/",
        lambda w, v: _rubric_body(w, **{"ratings.0.label": v}),
        "ratings",
    ),
    "dimension label": (
        "hr",
        "/api/v1/demographic-dimensions/",
        lambda w, v: {"key": "k", "label": v, "values": ["a", "b"]},
        "label",
    ),
    "dimension value": (
        "hr",
        "/api/v1/demographic-dimensions/",
        lambda w, v: {"key": "k", "label": "K", "values": ["a", v]},
        "values",
    ),
}
CONTROL_TEXTS = {
    "newline": "Two\nlines",
    "carriage return": "Over\rwritten",
    "tab": "Tab\tbed",
    "escape": "Red\x1b[31m",
    "bell": "Ding\x07",
    "DEL": "Gone\x7f",
    "C1 (NEL)": "Next\x85line",
    "C1 (CSI)": "Esc\x9b31m",
}


@pytest.mark.parametrize("case", list(SINGLE_LINE_CASES))
@pytest.mark.parametrize("text", list(CONTROL_TEXTS))
def test_a_name_or_title_with_a_control_character_is_refused(world, api_for, case, text):
    role, url, body, field = SINGLE_LINE_CASES[case]
    response = api_for(role).post(url, body(world, CONTROL_TEXTS[text]), format="json")
    assert response.status_code == 400, response.content
    assert CONTROL_MESSAGE in _messages(response.json().get(field)), response.json()


@pytest.mark.parametrize("case", ["team name", "cycle name", "evidence title", "ladder name"])
def test_a_plain_name_is_still_accepted(world, api_for, case):
    role, url, body, _ = SINGLE_LINE_CASES[case]
    response = api_for(role).post(url, body(world, "Plain — and Ünïcode"), format="json")
    assert response.status_code == 201, response.content


# (role, url, body) for long text: line breaks and tabs are fine, other controls are not.
LONG_TEXT_CASES = {
    "evidence summary": (
        "engineer",
        EVIDENCE_URL,
        lambda w, v: {
            "person": w.engineer.pk,
            "title": "T",
            "occurred_on": "2026-02-02",
            "summary": v,
        },
        "summary",
    ),
    "team description": (
        "hr",
        "/api/v1/teams/",
        lambda w, v: {"name": "T", "slug": "t", "description": v},
        "description",
    ),
    "ladder description": (
        "hr",
        "/api/v1/ladders/",
        lambda w, v: {"name": "L", "slug": "l", "description": v},
        "description",
    ),
}


@pytest.mark.parametrize("case", list(LONG_TEXT_CASES))
def test_long_text_keeps_line_breaks_and_tabs(world, api_for, case):
    role, url, body, field = LONG_TEXT_CASES[case]
    text = "First line\r\n\tindented\nlast"
    response = api_for(role).post(url, body(world, text), format="json")
    assert response.status_code == 201, response.content
    assert response.json()[field] == text


@pytest.mark.parametrize("case", list(LONG_TEXT_CASES))
@pytest.mark.parametrize("text", ["escape", "bell", "DEL", "C1 (NEL)"])
def test_long_text_with_another_control_character_is_refused(world, api_for, case, text):
    role, url, body, field = LONG_TEXT_CASES[case]
    response = api_for(role).post(url, body(world, CONTROL_TEXTS[text]), format="json")
    assert response.status_code == 400, response.content
    assert CONTROL_MESSAGE in _messages(response.json().get(field)), response.json()


def test_the_cycle_form_refuses_a_name_with_a_line_break(world, client_for):
    response = client_for("hr").post(
        reverse("reviews:cycles"),
        {"name": "H1\n2026", "starts_on": "2026-01-01", "ends_on": "2026-06-30"},
    )
    assert response.status_code == 400
    assert CONTROL_MESSAGE in response.context["form"].errors["name"][0]
    assert not ReviewCycle.objects.exists()


def test_the_evidence_form_refuses_a_title_with_an_escape(world, client_for):
    response = client_for("engineer").post(
        reverse("reviews:my-evidence"),
        {"title": "Shipped\x1b[2J", "kind": "other", "occurred_on": "2026-02-02"},
    )
    assert CONTROL_MESSAGE in response.context["form"].errors["title"][0]
    assert not Evidence.objects.exists()


# --- Page and page size on API lists -------------------------------------------------------


@pytest.mark.parametrize("url", ["/api/v1/teams/", "/api/v1/people/", "/api/v1/cycles/"])
@pytest.mark.parametrize(
    "query,field",
    [
        ("page=0", "page"),
        ("page=-1", "page"),
        ("page=abc", "page"),
        ("page=1e400", "page"),
        ("page=99999999999999999999999", "page"),
        ("page_size=0", "page_size"),
        ("page_size=201", "page_size"),
        ("page_size=-5", "page_size"),
        ("page_size=lots", "page_size"),
    ],
)
def test_a_bad_page_or_page_size_answers_400_saying_which(world, api_for, url, query, field):
    response = api_for("hr").get(f"{url}?{query}")
    assert response.status_code == 400, response.content
    assert response.json()[field], response.json()


def test_a_page_past_the_end_answers_404(world, api_for):
    response = api_for("hr").get("/api/v1/teams/?page=50")
    assert response.status_code == 404


@pytest.mark.parametrize("query", ["page=1", "page=last", "page_size=1", "page_size=200", ""])
def test_good_pages_still_answer(world, api_for, query):
    response = api_for("hr").get(f"/api/v1/teams/?{query}")
    assert response.status_code == 200, response.content
    assert {"count", "next", "previous", "results"} <= set(response.json())


def test_page_size_picks_the_page_length(world, api_for):
    body = api_for("hr").get("/api/v1/teams/?page_size=2&page=2").json()
    assert len(body["results"]) == 2 and body["previous"]


# Names and ids in team outcome ingestion and ingestion tokens: the same single-line rule.
OUTCOME_NAME_CASES = {
    "deployment external_id": (
        "/api/v1/outcomes/deployments/",
        lambda w, v: {"team": w.team_a.pk, "external_id": v, "deployed_at": "2026-03-02T10:00:00Z"},
        "external_id",
    ),
    "incident cause": (
        "/api/v1/outcomes/incidents/",
        lambda w, v: {
            "team": w.team_a.pk,
            "external_id": "inc-1",
            "started_at": "2026-03-02T10:00:00Z",
            "severity": "sev2",
            "caused_by_deployment": v,
        },
        "caused_by_deployment",
    ),
    "SLO service": (
        "/api/v1/outcomes/slo-reports/",
        lambda w, v: {
            "team": w.team_a.pk,
            "service": v,
            "period_start": "2026-03-01",
            "period_end": "2026-03-31",
            "objective": 0.999,
            "attained": 0.9995,
        },
        "service",
    ),
}


@pytest.mark.parametrize("case", list(OUTCOME_NAME_CASES))
@pytest.mark.parametrize("text", ["newline", "escape", "C1 (NEL)"])
def test_an_outcome_name_with_a_control_character_is_refused(world, api_for, case, text):
    from outcomes.models import Deployment, Incident, SLOReport

    url, body, field = OUTCOME_NAME_CASES[case]
    response = api_for("hr").post(url, body(world, CONTROL_TEXTS[text]), format="json")
    assert response.status_code == 400, response.content
    assert CONTROL_MESSAGE in _messages(response.json()["items"]["0"][field])
    assert not (
        Deployment.objects.exists() or Incident.objects.exists() or SLOReport.objects.exists()
    )


@pytest.mark.parametrize("text", ["newline", "escape"])
def test_an_ingestion_token_name_with_a_control_character_is_refused(world, api_for, text):
    response = api_for("hr").post(
        "/api/v1/outcomes/tokens/", {"name": CONTROL_TEXTS[text]}, format="json"
    )
    assert response.status_code == 400, response.content
    assert CONTROL_MESSAGE in _messages(response.json()["name"])
