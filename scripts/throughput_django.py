"""The parts of scripts/throughput.py that run inside Django (its `--django` subprocess):
sign-in tokens and ids, queries per request, and the 10,000-person org."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def django_setup(logins: list[str], with_ids: bool) -> dict[str, Any]:
    """An API token per login (as `manage.py drf_create_token` makes it) and the ids of the
    demo data the routes need."""
    from rest_framework.authtoken.models import Token

    from org.models import User

    tokens = {
        u: Token.objects.get_or_create(user=User.objects.get(username=u))[0].key for u in logins
    }
    return {"tokens": tokens, "ids": django_ids() if with_ids else {}}


def django_ids() -> dict[str, Any]:
    from calibration.models import CalibrationCase, CalibrationSession
    from org.models import Team, User
    from reviews.models import Review, ReviewCycle

    priya = User.objects.get(username="priya")
    draft = Review.objects.filter(author__user=priya, status=Review.Status.DRAFT).first()
    session = CalibrationSession.objects.order_by("-pk").first()
    case = CalibrationCase.objects.filter(session=session).order_by("pk").first()
    cycle = ReviewCycle.objects.order_by("-pk").first()
    team = Team.objects.filter(slug="checkout").first()
    found = {"draft": draft, "session": session, "case": case, "cycle": cycle}
    return {k: v.pk if v else None for k, v in found.items()} | {"team": team and team.slug}


def django_queries(routes: list[dict[str, Any]]) -> dict[str, int]:
    """Queries per request of each route, after one warm-up request, as wrk sends it."""
    from django.db import connection
    from django.test import Client

    counts = {}
    for route in routes:
        extra = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in route["headers"].items()}
        client = Client(SERVER_NAME="127.0.0.1", **extra)
        client.get(route["path"])
        seen: list[str] = []

        def count(execute: Any, sql: str, *args: Any, seen: list[str] = seen) -> Any:
            seen.append(sql)
            return execute(sql, *args)

        with connection.execute_wrapper(count):
            response = client.get(route["path"])
        counts[route["key"]] = len(seen) if response.status_code == 200 else -1
    return counts


def django_large(people: int, password: str) -> dict[str, int]:
    import datetime

    from demo.bench import audit as audit_bench
    from demo.management.commands.bench import Command
    from demo.org import seed_actor
    from org.models import User
    from org.selectors import person_list

    built = Command().build_org(seed_actor(), people)
    hr = built["hr"].user
    hr.set_password(password)
    hr.save(update_fields=["password"])
    m0 = User.objects.get(username="bench-m0")
    m0.set_password(password)
    m0.save(update_fields=["password"])
    rows = list(
        person_list(user=hr)
        .exclude(level="")
        .exclude(ladder=None)
        .order_by("pk")
        .values_list("pk", "team_id", "parent_id", "ladder_id", "level", "function")
    )
    cycle = audit_bench._build(
        built,
        rows,
        name="Bench 2025 H1",
        starts_on=datetime.date(2025, 1, 1),
        ends_on=datetime.date(2025, 6, 30),
    )
    return {"people": person_list(user=hr).count(), "reviews": cycle.reviews}


def django_main(mode: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    payload = json.loads(sys.stdin.read() or "null")
    if mode == "setup":
        result: Any = django_setup(payload["logins"], payload["ids"])
    elif mode == "queries":
        result = django_queries(payload)
    else:
        result = django_large(payload["people"], payload["password"])
    print(json.dumps(result))
