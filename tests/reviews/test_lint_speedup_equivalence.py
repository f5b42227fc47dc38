"""Phrase matching rules that the faster scan in reviews/lint_terms.py must keep: phrases at
the edges of a text, back-to-back phrases, several codes in one text, phrases HR adds
that start with an accent, and which phrase wins when several start at the same place."""

from __future__ import annotations

from reviews.lint import (
    AssessmentText,
    Finding,
    lint_content,
)
from reviews.lint_terms import TERM_CODES, compile_terms, terms_from_files

TERMS = terms_from_files()


def lint(text: str, terms=TERMS, evidence: tuple[int, ...] = ()) -> list[Finding]:
    return lint_content(
        narrative={},
        assessments=[
            AssessmentText(competency="execution", rating="", narrative=text, evidence_ids=evidence)
        ],
        baseline_rating=None,
        period=None,
        evidence={},
        terms=terms,
    )


def phrases(findings: list[Finding]) -> list[tuple[str, str]]:
    return [(f.code, f.match) for f in findings if f.code in TERM_CODES]


def test_a_phrase_is_flagged_at_the_very_start_and_the_very_end_of_a_text():
    assert phrases(lint("Abrasive")) == [("personality", "Abrasive")]
    assert phrases(lint("Often abrasive")) == [("personality", "abrasive")]


def test_back_to_back_phrases_are_each_flagged():
    assert phrases(lint("I think perhaps maybe it shipped.")) == [
        ("hedging", "I think"),
        ("hedging", "perhaps"),
        ("hedging", "maybe"),
    ]


def test_phrases_of_several_codes_are_listed_in_text_order():
    text = "Somewhat bossy and not strategic,\nthough a rock star."

    assert phrases(lint(text)) == [
        ("hedging", "Somewhat"),
        ("personality", "bossy"),
        ("vague_judgement", "not strategic"),
        ("vague_praise", "rock star"),
    ]


def test_with_evidence_the_judgement_is_skipped_but_later_phrases_are_not():
    text = "Not strategic, I think; abrasive."

    assert phrases(lint(text, evidence=(1,))) == [
        ("hedging", "I think"),
        ("personality", "abrasive"),
    ]


def test_phrases_starting_with_an_accent_or_apostrophe_match_whole_words_ignoring_case():
    terms = compile_terms(
        [
            ("personality", "élitist", ""),
            ("personality", "über-confident", ""),
            ("hedging", "'kinda'", ""),
            ("hedging", "somewhat", ""),
        ]
    )

    text = "ÉLITIST, Über confident, somewhat 'kinda' — not élitists or unélitist."

    assert phrases(lint(text, terms)) == [
        ("personality", "ÉLITIST"),
        ("personality", "Über confident"),
        ("hedging", "somewhat"),
        ("hedging", "'kinda'"),
    ]


def test_the_longest_phrase_wins_whatever_order_hr_added_them_in():
    terms = compile_terms(
        [
            ("vague_judgement", "not", ""),
            ("vague_judgement", "not strategic", ""),
            ("vague_judgement", "not a team player", ""),
            ("vague_judgement", "needs more polish", ""),
        ]
    )

    text = "Not a team player; not strategic; not great; NEEDS more\npolish."

    assert [f.match for f in lint(text, terms) if f.code == "vague_judgement"] == [
        "Not a team player",
        "not strategic",
        "not",
        "NEEDS more\npolish",
    ]
