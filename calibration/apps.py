from django.apps import AppConfig


class CalibrationConfig(AppConfig):
    name = "calibration"
    verbose_name = "Calibration"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Who sits on a session is calibration's to say; org and reviews ask (core.hooks).
        from calibration import promotions, selectors
        from calibration.selectors import appeals
        from org import selectors as org_selectors
        from reviews import appeal_hook
        from reviews import selectors as review_selectors
        from reviews.services import cycles as review_cycles

        org_selectors.session_subject_ids.register(selectors.session_subject_ids)
        review_selectors.session_review_ids.register(selectors.session_review_ids)
        review_cycles.cycle_finalize_problems.register(selectors.cycle_finalize_problems)
        review_selectors.cycle_promotions.register(promotions.approved_promotions)
        appeal_hook.review_appeal.register(appeals.review_appeal)
