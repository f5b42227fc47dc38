"""Review quality checks ("lint"): nudges shown to the author while writing (SPEC §2).

Findings never block submission. What does block it (SPEC §1.3) is ``submit_blockers``,
the one home of the submit rule: the review services refuse a submission on it, and the
editor's panel lists it under "Must fix" beside the findings (``with_blockers``), so the
panel and the refusal always name the same missing pieces.

Blocker codes (severity "error"):

- ``no_overall_rating``: no overall rating chosen.
- ``unrated``: a competency of the rubric without a rating.
- ``no_evidence``: a competency citing no evidence (when LEVELHEAD_REQUIRE_EVIDENCE, the
  default).

Finding codes:

- ``no_evidence`` (error): an assessment with a rating or narrative that cites no evidence.
- ``unevidenced_rating`` (error): a rating other than the baseline without evidence.
- ``vague_judgement`` (warning): "not strategic", "lacks presence"… In an assessment
  narrative only when that assessment cites no evidence; in the free narrative sections
  always, because they carry no citations.
- ``personality`` (warning): personality rather than behaviour words, everywhere.
- ``hedging`` (info): hedges and doubt-raisers, everywhere.
- ``vague_praise`` (warning): praise whose sentence states no outcome, i.e. no digit, no
  number word and none of ``OUTCOME_WORDS``.
- ``recency`` (warning): more than 60% of the cited evidence dated inside the period falls
  in its last 20%. Only checked when at least ``RECENCY_MIN_ITEMS`` (3) such distinct items
  are cited: with one or two items a share says nothing.
- ``outside_period`` (info): one finding per cited item dated outside the cycle period.

The phrase lists, and how a phrase matches, are in reviews.lint_terms.
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from django.conf import settings
from django.db.models import prefetch_related_objects

from reviews.lint_terms import TERM_CODES, Terms, load_terms
from reviews.models import LintTerm, Review
from rubrics.models import Competency, Rating

ERROR = "error"
WARNING = "warning"
INFO = "info"

NO_EVIDENCE = "no_evidence"
NO_OVERALL_RATING = "no_overall_rating"
UNRATED = "unrated"
UNEVIDENCED_RATING = "unevidenced_rating"
VAGUE_JUDGEMENT = LintTerm.Code.VAGUE_JUDGEMENT.value
PERSONALITY = LintTerm.Code.PERSONALITY.value
HEDGING = LintTerm.Code.HEDGING.value
VAGUE_PRAISE = LintTerm.Code.VAGUE_PRAISE.value
RECENCY = "recency"
OUTSIDE_PERIOD = "outside_period"

NARRATIVE_SECTIONS = Review.NARRATIVE_SECTIONS


TERM_SEVERITY = {
    VAGUE_JUDGEMENT: WARNING,
    PERSONALITY: WARNING,
    HEDGING: INFO,
    VAGUE_PRAISE: WARNING,
}
TERM_LEAD = {
    VAGUE_JUDGEMENT: "Judgement without evidence",
    PERSONALITY: "Describes personality rather than behaviour",
    HEDGING: "Hedging weakens the statement",
    VAGUE_PRAISE: "Praise with no outcome",
}
TERM_DEFAULT_SUGGESTION = {
    VAGUE_JUDGEMENT: "Describe the behaviour you saw and its effect, and cite the evidence.",
    PERSONALITY: "Describe what the person did and its effect, not what they are like.",
    HEDGING: "State what happened, or leave it out.",
    VAGUE_PRAISE: "Name the outcome: what changed, by how much, with the evidence.",
}

RECENCY_MIN_ITEMS = 3
RECENCY_MAX_SHARE = Fraction(3, 5)  # flagged above 60%
RECENCY_TAIL_STARTS = Fraction(4, 5)  # "recent" = the last 20% of the period

# A sentence stating an outcome has a digit, a number word or one of these verbs.
OUTCOME_WORDS = (
    "reduced",
    "increased",
    "decreased",
    "cut",
    "halved",
    "doubled",
    "lowered",
    "shipped",
    "delivered",
    "launched",
    "improved",
    "saved",
    "grew",
    "eliminated",
    "prevented",
    "resolved",
)
NUMBER_WORDS = (
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "twice",
    "dozens?",
    "hundreds?",
    "thousands?",
    "millions?",
    "percent",
)
OUTCOME_RE = re.compile(
    r"\d|%|\b(?:" + "|".join(OUTCOME_WORDS + NUMBER_WORDS) + r")\b", re.IGNORECASE
)
# Sentences end at . ! ? followed by whitespace, at a blank line, or where a Markdown list
# item starts. A single line break is a soft wrap inside a sentence.
SENTENCE_END_RE = re.compile(r"[.!?]+(?=\s|$)|\n\s*\n|\n[ \t]*(?:[-*+]|\d+[.)])[ \t]")


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str  # "error" | "warning" | "info"
    message: str
    field: str
    match: str = ""

    def as_dict(self) -> dict[str, str]:
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "field": self.field,
            "match": self.match,
        }


@dataclass(frozen=True)
class AssessmentText:
    competency: str
    rating: str
    narrative: str
    evidence_ids: tuple[int, ...]


@dataclass(frozen=True)
class EvidenceInfo:
    id: int
    title: str
    occurred_on: datetime.date


def _states_outcome(text: str, start: int, end: int, ends: list[tuple[int, int]]) -> bool:
    """Whether the sentence around text[start:end] (the praise itself left out, so that
    "10x engineer" is no outcome) states one. ``ends`` are the sentence-end spans."""
    sentence_start = max((e for s, e in ends if e <= start), default=0)
    sentence_end = min((s for s, e in ends if s >= end), default=len(text))
    return bool(
        OUTCOME_RE.search(text, sentence_start, start) or OUTCOME_RE.search(text, end, sentence_end)
    )


def _text_findings(text: str, field: str, terms: Terms, codes: Sequence[str]) -> list[Finding]:
    if not text:
        return []
    padded = " " + text
    pos = terms.first(padded)
    if pos is None:
        return []
    found: list[tuple[int, int, Finding]] = []
    ends: list[tuple[int, int]] | None = None
    for rank, code in enumerate(codes):
        for start, end, term in terms.find(code, padded, pos):
            if code == VAGUE_PRAISE:
                if ends is None:
                    ends = [mm.span() for mm in SENTENCE_END_RE.finditer(text)]
                if _states_outcome(text, start, end, ends):
                    continue
            match = text[start:end]
            suggestion = term.suggestion or TERM_DEFAULT_SUGGESTION[code]
            finding = Finding(
                code=code,
                severity=TERM_SEVERITY[code],
                message=f'{TERM_LEAD[code]}: "{match}". {suggestion}',
                field=field,
                match=match,
            )
            found.append((start, rank, finding))
    return [f for _, _, f in sorted(found, key=lambda x: (x[0], x[1]))]


def _evidence_findings(
    cited: list[EvidenceInfo], period: tuple[datetime.date, datetime.date]
) -> list[Finding]:
    starts, ends = period
    inside = [e for e in cited if starts <= e.occurred_on <= ends]
    findings = []
    span = (ends - starts).days
    if len(inside) >= RECENCY_MIN_ITEMS and span > 0:
        tail_starts = starts + datetime.timedelta(days=math.ceil(span * RECENCY_TAIL_STARTS))
        recent = [e for e in inside if e.occurred_on >= tail_starts]
        if Fraction(len(recent), len(inside)) > RECENCY_MAX_SHARE:
            findings.append(
                Finding(
                    code=RECENCY,
                    severity=WARNING,
                    message=(
                        f"{len(recent)} of the {len(inside)} cited evidence items "
                        f"({round(100 * len(recent) / len(inside))}%) are from the last 20% "
                        f"of the period (since {tail_starts.isoformat()}). Look for evidence "
                        "from the whole period so recent work does not outweigh the rest."
                    ),
                    field="evidence",
                )
            )
    for e in cited:
        if not starts <= e.occurred_on <= ends:
            findings.append(
                Finding(
                    code=OUTSIDE_PERIOD,
                    severity=INFO,
                    message=(
                        f'"{e.title}" is dated {e.occurred_on.isoformat()}, outside the cycle '
                        f"period ({starts.isoformat()} to {ends.isoformat()})."
                    ),
                    field="evidence",
                )
            )
    return findings


def lint_content(
    *,
    narrative: Mapping[str, str],
    assessments: Sequence[AssessmentText],
    baseline_rating: str | None,
    period: tuple[datetime.date, datetime.date] | None,
    evidence: Mapping[int, EvidenceInfo],
    terms: Terms | None = None,
) -> list[Finding]:
    """Findings for a review's content: narrative sections in order, then each assessment
    (evidence rules, then its narrative), then the review-level evidence checks. Within a
    text, findings follow the text. No database access when ``terms`` is given."""
    if terms is None:
        terms = load_terms()
    findings: list[Finding] = []
    for section in NARRATIVE_SECTIONS:
        text = narrative.get(section) or ""
        findings += _text_findings(text, f"narrative.{section}", terms, TERM_CODES)

    cited: dict[int, EvidenceInfo] = {}
    for a in assessments:
        prefix = f"assessments.{a.competency}"
        has_evidence = bool(a.evidence_ids)
        if not has_evidence and (a.rating.strip() or a.narrative.strip()):
            findings.append(
                Finding(
                    code=NO_EVIDENCE,
                    severity=ERROR,
                    message="This competency is assessed but cites no evidence. Cite at least "
                    "one evidence item: a review cannot be submitted without it.",
                    field=f"{prefix}.evidence",
                )
            )
        if not has_evidence and a.rating and baseline_rating and a.rating != baseline_rating:
            findings.append(
                Finding(
                    code=UNEVIDENCED_RATING,
                    severity=ERROR,
                    message=f'The rating "{a.rating}" is away from the baseline '
                    f'"{baseline_rating}" but cites no evidence. Ratings above or below the '
                    "baseline especially need evidence.",
                    field=f"{prefix}.rating",
                    match=a.rating,
                )
            )
        # A judgement phrase backed by cited evidence is the author's reading of it.
        codes = TERM_CODES if not has_evidence else TERM_CODES[1:]
        findings += _text_findings(a.narrative, f"{prefix}.narrative", terms, codes)
        for evidence_id in a.evidence_ids:
            if evidence_id in evidence:
                cited.setdefault(evidence_id, evidence[evidence_id])

    if period is not None:
        findings += _evidence_findings(list(cited.values()), period)
    return findings


def submit_blockers(
    *,
    overall_rating: str,
    assessments: Sequence[AssessmentText],
    competencies: Sequence[tuple[str, str]],
    require_evidence: bool | None = None,
) -> list[Finding]:
    """What stops a review from being submitted, every missing piece named: the overall
    rating, then each competency of the rubric (``(key, name)`` in rubric order) for its
    rating and, when the policy requires it, its evidence. No database access."""
    if require_evidence is None:
        require_evidence = settings.LEVELHEAD_REQUIRE_EVIDENCE
    blockers: list[Finding] = []
    if not overall_rating:
        blockers.append(
            Finding(
                code=NO_OVERALL_RATING,
                severity=ERROR,
                message="Choose an overall rating.",
                field="overall_rating",
            )
        )
    by_key = {a.competency: a for a in assessments}
    for key, name in competencies:
        a = by_key.get(key)
        if a is None or not a.rating:
            blockers.append(
                Finding(
                    code=UNRATED,
                    severity=ERROR,
                    message=f"Rate {name}.",
                    field=f"assessments.{key}.rating",
                )
            )
        if require_evidence and (a is None or not a.evidence_ids):
            blockers.append(
                Finding(
                    code=NO_EVIDENCE,
                    severity=ERROR,
                    message=f"Cite at least one evidence item for {name}.",
                    field=f"assessments.{key}.evidence",
                )
            )
    return blockers


def with_blockers(findings: Sequence[Finding], blockers: Sequence[Finding]) -> list[Finding]:
    """What the author is shown: the blockers, then the findings, leaving out a finding
    that says what a blocker already says (the same code on the same field)."""
    said = {(b.code, b.field) for b in blockers}
    return [*blockers, *(f for f in findings if (f.code, f.field) not in said)]


def _assessment_texts(review: Review) -> list[AssessmentText]:
    # A no-op for what is already prefetched.
    prefetch_related_objects([review], "assessments__evidence")
    return [
        AssessmentText(
            competency=a.competency,
            rating=a.rating,
            narrative=a.narrative,
            evidence_ids=tuple(e.pk for e in a.evidence.all()),
        )
        for a in review.assessments.all()
    ]


def rubric_competencies(version_ids: Iterable[int]) -> dict[int, list[tuple[str, str]]]:
    """``(key, name)`` of each rubric version's competencies in rubric order, in one query."""
    found: dict[int, list[tuple[str, str]]] = {v: [] for v in version_ids}
    rows = (
        Competency.objects.filter(version_id__in=list(found))
        .order_by("version_id", "order", "key")
        .values_list("version_id", "key", "name")
    )
    for version_id, key, name in rows:
        found[version_id].append((key, name))
    return found


def review_blockers(
    review: Review, *, competencies: Sequence[tuple[str, str]] | None = None
) -> list[Finding]:
    """``submit_blockers`` of a saved review. Uses the prefetched assessments (else two
    queries) and costs one query for the rubric's competencies unless they are given."""
    if competencies is None:
        competencies = rubric_competencies([review.rubric_version_id])[review.rubric_version_id]
    return submit_blockers(
        overall_rating=review.overall_rating,
        assessments=_assessment_texts(review),
        competencies=competencies,
    )


def saved_content(review: Review) -> tuple[list[AssessmentText], dict[int, EvidenceInfo]]:
    """A saved review's assessments (rubric order, each one's evidence by date, then id,
    whatever order they were prefetched in) and the evidence they cite. Uses the
    prefetched ``assessments__evidence`` (else two queries)."""
    # A no-op for what is already prefetched.
    prefetch_related_objects([review], "assessments__evidence")
    assessments: list[AssessmentText] = []
    evidence: dict[int, EvidenceInfo] = {}
    for a in sorted(review.assessments.all(), key=lambda a: (a.order, a.pk)):
        items = sorted(a.evidence.all(), key=lambda e: (e.occurred_on, e.pk))
        for e in items:
            evidence[e.pk] = EvidenceInfo(id=e.pk, title=e.title, occurred_on=e.occurred_on)
        assessments.append(
            AssessmentText(
                competency=a.competency,
                rating=a.rating,
                narrative=a.narrative,
                evidence_ids=tuple(e.pk for e in items),
            )
        )
    return assessments, evidence


def lint_review(review: Review, *, terms: Terms | None = None) -> list[Finding]:
    """Lint a saved review in a fixed number of queries, whatever its size.

    Uses what is prefetched or selected: ``assessments__evidence`` (else prefetched here:
    two queries), ``cycle`` (else one query) and ``rubric_version__ratings`` (else one
    query for the baseline). The terms cost one query unless given: a list of reviews
    should ``load_terms()`` once and pass them. (Lists and pages read the lint stored
    with the review instead: reviews.contents.)"""
    assessments, evidence = saved_content(review)
    cycle = review.cycle
    return lint_content(
        narrative={s: getattr(review, s) for s in NARRATIVE_SECTIONS},
        assessments=assessments,
        baseline_rating=baseline_rating(review),
        period=(cycle.starts_on, cycle.ends_on),
        evidence=evidence,
        terms=terms if terms is not None else load_terms(),
    )


def baseline_rating(review: Review) -> str | None:
    """The rubric's baseline rating key (prefetched ``rubric_version__ratings``, else
    one query)."""
    if Review.rubric_version.is_cached(review):
        version = review.rubric_version
        if "ratings" in getattr(version, "_prefetched_objects_cache", {}):
            return next((r.key for r in version.ratings.all() if r.is_baseline), None)
    return (
        Rating.objects.filter(version_id=review.rubric_version_id, is_baseline=True)
        .values_list("key", flat=True)
        .first()
    )
