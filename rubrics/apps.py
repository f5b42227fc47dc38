from __future__ import annotations

from django.apps import AppConfig


class RubricsConfig(AppConfig):
    name = "rubrics"
    verbose_name = "Rubrics"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # A person's ladder and level are rubrics' to check; org asks (core.hooks).
        from org import selectors as org_selectors
        from rubrics import selectors

        org_selectors.ladder_choices.register(selectors.ladder_list)
        org_selectors.ladder_level_codes.register(selectors.ladder_level_codes)
