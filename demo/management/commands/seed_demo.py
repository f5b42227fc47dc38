from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from demo import org as org_demo
from demo import outcomes as outcomes_demo
from demo import reviews as reviews_demo
from demo import rubrics as rubrics_demo
from demo import voice as voice_demo


class Command(BaseCommand):
    help = (
        "Load the demo organisation, rubrics, team outcomes and logins "
        "(does nothing if already loaded)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--i-know-this-is-production",
            action="store_true",
            dest="production_ok",
            help="Load the demo even though DEBUG is off (demo logins share one password).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["production_ok"]:
            raise CommandError(
                "DEBUG is off, so this looks like a production server: the demo's logins "
                "all share one published password. Pass --i-know-this-is-production to "
                "load it anyway."
            )
        if org_demo.demo_loaded():
            self.stdout.write("Demo data already loaded; nothing to do.")
        else:
            with transaction.atomic():
                org_demo.ensure_hr_group()
                actor = org_demo.seed_actor()
                ladders = rubrics_demo.seed_rubrics(actor=actor)
                org_demo.seed_org(actor=actor, ladders=ladders)
                org_demo.seed_demographics(actor=actor)
                cycles = reviews_demo.seed_reviews(actor=actor)
                voice_demo.seed_voice(actor=actor, cycles=cycles)
                outcomes_demo.seed_outcomes(actor=actor)
            self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {org_demo.DEMO_PASSWORD}):")
        for login in org_demo.DEMO_LOGINS:
            self.stdout.write(f"  {login.role:<9} {login.username:<8} {login.name}, {login.what}")
        self.stdout.write(f"  {'Admin':<9} {'admin':<8} superuser (Django admin at /admin/)")
