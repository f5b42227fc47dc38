"""Derive the stored contents (reviews.contents) of the reviews that exist: the narrative
and assessments as sanitised HTML, the quality-check findings and the submit blockers,
with the word lists as they are now.

Reads the rows through this migration's models and derives with the pure functions of
reviews.contents and reviews.lint (no query of their own), in batches. After this, the
services keep the contents current, and every later ``migrate`` derives again whatever a
change of code, settings or word lists left stale (reviews.apps). Reversing drops nothing
that matters: the columns go with the previous migration.
"""

from collections import defaultdict

from django.db import migrations

BATCH = 500
SECTIONS = ("ownership", "impact", "outcomes", "growth", "context")


def fill(apps, schema_editor):
    from reviews.contents import build_contents, contents_key, encode_contents
    from reviews.lint import AssessmentText, EvidenceInfo
    from reviews.lint_terms import compile_terms

    Review = apps.get_model("reviews", "Review")
    Assessment = apps.get_model("reviews", "Assessment")
    LintTerm = apps.get_model("reviews", "LintTerm")
    ReviewCycle = apps.get_model("reviews", "ReviewCycle")
    Competency = apps.get_model("rubrics", "Competency")
    Rating = apps.get_model("rubrics", "Rating")

    terms = compile_terms(
        LintTerm.objects.filter(is_active=True).values_list("code", "phrase", "suggestion")
    )
    key = contents_key(terms)
    competencies = defaultdict(list)
    for version_id, comp_key, name in Competency.objects.order_by(
        "version_id", "order", "key"
    ).values_list("version_id", "key", "name"):
        competencies[version_id].append((comp_key, name))
    baselines = dict(Rating.objects.filter(is_baseline=True).values_list("version_id", "key"))
    periods = {
        pk: (starts, ends)
        for pk, starts, ends in ReviewCycle.objects.values_list("pk", "starts_on", "ends_on")
    }

    pks = list(Review.objects.order_by("pk").values_list("pk", flat=True))
    Through = Assessment.evidence.through
    for start in range(0, len(pks), BATCH):
        batch = pks[start : start + BATCH]
        cited = defaultdict(list)
        evidence = {}
        rows = (
            Through.objects.filter(assessment__review_id__in=batch)
            .order_by("evidence__occurred_on", "evidence_id")
            .values_list("assessment_id", "evidence_id", "evidence__title", "evidence__occurred_on")
        )
        for assessment_id, evidence_id, title, occurred_on in rows:
            cited[assessment_id].append(evidence_id)
            evidence[evidence_id] = EvidenceInfo(id=evidence_id, title=title, occurred_on=occurred_on)
        assessments = defaultdict(list)
        for a in Assessment.objects.filter(review_id__in=batch).order_by("review_id", "order", "id"):
            assessments[a.review_id].append(
                AssessmentText(
                    competency=a.competency,
                    rating=a.rating,
                    narrative=a.narrative,
                    evidence_ids=tuple(cited[a.pk]),
                )
            )
        for review in Review.objects.filter(pk__in=batch):
            mine = assessments[review.pk]
            ids = {i for a in mine for i in a.evidence_ids}
            contents = build_contents(
                narrative={s: getattr(review, s) for s in SECTIONS},
                assessments=mine,
                evidence={i: evidence[i] for i in ids},
                overall_rating=review.overall_rating,
                baseline=baselines.get(review.rubric_version_id),
                period=periods[review.cycle_id],
                competencies=competencies[review.rubric_version_id],
                terms=terms,
            )
            Review.objects.filter(pk=review.pk).update(contents_key=key, **encode_contents(contents))


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0006_review_stored_contents"),
        ("rubrics", "0002_immutability_triggers"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
