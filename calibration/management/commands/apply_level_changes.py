from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from calibration.promotions import level_changes_take_effect


class Command(BaseCommand):
    help = (
        "Set the level of everyone whose recorded level change (an applied promotion) is "
        "due today or earlier. Safe to run at any time; run it daily."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        applied = level_changes_take_effect()
        self.stdout.write(f"{applied} level change(s) took effect.")
