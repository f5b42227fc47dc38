"""`make bench` for team outcomes runs end to end (small sizes here; numbers, no timings)."""

from __future__ import annotations

import io

import pytest

from demo.bench import outcomes as bench
from outcomes.models import Deployment

pytestmark = pytest.mark.django_db


def test_the_ingestion_bench_posts_through_the_api_with_a_token(world):
    out = io.StringIO()

    bench.measure_ingestion(stdout=out, hr_user=world.hr.user, batches=2, batch_size=50)

    assert "100 deployments in 2 batches of 50" in out.getvalue()
    assert "events/s" in out.getvalue()
    assert Deployment.objects.filter(team__slug="bench-ingestion").count() == 100


def test_the_scorecard_bench_reports_time_and_queries(world):
    out = io.StringIO()

    bench.measure_scorecard(stdout=out, hr_user=world.hr.user, deployments=500, repeat=1)

    lines = out.getvalue().splitlines()
    assert lines[0].startswith("Scorecard API, a year (500 deployments)")
    assert all("queries" in line for line in lines) and len(lines) == 4
