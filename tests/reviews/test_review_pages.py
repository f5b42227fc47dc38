"""The review pages (reviews/views/reviews.py): the workspace, the editor with its live quality
checks, submit, the read view and the acknowledgement, driven like a browser would: with
CSRF checks on, posting what the rendered forms hold."""

from __future__ import annotations

import datetime
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from org import services as org_services
from reviews.models import Review
from reviews.services.cycles import cycle_transition
from reviews.services.feedback import feedback_answer, feedback_request_create
from reviews.services.reviews import review_create, review_submit, review_update
from tests.factories import bulk_people
from tests.reviews.conftest import add_evidence, complete_assessments, make_cycle

# --- A small browser: the forms on a page, as a browser would submit them -------------


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict[str, Any]] = []
        self._form: dict[str, Any] | None = None
        self._textarea: list[str] | None = None
        self._select: dict[str, Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            self._form = {"attrs": a, "fields": [], "buttons": []}
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        fields = self._form["fields"]
        if tag == "input":
            kind = a.get("type", "text")
            if kind in ("submit", "button"):
                self._form["buttons"].append(a)
            elif kind in ("checkbox", "radio") and "checked" not in a:
                return
            elif "name" in a:
                fields.append((a["name"], a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "button":
            self._form["buttons"].append(a)
        elif tag == "textarea":
            self._textarea = [a["name"], ""]
        elif tag == "select":
            self._select = {"name": a["name"], "first": None, "chosen": False}
        elif tag == "option" and self._select is not None:
            if self._select["first"] is None:
                self._select["first"] = a.get("value", "")
            if "selected" in a:
                fields.append((self._select["name"], a.get("value", "")))
                self._select["chosen"] = True

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag: str) -> None:
        if self._form is None:
            return
        if tag == "textarea" and self._textarea is not None:
            name, text = self._textarea
            # Browsers drop one newline right after <textarea>.
            self._form["fields"].append((name, text[1:] if text.startswith("\n") else text))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            if not self._select["chosen"] and self._select["first"] is not None:
                self._form["fields"].append((self._select["name"], self._select["first"]))
            self._select = None
        elif tag == "form":
            self._form = None


def forms_on(html: str) -> list[dict[str, Any]]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def form_data(form: dict[str, Any]) -> dict[str, list[str]]:
    data: dict[str, list[str]] = {}
    for name, value in form["fields"]:
        data.setdefault(name, []).append(value)
    return data


def editor_form(html: str) -> dict[str, Any]:
    return next(f for f in forms_on(html) if f["attrs"].get("id") == "review-form")


def page(response) -> str:
    return response.content.decode()


def browser(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def text_of(html: str) -> str:
    """The page's text with tags removed and whitespace collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


# --- The end-to-end path --------------------------------------------------------------


def test_a_manager_writes_and_submits_a_review_through_the_pages(world, cycle, evidence):
    client = browser(world.manager.user)

    # The workspace offers "Start review" for the engineer; the form carries the CSRF token.
    workspace = client.get(reverse("reviews:workspace"))
    assert workspace.status_code == 200
    start = next(
        f
        for f in forms_on(page(workspace))
        if f["attrs"].get("action") == reverse("reviews:start")
        and ("subject", str(world.engineer.pk)) in f["fields"]
    )
    assert "Start review" in page(workspace)
    assert "csrfmiddlewaretoken" in form_data(start)
    refused = client.post(reverse("reviews:start"), {"cycle": cycle.pk, "subject": 1})
    assert refused.status_code == 403, "CSRF checks are on: a POST without the token fails"

    started = client.post(reverse("reviews:start"), form_data(start))
    review = Review.objects.get(cycle=cycle, subject=world.engineer)
    assert started.status_code == 302
    assert started["Location"] == reverse("reviews:edit", args=[review.pk])

    # Write the narrative and ratings with an unevidenced judgement, and save.
    editor = client.get(started["Location"])
    assert editor.status_code == 200
    data = form_data(editor_form(page(editor)))
    assert data["version"] == ["1"]
    data.update(
        {
            "ownership": ["Owned the billing split end to end."],
            "impact": ["He is not strategic."],
            "a-execution-rating": ["exceeds"],
            "a-execution-narrative": ["Shipped the billing split."],
            "a-collaboration-rating": ["meets"],
            "a-collaboration-narrative": ["Not strategic about dependencies."],
        }
    )
    saved = client.post(reverse("reviews:edit", args=[review.pk]), data, follow=True)
    assert saved.status_code == 200
    html = page(saved)
    assert "Saved." in html
    review.refresh_from_db()
    assert review.version == 2
    assert review.impact == "He is not strategic."

    # The editor's quality checks show the findings of the saved draft.
    checks = text_of(html.split('id="lint-panel"', 1)[1])
    assert "Must fix before submitting" in checks
    assert "Judgement without evidence" in checks
    assert "What changed because of their work?" in checks
    assert "Matched text: not strategic" in checks
    assert "Execution: cited evidence" in checks
    assert "Execution: rating" in checks  # "exceeds" with no evidence

    # The live checks read unsaved text, and saving nothing.
    live = form_data(editor_form(html))
    live["growth"] = ["Needs to be more confident in meetings."]
    linted = client.post(reverse("reviews:lint", args=[review.pk]), live, HTTP_HX_REQUEST="true")
    assert linted.status_code == 200
    panel = text_of(page(linted))
    assert "<html" not in page(linted)
    assert "Where did they grow, and what next?" in panel
    assert "needs to be more confident" in panel.lower()
    review.refresh_from_db()
    assert review.growth == "" and review.version == 2

    # Submit is refused, naming every missing piece at the top and at each competency.
    attempt = form_data(editor_form(html))
    refused = client.post(reverse("reviews:submit", args=[review.pk]), attempt)
    assert refused.status_code == 400
    html = page(refused)
    summary = text_of(html.split('role="alert"', 1)[1].split("</div>", 1)[0])
    assert "The review was not submitted" in summary
    for missing in (
        "Choose an overall rating.",
        "Cite at least one evidence item for Execution.",
        "Cite at least one evidence item for Collaboration.",
    ):
        assert missing in summary
    execution = text_of(html.split('id="competency-execution-problems"', 1)[1].split("</ul>")[0])
    collaboration = text_of(
        html.split('id="competency-collaboration-problems"', 1)[1].split("</ul>")[0]
    )
    assert "Cite at least one evidence item for Execution." in execution
    assert "Cite at least one evidence item for Collaboration." in collaboration
    assert 'id="id_overall_rating_error"' in html
    assert Review.objects.get(pk=review.pk).status == Review.Status.DRAFT

    # Cite evidence for every competency, choose the overall rating: submitted.
    final = form_data(editor_form(html))
    final["a-execution-evidence"] = [str(evidence[0].pk)]
    final["a-collaboration-evidence"] = [str(evidence[1].pk), str(evidence[2].pk)]
    final["overall_rating"] = ["meets"]
    done = client.post(reverse("reviews:submit", args=[review.pk]), final)
    assert done.status_code == 302
    assert done["Location"] == reverse("reviews:detail", args=[review.pk])
    review.refresh_from_db()
    assert review.status == Review.Status.SUBMITTED
    assert review.overall_rating == "meets"
    cited = {a.competency: {e.pk for e in a.evidence.all()} for a in review.assessments.all()}
    assert cited == {
        "execution": {evidence[0].pk},
        "collaboration": {evidence[1].pk, evidence[2].pk},
    }
    detail = client.get(done["Location"])
    assert "submitted for calibration" in page(detail)
    assert "Submitted" in page(detail)


def test_the_editor_form_posts_to_save_and_to_submit_and_refreshes_the_checks(
    world, cycle, client_for
):
    review = review_create(actor=world.manager.user, cycle=cycle, subject=world.engineer)
    html = page(client_for("manager").get(reverse("reviews:edit", args=[review.pk])))
    form = editor_form(html)
    assert form["attrs"]["method"] == "post"
    assert form["attrs"]["action"] == reverse("reviews:edit", args=[review.pk])
    assert form["attrs"]["hx-post"] == reverse("reviews:lint", args=[review.pk])
    assert form["attrs"]["hx-target"] == "#lint-panel"
    assert "input changed delay:800ms" in form["attrs"]["hx-trigger"]
    assert 'id="lint-panel"' in html
    assert {b.get("formaction") for b in form["buttons"]} >= {
        None,
        reverse("reviews:submit", args=[review.pk]),
    }
    # Each competency lists the ratings as radios with their definition at L4, baseline
    # marked, beside the expectation for L4.
    assert html.count('name="a-execution-rating"') == 5  # four ratings and "Not rated yet"
    assert "Meets the level." in html
    assert "Baseline" in html
    assert "At L4, execution looks like this." in html


def test_citing_evidence_from_someone_elses_library_is_refused_and_saves_nothing(
    world, cycle, evidence, client_for
):
    theirs = add_evidence(world, world.teammate, "Toby's migration", datetime.date(2026, 2, 1))
    review = review_create(actor=world.manager.user, cycle=cycle, subject=world.engineer)
    manager = client_for("manager")
    url = reverse("reviews:edit", args=[review.pk])
    data = form_data(editor_form(page(manager.get(url))))
    assert "Toby's migration" not in page(manager.get(url))
    data.update(
        {
            "ownership": ["Owned the billing split."],
            "a-execution-rating": ["meets"],
            "a-execution-evidence": [str(theirs.pk)],
        }
    )
    refused = manager.post(url, data)
    assert refused.status_code == 400
    assert "Cite evidence from this person&#x27;s library only." in page(refused)
    assert "The draft was not saved" in page(refused)
    assert form_data(editor_form(page(refused)))["ownership"] == ["Owned the billing split."]
    review.refresh_from_db()
    assert (review.version, review.ownership) == (1, "")

    # The live checks count only the subject's evidence as cited.
    panel = text_of(page(manager.post(reverse("reviews:lint", args=[review.pk]), data)))
    assert "Execution: cited evidence" in panel


# --- Optimistic concurrency -----------------------------------------------------------


def test_a_stale_save_keeps_both_texts_and_overwrites_nothing(world, cycle):
    review = review_create(actor=world.manager.user, cycle=cycle, subject=world.engineer)
    url = reverse("reviews:edit", args=[review.pk])
    manager, director = browser(world.manager.user), browser(world.director.user)
    mine = form_data(editor_form(page(manager.get(url))))
    theirs = form_data(editor_form(page(director.get(url))))
    assert mine["version"] == theirs["version"] == ["1"]

    mine["ownership"] = ["Owned the billing split (manager)."]
    assert manager.post(url, mine).status_code == 302

    theirs["ownership"] = ["Owned the on-call rota (director)."]
    clash = director.post(url, theirs)
    assert clash.status_code == 409
    html = page(clash)
    assert "Mia Manager saved this review while you were writing" in html
    assert "They saved version 2" in html
    assert "Nothing you wrote was saved" in html
    again = editor_form(html)
    assert form_data(again)["ownership"] == ["Owned the on-call rota (director)."]
    assert form_data(again)["version"] == ["2"]
    assert "In the saved version 2:" in html
    assert "Owned the billing split (manager)." in html
    review.refresh_from_db()
    assert review.ownership == "Owned the billing split (manager)."
    assert review.version == 2

    # Saving again, deliberately, goes through.
    assert director.post(url, form_data(again)).status_code == 302
    review.refresh_from_db()
    assert review.ownership == "Owned the on-call rota (director)."
    assert review.version == 3


# --- Untrusted text renders inert -----------------------------------------------------

PAYLOADS = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    '<a href="javascript:alert(1)">click</a>',
)
HOSTILE = "Not strategic. " + " ".join(PAYLOADS)


class _Tags(HTMLParser):
    """Every tag's attributes, to check for handlers and script URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: (v or "") for k, v in attrs}))


# A javascript: URL inside a tag (text that merely mentions one is fine: the rendered
# Markdown shows `<a href="javascript:…">` typed by a user as text, `&lt;a href="…"&gt;`).
SCRIPT_URL_IN_TAG = re.compile(r"<[^<>]*\b(?:href|src)\s*=\s*[\"']?\s*javascript:", re.I)


def assert_inert(html: str) -> None:
    assert "<script>" not in html
    assert "<img" not in html
    assert not SCRIPT_URL_IN_TAG.search(html)
    parser = _Tags()
    parser.feed(html)
    for tag, attrs in parser.tags:
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)
        for name in ("href", "src", "action", "formaction"):
            assert not attrs.get(name, "").strip().lower().startswith("javascript:"), attrs
        if tag == "script":
            assert attrs.get("src"), "only external scripts"


def test_hostile_text_renders_inert_in_the_editor_the_read_view_and_the_checks(
    world, cycle, evidence, client_for
):
    outside = add_evidence(world, world.engineer, PAYLOADS[0], datetime.date(2025, 5, 1))
    review = review_create(actor=world.manager.user, cycle=cycle, subject=world.engineer)
    review_update(
        actor=world.manager.user,
        review=review,
        version=1,
        narrative={"ownership": HOSTILE, "impact": HOSTILE},
        assessments=[
            {
                "competency": "execution",
                "rating": "meets",
                "narrative": HOSTILE,
                "evidence": [outside.pk],
            },
            {
                "competency": "collaboration",
                "rating": "exceeds",
                "narrative": HOSTILE,
                "evidence": [],
            },
        ],
    )
    manager = client_for("manager")

    editor = page(manager.get(reverse("reviews:edit", args=[review.pk])))
    assert_inert(editor)
    assert 'href="javascript:' not in editor  # Django escapes quotes in the textareas
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in editor  # shown, as text
    assert form_data(editor_form(editor))["ownership"] == [HOSTILE]

    detail = page(manager.get(reverse("reviews:detail", args=[review.pk])))
    assert_inert(detail)
    assert "&lt;script&gt;" in detail  # the evidence title, escaped

    data = form_data(editor_form(editor))
    data["growth"] = [HOSTILE]
    panel = manager.post(reverse("reviews:lint", args=[review.pk]), data)
    assert panel.status_code == 200
    assert_inert(page(panel))
    assert 'href="javascript:' not in page(panel)
    assert "outside the cycle period" in page(panel)  # the hostile title is in a finding


# --- Who sees what ---------------------------------------------------------------------


def _submitted(world, cycle, evidence) -> Review:
    review = review_create(actor=world.manager.user, cycle=cycle, subject=world.engineer)
    review = review_update(
        actor=world.manager.user,
        review=review,
        version=1,
        narrative={"impact": "Cut invoice time from 3 days to 1."},
        assessments=complete_assessments([e.pk for e in evidence], rating="exceeds"),
        overall_rating="exceeds",
    )
    return review_submit(actor=world.manager.user, review=review, version=review.version)


def test_a_manager_outside_the_chain_cannot_find_the_review(world, cycle, client_for):
    review = review_create(actor=world.manager.user, cycle=cycle, subject=world.engineer)
    outsider = client_for("other_manager")
    assert outsider.get(reverse("reviews:edit", args=[review.pk])).status_code == 404
    assert outsider.get(reverse("reviews:detail", args=[review.pk])).status_code == 404
    assert outsider.post(reverse("reviews:lint", args=[review.pk]), {}).status_code == 404
    assert (
        outsider.post(reverse("reviews:submit", args=[review.pk]), {"version": 1}).status_code
        == 404
    )
    page_ = page(outsider.get(reverse("reviews:workspace")))
    assert "Erin Engineer" not in page_


def test_the_subject_reads_their_review_only_once_released_and_can_acknowledge(
    world, cycle, evidence
):
    review = _submitted(world, cycle, evidence)
    engineer = browser(world.engineer.user)
    url = reverse("reviews:detail", args=[review.pk])
    assert engineer.get(url).status_code == 404

    for to in ("calibrating", "finalized", "released"):
        cycle = cycle_transition(actor=world.hr.user, cycle=cycle, to=to)
    shown = engineer.get(url)
    assert shown.status_code == 200
    html = page(shown)
    text = text_of(html)
    assert "Your review, Erin Engineer" in text
    assert "Final rating Exceeds" in text
    assert "Cut invoice time from 3 days to 1." in text
    assert "Split the billing service" in text  # cited evidence
    assert "Edit" not in re.findall(r">\s*(Edit)\s*<", html)
    ack = next(
        f
        for f in forms_on(html)
        if f["attrs"].get("action") == reverse("reviews:acknowledge", args=[review.pk])
    )
    data = form_data(ack)
    data["response"] = ["I read it; the on-call work is missing."]
    done = engineer.post(reverse("reviews:acknowledge", args=[review.pk]), data, follow=True)
    assert done.status_code == 200
    assert "Your acknowledgement is recorded" in page(done)
    assert "I read it; the on-call work is missing." in page(done)
    review.refresh_from_db()
    assert review.status == Review.Status.ACKNOWLEDGED
    assert review.acknowledgement == "I read it; the on-call work is missing."

    # Acknowledging twice is refused with a message, not an error page.
    again = engineer.post(reverse("reviews:acknowledge", args=[review.pk]), data, follow=True)
    assert "Only a released review can be acknowledged" in page(again)

    # The workspace leads the engineer to it.
    assert reverse("reviews:detail", args=[review.pk]) in page(
        engineer.get(reverse("reviews:workspace"))
    )


def test_hr_reads_a_review_but_cannot_write_it(world, cycle, client_for):
    review = review_create(actor=world.manager.user, cycle=cycle, subject=world.engineer)
    hr = client_for("hr")
    shown = hr.get(reverse("reviews:detail", args=[review.pk]))
    assert shown.status_code == 200
    assert reverse("reviews:edit", args=[review.pk]) not in page(shown)
    assert hr.get(reverse("reviews:edit", args=[review.pk])).status_code == 403
    assert hr.post(reverse("reviews:edit", args=[review.pk]), {"version": 1}).status_code == 403
    assert hr.post(reverse("reviews:submit", args=[review.pk]), {"version": 1}).status_code == 403
    assert hr.post(reverse("reviews:lint", args=[review.pk]), {}).status_code == 403
    assert Review.objects.get(pk=review.pk).version == 1


def test_a_feedback_respondent_never_reaches_the_review(world, cycle, evidence, client_for):
    request = feedback_request_create(
        actor=world.manager.user,
        cycle=cycle,
        subject=world.engineer,
        respondent=world.other_engineer,
        relationship="peer",
    )
    feedback_answer(
        actor=world.other_engineer.user, request=request, owned="The billing split", changed="Fast"
    )
    review = _submitted(world, cycle, evidence)
    respondent = Client()
    respondent.force_login(world.other_engineer.user)
    assert respondent.get(reverse("reviews:detail", args=[review.pk])).status_code == 404
    for to in ("calibrating", "finalized", "released"):
        cycle = cycle_transition(actor=world.hr.user, cycle=cycle, to=to)
    assert respondent.get(reverse("reviews:detail", args=[review.pk])).status_code == 404


def test_the_manager_sees_an_edit_link_on_a_draft_and_a_submitted_review_stays_read_only(
    world, cycle, evidence, client_for
):
    manager = client_for("manager")
    draft = review_create(actor=world.manager.user, cycle=cycle, subject=world.teammate)
    assert reverse("reviews:edit", args=[draft.pk]) in page(
        manager.get(reverse("reviews:detail", args=[draft.pk]))
    )
    review = _submitted(world, cycle, evidence)
    assert reverse("reviews:edit", args=[review.pk]) not in page(
        manager.get(reverse("reviews:detail", args=[review.pk]))
    )
    moved = manager.get(reverse("reviews:edit", args=[review.pk]), follow=True)
    assert moved.redirect_chain[-1][0] == reverse("reviews:detail", args=[review.pk])
    assert "only drafts change" in page(moved)
    late = manager.post(reverse("reviews:submit", args=[review.pk]), {"version": 3}, follow=True)
    assert "already submitted" in page(late)


# --- Workspace -------------------------------------------------------------------------


def test_the_workspace_lists_the_chain_by_team_with_each_review_status(
    world, cycle, evidence, client_for
):
    _submitted(world, cycle, evidence)
    review_create(actor=world.manager.user, cycle=cycle, subject=world.teammate)
    html = page(client_for("manager").get(reverse("reviews:workspace")))
    text = text_of(html)
    assert "H1 2026" in text
    assert "Erin Engineer" in text and "Toby Teammate" in text
    assert "Olga Otherengineer" not in text
    assert "Submitted" in text and "Draft" in text
    assert "Continue writing the review of Toby Teammate" in text
    assert "Read the review of Erin Engineer" in text

    director = Client()
    director.force_login(world.director.user)
    text = text_of(page(director.get(reverse("reviews:workspace"))))
    # Team A before Team B, names in order within each; managers are in their teams.
    order = [
        text.index(s)
        for s in (
            "Team A",
            "Erin Engineer",
            "Mia Manager",
            "Toby Teammate",
            "Team B",
            "Olga Otherengineer",
            "Omar Othermanager",
        )
    ]
    assert order == sorted(order)
    assert "by Mia Manager" in text  # the director sees who writes each review


def test_start_review_refusals_come_back_as_messages(world, cycle, client_for):
    engineer = client_for("engineer")
    refused = engineer.post(
        reverse("reviews:start"), {"cycle": cycle.pk, "subject": world.teammate.pk}, follow=True
    )
    assert refused.redirect_chain[0][0].startswith(reverse("reviews:workspace"))
    assert "reporting chain only" in page(refused)
    assert not Review.objects.exists()

    manager = client_for("manager")
    data = {"cycle": cycle.pk, "subject": world.teammate.pk}
    assert manager.post(reverse("reviews:start"), data).status_code == 302
    twice = manager.post(reverse("reviews:start"), data, follow=True)
    assert "already has a review in this cycle" in page(twice)
    assert Review.objects.count() == 1
    hidden = manager.post(
        reverse("reviews:start"),
        {"cycle": cycle.pk, "subject": world.other_engineer.pk},
        follow=True,
    )
    assert "reporting chain only" in page(hidden)
    assert "Choose a person" in page(
        manager.post(reverse("reviews:start"), {"cycle": "x"}, follow=True)
    )
    assert manager.get(reverse("reviews:start")).status_code == 405


def test_no_start_button_once_the_cycle_has_moved_on(world, client_for):
    cycle = make_cycle(world, status="calibrating")
    html = page(client_for("manager").get(reverse("reviews:workspace")))
    assert cycle.name in html
    assert "Start review" not in html
    assert "can no longer be started" in html
    refused = client_for("manager").post(
        reverse("reviews:start"), {"cycle": cycle.pk, "subject": world.engineer.pk}, follow=True
    )
    assert "written while a cycle is open" in page(refused)


def test_the_workspace_switches_cycles_and_hides_drafts(world, client_for):
    old = make_cycle(world, status="released", name="H2 2025")
    current = make_cycle(world, status="open", name="H1 2026")
    draft = make_cycle(world, status="draft", name="Next year")
    manager = client_for("manager")
    html = page(manager.get(reverse("reviews:workspace")))
    assert "H1 2026" in text_of(html.split("<h1", 1)[1].split("</p>", 1)[0])
    assert f'value="{old.pk}"' in html and "Next year" not in html
    older = page(manager.get(reverse("reviews:workspace") + f"?cycle={old.pk}"))
    assert "H2 2025" in text_of(older.split("<h1", 1)[1].split("</p>", 1)[0])
    assert manager.get(reverse("reviews:workspace") + f"?cycle={draft.pk}").status_code == 404
    assert manager.get(reverse("reviews:workspace") + "?cycle=abc").status_code == 404
    assert f'<option value="{current.pk}" selected>' in html


def test_engineers_and_hr_without_reports_get_pointers_instead_of_a_table(world, client_for):
    engineer = page(client_for("engineer").get(reverse("reviews:workspace")))
    assert reverse("reviews:my-evidence") in engineer
    assert reverse("reviews:feedback-inbox") in engineer
    assert "<table" not in engineer
    hr = page(client_for("hr").get(reverse("reviews:workspace")))
    assert reverse("reviews:cycles") in hr
    assert "<table" not in hr


# --- Query counts -----------------------------------------------------------------------


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _draft_reviews(world, cycle, people, text: str) -> None:
    """A draft with findings for every other person."""
    for person in people[::2]:
        review = review_create(actor=world.other_manager.user, cycle=cycle, subject=person)
        review_update(
            actor=world.other_manager.user,
            review=review,
            version=1,
            narrative={"impact": text},
            assessments=[{"competency": "execution", "rating": "exceeds", "evidence": []}],
        )


def test_the_workspace_costs_the_same_queries_for_5_and_50_reports(world, cycle):
    client = Client()
    client.force_login(world.other_manager.user)
    url = reverse("reviews:workspace")
    first = bulk_people(world.root, world.team_b, world.other_manager, 4, world.ladder, "L4")
    _draft_reviews(world, cycle, first, "Not strategic.")  # with other_engineer: 5 reports
    small = _count(client, url)

    team_c = org_services.team_create(
        actor=world.root, name="Team C", slug="team-c", parent=world.eng
    )
    more = bulk_people(world.root, team_c, world.other_manager, 45, world.ladder, "L3")
    _draft_reviews(world, cycle, more, "Lacks presence.")
    large = _count(client, url)
    assert small == large
    html = page(client.get(url))
    assert html.count('<th scope="row">') == 50
    assert "Team C" in html


def test_the_editor_costs_the_same_queries_for_3_and_30_evidence_items(world, cycle, evidence):
    review = review_create(actor=world.manager.user, cycle=cycle, subject=world.engineer)
    review = review_update(
        actor=world.manager.user,
        review=review,
        version=1,
        assessments=complete_assessments([e.pk for e in evidence]),
    )
    client = Client()
    client.force_login(world.manager.user)
    url = reverse("reviews:edit", args=[review.pk])
    small = _count(client, url)
    more = [
        add_evidence(world, world.engineer, f"Item {i}", datetime.date(2026, 1, 1 + i))
        for i in range(27)
    ]
    review_update(
        actor=world.manager.user,
        review=review,
        version=review.version,
        assessments=complete_assessments([e.pk for e in more]),
    )
    large = _count(client, url)
    assert small == large
    assert page(client.get(url)).count('name="a-execution-evidence"') == 30


@pytest.mark.parametrize("name", ["reviews:lint", "reviews:submit", "reviews:acknowledge"])
def test_post_only_routes_refuse_get(name, world, cycle, client_for):
    review = review_create(actor=world.manager.user, cycle=cycle, subject=world.engineer)
    assert client_for("manager").get(reverse(name, args=[review.pk])).status_code == 405
