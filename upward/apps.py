from django.apps import AppConfig


class UpwardConfig(AppConfig):
    name = "upward"
    verbose_name = "Upward feedback"
    default_auto_field = "django.db.models.BigAutoField"
