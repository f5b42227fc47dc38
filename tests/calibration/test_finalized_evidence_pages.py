"""Once a session is finalized its committee no longer sees the subjects' evidence, on the
pages as in the API (issue #10, point 5; SPEC §3: "subjects of their open sessions")."""

from __future__ import annotations

import pytest
from django.urls import reverse

from calibration import services
from calibration.models import CalibrationCase
from reviews.models import Evidence

REFS = [{"level": "L5", "competency": "execution"}]


def _decide_and_cite(world, calib) -> list[Evidence]:
    """Decide every case of Team A's session, citing the engineer's evidence."""
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
            rubric_refs=REFS,
            evidence=cited if case.subject_id == world.engineer.pk else [],
        )
    return cited


def _pages(client, world, calib) -> list[str]:
    return [
        client.get(reverse(name, args=[pk])).content.decode()
        for name, pk in (
            ("calibration:case", calib.case.pk),
            ("calibration:case", calib.promo_case.pk),
            ("reviews:detail", calib.review.pk),
        )
    ]


def test_the_committee_sees_the_evidence_while_the_session_is_open(world, calib, client_for):
    cited = _decide_and_cite(world, calib)

    for html in _pages(client_for("other_manager"), world, calib):
        for item in cited:
            assert item.url in html


@pytest.mark.parametrize("role", ["other_manager", "director", "hr"])
def test_after_finalizing_only_those_who_may_read_the_evidence_see_it(
    world, calib, client_for, api_for, role
):
    cited = _decide_and_cite(world, calib)
    services.session_finalize(actor=world.hr.user, session=calib.session)

    pages = _pages(client_for(role), world, calib)
    api = [api_for(role).get(f"/api/v1/evidence/{e.pk}/").status_code for e in cited]

    # Omar sits on the committee only; Dana is also above Erin in the chain; HR reads all.
    may_read = role != "other_manager"
    assert api == [200 if may_read else 404] * len(cited)
    for html in pages:
        assert 'id="review-heading"' in html or "review-read" in html, "the page still opens"
        for item in cited:
            assert (item.url in html) is may_read
            assert (f"{item.title}<" in html) is may_read
