"""The manager's path through the API: evidence → review → findings → submit refused
with every gap named → fixed → submitted; then release and acknowledgement."""

from __future__ import annotations

import datetime

from reviews.models import Review
from reviews.services.cycles import cycle_transition
from reviews.services.evidence import evidence_create
from tests.reviews.conftest import complete_assessments, make_cycle

URL = "/api/v1/reviews/"


def test_full_review_path_through_the_api(world, cycle, api_for):
    mgr = api_for("manager")
    # 1. Evidence, with the kind recognised from the link.
    r = mgr.post(
        "/api/v1/evidence/",
        {
            "person": world.engineer.pk,
            "title": "Billing split",
            "url": "https://github.com/acme/billing/pull/481",
            "occurred_on": "2026-02-10",
        },
        format="json",
    )
    assert r.status_code == 201, r.json()
    assert r.json()["kind"] == "pull_request"
    ev1 = r.json()["id"]
    ev2 = mgr.post(
        "/api/v1/evidence/",
        {
            "person": world.engineer.pk,
            "title": "On-call handover notes",
            "kind": "on_call",
            "occurred_on": "2026-03-01",
        },
        format="json",
    ).json()["id"]

    # 2. Start the review: pinned to the cycle's version for the subject's ladder.
    r = mgr.post(URL, {"cycle": cycle.pk, "subject": world.engineer.pk}, format="json")
    assert r.status_code == 201, r.json()
    review = r.json()
    assert review["author"] == world.manager.pk
    assert review["rubric_version"] == world.v1.pk
    assert review["level"] == "L4" and review["status"] == "draft" and review["version"] == 1
    assert [a["competency"] for a in review["assessments"]] == ["execution", "collaboration"]

    # 3. A draft with a vague, unevidenced judgement gets findings.
    r = mgr.patch(
        f"{URL}{review['id']}/",
        {
            "version": 1,
            "narrative": {"impact": "Not strategic enough, but a great team player."},
            "assessments": [
                {
                    "competency": "execution",
                    "rating": "exceeds",
                    "narrative": "Not leadership material yet.",
                }
            ],
            "overall_rating": "meets",
        },
        format="json",
    )
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["version"] == 2
    codes = {f["code"] for f in body["lint"]}
    assert {"vague_judgement", "no_evidence", "vague_praise"} <= codes

    # 4. Submitting names every missing piece and changes nothing.
    r = mgr.post(f"{URL}{review['id']}/submit/", {"version": 2}, format="json")
    assert r.status_code == 400
    gaps = r.json()
    assert "Cite at least one evidence item for Execution." in gaps["assessments.execution"]
    assert "Rate Collaboration." in gaps["assessments.collaboration"]
    assert "Cite at least one evidence item for Collaboration." in gaps["assessments.collaboration"]
    assert Review.objects.get(pk=review["id"]).status == "draft"

    # 5. Fixed: every competency rated and evidenced.
    r = mgr.patch(
        f"{URL}{review['id']}/",
        {
            "version": 2,
            "assessments": complete_assessments([ev1, ev2], rating="exceeds"),
        },
        format="json",
    )
    assert r.status_code == 200, r.json()
    r = mgr.post(f"{URL}{review['id']}/submit/", {"version": 3}, format="json")
    assert r.status_code == 200, r.json()
    assert r.json()["status"] == "submitted"

    # 6. Submitted reviews no longer change.
    r = mgr.patch(f"{URL}{review['id']}/", {"version": 4, "overall_rating": "below"}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "invalid_state"

    # 7. The subject sees nothing until the cycle is released...
    eng = api_for("engineer")
    assert eng.get(f"{URL}{review['id']}/").status_code == 404
    assert eng.get(URL).json()["count"] == 0
    for to in ("calibrating", "finalized", "released"):
        cycle_transition(actor=world.hr.user, cycle=cycle, to=to)
    # ...then reads it and acknowledges it.
    r = eng.get(f"{URL}{review['id']}/")
    assert r.status_code == 200 and r.json()["final_rating"] == "meets"
    r = eng.post(f"{URL}{review['id']}/acknowledge/", {"response": "Thanks, fair."}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "acknowledged"
    assert r.json()["acknowledgement"] == "Thanks, fair."


def test_a_stale_version_answers_409_with_the_current_review_and_changes_nothing(
    world, cycle, api_for
):
    mgr = api_for("manager")
    rid = mgr.post(URL, {"cycle": cycle.pk, "subject": world.engineer.pk}, format="json").json()[
        "id"
    ]
    assert (
        mgr.patch(
            f"{URL}{rid}/", {"version": 1, "narrative": {"impact": "First"}}, format="json"
        ).status_code
        == 200
    )
    r = mgr.patch(f"{URL}{rid}/", {"version": 1, "narrative": {"impact": "Second"}}, format="json")
    assert r.status_code == 409
    assert r.json()["code"] == "stale_version"
    assert r.json()["current"]["narrative"]["impact"] == "First"
    assert r.json()["current"]["version"] == 2
    assert Review.objects.get(pk=rid).impact == "First"


def test_writes_must_send_the_version(world, cycle, api_for):
    mgr = api_for("manager")
    rid = mgr.post(URL, {"cycle": cycle.pk, "subject": world.engineer.pk}, format="json").json()[
        "id"
    ]
    r = mgr.patch(f"{URL}{rid}/", {"narrative": {"impact": "x"}}, format="json")
    assert r.status_code == 400 and "version" in r.json()


def test_narratives_render_inert_in_the_api(world, cycle, api_for):
    mgr = api_for("manager")
    rid = mgr.post(URL, {"cycle": cycle.pk, "subject": world.engineer.pk}, format="json").json()[
        "id"
    ]
    evil = (
        '<script>alert(1)</script> <img src=x onerror="alert(2)"> '
        '[click](javascript:alert(3)) <b onclick="x()">raw</b>'
    )
    r = mgr.patch(
        f"{URL}{rid}/",
        {
            "version": 1,
            "narrative": {"impact": evil},
            "assessments": [{"competency": "execution", "narrative": evil}],
        },
        format="json",
    )
    body = r.json()
    for html in (body["narrative_html"]["impact"], body["assessments"][0]["narrative_html"]):
        assert "<script" not in html and "<img" not in html and "<b " not in html
        assert "javascript:" not in html.replace("[click](javascript:alert(3))", "")
        assert 'href="javascript' not in html
        assert "onerror=" not in html.replace("onerror=&quot;", "") or "&lt;img" in html
    assert body["narrative"]["impact"] == evil  # the text itself is kept as written


def test_review_creation_rules(world, cycle, api_for):
    mgr = api_for("manager")
    # not in the manager's chain
    r = mgr.post(URL, {"cycle": cycle.pk, "subject": world.other_engineer.pk}, format="json")
    assert r.status_code == 400 and "subject" in r.json()
    # one per cycle
    assert (
        mgr.post(URL, {"cycle": cycle.pk, "subject": world.engineer.pk}, format="json").status_code
        == 201
    )
    r = mgr.post(URL, {"cycle": cycle.pk, "subject": world.engineer.pk}, format="json")
    assert r.status_code == 400
    # engineers do not write reviews, not even of themselves
    r = api_for("engineer").post(
        URL, {"cycle": cycle.pk, "subject": world.engineer.pk}, format="json"
    )
    assert r.status_code == 400
    # only while the cycle is open
    draft = make_cycle(world, status="draft", name="Later")
    r = mgr.post(URL, {"cycle": draft.pk, "subject": world.teammate.pk}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "invalid_state"
    assert Review.objects.count() == 1


def test_bad_review_input_answers_400_and_writes_nothing(world, cycle, evidence, api_for):
    mgr = api_for("manager")
    rid = mgr.post(URL, {"cycle": cycle.pk, "subject": world.engineer.pk}, format="json").json()[
        "id"
    ]
    other_person_evidence = evidence_create(
        actor=world.other_manager.user,
        person=world.other_engineer,
        title="Not yours",
        occurred_on=datetime.date(2026, 2, 2),
    )
    bodies = [
        {"version": 1, "overall_rating": "legendary"},
        {"version": 1, "promotion_to": "L3"},
        {"version": 1, "promotion_to": "L99"},
        {"version": 1, "assessments": [{"competency": "juggling", "rating": "meets"}]},
        {"version": 1, "assessments": [{"competency": "execution", "rating": "great"}]},
        {
            "version": 1,
            "assessments": [{"competency": "execution", "evidence": [other_person_evidence.pk]}],
        },
        {"version": 1, "assessments": [{"competency": "execution", "evidence": ["x"]}]},
        {"version": 1, "narrative": {"impact": "x" * 30000}},
        {"version": "one"},
        {"version": 1, "assessments": "all good"},
    ]
    for body in bodies:
        r = mgr.patch(f"{URL}{rid}/", body, format="json")
        assert r.status_code == 400, (body, r.status_code)
    review = Review.objects.get(pk=rid)
    assert (review.version, review.overall_rating, review.promotion_to) == (1, "", "")
    assert not review.assessments.filter(evidence__isnull=False).exists()


def test_promotion_nomination_is_a_level_above(world, cycle, api_for):
    mgr = api_for("manager")
    rid = mgr.post(URL, {"cycle": cycle.pk, "subject": world.engineer.pk}, format="json").json()[
        "id"
    ]
    r = mgr.patch(f"{URL}{rid}/", {"version": 1, "promotion_to": "L5"}, format="json")
    assert r.status_code == 200 and r.json()["promotion_to"] == "L5"


def test_review_list_filters(world, cycle, api_for):
    mgr = api_for("manager")
    for p in (world.engineer, world.teammate):
        mgr.post(URL, {"cycle": cycle.pk, "subject": p.pk}, format="json")
    hr = api_for("hr")
    assert hr.get(URL, {"subject": world.engineer.pk}).json()["count"] == 1
    assert hr.get(URL, {"team": world.team_a.pk}).json()["count"] == 2
    assert hr.get(URL, {"team": world.eng.pk}).json()["count"] == 2  # sub-teams included
    assert hr.get(URL, {"team": world.team_b.pk}).json()["count"] == 0
    assert hr.get(URL, {"status": "submitted"}).json()["count"] == 0
    assert hr.get(URL, {"author": world.manager.pk, "cycle": cycle.pk}).json()["count"] == 2
    assert hr.get(URL, {"cycle": "abc"}).status_code == 400
