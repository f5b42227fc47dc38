from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "Reviews"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Who was asked for feedback on whom is reviews' to say; org asks (core.hooks).
        from org import selectors as org_selectors
        from reviews import selectors

        org_selectors.feedback_subject_ids.register(selectors.feedback_subject_ids)
