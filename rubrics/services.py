"""Writes for rubrics: drafts, cloning, publishing, retiring and the version diff."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from core.errors import ImmutableError
from org.models import Activity
from org.selectors import is_hr
from org.services import activity_record
from org.types import User
from rubrics.models import (
    Competency,
    Expectation,
    Ladder,
    Level,
    Rating,
    RatingDefinition,
    RubricVersion,
)
from rubrics.selectors import ladder_current_version, version_as_data, with_contents

CONTENT_LISTS = ("levels", "competencies", "expectations", "ratings")


def _require_hr(actor: User) -> None:
    if not is_hr(actor):
        raise PermissionDenied("Only HR can write rubrics.")


def check_writable(version: RubricVersion) -> None:
    """Raise ``ImmutableError`` if the version is published or retired."""
    _refuse_if_frozen(version)


def _refuse_if_frozen(version: RubricVersion) -> None:
    if version.is_frozen:
        raise ImmutableError(
            f"Version {version.number} of {version.ladder} is {version.status} and cannot "
            "change. Create a new draft instead."
        )


def ladder_validate(ladder: Ladder) -> None:
    """Rules every ladder keeps, whoever writes it (API, admin): its own name and slug."""
    errors = {}
    if Ladder.objects.filter(slug=ladder.slug).exclude(pk=ladder.pk).exists():
        errors["slug"] = ["A ladder with this slug already exists."]
    if Ladder.objects.filter(name=ladder.name).exclude(pk=ladder.pk).exists():
        errors["name"] = ["A ladder with this name already exists."]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def ladder_create(*, actor: User, name: str, slug: str, description: str = "") -> Ladder:
    _require_hr(actor)
    ladder = Ladder(name=name, slug=slug, description=description)
    ladder_validate(ladder)
    ladder.save()
    activity_record(
        actor=actor, action=Activity.Action.LADDER_SAVED, target=ladder, new={"name": name}
    )
    return ladder


@transaction.atomic
def ladder_update(*, actor: User, ladder: Ladder, **changes: Any) -> Ladder:
    _require_hr(actor)
    for f in ("name", "slug", "description"):
        if f in changes:
            setattr(ladder, f, changes[f])
    ladder_validate(ladder)
    ladder.save()
    activity_record(
        actor=actor, action=Activity.Action.LADDER_SAVED, target=ladder, new={"name": ladder.name}
    )
    return ladder


# --- Validation of nested contents ---------------------------------------------------


def _dupes(values: list[str]) -> list[str]:
    seen: set[str] = set()
    return sorted({v for v in values if v in seen or seen.add(v)})  # type: ignore[func-returns-value]


def validate_contents(data: dict[str, list[dict[str, Any]]]) -> None:
    """Cross-reference checks on a full set of contents; raises ValidationError naming
    each problem. Field types and lengths are checked earlier by the serializer."""
    errors: dict[str, list[str]] = {}
    levels = data.get("levels", [])
    comps = data.get("competencies", [])
    codes = [lv["code"] for lv in levels]
    keys = [c["key"] for c in comps]
    if d := _dupes(codes):
        errors.setdefault("levels", []).append(f"Level codes must be unique: {', '.join(d)}.")
    if d := _dupes([str(lv["order"]) for lv in levels]):
        errors.setdefault("levels", []).append(f"Level orders must be unique: {', '.join(d)}.")
    if d := _dupes(keys):
        errors.setdefault("competencies", []).append(
            f"Competency keys must be unique: {', '.join(d)}."
        )
    cells = []
    for i, e in enumerate(data.get("expectations", [])):
        if e["level"] not in codes:
            errors.setdefault("expectations", []).append(f"Item {i}: unknown level '{e['level']}'.")
        if e["competency"] not in keys:
            errors.setdefault("expectations", []).append(
                f"Item {i}: unknown competency '{e['competency']}'."
            )
        cells.append(f"{e['level']}×{e['competency']}")
    if d := _dupes(cells):
        errors.setdefault("expectations", []).append(
            f"One expectation per level and competency; repeated: {', '.join(d)}."
        )
    ratings = data.get("ratings", [])
    if d := _dupes([r["key"] for r in ratings]):
        errors.setdefault("ratings", []).append(f"Rating keys must be unique: {', '.join(d)}.")
    if d := _dupes([str(r["order"]) for r in ratings]):
        errors.setdefault("ratings", []).append(f"Rating orders must be unique: {', '.join(d)}.")
    baselines = [r["key"] for r in ratings if r.get("is_baseline")]
    if ratings and len(baselines) != 1:
        errors.setdefault("ratings", []).append(
            "Exactly one rating must be the baseline"
            + (
                f" (found {len(baselines)}: {', '.join(baselines)})."
                if baselines
                else " (found none)."
            )
        )
    for r in ratings:
        unknown = sorted(set(r.get("level_definitions") or {}) - set(codes))
        if unknown:
            errors.setdefault("ratings", []).append(
                f"Rating '{r['key']}' defines unknown levels: {', '.join(unknown)}."
            )
    if errors:
        raise ValidationError(errors)


def _write_contents(version: RubricVersion, data: dict[str, list[dict[str, Any]]]) -> None:
    """Replace the version's contents with ``data`` (a full set, already validated)."""
    version.rating_definitions.all().delete()
    version.expectations.all().delete()
    version.ratings.all().delete()
    version.levels.all().delete()
    version.competencies.all().delete()
    levels = Level.objects.bulk_create(
        [
            Level(
                version=version,
                code=lv["code"],
                title=lv["title"],
                order=lv["order"],
                summary=lv.get("summary", ""),
            )
            for lv in data["levels"]
        ]
    )
    comps = Competency.objects.bulk_create(
        [
            Competency(
                version=version,
                key=c["key"],
                name=c["name"],
                description=c.get("description", ""),
                order=c.get("order", i),
            )
            for i, c in enumerate(data["competencies"])
        ]
    )
    level_by_code = {lv.code: lv for lv in levels}
    comp_by_key = {c.key: c for c in comps}
    Expectation.objects.bulk_create(
        [
            Expectation(
                version=version,
                level=level_by_code[e["level"]],
                competency=comp_by_key[e["competency"]],
                text=e["text"],
                examples=e.get("examples", ""),
            )
            for e in data["expectations"]
        ]
    )
    ratings = Rating.objects.bulk_create(
        [
            Rating(
                version=version,
                key=r["key"],
                label=r["label"],
                order=r["order"],
                is_baseline=bool(r.get("is_baseline")),
                definition=r.get("definition", ""),
            )
            for r in data["ratings"]
        ]
    )
    RatingDefinition.objects.bulk_create(
        [
            RatingDefinition(version=version, rating=rating, level=level_by_code[code], text=text)
            for rating, r in zip(ratings, data["ratings"], strict=True)
            for code, text in (r.get("level_definitions") or {}).items()
            if text
        ]
    )


def _next_number(ladder: Ladder) -> int:
    current = RubricVersion.objects.filter(ladder=ladder).aggregate(m=Max("number"))["m"]
    return (current or 0) + 1


@transaction.atomic
def rubric_version_create(
    *,
    actor: User,
    ladder: Ladder,
    levels: list[dict[str, Any]] | None = None,
    competencies: list[dict[str, Any]] | None = None,
    expectations: list[dict[str, Any]] | None = None,
    ratings: list[dict[str, Any]] | None = None,
    change_summary: str = "",
) -> RubricVersion:
    """A new draft from the given contents."""
    _require_hr(actor)
    data = {
        "levels": levels or [],
        "competencies": competencies or [],
        "expectations": expectations or [],
        "ratings": ratings or [],
    }
    validate_contents(data)
    # Lock the ladder row so two drafts created at once do not take the same number.
    Ladder.objects.select_for_update().filter(pk=ladder.pk).first()
    version = RubricVersion.objects.create(
        ladder=ladder,
        number=_next_number(ladder),
        change_summary=change_summary,
        created_by=actor,
    )
    _write_contents(version, data)
    activity_record(
        actor=actor,
        action=Activity.Action.RUBRIC_DRAFT_CREATED,
        target=version,
        new={"ladder": ladder.pk, "number": version.number},
    )
    return version


@transaction.atomic
def rubric_version_clone(
    *,
    actor: User,
    ladder: Ladder,
    from_version: RubricVersion | None = None,
    change_summary: str = "",
) -> RubricVersion:
    """A new draft copying ``from_version`` (default: the ladder's latest published)."""
    _require_hr(actor)
    source = from_version or ladder_current_version(ladder)
    if source is None:
        raise ValidationError({"from_version": ["This ladder has no published version to copy."]})
    if source.ladder_id != ladder.pk:
        raise ValidationError({"from_version": ["That version belongs to another ladder."]})
    source = with_contents(RubricVersion.objects.filter(pk=source.pk)).get()
    data = version_as_data(source)
    return rubric_version_create(
        actor=actor,
        ladder=ladder,
        change_summary=change_summary,
        **data,
    )


@transaction.atomic
def rubric_version_update(
    *,
    actor: User,
    version: RubricVersion,
    change_summary: str | None = None,
    **lists: list[dict[str, Any]],
) -> RubricVersion:
    """Replace the lists named in ``lists`` on a draft; the others stay as they are."""
    _require_hr(actor)
    # Lock the row: a publish racing with this edit must see one or the other, not a mix.
    version = RubricVersion.objects.select_for_update().get(pk=version.pk)
    _refuse_if_frozen(version)
    unknown = set(lists) - set(CONTENT_LISTS)
    if unknown:
        raise ValidationError({k: ["Unknown list."] for k in unknown})
    current = version_as_data(with_contents(RubricVersion.objects.filter(pk=version.pk)).get())
    data = {
        k: (lists[k] if k in lists and lists[k] is not None else current[k]) for k in CONTENT_LISTS
    }
    validate_contents(data)
    _write_contents(version, data)
    if change_summary is not None:
        version.change_summary = change_summary
        version.save(update_fields=["change_summary"])
    activity_record(
        actor=actor,
        action=Activity.Action.RUBRIC_DRAFT_UPDATED,
        target=version,
        new={"replaced": sorted(k for k in lists if lists[k] is not None)},
    )
    return version


@transaction.atomic
def rubric_version_delete(*, actor: User, version: RubricVersion) -> None:
    _require_hr(actor)
    version = RubricVersion.objects.select_for_update().get(pk=version.pk)
    _refuse_if_frozen(version)
    activity_record(
        actor=actor,
        action=Activity.Action.RUBRIC_DRAFT_DELETED,
        target=version,
        old={"ladder": version.ladder_id, "number": version.number},
    )
    version.rating_definitions.all().delete()
    version.expectations.all().delete()
    version.ratings.all().delete()
    version.levels.all().delete()
    version.competencies.all().delete()
    version.delete()


def publish_problems(version: RubricVersion) -> list[str]:
    """Why a draft cannot be published yet (empty list: it can)."""
    problems = []
    levels = list(version.levels.all())
    comps = list(version.competencies.all())
    if not levels:
        problems.append("The version has no levels.")
    if not comps:
        problems.append("The version has no competencies.")
    have = {(e.level_id, e.competency_id) for e in version.expectations.all() if e.text.strip()}
    missing = [f"{lv.code} × {c.name}" for lv in levels for c in comps if (lv.pk, c.pk) not in have]
    if missing:
        problems.append(
            f"{len(missing)} level × competency cell(s) have no expectation: "
            + ", ".join(missing[:10])
            + ("…" if len(missing) > 10 else "")
            + "."
        )
    ratings = list(version.ratings.all())
    if len(ratings) < 2:
        problems.append("The rating scale needs at least two ratings.")
    if sum(1 for r in ratings if r.is_baseline) != 1:
        problems.append("Exactly one rating must be the baseline.")
    return problems


@transaction.atomic
def rubric_version_publish(
    *, actor: User, version: RubricVersion, change_summary: str | None = None
) -> RubricVersion:
    """Check completeness, freeze the draft and retire the previously published version."""
    _require_hr(actor)
    # Lock the version so two publishes (or a publish and an edit) cannot interleave.
    locked = RubricVersion.objects.select_for_update().get(pk=version.pk)
    _refuse_if_frozen(locked)
    locked = (
        with_contents(RubricVersion.objects.filter(pk=locked.pk)).select_related("ladder").get()
    )
    problems = publish_problems(locked)
    if problems:
        raise ValidationError({"non_field_errors": problems})
    previous = ladder_current_version(locked.ladder)
    if previous is not None and previous.number > locked.number:
        raise ValidationError(
            {
                "non_field_errors": [
                    f"Version {previous.number} is already published and newer than this draft."
                ]
            }
        )
    if change_summary is not None:
        locked.change_summary = change_summary
    locked.status = RubricVersion.Status.PUBLISHED
    locked.published_by = actor
    locked.published_at = timezone.now()
    locked.save(update_fields=["status", "published_by", "published_at", "change_summary"])
    activity_record(
        actor=actor,
        action=Activity.Action.RUBRIC_PUBLISHED,
        target=locked,
        new={"ladder": locked.ladder_id, "number": locked.number},
    )
    if previous is not None:
        previous.status = RubricVersion.Status.RETIRED
        previous.save(update_fields=["status"])
        activity_record(
            actor=actor,
            action=Activity.Action.RUBRIC_RETIRED,
            target=previous,
            new={"superseded_by": locked.number},
        )
    return locked


# --- Diff ----------------------------------------------------------------------------


def _diff_list(
    old: list[dict[str, Any]], new: list[dict[str, Any]], key: Any
) -> dict[str, list[Any]]:
    o = {key(x): x for x in old}
    n = {key(x): x for x in new}
    changed = []
    for k in sorted(o.keys() & n.keys()):
        if o[k] != n[k]:
            fields = sorted(f for f in set(o[k]) | set(n[k]) if o[k].get(f) != n[k].get(f))
            changed.append({"key": k, "fields": fields, "old": o[k], "new": n[k]})
    return {
        "added": [n[k] for k in sorted(n.keys() - o.keys())],
        "removed": [o[k] for k in sorted(o.keys() - n.keys())],
        "changed": changed,
    }


def rubric_version_diff(*, old: RubricVersion, new: RubricVersion) -> dict[str, Any]:
    """What changed from ``old`` to ``new``: levels, competencies, expectations, ratings.

    Both versions must be prefetched with ``with_contents``.
    """
    a, b = version_as_data(old), version_as_data(new)
    out: dict[str, Any] = {
        "from": {"id": old.pk, "number": old.number, "status": old.status},
        "to": {"id": new.pk, "number": new.number, "status": new.status},
        "levels": _diff_list(a["levels"], b["levels"], lambda x: x["code"]),
        "competencies": _diff_list(a["competencies"], b["competencies"], lambda x: x["key"]),
        "expectations": _diff_list(
            a["expectations"], b["expectations"], lambda e: f"{e['level']} × {e['competency']}"
        ),
        "ratings": _diff_list(a["ratings"], b["ratings"], lambda x: x["key"]),
    }
    # People read "L5 × Security and privacy", not the competency key.
    names = {c["key"]: c["name"] for c in [*a["competencies"], *b["competencies"]]}
    section = out["expectations"]
    for item in [*section["added"], *section["removed"]]:
        item["label"] = f"{item['level']} × {names.get(item['competency'], item['competency'])}"
    for change in section["changed"]:
        after = change["new"]
        change["label"] = (
            f"{after['level']} × {names.get(after['competency'], after['competency'])}"
        )
    out["is_empty"] = not any(
        out[s][k]
        for s in ("levels", "competencies", "expectations", "ratings")
        for k in ("added", "removed", "changed")
    )
    return out
