from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "org"
    verbose_name = "Organisation"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_logged_out
        from django.db.models.signals import post_save, pre_save

        from org import access
        from org.models import User

        user_logged_in.connect(access.sign_in_record, dispatch_uid="org.sign_in_record")
        user_logged_out.connect(access.sign_out_record, dispatch_uid="org.sign_out_record")
        pre_save.connect(access.login_saving, sender=User, dispatch_uid="org.login_saving")
        post_save.connect(access.login_saved, sender=User, dispatch_uid="org.login_saved")
