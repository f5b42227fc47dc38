"""`make bench`, people import (SPEC §10.4): a 10,000-row HRIS export of new people,
dry-run and then imported through the API. Numbers, not assertions (the target is 20 s
for the import on SQLite)."""

from __future__ import annotations

import time
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from org.models import Team, User

URL = "/api/v1/people/import/"
HEADER = "email,full_name,employee_id,team,manager,ladder,level,function,start_date,location,active"
LEVELS = ["L3", "L4", "L5", "L6", "L7"]


def people_csv(team_slugs: list[str], rows: int = 10_000, leads: int = 1_000) -> bytes:
    """``rows`` new people: reports first, then their leads (a manager after their reports,
    as HR exports often are), on the bench org's teams and the IC ladder."""
    lines = [HEADER]
    for i in range(rows - leads):
        lead = i % leads
        lines.append(
            f"bench-import-{i}@example.org,Imported Engineer {i},BI{i},"
            f"{team_slugs[lead % len(team_slugs)]},bench-lead-{lead}@example.org,"
            f"engineering-ic,{LEVELS[i % 5]},Backend,20{10 + i % 15}-0{1 + i % 9}-1{i % 10},"
            f"Berlin,true"
        )
    for lead in range(leads):
        lines.append(
            f"bench-lead-{lead}@example.org,Imported Lead {lead},BL{lead},"
            f"{team_slugs[lead % len(team_slugs)]},,engineering-ic,L6,Backend,2015-04-01,"
            f"Remote (EU),true"
        )
    return ("\n".join(lines) + "\n").encode()


def _post(client: APIClient, data: bytes, dry_run: bool) -> tuple[float, int, dict[str, Any]]:
    upload = SimpleUploadedFile("people.csv", data, content_type="text/csv")
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            URL, {"file": upload, "dry_run": str(dry_run).lower()}, format="multipart"
        )
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"people import answered {response.status_code}: {response.content!r}")
    return elapsed, len(queries.captured_queries), response.json()


def run(stdout: Any, hr_user: User, rows: int = 10_000) -> None:
    slugs = list(Team.objects.filter(slug__startswith="team-").values_list("slug", flat=True))
    data = people_csv(slugs or ["engineering"], rows=rows)
    client = APIClient()
    client.force_authenticate(hr_user)
    stdout.write(f"\nPeople import ({rows:,} new people, {len(data) / 1e6:.1f} MB CSV)\n")
    for label, dry_run in (("dry run", True), ("import", False)):
        seconds, queries, body = _post(client, data, dry_run)
        stdout.write(
            f"  {label:<8} {seconds:6.2f}s  {queries:>6,} queries  "
            f"created {body['created']:,}, unchanged {body['unchanged']:,}\n"
        )
    seconds, queries, body = _post(client, data, False)
    stdout.write(
        f"  {'again':<8} {seconds:6.2f}s  {queries:>6,} queries  "
        f"unchanged {body['unchanged']:,} (the same file twice)\n"
    )
    # Updates go through person_update one person at a time (history, Activity, §10.3).
    moved = data.replace(b",Berlin,", b",Lisbon,")
    seconds, queries, body = _post(client, moved, False)
    stdout.write(
        f"  {'update':<8} {seconds:6.2f}s  {queries:>6,} queries  "
        f"updated {body['updated']:,} (a new location for most of them)\n"
    )
