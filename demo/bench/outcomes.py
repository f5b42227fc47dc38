"""`make bench`, team outcomes: ingestion throughput through the API with an ingestion
token, and scorecard timings for a team with 50,000 deployments. Numbers, not assertions."""

from __future__ import annotations

import datetime as dt
import statistics
import time
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from org.models import Team
from org.types import User
from outcomes import services
from outcomes.models import Deployment, Incident

DEPLOYMENTS_URL = "/api/v1/outcomes/deployments/"


def _items(team: Team, batch: int, size: int, start: dt.datetime) -> list[dict[str, Any]]:
    out = []
    for i in range(size):
        n = batch * size + i
        deployed = start + dt.timedelta(minutes=n)
        out.append(
            {
                "team": team.pk,
                "external_id": f"bench-{n}",
                "deployed_at": deployed.isoformat(),
                "committed_at": (deployed - dt.timedelta(hours=1 + n % 40)).isoformat(),
                "failed": n % 17 == 0,
            }
        )
    return out


def measure_ingestion(
    *, stdout: Any, hr_user: User, batches: int = 10, batch_size: int = 1000
) -> None:
    team = Team.objects.create(name="Bench ingestion", slug="bench-ingestion")
    _, secret = services.ingestion_token_create(actor=hr_user, name="bench")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    start = timezone.now() - dt.timedelta(days=20)
    payloads = [_items(team, b, batch_size, start) for b in range(batches)]

    began = time.perf_counter()
    for payload in payloads:
        response = client.post(DEPLOYMENTS_URL, payload, format="json")
        if response.status_code != 201:
            raise RuntimeError(f"{response.status_code} from ingestion: {response.content[:300]!r}")
    elapsed = time.perf_counter() - began
    events = batches * batch_size

    began = time.perf_counter()
    client.post(DEPLOYMENTS_URL, payloads[0], format="json")
    resend_ms = (time.perf_counter() - began) * 1000

    stdout.write(
        f"Outcome ingestion: {events:,} deployments in {batches} batches of {batch_size:,} "
        f"(API + ingestion token): {elapsed:.2f}s, {events / elapsed:,.0f} events/s; "
        f"re-sending one batch (all unchanged): {resend_ms:.0f} ms\n"
    )


def measure_scorecard(
    *, stdout: Any, hr_user: User, deployments: int = 50_000, repeat: int = 5
) -> None:
    team = Team.objects.create(name="Bench busy team", slug="bench-busy-team")
    today = timezone.localdate()
    first = today - dt.timedelta(days=364)
    start = timezone.now() - dt.timedelta(days=364)
    minutes = 364 * 24 * 60
    Deployment.objects.bulk_create(
        (
            Deployment(
                team=team,
                external_id=f"busy-{i}",
                deployed_at=start + dt.timedelta(minutes=i * minutes // deployments),
                committed_at=None
                if i % 9 == 0
                else start + dt.timedelta(minutes=i * minutes // deployments - 60 - i % 900),
                failed=i % 23 == 0,
            )
            for i in range(deployments)
        ),
        batch_size=5000,
    )
    Incident.objects.bulk_create(
        Incident(
            team=team,
            external_id=f"busy-inc-{i}",
            started_at=start + dt.timedelta(hours=i * 4),
            resolved_at=start + dt.timedelta(hours=i * 4, minutes=20 + i % 200),
            caused_by_deployment=f"busy-{i * 23}" if i % 3 == 0 else "",
            severity="sev3",
        )
        for i in range(2000)
    )
    client = Client()
    client.force_login(hr_user)
    cases = [
        (
            f"Scorecard API, a year ({deployments:,} deployments)",
            f"/api/v1/teams/{team.pk}/scorecard/?start={first}&end={today}",
        ),
        (
            "Scorecard API, one month",
            f"/api/v1/teams/{team.pk}/scorecard/?start={today - dt.timedelta(days=30)}&end={today}",
        ),
        (
            "Team page, quarter + 12 quarters of history",
            f"/outcomes/teams/{team.slug}/?period=quarter",
        ),
        ("Organisation page (every team)", "/outcomes/"),
    ]
    for label, url in cases:
        times = []
        queries = 0
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as ctx:
                began = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - began) * 1000)
            if response.status_code != 200:
                raise RuntimeError(f"{response.status_code} from {url}")
            queries = len(ctx)
        stdout.write(
            f"{label:<48} {statistics.median(times):>8.1f} ms median "
            f"{max(times):>8.1f} ms max {queries:>4} queries\n"
        )


def run(*, stdout: Any, hr_user: User) -> None:
    stdout.write("\nTeam outcomes\n")
    measure_ingestion(stdout=stdout, hr_user=hr_user)
    measure_scorecard(stdout=stdout, hr_user=hr_user)
