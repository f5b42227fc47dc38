from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "outcomes"
    verbose_name = "Team outcomes"
    default_auto_field = "django.db.models.BigAutoField"
