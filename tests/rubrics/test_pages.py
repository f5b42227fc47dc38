"""The rubric pages people read: the matrix, one level, the history, publishing, the PDF."""

from __future__ import annotations

import pytest

from core.pdf import render_pdf_html
from org.models import AccessLog
from rubrics import services
from rubrics.models import RubricVersion
from rubrics.selectors import version_as_data, with_contents
from tests.rubrics.helpers import contents_without_cell

pytestmark = pytest.mark.django_db

MATRIX = "/rubrics/engineering-ic/"


@pytest.fixture
def engineer(client_for):
    return client_for("engineer")


@pytest.fixture
def hr(client_for):
    return client_for("hr")


def _reword_v2(world):
    """v2 drops L5 and rewords L4 × execution."""
    data = version_as_data(with_contents(RubricVersion.objects.filter(pk=world.v2.pk)).get())
    data["levels"] = [lv for lv in data["levels"] if lv["code"] != "L5"]
    data["expectations"] = [e for e in data["expectations"] if e["level"] != "L5"]
    for e in data["expectations"]:
        if (e["level"], e["competency"]) == ("L4", "execution"):
            e["text"] = "At L4, execution means owning a project end to end."
    services.rubric_version_update(actor=world.hr.user, version=world.v2, **data)


# --- The matrix --------------------------------------------------------------------------


def test_the_matrix_shows_every_level_and_the_expectations(world, engineer):
    response = engineer.get(MATRIX)

    assert response.status_code == 200
    html = response.content.decode()
    for title in ("Level L3", "Level L4", "Level L5"):
        assert title in html
    assert "At L4, execution looks like this." in html
    assert "At L5, collaboration looks like this." in html
    matrix = response.context["matrix"]
    assert [row.level.code for row in matrix.rows] == ["L3", "L4", "L5"]
    assert len(matrix.rows) == 3
    assert [c.key for c in matrix.competencies] == ["execution", "collaboration"]
    assert [cell.text for cell in matrix.rows[1].cells] == [
        "At L4, execution looks like this.",
        "At L4, collaboration looks like this.",
    ]


def test_the_matrix_is_the_published_version_with_the_engineers_own_level(world, engineer):
    response = engineer.get(MATRIX)

    assert response.context["version"] == world.v1
    assert response.context["is_current"] is True
    assert response.context["my_level"] == "L4"
    assert [v.number for v in response.context["versions"]] == [1]  # the draft stays hidden


def test_the_matrix_shows_a_changed_expectation_only_once_it_is_published(world, engineer):
    _reword_v2(world)
    assert "owning a project end to end" not in engineer.get(MATRIX).content.decode()

    services.rubric_version_publish(actor=world.hr.user, version=world.v2)

    response = engineer.get(MATRIX)
    assert "At L4, execution means owning a project end to end." in response.content.decode()
    assert [row.level.code for row in response.context["matrix"].rows] == ["L3", "L4"]
    old = engineer.get("/rubrics/engineering-ic/v1/")
    assert old.status_code == 200
    assert old.context["is_current"] is False
    assert len(old.context["matrix"].rows) == 3


def test_an_unknown_version_number_is_not_found(world, engineer):
    assert engineer.get("/rubrics/engineering-ic/v99/").status_code == 404


def test_an_unknown_ladder_is_not_found(world, engineer):
    assert engineer.get("/rubrics/no-such-ladder/").status_code == 404


# --- One level ---------------------------------------------------------------------------


def test_the_level_page_shows_the_level_and_its_neighbours(world, engineer):
    response = engineer.get("/rubrics/engineering-ic/levels/L4/")

    assert response.status_code == 200
    ctx = response.context
    assert ctx["level"].code == "L4"
    assert ctx["previous_level"].code == "L3"
    assert ctx["next_level"].code == "L5"
    html = response.content.decode()
    for text in (
        "At L4, execution looks like this.",
        "At L4, collaboration looks like this.",
        "At L3, execution looks like this.",
        "At L5, execution looks like this.",
    ):
        assert text in html
    assert "Evidence of execution at L4." in html
    by_competency = {item["competency"].key: item for item in ctx["competencies"]}
    assert by_competency["execution"]["expectation"].text == "At L4, execution looks like this."
    assert by_competency["execution"]["previous"].text == "At L3, execution looks like this."
    assert by_competency["collaboration"]["next"].text == "At L5, collaboration looks like this."


def test_the_level_page_gives_each_ratings_meaning_at_that_level(world, engineer):
    l4 = engineer.get("/rubrics/engineering-ic/levels/L4/").context["rating_definitions"]
    l3_response = engineer.get("/rubrics/engineering-ic/levels/L3/")
    l3 = l3_response.context["rating_definitions"]

    assert [(d["rating"].key, d["definition"], d["specific"]) for d in l4] == [
        ("below", "Below the level.", False),
        ("meets", "Meets the level.", False),
        ("exceeds", "Beyond the level.", False),
        ("strongly_exceeds", "Well beyond.", False),
    ]
    assert (l3[0]["rating"].key, l3[0]["definition"], l3[0]["specific"]) == (
        "below",
        "Below at start.",
        True,
    )
    assert "Below at start." in l3_response.content.decode()


def test_the_lowest_and_highest_levels_have_one_neighbour(world, engineer):
    lowest = engineer.get("/rubrics/engineering-ic/levels/L3/").context
    highest = engineer.get("/rubrics/engineering-ic/v1/levels/L5/").context

    assert lowest["previous_level"] is None and lowest["next_level"].code == "L4"
    assert highest["previous_level"].code == "L4" and highest["next_level"] is None


@pytest.mark.parametrize("code", ["L9", "l4", "%3Cscript%3E"])
def test_an_unknown_level_code_is_not_found(world, engineer, code):
    assert engineer.get(f"/rubrics/engineering-ic/levels/{code}/").status_code == 404


# --- History -----------------------------------------------------------------------------


def test_the_history_compares_two_versions_for_hr(world, hr):
    _reword_v2(world)

    response = hr.get("/rubrics/engineering-ic/history/", {"from": "1", "to": "2"})

    assert response.status_code == 200
    ctx = response.context
    assert (ctx["old"], ctx["new"]) == (world.v1, world.v2)
    assert ctx["error"] is None
    diff = ctx["diff"]
    assert diff["is_empty"] is False
    assert [lv["code"] for lv in diff["levels"]["removed"]] == ["L5"]
    assert [c["key"] for c in diff["expectations"]["changed"]] == ["L4 × execution"]
    html = response.content.decode()
    assert "At L4, execution means owning a project end to end." in html
    assert "At L4, execution looks like this." in html


def test_the_history_defaults_to_the_newest_two_versions(world, hr):
    response = hr.get("/rubrics/engineering-ic/history/")

    assert response.status_code == 200
    assert (response.context["old"], response.context["new"]) == (world.v1, world.v2)
    assert response.context["diff"]["is_empty"] is True


def test_the_history_refuses_a_version_number_that_is_not_a_number(world, hr):
    response = hr.get("/rubrics/engineering-ic/history/", {"from": "abc", "to": "2"})

    assert response.status_code == 400
    assert response.context["error"] == "Choose two versions from the lists."
    assert "Choose two versions from the lists." in response.content.decode()


def test_the_history_refuses_a_unicode_digit_as_a_version_number(world, hr):
    """'²' passes str.isdigit() but int('²') raises: the page must answer 400, not 500."""
    response = hr.get("/rubrics/engineering-ic/history/", {"from": "²", "to": "1"})

    assert response.status_code == 400
    assert response.context["error"] == "Choose two versions from the lists."


def test_the_history_refuses_a_version_that_does_not_exist(world, hr):
    response = hr.get("/rubrics/engineering-ic/history/", {"from": "1", "to": "99"})

    assert response.status_code == 400
    assert response.context["error"] == "One of those versions does not exist."


def test_the_history_does_not_reveal_drafts_to_an_engineer(world, engineer):
    response = engineer.get("/rubrics/engineering-ic/history/", {"from": "1", "to": "2"})

    assert response.status_code == 400
    assert response.context["diff"] is None
    assert [v.number for v in response.context["versions"]] == [1]


# --- Publishing --------------------------------------------------------------------------


def test_the_publish_page_shows_the_diff_and_no_problems(world, hr):
    _reword_v2(world)

    response = hr.get("/rubrics/engineering-ic/v2/publish/")

    assert response.status_code == 200
    ctx = response.context
    assert ctx["version"] == world.v2
    assert ctx["current"] == world.v1
    assert ctx["problems"] == [] and ctx["errors"] == []
    assert [lv["code"] for lv in ctx["diff"]["levels"]["removed"]] == ["L5"]
    assert "At L4, execution means owning a project end to end." in response.content.decode()


def test_publishing_from_the_page_redirects_to_the_ladder(world, hr):
    response = hr.post(
        "/rubrics/engineering-ic/v2/publish/", {"confirm": "on", "change_summary": "Second edition"}
    )

    assert response.status_code == 302
    assert response["Location"] == MATRIX
    world.v2.refresh_from_db()
    world.v1.refresh_from_db()
    assert (world.v2.status, world.v2.published_by) == ("published", world.hr.user)
    assert world.v2.change_summary == "Second edition"
    assert world.v1.status == "retired"
    assert hr.get(MATRIX).context["version"] == world.v2


def test_publishing_an_incomplete_draft_from_the_page_shows_the_problem(world, hr):
    draft = services.rubric_version_create(
        actor=world.hr.user, ladder=world.ladder, **contents_without_cell("L4", "collaboration")
    )

    response = hr.post(f"/rubrics/engineering-ic/v{draft.number}/publish/", {"confirm": "on"})

    assert response.status_code == 400
    problem = "1 level × competency cell(s) have no expectation: L4 × Collaboration."
    assert response.context["errors"] == [problem]
    assert response.context["problems"] == [problem]
    assert "L4 × Collaboration" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == "draft"
    world.v1.refresh_from_db()
    assert world.v1.status == "published"


def test_the_publish_page_of_a_published_version_changes_nothing(world, hr):
    response = hr.post("/rubrics/engineering-ic/v1/publish/", {"confirm": "on"})

    assert response.status_code == 409
    assert response.context["errors"] == ["Version 1 is already published; it cannot change."]
    world.v1.refresh_from_db()
    assert world.v1.status == "published" and world.v1.published_by == world.root


# --- PDF ---------------------------------------------------------------------------------


def test_the_rubric_pdf_is_a_pdf_and_its_download_is_logged(world, engineer):
    response = engineer.get("/rubrics/engineering-ic/v1/rubric.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert 'filename="engineering-ic-v1.pdf"' in response["Content-Disposition"]
    log = AccessLog.objects.get(action="rubric_pdf")
    assert log.user == world.engineer.user
    assert (log.target_type, log.target_id) == ("rubrics.rubricversion", str(world.v1.pk))
    assert log.path == "/rubrics/engineering-ic/v1/rubric.pdf"


def test_the_pdf_html_holds_every_level_and_expectation(world, engineer):
    response = engineer.get("/rubrics/engineering-ic/v1/rubric.pdf")
    # The context the view rendered the PDF from (the first template; the fonts partial
    # it includes records its own).
    context = response.context[0].flatten()

    html = render_pdf_html("rubrics/rubric_pdf.html", context)

    assert [entry["level"].code for entry in context["levels"]] == ["L3", "L4", "L5"]
    for code in ("L3", "L4", "L5"):
        assert f"Level {code}" in html
        assert f"At {code}, execution looks like this." in html
        assert f"At {code}, collaboration looks like this." in html
    assert "Below at start." in html


def test_every_pdf_download_is_logged_even_when_served_from_the_cache(world, engineer, client_for):
    first = engineer.get("/rubrics/engineering-ic/v1/rubric.pdf")
    second = client_for("manager").get("/rubrics/engineering-ic/v1/rubric.pdf")

    assert second.status_code == 200 and second.content == first.content
    logs = AccessLog.objects.filter(action="rubric_pdf").order_by("id")
    assert [log.user for log in logs] == [world.engineer.user, world.manager.user]


def test_the_pdf_of_a_version_shows_it_retired_once_a_newer_one_is_published(world, engineer):
    """The PDF prints the version's status. Publishing v2 moves v1 from published to
    retired, so v1's PDF must no longer be the one that said "Published"."""
    while_published = engineer.get("/rubrics/engineering-ic/v1/rubric.pdf")
    assert while_published.context["version"].status == "published"
    services.rubric_version_publish(actor=world.hr.user, version=world.v2)

    after_retirement = engineer.get("/rubrics/engineering-ic/v1/rubric.pdf")

    assert after_retirement.status_code == 200
    assert after_retirement.content.startswith(b"%PDF")
    assert after_retirement.content != while_published.content, (
        "v1's PDF is still the copy cached while v1 was published"
    )
