"""Keeping each review's stored contents (reviews.contents) current: after a write of its
text, after a change of the word lists, and for anything found stale when read.

Stored contents are written with ``QuerySet.update``: they are derived data, so they
neither touch ``updated_at`` nor add a history row. A write that re-derives what a reader
found stale is guarded on the review's version, so it can never put back contents older
than a save that committed meanwhile.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar

from django.db import transaction
from django.db.models import QuerySet

from reviews.contents import contents_key, derive, encode_contents
from reviews.lint import rubric_competencies
from reviews.lint_terms import Terms, compile_terms, load_terms
from reviews.models import Assessment, Evidence, Review
from reviews.selectors import with_review_contents

NARRATIVE_SECTIONS = Review.NARRATIVE_SECTIONS
BATCH_SIZE = 200
T = TypeVar("T")


def _derive_and_store(
    pks: Sequence[int], *, terms: Terms, guard: dict[int, int] | None = None
) -> dict[int, Review]:
    """Derive the contents of these reviews from the database and store them; with
    ``guard`` (pk → version read), only where the version is still the one read."""
    key = contents_key(terms)
    fresh = list(with_review_contents(Review.objects.filter(pk__in=list(pks))))
    competencies = rubric_competencies({r.rubric_version_id for r in fresh})
    for review in fresh:
        columns = encode_contents(
            derive(review, terms=terms, competencies=competencies[review.rubric_version_id])
        )
        rows = Review.objects.filter(pk=review.pk)
        if guard is not None:
            rows = rows.filter(version=guard.get(review.pk, review.version))
        rows.update(contents_key=key, **columns)
        _set(review, columns, key)
    return {r.pk: r for r in fresh}


def _set(review: Review, columns: dict[str, str], key: str) -> None:
    _update(review.__dict__, columns, key)


def _update(record: dict[str, Any], columns: dict[str, str], key: str) -> None:
    # A model object keeps its field values in its __dict__, under the same names, with
    # its decoded contents (reviews.contents.stored_contents), which are now older.
    record.update(columns, contents_key=key)
    record.pop("_stored_contents", None)


def review_contents_store(review: Review, *, terms: Terms | None = None) -> None:
    """Derive and store ``review``'s contents after its text, ratings or evidence were
    written (call it inside the writing transaction, after the writes), and set them on
    ``review``."""
    stored = _derive_and_store([review.pk], terms=terms or load_terms())[review.pk]
    _set(review, _columns(stored), stored.contents_key)


def reviews_contents_refresh(
    reviews: Iterable[Review] | Iterable[dict[str, Any]], *, terms: Terms | None = None
) -> None:
    """Make the stored contents of ``reviews`` current before they are shown: those
    missing or derived with another key are derived again, stored and set on them.
    ``reviews`` are Review objects or ``values()`` rows (with ``id``, ``version`` and the
    contents columns). One query (the word lists) when all are current, which is the rule:
    only rows written around the services, or a change of code or settings, leave any
    stale."""
    records = [r if isinstance(r, dict) else r.__dict__ for r in reviews]
    terms = terms if terms is not None else load_terms()
    key = contents_key(terms)
    stale = [r for r in records if r["contents_key"] != key]
    for chunk in _chunks(stale, BATCH_SIZE):
        fresh = _derive_and_store(
            [r["id"] for r in chunk], terms=terms, guard={r["id"]: r["version"] for r in chunk}
        )
        for record in chunk:
            if record["id"] in fresh:
                _update(record, _columns(fresh[record["id"]]), key)


def reviews_contents_rebuild(*, everything: bool = False) -> int:
    """Derive again the stored contents of every review that is not current (``everything``:
    of every review); for ``migrate`` and ``manage.py refresh_review_contents``. Returns
    how many were derived."""
    terms = load_terms()
    key = contents_key(terms)
    rows = Review.objects.all()
    if not everything:
        rows = rows.exclude(contents_key=key)
    pks = list(rows.order_by("pk").values_list("pk", flat=True))
    for chunk in _chunks(pks, BATCH_SIZE):
        with transaction.atomic():
            _derive_and_store(chunk, terms=terms)
    return len(pks)


@transaction.atomic
def lint_terms_changed(*, before: Terms, after: Terms) -> int:
    """The word lists went from ``before`` to ``after`` (HR edited a LintTerm): relint the
    reviews whose text holds a phrase that was added, removed or edited, and re-key the
    others. A phrase that matches nowhere in a text changes none of its findings, so
    those reviews' stored lint is already what ``after`` gives. Reviews that were stale
    already stay stale (they are derived again when read). Returns how many were relinted.
    """
    old_key, new_key = contents_key(before), contents_key(after)
    if old_key == new_key:
        return 0
    changed = compile_terms(set(before.rows) ^ set(after.rows))
    # Locked while they are read and re-keyed: a draft saved meanwhile (review_update
    # locks its row first) is saved before the scan reads it, or after the new key is in.
    current = Review.objects.filter(contents_key=old_key).select_for_update()
    affected = sorted(_reviews_matching(changed, current))
    Review.objects.filter(contents_key=old_key).update(contents_key=new_key)
    for chunk in _chunks(affected, BATCH_SIZE):
        _derive_and_store(chunk, terms=after)
    return len(affected)


def evidence_changed(*, evidence: Evidence) -> int:
    """An evidence item was edited (no service edits evidence; an edit in the shell or a
    migration still saves it): derive again the contents of the reviews citing it, whose
    checks read its title and date. Returns how many."""
    pks = sorted(
        set(Assessment.objects.filter(evidence=evidence).values_list("review_id", flat=True))
    )
    for chunk in _chunks(pks, BATCH_SIZE):
        _derive_and_store(chunk, terms=load_terms())
    return len(pks)


def _columns(review: Review) -> dict[str, str]:
    return {
        "contents_shown": review.contents_shown,
        "contents_lint": review.contents_lint,
        "contents_blockers": review.contents_blockers,
    }


def _reviews_matching(terms: Terms, reviews: QuerySet[Review]) -> set[int]:
    """Ids of the ``reviews`` with a phrase of ``terms`` in any of their texts."""
    pattern = terms.anywhere
    if pattern is None:
        return set()
    found: set[int] = set()
    for pk, *texts in reviews.values_list("pk", *NARRATIVE_SECTIONS).iterator():
        if any(text and pattern.search(" " + text) for text in texts):
            found.add(pk)
    narratives = Assessment.objects.filter(review__in=reviews).exclude(narrative="")
    for review_id, text in narratives.values_list("review_id", "narrative").iterator():
        if review_id not in found and pattern.search(" " + text):
            found.add(review_id)
    return found


def _chunks(items: Sequence[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])
