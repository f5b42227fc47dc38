"""Writes for team outcomes: idempotent ingestion of events, CSV imports and ingestion tokens.

Idempotency (SPEC §7): an item whose identity already exists changes nothing and creates
nothing, even when its other fields differ; within one batch the first item with an
identity wins. The identities are unique constraints, so two requests that race still
leave exactly one row per identity.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections, models, router, transaction
from django.utils import timezone

from org.models import Activity, Team, User
from org.selectors import is_hr
from org.services import activity_record
from outcomes.models import Deployment, HealthSurvey, Incident, IngestionToken, SLOReport
from outcomes.selectors.tokens import active_ingestion_token, hash_secret

# What identifies an item (SPEC §7); "team" is the team id.
IDENTITIES: dict[type[models.Model], tuple[str, ...]] = {
    Deployment: ("team", "external_id"),
    Incident: ("team", "external_id"),
    SLOReport: ("team", "service", "period_start", "period_end"),
    HealthSurvey: ("team", "period_start"),
}
# Secrets start with a fixed marker so that secret scanners (and people) recognise them.
TOKEN_MARKER = "lhi_"
TOKEN_PREFIX_LENGTH = 12
BULK_BATCH_SIZE = 500


@dataclass(frozen=True)
class IngestResult:
    created: int
    unchanged: int


def _require_hr(actor: User) -> None:
    if not is_hr(actor):
        raise PermissionDenied("Only HR can manage ingestion tokens.")


def _require_writer(actor: User) -> None:
    if is_hr(actor) or active_ingestion_token(actor) is not None:
        return
    raise PermissionDenied("Only HR and ingestion tokens can write outcome data.")


def _check_teams(items: Sequence[dict[str, Any]]) -> None:
    """Unknown team ids are refused here too (the API reports them per item first)."""
    wanted = {item["team"] for item in items}
    known = set(Team.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    missing = sorted(wanted - known)
    if missing:
        raise ValidationError({"team": [f"No team with id {missing[0]}."]})


def _existing_identities(
    model: type[models.Model], identity: tuple[str, ...], keys: Iterable[tuple[Any, ...]]
) -> set[tuple[Any, ...]]:
    """The given identities that are already stored, in one query (a superset is fetched
    by filtering each identity field with IN, then narrowed in Python)."""
    keys = list(keys)
    if not keys:
        return set()
    columns = [f"{f}_id" if f == "team" else f for f in identity]
    lookups = {f"{c}__in": {k[i] for k in keys} for i, c in enumerate(columns[:2])}
    stored = set(model._default_manager.filter(**lookups).values_list(*columns))
    return stored & set(keys)


def _insert_new(model: type[models.Model], objects: Sequence[models.Model]) -> int:
    """Insert the objects whose identity is not stored yet and return how many this call
    inserted.

    ``bulk_create(ignore_conflicts=True)`` skips the rows a concurrent transaction stored
    but cannot say which, so two racing batches would both count every item. Instead each
    batch is one ``INSERT … ON CONFLICT DO NOTHING RETURNING id`` (PostgreSQL, SQLite >=
    3.35): RETURNING lists only the rows inserted, and on PostgreSQL an identity that
    another transaction has inserted but not committed makes this insert wait for that
    commit (skipped) or rollback (inserted). Unlike SQLite's ``INSERT OR IGNORE``, the
    upsert clause only skips uniqueness conflicts: a CHECK constraint still refuses.
    """
    if not objects:
        return 0
    meta = model._meta
    db = router.db_for_write(model)
    conn = connections[db]
    quote = conn.ops.quote_name
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    columns = ", ".join(quote(f.column) for f in fields)
    placeholders = "(" + ", ".join(["%s"] * len(fields)) + ")"
    created = 0
    with conn.cursor() as cursor:
        for start in range(0, len(objects), BULK_BATCH_SIZE):
            batch = objects[start : start + BULK_BATCH_SIZE]
            # pre_save fills auto_now_add; get_db_prep_save adapts values for this database.
            params = [
                f.get_db_prep_save(f.pre_save(obj, True), conn) for obj in batch for f in fields
            ]
            cursor.execute(
                f"INSERT INTO {quote(meta.db_table)} ({columns}) "
                f"VALUES {', '.join([placeholders] * len(batch))} "
                f"ON CONFLICT DO NOTHING RETURNING {quote(meta.pk.column)}",
                params,
            )
            created += len(cursor.fetchall())
    return created


def _ingest(
    model: type[models.Model], *, actor: User, items: Sequence[dict[str, Any]], dry_run: bool
) -> IngestResult:
    _require_writer(actor)
    if not items:
        return IngestResult(created=0, unchanged=0)
    _check_teams(items)
    identity = IDENTITIES[model]
    first_by_identity: dict[tuple[Any, ...], dict[str, Any]] = {}
    for item in items:
        first_by_identity.setdefault(tuple(item[f] for f in identity), item)
    existing = _existing_identities(model, identity, first_by_identity)
    new = [
        model(**{("team_id" if k == "team" else k): v for k, v in item.items()})
        for key, item in first_by_identity.items()
        if key not in existing
    ]
    if dry_run:
        return IngestResult(created=len(new), unchanged=len(items) - len(new))
    # A concurrent request may store the same identities after the read above (or before
    # it, uncommitted): only the insert itself knows which rows this request stored.
    created = _insert_new(model, new)
    return IngestResult(created=created, unchanged=len(items) - created)


@transaction.atomic
def deployments_ingest(
    *, actor: User, items: Sequence[dict[str, Any]], dry_run: bool = False
) -> IngestResult:
    """Store new deployments: ``{team, external_id, deployed_at, committed_at, failed}``."""
    return _ingest(Deployment, actor=actor, items=items, dry_run=dry_run)


@transaction.atomic
def incidents_ingest(
    *, actor: User, items: Sequence[dict[str, Any]], dry_run: bool = False
) -> IngestResult:
    """Store new incidents: ``{team, external_id, started_at, resolved_at,
    caused_by_deployment, severity}``."""
    return _ingest(Incident, actor=actor, items=items, dry_run=dry_run)


@transaction.atomic
def slo_reports_ingest(
    *, actor: User, items: Sequence[dict[str, Any]], dry_run: bool = False
) -> IngestResult:
    return _ingest(SLOReport, actor=actor, items=items, dry_run=dry_run)


@transaction.atomic
def health_surveys_ingest(
    *, actor: User, items: Sequence[dict[str, Any]], dry_run: bool = False
) -> IngestResult:
    """Store new survey aggregates. Fewer than 5 respondents never reaches this point: the
    input serializers refuse it, and a database constraint backs them up."""
    return _ingest(HealthSurvey, actor=actor, items=items, dry_run=dry_run)


INGESTERS = {
    "deployments": (Deployment, deployments_ingest),
    "incidents": (Incident, incidents_ingest),
    "slo-reports": (SLOReport, slo_reports_ingest),
    "health-surveys": (HealthSurvey, health_surveys_ingest),
}


@transaction.atomic
def outcomes_csv_import(
    *, actor: User, kind: str, items: Sequence[dict[str, Any]], filename: str, dry_run: bool
) -> IngestResult:
    """The admin's CSV upload: the same ingestion, HR only, logged unless it is a dry run."""
    _require_hr(actor)
    model, ingest = INGESTERS[kind]
    result = ingest(actor=actor, items=items, dry_run=dry_run)
    if not dry_run:
        activity_record(
            actor=actor,
            action=Activity.Action.OUTCOMES_CSV_IMPORTED,
            target=ContentType.objects.get_for_model(model),
            new={
                "kind": kind,
                "file": filename[:200],
                "rows": len(items),
                "created": result.created,
                "unchanged": result.unchanged,
            },
        )
    return result


@transaction.atomic
def ingestion_token_create(*, actor: User, name: str) -> tuple[IngestionToken, str]:
    """A new token and its secret. The secret is returned once and stored only as a hash.

    The token's requests run as a service account of their own: no Person, an unusable
    password, not staff, so it can never sign in to a page or the admin."""
    _require_hr(actor)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": ["Name the system that will use this token."]})
    if len(name) > 120:
        raise ValidationError({"name": ["Use at most 120 characters."]})
    secret = TOKEN_MARKER + secrets.token_urlsafe(32)
    username = f"ingest-{secrets.token_hex(6)}"
    while User.objects.filter(username=username).exists():  # 48 random bits: practically never
        username = f"ingest-{secrets.token_hex(6)}"
    user = User(username=username, is_staff=False, is_superuser=False, is_active=True)
    user.set_unusable_password()
    user.save()
    token = IngestionToken.objects.create(
        name=name,
        key_prefix=secret[:TOKEN_PREFIX_LENGTH],
        key_hash=hash_secret(secret),
        user=user,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    activity_record(
        actor=actor,
        action=Activity.Action.INGESTION_TOKEN_CREATED,
        target=token,
        new={"name": name, "key_prefix": token.key_prefix},
    )
    return token, secret


@transaction.atomic
def ingestion_token_revoke(*, actor: User, token: IngestionToken) -> IngestionToken:
    """Revoke a token for good (revoking a revoked token changes nothing)."""
    _require_hr(actor)
    # Lock the row: two HR people revoking at once must log one revocation.
    token = IngestionToken.objects.select_for_update().select_related("user").get(pk=token.pk)
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    token.user.is_active = False
    token.user.save(update_fields=["is_active"])
    activity_record(
        actor=actor,
        action=Activity.Action.INGESTION_TOKEN_REVOKED,
        target=token,
        old={"revoked_at": None},
        new={"revoked_at": token.revoked_at.isoformat()},
    )
    return token
