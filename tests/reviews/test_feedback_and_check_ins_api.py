from __future__ import annotations

from reviews.models import Evidence, FeedbackRequest

FB = "/api/v1/feedback-requests/"
CI = "/api/v1/check-ins/"


def ask(api_for, world, cycle, respondent, relationship="peer"):
    r = api_for("manager").post(
        FB,
        {
            "cycle": cycle.pk,
            "subject": world.engineer.pk,
            "respondent": respondent.pk,
            "relationship": relationship,
        },
        format="json",
    )
    assert r.status_code == 201, r.json()
    return r.json()["id"]


def test_an_answer_becomes_attributed_evidence_on_the_subject(world, cycle, api_for):
    fid = ask(api_for, world, cycle, world.other_manager, "cross_functional")
    om = api_for("other_manager")
    assert om.get(FB).json()["count"] == 1  # in the respondent's inbox
    r = om.post(
        f"{FB}{fid}/answer/",
        {
            "owned": "The billing migration",
            "changed": "Invoices go out a day sooner",
            "more_of": "Write things down",
        },
        format="json",
    )
    assert r.status_code == 200 and r.json()["status"] == "answered"
    item = Evidence.objects.get(pk=r.json()["evidence"])
    assert item.person == world.engineer
    assert item.kind == "cross_functional_feedback"
    assert item.attributed_to == world.other_manager
    assert "Invoices go out a day sooner" in item.summary
    # the subject reads it in their own library
    ids = [e["id"] for e in api_for("engineer").get("/api/v1/evidence/").json()["results"]]
    assert item.pk in ids
    # answering twice is refused
    r = om.post(f"{FB}{fid}/answer/", {"owned": "x", "changed": "y"}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "invalid_state"


def test_respondents_never_see_the_subjects_review(world, cycle, api_for):
    from reviews.services.reviews import review_create

    review = review_create(actor=world.manager.user, cycle=cycle, subject=world.engineer)
    ask(api_for, world, cycle, world.other_manager)
    om = api_for("other_manager")
    assert om.get(f"/api/v1/reviews/{review.pk}/").status_code == 404
    assert om.get("/api/v1/reviews/").json()["count"] == 0


def test_feedback_request_rules(world, cycle, api_for):
    mgr = api_for("manager")
    body = {"cycle": cycle.pk, "subject": world.engineer.pk, "relationship": "peer"}
    r = mgr.post(FB, {**body, "respondent": world.engineer.pk}, format="json")
    assert r.status_code == 400 and "respondent" in r.json()
    ask(api_for, world, cycle, world.teammate)
    r = mgr.post(FB, {**body, "respondent": world.teammate.pk}, format="json")
    assert r.status_code == 400
    r = mgr.post(
        FB, {**body, "respondent": world.teammate.pk, "relationship": "boss"}, format="json"
    )
    assert r.status_code == 400 and "relationship" in r.json()
    assert FeedbackRequest.objects.count() == 1


def test_an_empty_answer_is_refused(world, cycle, api_for):
    fid = ask(api_for, world, cycle, world.teammate)
    from rest_framework.test import APIClient

    c = APIClient()
    c.force_authenticate(world.teammate.user)
    r = c.post(f"{FB}{fid}/answer/", {"owned": " ", "changed": ""}, format="json")
    assert r.status_code == 400
    assert FeedbackRequest.objects.get(pk=fid).status == "pending"
    assert not Evidence.objects.filter(source="feedback").exists()


def test_check_ins_are_for_the_person_and_their_managers_only(world, api_for):
    r = api_for("manager").post(
        CI,
        {
            "person": world.engineer.pk,
            "occurred_on": "2026-02-01",
            "blocked": "Waiting on the data team",
            "support": "Help prioritising",
        },
        format="json",
    )
    assert r.status_code == 201
    cid = r.json()["id"]
    assert r.json()["manager"] == world.manager.pk
    assert api_for("engineer").get(CI).json()["count"] == 1
    assert api_for("hr").get(CI).json()["count"] == 0
    assert api_for("hr").get(f"{CI}{cid}/").status_code == 404
    from rest_framework.test import APIClient

    peer = APIClient()
    peer.force_authenticate(world.teammate.user)
    assert peer.get(f"{CI}{cid}/").status_code == 404
    director = APIClient()
    director.force_authenticate(world.director.user)
    assert director.get(f"{CI}{cid}/").status_code == 200  # the whole chain


def test_promoting_a_check_in_item_creates_evidence(world, api_for):
    mgr = api_for("manager")
    cid = mgr.post(
        CI,
        {
            "person": world.engineer.pk,
            "occurred_on": "2026-02-01",
            "what_changed": "Led the on-call handover rewrite",
        },
        format="json",
    ).json()["id"]
    r = mgr.post(
        f"{CI}{cid}/promote/",
        {"item": "what_changed", "title": "On-call handover", "kind": "on_call"},
        format="json",
    )
    assert r.status_code == 201
    assert r.json()["summary"] == "Led the on-call handover rewrite"
    assert r.json()["source"] == "check_in" and r.json()["kind"] == "on_call"
    r = mgr.post(f"{CI}{cid}/promote/", {"item": "blocked", "title": "x"}, format="json")
    assert r.status_code == 400  # empty prompt
    r = mgr.post(f"{CI}{cid}/promote/", {"item": "salary", "title": "x"}, format="json")
    assert r.status_code == 400


def test_an_empty_check_in_is_refused(world, api_for):
    r = api_for("manager").post(
        CI, {"person": world.engineer.pk, "occurred_on": "2026-02-01"}, format="json"
    )
    assert r.status_code == 400


def test_evidence_urls_must_be_http(world, api_for):
    for url in ("javascript:alert(1)", "ftp://example.org/x", "file:///etc/passwd"):
        r = api_for("engineer").post(
            "/api/v1/evidence/",
            {
                "person": world.engineer.pk,
                "title": "x",
                "url": url,
                "occurred_on": "2026-02-02",
            },
            format="json",
        )
        assert r.status_code == 400 and "url" in r.json(), url
    assert not Evidence.objects.exists()


def test_evidence_kinds_are_recognised_from_links():
    from reviews.evidence_links import classify_url

    assert classify_url("https://github.com/acme/api/pull/12").kind == "pull_request"
    assert classify_url("https://github.com/acme/api/pull/12").label == "acme/api#12"
    assert classify_url("https://gitlab.com/acme/api/-/merge_requests/7").kind == "pull_request"
    assert classify_url("https://acme.pagerduty.com/incidents/Q1W2E3").kind == "incident"
    assert classify_url("https://docs.google.com/document/d/abc").kind == "design_doc"
    assert classify_url("https://wiki.acme.org/postmortem-queue-backlog").kind == "postmortem"
    assert classify_url("https://example.org/blog").kind is None
