"""The board and the case page keep what they show the same to every viewer in the cache
(calibration.views.board, calibration.views.case), keyed on the state of what it is made
from (calibration.selectors.state). What is served from the cache is what a fresh render
gives; a change shows on the next view; and what one viewer may read or do never reaches
another."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from calibration import services
from calibration.models import CalibrationCase
from org import services as org_services
from outcomes.models import Deployment
from reviews.models import Evidence, LintTerm
from tests.calibration.test_board_pages import decide_form, post_form, section

# These test the board's and case's own kept parts: whole kept pages (core/page_cache.py)
# would answer before them.
pytestmark = pytest.mark.usefixtures("page_cache_off")

REFS = [{"level": "L4", "competency": "execution"}]


def _client(world, role: str) -> Client:
    client = Client()
    client.force_login(getattr(world, role).user)
    return client


def _html(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    # The forms' CSRF tokens are masked anew on every render.
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def _board(calib) -> str:
    return reverse("calibration:session", args=[calib.session.pk])


def _case(case) -> str:
    return reverse("calibration:case", args=[case.pk])


def _row(html: str, case) -> list[str]:
    """The cells of a case's row on the board."""
    row = html.split(f'<tr id="case-{case.pk}">', 1)[1].split("</tr>", 1)[0]
    return [
        " ".join(re.sub(r"<[^>]+>", " ", c).split())
        for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    ]


def _decide(world, case, rating: str = "exceeds") -> CalibrationCase:
    case.refresh_from_db()
    return services.case_decide(
        actor=world.other_manager.user,
        case=case,
        version=case.version,
        calibrated_rating=rating,
        rationale="Carried the billing migration: beyond what L4 asks.",
        rubric_refs=REFS,
    )


@pytest.mark.parametrize("role", ["hr", "other_manager", "director"])
def test_the_board_from_the_cache_is_the_board_rendered_afresh(world, calib, role):
    client = _client(world, role)
    first = _html(client, _board(calib))
    assert _html(client, _board(calib)) == first
    cache.clear()
    assert _html(client, _board(calib)) == first


@pytest.mark.parametrize("first", ["hr", "other_manager", "director"])
def test_what_each_viewer_may_do_on_the_board_is_their_own(world, calib, first):
    """HR and the facilitator may finalize; a committee member who does not facilitate may
    not; HR reads without sitting on the committee. Whoever loads the board first, each
    sees their own."""
    pages = {first: _html(_client(world, first), _board(calib))}
    for role in ("hr", "other_manager", "director"):
        pages.setdefault(role, _html(_client(world, role), _board(calib)))
    finalize = reverse("calibration:session-finalize", args=[calib.session.pk])
    reading = "You are reading this session: only its committee decides cases."
    assert finalize in pages["hr"] and reading in pages["hr"]
    assert finalize in pages["other_manager"] and reading not in pages["other_manager"]
    assert finalize not in pages["director"] and reading not in pages["director"]
    packet = reverse("calibration:packet", args=[calib.session.pk])
    assert all(packet in html for html in pages.values())


def test_a_decision_shows_on_the_board_at_once(world, calib):
    client = _client(world, "director")
    assert _row(_html(client, _board(calib)), calib.teammate_case)[3] == "—"
    _decide(world, calib.teammate_case)
    html = _html(client, _board(calib))
    assert "Exceeds" in _row(html, calib.teammate_case)[3]
    assert "Carried the billing migration" in section(html, "changes-heading")


def test_renaming_a_subject_or_their_team_shows_on_the_board_at_once(world, calib):
    client = _client(world, "hr")
    assert world.teammate.full_name in _html(client, _board(calib))
    org_services.person_update(actor=world.root, person=world.teammate, full_name="Tam Renamed")
    org_services.team_update(actor=world.root, team=world.team_a, name="Payments Core")
    html = _html(client, _board(calib))
    assert "Tam Renamed" in html
    assert "Payments Core" in " ".join(_row(html, calib.teammate_case))


def test_the_quality_findings_follow_the_evidence_and_the_word_lists(world, calib):
    client = _client(world, "hr")
    findings = int(_row(_html(client, _board(calib)), calib.teammate_case)[-2])
    # A cited item is moved before the cycle: one more finding ("outside the period").
    cited = Evidence.objects.filter(person=world.teammate, citations__isnull=False).first()
    cited.occurred_on = datetime.date(2024, 1, 15)
    cited.save()
    moved = int(_row(_html(client, _board(calib)), calib.teammate_case)[-2])
    assert moved == findings + 1
    # HR adds a phrase the narrative holds to the word lists: one more again.
    LintTerm.objects.create(code="vague_praise", phrase="billing split", suggestion="Say what.")
    assert int(_row(_html(client, _board(calib)), calib.teammate_case)[-2]) == moved + 1


@pytest.mark.parametrize("role", ["hr", "other_manager", "director"])
def test_the_case_page_from_the_cache_is_the_page_rendered_afresh(world, calib, role):
    client = _client(world, role)
    for case in (calib.case, calib.promo_case):
        first = _html(client, _case(case))
        assert _html(client, _case(case)) == first
        cache.clear()
        assert _html(client, _case(case)) == first


@pytest.mark.parametrize("first", ["hr", "other_manager"])
def test_one_viewer_never_sees_evidence_only_another_may_read(world, calib, first):
    """After finalizing, the committee no longer reads the subject's evidence; HR still
    does. Whoever opens the case first, each page shows what its viewer may read."""
    cited = list(Evidence.objects.filter(person=world.engineer))
    for case in CalibrationCase.objects.filter(session=calib.session):
        services.case_decide(
            actor=world.other_manager.user,
            case=case,
            version=case.version,
            **(
                {"promotion_decision": "approved"}
                if case.kind == "promotion"
                else {"calibrated_rating": case.proposed_rating}
            ),
            rationale="Per the rubric.",
            rubric_refs=[{"level": "L5", "competency": "execution"}],
            evidence=cited if case.subject_id == world.engineer.pk else [],
        )
    services.session_finalize(actor=world.hr.user, session=calib.session)
    pages = {first: _html(_client(world, first), _case(calib.case))}
    for role in ("hr", "other_manager"):
        pages.setdefault(role, _html(_client(world, role), _case(calib.case)))
    for item in cited:
        assert item.url in pages["hr"] and f"{item.title}<" in pages["hr"]
        assert item.url not in pages["other_manager"]
        assert f"{item.title}<" not in pages["other_manager"]
    assert "no longer shown" in pages["other_manager"]
    assert "no longer shown" not in pages["hr"]


def test_a_decision_shows_on_the_case_page_at_once(world, calib):
    member = Client(enforce_csrf_checks=True)
    member.force_login(world.other_manager.user)
    reader = _client(world, "hr")
    url = _case(calib.teammate_case)
    assert "Not decided yet" in _html(reader, url)
    form = decide_form(member.get(url).content.decode())
    form.update(
        calibrated_rating=["exceeds"],
        rationale=["Carried the billing migration: beyond what L4 asks."],
        rubric_refs=["L3|execution"],
    )
    assert post_form(member, url, form).status_code == 302
    html = _html(reader, url)
    assert "Not decided yet" not in html and "Carried the billing migration" in html
    # The member's own form now carries the new version.
    assert decide_form(member.get(url).content.decode())["version"] == ["2"]


def test_the_team_outcomes_beside_a_case_follow_new_outcome_data(world, calib):
    client = _client(world, "hr")
    url = _case(calib.case)
    before = _html(client, url).split('<details class="team-context">', 1)[1].split("</details>")[0]
    Deployment.objects.bulk_create(
        [
            Deployment(
                team=world.team_a,
                external_id=f"d{i}",
                deployed_at=datetime.datetime(2025, 9, 1 + i, 12, tzinfo=datetime.UTC),
            )
            for i in range(6)
        ]
    )
    after = _html(client, url).split('<details class="team-context">', 1)[1].split("</details>")[0]
    assert after != before


# --- The cases API's list: plain rows, the serializer's body -------------------------

CASES = "/api/v1/calibration-cases/"


def _serialized(user, ids: list[int]) -> list[dict]:
    from calibration import selectors
    from calibration.serializers import CaseSerializer

    return [CaseSerializer(selectors.case_get(user=user, pk=pk)).data for pk in ids]


@pytest.mark.parametrize("role", ["hr", "other_manager", "manager", "engineer"])
def test_the_case_list_is_what_the_serializer_gives_for_each_case(world, calib, api_for, role):
    cited = list(Evidence.objects.filter(person=world.engineer))
    services.case_decide(
        actor=world.other_manager.user,
        case=calib.case,
        version=calib.case.version,
        calibrated_rating="exceeds",
        rationale="Per the rubric.",
        rubric_refs=REFS,
        evidence=cited,
    )
    api = api_for(role)
    user = getattr(world, role).user
    pages = ["?page_size=1&page=2"] if api.get(CASES).json()["count"] > 1 else []
    for query in ("", *pages, "?status=decided", f"?session={calib.session.pk}"):
        body = api.get(CASES + query).json()
        ids = [row["id"] for row in body["results"]]
        assert body["results"] == _serialized(user, ids), (role, query)
    everything = api.get(CASES + "?page_size=200").json()
    visible = {row["id"] for row in everything["results"]}
    assert everything["count"] == len(visible)
    assert (calib.case.pk in visible) is (role in ("hr", "other_manager"))
    decided = next((r for r in everything["results"] if r["id"] == calib.case.pk), None)
    if decided is not None:
        assert decided["evidence"] == sorted(e.pk for e in cited)
        assert decided["rubric_refs"] == REFS and decided["decided_at"].endswith("Z")


def test_a_bad_filter_on_the_case_list_is_still_refused(world, calib, api_for):
    response = api_for("hr").get(CASES + "?status=maybe")
    assert response.status_code == 400 and "status" in response.json()


# --- Query counts: flat in the number of cases, from the cache or not -----------------


def _queries(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _bigger_session(world, calib, n: int):
    from tests.calibration.test_board_pages import _cases, _submitted_reviews

    team = org_services.team_create(
        actor=world.root, name=f"Team {n}", slug=f"team-{n}", parent=world.eng
    )
    session = services.session_create(
        actor=world.hr.user,
        cycle=calib.cycle,
        name=f"{n} cases",
        facilitator=world.other_manager,
        committee=[world.other_manager],
        scope_teams=[team],
    )
    session = services.session_open(actor=world.hr.user, session=session)
    _cases(session, _submitted_reviews(world, calib.cycle, team, 1000 * n, n), world.hr.user)
    return session


@pytest.mark.parametrize("role", ["hr", "other_manager"])
def test_the_board_and_the_case_list_cost_the_same_queries_for_5_and_60_cases(
    world, calib, api_for, role
):
    client = _client(world, role)
    api = api_for(role)
    small, large = _bigger_session(world, calib, 5), _bigger_session(world, calib, 60)
    counts: dict[str, list[int]] = {"cold board": [], "warm board": [], "list": []}
    for session in (small, large):
        url = reverse("calibration:session", args=[session.pk])
        client.get("/")  # the session and content types, read once per client
        cache.clear()
        counts["cold board"].append(_queries(client, url))
        counts["warm board"].append(_queries(client, url))
        with_cases = f"{CASES}?session={session.pk}&page_size=200"
        api.get(with_cases)
        counts["list"].append(_queries(api, with_cases))
    for what, (a, b) in counts.items():
        assert a == b, (what, a, b)
    assert counts["warm board"][0] < counts["cold board"][0]


def test_the_case_page_costs_the_same_queries_from_the_cache_for_any_case(world, calib):
    client = _client(world, "hr")
    counts = []
    for case in (calib.case, calib.promo_case, calib.teammate_case):
        client.get(_case(case))
        counts.append(_queries(client, _case(case)))
    assert len(set(counts)) == 1, counts
