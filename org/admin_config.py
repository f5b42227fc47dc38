"""The Django admin as HR's back office: INSTALLED_APPS names this config so that the
admin's default site is org.admin_site.LevelheadAdminSite (HR only)."""

from django.contrib.admin.apps import AdminConfig


class LevelheadAdminConfig(AdminConfig):
    default_site = "org.admin_site.LevelheadAdminSite"
