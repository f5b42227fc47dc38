from django.contrib.admin.apps import AdminConfig


class LevelheadAdminConfig(AdminConfig):
    default_site = "config.admin.LevelheadAdminSite"
