"""Review quality checks (reviews/lint.py): each finding code, its near misses, the fields
and order findings are reported in, the phrase lists as data, and lint_review's cost."""

from __future__ import annotations

import json
from datetime import date
from types import SimpleNamespace

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from org.admin_site import HRAdminMixin
from reviews.lint import (
    AssessmentText,
    EvidenceInfo,
    Finding,
    lint_content,
    lint_review,
)
from reviews.lint_terms import LINT_DATA_DIR, load_terms, terms_from_files
from reviews.models import Assessment, Evidence, LintTerm, Review, ReviewCycle
from tests.factories import make_ladder, make_person, make_superuser

TERMS = terms_from_files()
PERIOD = (date(2025, 1, 1), date(2025, 12, 31))  # the last 20% starts on 2025-10-20
EARLY = [date(2025, 2, 1), date(2025, 4, 1), date(2025, 6, 1)]
LATE = [date(2025, 10, 20), date(2025, 11, 15), date(2025, 12, 31)]


def assess(
    competency: str = "execution",
    rating: str = "meets",
    narrative: str = "",
    evidence: tuple[int, ...] = (),
) -> AssessmentText:
    return AssessmentText(
        competency=competency, rating=rating, narrative=narrative, evidence_ids=evidence
    )


def items(*dates: date) -> dict[int, EvidenceInfo]:
    return {
        i: EvidenceInfo(id=i, title=f"Item {i}", occurred_on=d)
        for i, d in enumerate(dates, start=1)
    }


def lint(
    narrative: dict[str, str] | None = None,
    assessments: list[AssessmentText] | None = None,
    evidence: dict[int, EvidenceInfo] | None = None,
    period: tuple[date, date] | None = PERIOD,
    baseline: str | None = "meets",
) -> list[Finding]:
    return lint_content(
        narrative=narrative or {},
        assessments=assessments or [],
        baseline_rating=baseline,
        period=period,
        evidence=evidence or {},
        terms=TERMS,
    )


def of(code: str, findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.code == code]


def matches(code: str, text: str) -> list[str]:
    return [f.match for f in of(code, lint({"impact": text}))]


# no_evidence / unevidenced_rating


def test_an_assessed_competency_without_evidence_is_an_error():
    findings = lint(assessments=[assess(rating="meets", narrative="Ran the release train.")])

    assert [(f.code, f.severity, f.field) for f in findings] == [
        ("no_evidence", "error", "assessments.execution.evidence")
    ]


def test_a_narrative_alone_counts_as_assessed():
    findings = lint(assessments=[assess(rating="", narrative="Ran the release train.")])

    assert [f.code for f in findings] == ["no_evidence"]


def test_an_untouched_competency_is_not_asked_for_evidence():
    assert lint(assessments=[assess(rating="", narrative="  \n")]) == []


def test_an_assessment_citing_evidence_has_no_evidence_findings():
    findings = lint(
        assessments=[assess(rating="exceeds", narrative="Ran it.", evidence=(1,))],
        evidence=items(EARLY[0]),
    )

    assert findings == []


@pytest.mark.parametrize("rating", ["below", "exceeds", "strongly_exceeds"])
def test_a_rating_away_from_the_baseline_without_evidence_is_an_error(rating):
    findings = lint(assessments=[assess(competency="design", rating=rating)])

    away = of("unevidenced_rating", findings)
    assert [(f.severity, f.field, f.match) for f in away] == [
        ("error", "assessments.design.rating", rating)
    ]
    assert "above or below the baseline especially need evidence" in away[0].message


def test_a_baseline_rating_without_evidence_is_only_missing_evidence():
    findings = lint(assessments=[assess(rating="meets")])

    assert [f.code for f in findings] == ["no_evidence"]


def test_a_rating_is_not_judged_against_an_unknown_baseline():
    findings = lint(assessments=[assess(rating="exceeds")], baseline=None)

    assert [f.code for f in findings] == ["no_evidence"]


# vague_judgement


def test_a_judgement_phrase_in_an_assessment_without_evidence_is_flagged():
    findings = lint(assessments=[assess(narrative="She is not strategic.")])

    judged = of("vague_judgement", findings)
    assert [(f.severity, f.field, f.match) for f in judged] == [
        ("warning", "assessments.execution.narrative", "not strategic")
    ]


def test_a_judgement_phrase_in_an_assessment_with_evidence_is_not_flagged():
    findings = lint(
        assessments=[assess(narrative="She is not strategic.", evidence=(1,))],
        evidence=items(EARLY[0]),
    )

    assert findings == []


@pytest.mark.parametrize("cited", [(), (1,)])
def test_strategic_praise_is_not_a_judgement_phrase(cited):
    findings = lint(
        assessments=[assess(narrative="Very strategic about the migration.", evidence=cited)],
        evidence=items(EARLY[0]),
    )

    assert of("vague_judgement", findings) == []


def test_a_judgement_phrase_in_a_narrative_section_is_always_flagged():
    findings = lint(
        narrative={"growth": "Lacks executive presence in planning."},
        assessments=[assess(narrative="Shipped it.", evidence=(1,))],
        evidence=items(EARLY[0]),
    )

    assert [(f.code, f.field, f.match) for f in findings] == [
        ("vague_judgement", "narrative.growth", "Lacks executive presence")
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Is not a culture fit here.",
        "Needs more gravitas.",
        "Needs to be more confident in reviews.",
        "Not leadership material.",
        "Doesn’t think big.",
    ],
)
def test_judgement_phrases_from_the_issue_are_flagged(text):
    assert len(matches("vague_judgement", text)) == 1


# personality


@pytest.mark.parametrize(
    "text, match",
    [
        ("Can be abrasive in design reviews.", "abrasive"),
        ("Gets emotional when paged.", "emotional"),
        ("Quite BOSSY with juniors.", "BOSSY"),
        ("Honestly, he has an attitude.", "has an attitude"),
        ("Seen as _strident_ by peers.", "strident"),
        ("Hot headed at times.", "Hot headed"),
    ],
)
def test_personality_words_are_flagged_everywhere(text, match):
    findings = lint(
        narrative={"context": text},
        assessments=[assess(narrative=text, evidence=(1,))],
        evidence=items(EARLY[0]),
    )

    flagged = of("personality", findings)
    assert [(f.field, f.match, f.severity) for f in flagged] == [
        ("narrative.context", match, "warning"),
        ("assessments.execution.narrative", match, "warning"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Worked through the difficulty of the migration.",
        "Emotionally intelligent in retros.",
        "Cached aggressively to cut latency.",
        "Reviewed the bossyness survey.",
    ],
)
def test_personality_near_misses_are_not_flagged(text):
    assert matches("personality", text) == []


def test_the_longest_personality_phrase_wins():
    assert matches("personality", "Difficult to work with.") == ["Difficult to work with"]


# hedging


@pytest.mark.parametrize(
    "text, match",
    [
        ("I think she led the incident.", "I think"),
        ("It is somewhat late.", "somewhat"),
        ("He seems to own the API.", "seems to"),
        ("Perhaps the design was too big.", "Perhaps"),
        ("This is, to some\nextent, done.", "to some\nextent"),
    ],
)
def test_hedges_are_information(text, match):
    findings = of("hedging", lint({"ownership": text}))

    assert [(f.severity, f.field, f.match) for f in findings] == [
        ("info", "narrative.ownership", match)
    ]


@pytest.mark.parametrize(
    "text", ["I thinking about it.", "The kindness of strangers.", "Sorting of logs.", "Maybes."]
)
def test_hedging_near_misses_are_not_flagged(text):
    assert matches("hedging", text) == []


# vague_praise


def test_vague_praise_alone_is_flagged():
    findings = lint({"impact": "She is a great team player."})

    assert [(f.code, f.severity, f.field, f.match) for f in findings] == [
        ("vague_praise", "warning", "narrative.impact", "great team player")
    ]


@pytest.mark.parametrize(
    "text",
    [
        "A great team player who cut build times by 40%.",
        "A rock star: shipped the billing API.",
        "A hard worker who reduced pages to two a week.",
        "A pleasure to work with; delivered the SSO project early.",
        "Our go-to person for Postgres; improved query latency.",
    ],
)
def test_praise_whose_sentence_states_an_outcome_is_not_flagged(text):
    assert matches("vague_praise", text) == []


def test_an_outcome_in_another_sentence_does_not_excuse_vague_praise():
    text = "A great team player. She shipped the billing API in 3 weeks."

    assert matches("vague_praise", text) == ["great team player"]


def test_a_soft_line_break_does_not_end_the_sentence():
    assert matches("vague_praise", "A great team player who\nreduced flaky tests.") == []


def test_each_list_item_is_its_own_sentence():
    text = "- a rock star\n- cut the deploy time to 8 minutes"

    assert matches("vague_praise", text) == ["rock star"]


def test_a_number_inside_the_praise_is_not_an_outcome():
    assert matches("vague_praise", "A 10x engineer.") == ["10x engineer"]


def test_a_hyphen_in_a_phrase_also_matches_a_space():
    assert matches("vague_praise", "Our go to person. Very hard working.") == [
        "go to person",
        "hard working",
    ]


# Matching rules


@pytest.mark.parametrize(
    "text, match",
    [
        ("Not   strategic.", "Not   strategic"),
        ("NOT\nStrategic at all.", "NOT\nStrategic"),
        ("lacks\r\n   executive\tpresence", "lacks\r\n   executive\tpresence"),
    ],
)
def test_phrases_match_across_repeated_whitespace_and_line_breaks_keeping_the_text(text, match):
    assert matches("vague_judgement", text) == [match]


@pytest.mark.parametrize("text", ["notstrategic", "not strategically placed", "nonot strategic"])
def test_phrases_match_only_whole_words(text):
    assert matches("vague_judgement", text) == []


def test_every_occurrence_is_reported():
    assert matches("hedging", "I think so. I THINK not.") == ["I think", "I THINK"]


# recency and outside_period


def cite_all(evidence: dict[int, EvidenceInfo]) -> list[AssessmentText]:
    return [assess(evidence=tuple(evidence))]


def test_most_evidence_from_the_end_of_the_period_is_flagged():
    evidence = items(EARLY[0], *LATE)  # 3 of 4 in the last 20%

    recency = of("recency", lint(assessments=cite_all(evidence), evidence=evidence))

    assert [(f.severity, f.field) for f in recency] == [("warning", "evidence")]
    assert "3 of the 4" in recency[0].message


def test_half_of_the_evidence_from_the_end_of_the_period_is_not_flagged():
    evidence = items(EARLY[0], EARLY[1], LATE[0], LATE[1])

    assert of("recency", lint(assessments=cite_all(evidence), evidence=evidence)) == []


def test_exactly_sixty_percent_is_not_flagged():
    evidence = items(EARLY[0], EARLY[1], *LATE)

    assert of("recency", lint(assessments=cite_all(evidence), evidence=evidence)) == []


def test_recency_needs_at_least_three_cited_items():
    evidence = items(LATE[0], LATE[1])

    assert of("recency", lint(assessments=cite_all(evidence), evidence=evidence)) == []


def test_the_day_before_the_last_fifth_is_not_recent():
    evidence = items(date(2025, 10, 19), date(2025, 10, 19), LATE[0])

    assert of("recency", lint(assessments=cite_all(evidence), evidence=evidence)) == []


def test_recency_counts_each_item_once_however_often_it_is_cited():
    evidence = items(EARLY[0], EARLY[1], LATE[0])
    assessments = [assess(competency=key, evidence=(3,)) for key in ("a", "b", "c", "d")] + [
        assess(competency="e", evidence=(1, 2))
    ]

    assert of("recency", lint(assessments=assessments, evidence=evidence)) == []


def test_recency_ignores_items_outside_the_period():
    evidence = items(date(2024, 6, 1), date(2024, 7, 1), LATE[0], LATE[1])

    assert of("recency", lint(assessments=cite_all(evidence), evidence=evidence)) == []


def test_an_item_dated_outside_the_period_is_marked():
    evidence = {
        1: EvidenceInfo(id=1, title="Old migration", occurred_on=date(2024, 12, 31)),
        2: EvidenceInfo(id=2, title="Inside", occurred_on=date(2025, 1, 1)),
        3: EvidenceInfo(id=3, title="Next year", occurred_on=date(2026, 1, 1)),
    }
    assessments = [assess(competency="a", evidence=(1, 2)), assess(competency="b", evidence=(1, 3))]

    outside = of("outside_period", lint(assessments=assessments, evidence=evidence))

    assert [(f.severity, f.field) for f in outside] == [("info", "evidence")] * 2
    assert "Old migration" in outside[0].message
    assert "2024-12-31" in outside[0].message
    assert "Next year" in outside[1].message


def test_without_a_period_no_dates_are_checked():
    evidence = items(date(2020, 1, 1), *LATE)

    findings = lint(assessments=cite_all(evidence), evidence=evidence, period=None)

    assert findings == []


# Fields and order


def test_findings_name_their_field_and_come_in_a_fixed_order():
    evidence = items(date(2024, 1, 1), *LATE)
    narrative = {
        "context": "Perhaps.",
        "ownership": "Abrasive. I think.",
        "impact": "A rock star.",
        "outcomes": "Not visible.",
        "growth": "Somewhat.",
    }
    assessments = [
        assess(competency="execution", rating="exceeds", narrative="Not strategic, I feel."),
        assess(competency="design", rating="below", narrative="Bossy.", evidence=(1, 2, 3, 4)),
    ]

    first = lint(narrative, assessments, evidence)
    second = lint(narrative, list(assessments), dict(reversed(evidence.items())))

    assert [(f.field, f.code) for f in first] == [
        ("narrative.ownership", "personality"),
        ("narrative.ownership", "hedging"),
        ("narrative.impact", "vague_praise"),
        ("narrative.outcomes", "vague_judgement"),
        ("narrative.growth", "hedging"),
        ("narrative.context", "hedging"),
        ("assessments.execution.evidence", "no_evidence"),
        ("assessments.execution.rating", "unevidenced_rating"),
        ("assessments.execution.narrative", "vague_judgement"),
        ("assessments.execution.narrative", "hedging"),
        ("assessments.design.narrative", "personality"),
        ("evidence", "recency"),
        ("evidence", "outside_period"),
    ]
    assert first == second


def test_a_finding_serialises_to_its_five_fields():
    finding = lint({"impact": "Somewhat."})[0]

    assert finding.as_dict() == {
        "code": "hedging",
        "severity": "info",
        "message": finding.message,
        "field": "narrative.impact",
        "match": "Somewhat",
    }
    assert "Somewhat" in finding.message


# The phrase lists


DATA_FILES = sorted(LINT_DATA_DIR.glob("*.json"))


def test_there_is_one_data_file_per_phrase_check():
    assert [p.stem for p in DATA_FILES] == sorted(LintTerm.Code.values)


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: p.stem)
def test_each_data_file_names_its_source_and_suggests_an_alternative(path):
    data = json.loads(path.read_text(encoding="utf-8"))
    phrases = [t["phrase"].lower() for t in data["terms"]]

    assert data["code"] == path.stem
    assert 0 < len(data["source"]) <= LintTerm._meta.get_field("source").max_length
    assert data["description"]
    assert 15 <= len(phrases) <= 40
    assert len(set(phrases)) == len(phrases)
    assert all(t["suggestion"] and len(t["suggestion"]) <= 300 for t in data["terms"])


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: p.stem)
def test_every_shipped_phrase_flags_itself(path):
    data = json.loads(path.read_text(encoding="utf-8"))
    for term in data["terms"]:
        text = f"They are {term['phrase']}."
        findings = of(data["code"], lint({"ownership": text}))
        assert [f.match.lower() for f in findings] == [term["phrase"].lower()], text


@pytest.mark.django_db
def test_the_migration_loads_the_phrase_lists_with_their_sources():
    for path in DATA_FILES:
        data = json.loads(path.read_text(encoding="utf-8"))
        rows = LintTerm.objects.filter(code=data["code"])
        assert sorted(rows.values_list("phrase", flat=True)) == sorted(
            t["phrase"] for t in data["terms"]
        )
        assert set(rows.values_list("source", flat=True)) == {data["source"]}


@pytest.mark.django_db
def test_loading_the_terms_costs_one_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        terms = load_terms()

    findings = lint_content(
        narrative={"impact": "Abrasive, I think."},
        assessments=[],
        baseline_rating=None,
        period=None,
        evidence={},
        terms=terms,
    )
    assert [f.code for f in findings] == ["personality", "hedging"]


@pytest.mark.django_db
def test_a_deactivated_term_is_no_longer_flagged():
    def flagged() -> list[str]:
        return [
            f.match
            for f in lint_content(
                narrative={"context": "A bossy, abrasive lead."},
                assessments=[],
                baseline_rating=None,
                period=None,
                evidence={},
                terms=load_terms(),
            )
        ]

    assert flagged() == ["bossy", "abrasive"]

    LintTerm.objects.filter(code="personality", phrase="bossy").update(is_active=False)

    assert flagged() == ["abrasive"]


@pytest.mark.django_db
def test_a_term_added_by_hr_is_flagged():
    LintTerm.objects.create(code="vague_praise", phrase="unicorn", suggestion="Name the outcome.")

    findings = lint_content(
        narrative={"impact": "A real UNICORN."},
        assessments=[],
        baseline_rating=None,
        period=None,
        evidence={},
        terms=load_terms(),
    )

    assert [(f.code, f.match) for f in findings] == [("vague_praise", "UNICORN")]
    assert "Name the outcome." in findings[0].message


# lint_review on a saved review

COMPETENCIES = ["execution", "collaboration", "design", "operations", "mentoring", "communication"]


@pytest.fixture
def cycle_world(db) -> SimpleNamespace:
    root = make_superuser()
    ladder, version = make_ladder(root, competency_keys=COMPETENCIES)
    author = make_person(root, "author")
    cycle = ReviewCycle.objects.create(
        name="2025", starts_on=PERIOD[0], ends_on=PERIOD[1], status=ReviewCycle.Status.OPEN
    )
    cycle.rubric_versions.add(version)
    return SimpleNamespace(root=root, ladder=ladder, version=version, author=author, cycle=cycle)


def saved_review(w: SimpleNamespace, username: str, n_assessments: int) -> Review:
    subject = make_person(w.root, username, manager=w.author, ladder=w.ladder, level="L4")
    review = Review.objects.create(
        cycle=w.cycle,
        subject=subject,
        author=w.author,
        rubric_version=w.version,
        level="L4",
        impact="A great team player.",
    )
    dates = [date(2024, 12, 1), *LATE]
    for i, key in enumerate(COMPETENCIES[:n_assessments]):
        assessment = Assessment.objects.create(
            review=review, competency=key, rating="exceeds", narrative="Bossy.", order=i
        )
        if i > 0:  # the first competency cites nothing
            evidence = Evidence.objects.create(
                person=subject, title=f"PR {i}", occurred_on=dates[i % len(dates)]
            )
            assessment.evidence.add(evidence)
    return review


def lint_counting_queries(review_id: int) -> tuple[int, list[Finding]]:
    review = Review.objects.get(pk=review_id)
    with CaptureQueriesContext(connection) as ctx:
        findings = lint_review(review)
    return len(ctx.captured_queries), findings


def test_lint_review_reads_a_saved_review(cycle_world):
    review = saved_review(cycle_world, "subject", 6)

    _, findings = lint_counting_queries(review.pk)

    assert [(f.field, f.code) for f in findings] == [
        ("narrative.impact", "vague_praise"),
        ("assessments.execution.evidence", "no_evidence"),
        ("assessments.execution.rating", "unevidenced_rating"),
        ("assessments.execution.narrative", "personality"),
        *[(f"assessments.{key}.narrative", "personality") for key in COMPETENCIES[1:]],
        ("evidence", "recency"),
        ("evidence", "outside_period"),
    ]
    assert "PR 4" in findings[-1].message


def test_lint_review_costs_the_same_for_one_or_six_assessments(cycle_world):
    one, few = lint_counting_queries(saved_review(cycle_world, "small", 1).pk)
    six, many = lint_counting_queries(saved_review(cycle_world, "large", 6).pk)

    assert (len(few), len(many)) == (4, 11)
    assert one == six == 5  # assessments, evidence, cycle, baseline, terms


def test_lint_review_uses_what_is_prefetched(cycle_world):
    review_id = saved_review(cycle_world, "subject", 6).pk
    review = (
        Review.objects.select_related("cycle", "rubric_version")
        .prefetch_related("assessments__evidence", "rubric_version__ratings")
        .get(pk=review_id)
    )
    _, expected = lint_counting_queries(review_id)

    with CaptureQueriesContext(connection) as ctx:
        findings = lint_review(review, terms=load_terms())

    assert len(ctx.captured_queries) == 1  # load_terms()
    assert findings == expected


def test_hr_keeps_the_terms_in_the_admin_and_deactivates_rather_than_deletes(client_for):
    url = reverse("admin:reviews_lintterm_changelist")

    response = client_for("hr").get(url, {"q": "abrasive"})

    assert response.status_code == 200
    assert "abrasive" in response.content.decode()
    assert client_for("engineer").get(url).status_code != 200
    model_admin = admin.site._registry[LintTerm]
    assert isinstance(model_admin, HRAdminMixin)
    assert not model_admin.has_delete_permission(response.wsgi_request)
