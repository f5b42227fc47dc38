from typing import Any

from django.apps import AppConfig
from django.core.exceptions import FieldDoesNotExist
from django.db import DEFAULT_DB_ALIAS
from django.db.models.signals import post_migrate, post_save


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "Reviews"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Who was asked for feedback on whom is reviews' to say; org asks (core.hooks).
        from org import selectors as org_selectors
        from reviews import selectors

        org_selectors.feedback_subject_ids.register(selectors.feedback_subject_ids)
        post_migrate.connect(
            refresh_contents_after_migrate, sender=self, dispatch_uid="reviews-contents"
        )
        post_save.connect(
            evidence_saved, sender=self.get_model("Evidence"), dispatch_uid="reviews-evidence"
        )


def evidence_saved(sender: Any, *, instance: Any, created: bool, raw: bool, **kwargs: Any) -> None:
    """An edited evidence item re-derives the stored checks of the reviews citing it."""
    if created or raw:
        return
    from reviews.services.contents import evidence_changed

    evidence_changed(evidence=instance)


def refresh_contents_after_migrate(
    sender: Any, *, using: str, apps: Any = None, **kwargs: Any
) -> None:
    """After every ``migrate`` (a deploy), derive again the stored contents that the new
    code, settings or word lists left stale (reviews.contents), so reads find them current.
    Skipped while the schema has no stored contents (migrating back past them)."""
    if using != DEFAULT_DB_ALIAS:
        return
    if apps is None:  # `flush` (transactional tests) sends no model state
        from django.apps import apps
    try:
        apps.get_model("reviews", "Review")._meta.get_field("contents_key")
    except (LookupError, FieldDoesNotExist):
        return
    from reviews.services.contents import reviews_contents_rebuild

    reviews_contents_rebuild()
