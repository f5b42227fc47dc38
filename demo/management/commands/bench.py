"""`make bench`: build a large organisation and print timings and query counts for the
key pages and API endpoints. Numbers, not assertions: tests guard query counts."""

from __future__ import annotations

import functools
import statistics
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from demo import rubrics as rubrics_demo
from demo.bench import audit as audit_bench
from demo.bench import outcomes as outcomes_bench
from demo.bench import people_import as people_import_bench
from demo.org import seed_actor
from org import services
from org.models import Person, Team, User
from org.selectors import person_list, team_list

TEAM_SIZE = 9


class Command(BaseCommand):
    help = "Build a large org in the current database and print timings for key pages/APIs."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--people", type=int, default=10_000)
        parser.add_argument("--repeat", type=int, default=5)

    def handle(self, *args: Any, **options: Any) -> None:
        actor = seed_actor()
        if person_list(user=actor).exists():
            raise CommandError("bench needs an empty database (make bench uses its own).")
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        started = time.perf_counter()
        people = self.build_org(actor, options["people"])
        self.stdout.write(
            f"Built {person_list(user=actor).count():,} people in "
            f"{team_list(user=actor).count():,} teams "
            f"({connection.vendor}) in {time.perf_counter() - started:.1f}s\n"
        )
        self.run_measurements(people, options["repeat"])
        from demo.bench import calibration as calibration_bench

        calibration_bench.run(self.stdout, people)
        audit_bench.run(self.stdout, people)
        outcomes_bench.run(stdout=self.stdout, hr_user=people["hr"].user)
        people_import_bench.run(self.stdout, people["hr"].user)

    @transaction.atomic
    def build_org(self, actor: User, n: int) -> dict[str, Person]:
        """Bulk inserts for speed: this is a fixture for measuring reads, not a write path."""
        ladders = rubrics_demo.seed_rubrics(actor=actor)
        ic, em = ladders["engineering-ic"], ladders["engineering-manager"]
        password = make_password("bench")
        root_team = services.team_create(actor=actor, name="Engineering", slug="engineering")
        n_teams = max(1, n // (TEAM_SIZE + 1))
        groups = [
            services.team_create(
                actor=actor, name=f"Group {g}", slug=f"group-{g}", parent=root_team
            )
            for g in range(max(1, n_teams // 12))
        ]
        teams = services.teams_bulk_create(
            actor=actor,
            teams=[
                Team(name=f"Team {i}", slug=f"team-{i}", parent=groups[i % len(groups)])
                for i in range(n_teams)
            ],
        )
        vp = services.person_create(
            actor=actor,
            username="bench-vp",
            full_name="Bench VP",
            team=root_team,
            ladder=em,
            level="M4",
        )
        hr = services.person_create(
            actor=actor, username="bench-hr", full_name="Bench HR", team=root_team, is_hr=True
        )

        def person(username: str, **kw: Any) -> Person:
            return Person(user=User(username=username, password=password), **kw)

        managers = services.people_bulk_create(
            actor=actor,
            people=[
                person(
                    f"bench-m{i}",
                    full_name=f"Manager {i}",
                    team=teams[i],
                    parent=vp,
                    ladder=em,
                    level="M1",
                    function="Engineering management",
                )
                for i in range(n_teams)
            ],
        )
        ic_count = max(0, n - n_teams - 2)
        levels = ["L3", "L4", "L5", "L6", "L7"]
        engineers = services.people_bulk_create(
            actor=actor,
            people=[
                person(
                    f"bench-e{i}",
                    full_name=f"Engineer {i}",
                    team=teams[i % n_teams],
                    parent=managers[i % n_teams],
                    ladder=ic,
                    level=levels[i % 5],
                    function="Backend",
                )
                for i in range(1, ic_count + 1)
            ],
        )
        return {"hr": hr, "vp": vp, "manager": managers[0], "engineer": engineers[0]}

    def run_measurements(self, people: dict[str, Person], repeat: int) -> None:
        engineer = people["engineer"]
        cases: list[tuple[str, str, str]] = [
            ("hr", "API people list (page of 50)", "/api/v1/people/"),
            ("hr", "API people list (page of 200)", "/api/v1/people/?page_size=200"),
            ("vp", "API people list as VP (whole chain)", "/api/v1/people/"),
            ("manager", "API people list as a manager", "/api/v1/people/"),
            ("engineer", "API person detail", f"/api/v1/people/{engineer.pk}/"),
            ("hr", "API ladders", "/api/v1/ladders/"),
            ("hr", "API rubric versions", "/api/v1/rubric-versions/"),
            ("engineer", "Home page", "/"),
            ("engineer", "Rubric matrix page", "/rubrics/engineering-ic/"),
            ("engineer", "Level page (L5)", "/rubrics/engineering-ic/levels/L5/"),
            ("hr", "Version history + diff", "/rubrics/engineering-ic/history/?from=1&to=2"),
            ("hr", "Admin people changelist", "/admin/org/person/"),
            ("engineer", "Rubric PDF (first render)", "/rubrics/engineering-ic/v1/rubric.pdf"),
        ]
        self.stdout.write(f"{'what':<40} {'median ms':>10} {'max ms':>8} {'queries':>8}")
        for role, label, url in cases:
            person = people[role]
            client = Client()
            client.force_login(person.user)
            times, queries = self.measure(
                functools.partial(client.get, url), 1 if "PDF" in label else repeat
            )
            self.stdout.write(
                f"{label:<40} {statistics.median(times):>10.1f} {max(times):>8.1f} {queries:>8}"
            )

    def measure(self, call: Callable[[], Any], repeat: int) -> tuple[list[float], int]:
        times = []
        queries = 0
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as ctx:
                t0 = time.perf_counter()
                response = call()
                times.append((time.perf_counter() - t0) * 1000)
            if response.status_code != 200:
                raise CommandError(f"{response.status_code} from {response.request['PATH_INFO']}")
            queries = len(ctx)
        return times, queries
