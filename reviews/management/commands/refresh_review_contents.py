"""``manage.py refresh_review_contents [--all]``: derive the stored contents of reviews
(reviews.contents) that are missing or stale, or of every review with ``--all``.

``migrate`` does the same after every run; this is for rows written around the services
(generated data) and for checking."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from reviews.services.contents import reviews_contents_rebuild


class Command(BaseCommand):
    help = "Derive the stored HTML, lint and blockers of reviews that are missing or stale."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--all", action="store_true", help="Derive every review's again.")

    def handle(self, *args: Any, **options: Any) -> None:
        n = reviews_contents_rebuild(everything=options["all"])
        self.stdout.write(f"Derived the stored contents of {n} review(s).")
