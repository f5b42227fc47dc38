"""What a review shows that is derived from what is written in it, stored with the review.

The review list (API), the workspace, the editor and the read view show a review's narrative as
sanitised HTML and its quality-check findings. Both are functions of the text (with the
rubric, the cited evidence, the cycle period and the word lists), so they are derived
once, when the text is written, and stored with the review as JSON text in the API's own
encoding (so a page of reviews splices them in without decoding them):

    contents_shown     {"narrative_html": {section: html},
                        "assessments": [{"competency", "rating", "narrative",
                                         "narrative_html", "evidence"}]}
    contents_lint      [finding, ...]   reviews.lint.lint_review, as dicts
    contents_blockers  [finding, ...]   reviews.lint.review_blockers, as dicts

``Review.contents_key`` names what they were derived with: a fingerprint of the active
word lists (LintTerm rows), the evidence policy (LEVELHEAD_REQUIRE_EVIDENCE) and the code
that derives them (this module, reviews.lint, reviews.lint_terms, core.markdown, and the
markdown-it-py and nh3 versions). A row whose key is not ``contents_key(load_terms())``
is stale. Stored contents are derived again:

- when the text changes: review_create and review_update store them in their
  transaction (reviews.services.contents.review_contents_store);
- when HR edits the word lists (the LintTerm admin): ``lint_terms_changed`` relints every
  review whose text holds a phrase that changed and re-keys the others, which the change
  cannot affect;
- when a cited evidence item is edited (no service edits evidence, but a save anywhere
  does: reviews.apps re-derives the reviews citing it). The cycle period and the rubric
  do not change under a review: a cycle's dates change only while it is a draft, which
  has no reviews, and the rubric is a published version, which is frozen;
- when the code, a setting or rows written around the services make them stale: after
  every ``migrate`` (post_migrate, reviews.apps), ``manage.py refresh_review_contents``,
  and at the latest when the review is read (``reviews_contents_refresh``, which every
  list and page runs: one query when all is current).

The assessments are stored as shown (rubric order, each one's evidence by date then id),
so a list needs no assessment or evidence rows; the Assessment table stays the record.
Nothing here queries the database: reviews.services.contents reads and writes.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import importlib.metadata
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from rest_framework.compat import LONG_SEPARATORS, SHORT_SEPARATORS
from rest_framework.settings import api_settings

import core.markdown
from core.markdown import render_markdown
from reviews import lint, lint_terms
from reviews.lint import (
    AssessmentText,
    EvidenceInfo,
    Finding,
    baseline_rating,
    lint_content,
    saved_content,
    submit_blockers,
    with_blockers,
)
from reviews.lint_terms import Terms
from reviews.models import Review

NARRATIVE_SECTIONS = Review.NARRATIVE_SECTIONS
# The modules whose code decides what is stored, and the libraries the HTML comes from.
_DERIVING_MODULES = (__file__, lint.__file__, lint_terms.__file__, core.markdown.__file__)
_DERIVING_PACKAGES = ("markdown-it-py", "nh3")


@functools.cache
def _code_fingerprint() -> str:
    digest = hashlib.sha256()
    for path in _DERIVING_MODULES:
        digest.update(Path(path).read_bytes())
    for package in _DERIVING_PACKAGES:
        digest.update(f"{package}=={importlib.metadata.version(package)}".encode())
    return digest.hexdigest()


@functools.lru_cache(maxsize=16)
def _key(terms_digest: str, require_evidence: bool) -> str:
    parts = (_code_fingerprint(), terms_digest, str(bool(require_evidence)))
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:40]


def contents_key(terms: Terms) -> str:
    """The key stored contents derived now, with these word lists, would carry."""
    return _key(terms.digest, settings.LEVELHEAD_REQUIRE_EVIDENCE)


# rest_framework's JSONRenderer with the project's settings, unindented.
_ENCODER = json.JSONEncoder(
    ensure_ascii=not api_settings.UNICODE_JSON,
    allow_nan=not api_settings.STRICT_JSON,
    separators=SHORT_SEPARATORS if api_settings.COMPACT_JSON else LONG_SEPARATORS,
)


def encode_json(data: Any) -> str:
    """``data`` as the API's JSON renderer writes it, so stored text can be spliced into a
    response as is."""
    text = _ENCODER.encode(data)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def encode_contents(contents: Mapping[str, Any]) -> dict[str, str]:
    """The stored columns of derived contents (``build_contents``)."""
    return {
        "contents_shown": encode_json(
            {
                "narrative_html": contents["narrative_html"],
                "assessments": contents["assessments"],
            }
        ),
        "contents_lint": encode_json(contents["lint"]),
        "contents_blockers": encode_json(contents["blockers"]),
    }


def build_contents(
    *,
    narrative: Mapping[str, str],
    assessments: Sequence[AssessmentText],
    evidence: Mapping[int, EvidenceInfo],
    overall_rating: str,
    baseline: str | None,
    period: tuple[datetime.date, datetime.date],
    competencies: Sequence[tuple[str, str]],
    terms: Terms,
) -> dict[str, Any]:
    """The stored contents of a review's content: the same findings ``lint_review`` and
    blockers ``review_blockers`` give for it, and the HTML ``render_markdown`` makes.
    ``assessments`` in rubric order, each one's evidence ids by date; ``competencies``
    are the rubric's ``(key, name)`` in order."""
    findings = lint_content(
        narrative=narrative,
        assessments=assessments,
        baseline_rating=baseline,
        period=period,
        evidence=evidence,
        terms=terms,
    )
    blockers = submit_blockers(
        overall_rating=overall_rating, assessments=assessments, competencies=competencies
    )
    return {
        "narrative_html": {s: render_markdown(narrative.get(s) or "") for s in NARRATIVE_SECTIONS},
        "assessments": [
            {
                "competency": a.competency,
                "rating": a.rating,
                "narrative": a.narrative,
                "narrative_html": render_markdown(a.narrative),
                "evidence": list(a.evidence_ids),
            }
            for a in assessments
        ],
        "lint": [f.as_dict() for f in findings],
        "blockers": [b.as_dict() for b in blockers],
    }


def derive(
    review: Review, *, terms: Terms, competencies: Sequence[tuple[str, str]]
) -> dict[str, Any]:
    """The contents of a saved review. Uses the prefetched ``assessments__evidence``,
    ``cycle`` and ``rubric_version__ratings`` (reviews.selectors.with_review_contents),
    else queries for them."""
    assessments, evidence = saved_content(review)
    cycle = review.cycle
    return build_contents(
        narrative={s: getattr(review, s) for s in NARRATIVE_SECTIONS},
        assessments=assessments,
        evidence=evidence,
        overall_rating=review.overall_rating,
        baseline=baseline_rating(review),
        period=(cycle.starts_on, cycle.ends_on),
        competencies=competencies,
        terms=terms,
    )


def stored_contents(review: Review) -> dict[str, Any]:
    """The stored contents, decoded (once per object): ``narrative_html``,
    ``assessments``, ``lint`` and ``blockers``. The review must be current
    (reviews.services.contents.reviews_contents_refresh)."""
    assert review.contents_key, "reviews_contents_refresh the review first"
    decoded: dict[str, Any] | None = getattr(review, "_stored_contents", None)
    if decoded is None or decoded["key"] != review.contents_key:
        decoded = {
            **json.loads(review.contents_shown),
            "lint": json.loads(review.contents_lint),
            "blockers": json.loads(review.contents_blockers),
            "key": review.contents_key,
        }
        review._stored_contents = decoded  # type: ignore[attr-defined]
    return decoded


def _findings(rows: Sequence[Mapping[str, str]]) -> list[Finding]:
    return [Finding(**row) for row in rows]


def stored_lint(review: Review) -> list[Finding]:
    """The stored findings (what ``lint_review`` gives)."""
    return _findings(stored_contents(review)["lint"])


def stored_blockers(review: Review) -> list[Finding]:
    """The stored submit blockers (what ``review_blockers`` gives)."""
    return _findings(stored_contents(review)["blockers"])


def stored_panel(review: Review) -> list[Finding]:
    """What the editor's quality panel lists for the review as saved: the blockers, then
    the findings (``with_blockers``)."""
    return with_blockers(stored_lint(review), stored_blockers(review))


def stored_assessments(review: Review) -> list[dict[str, Any]]:
    """The assessments as stored: competency, rating, narrative, narrative_html and the
    cited evidence ids, in rubric order."""
    assessments: list[dict[str, Any]] = stored_contents(review)["assessments"]
    return assessments
