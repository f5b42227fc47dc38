from __future__ import annotations

from django.contrib import admin

from org.admin_site import HRAdminMixin
from reviews.models import LintTerm


@admin.register(LintTerm)
class LintTermAdmin(HRAdminMixin, admin.ModelAdmin):
    # Terms are deactivated, never deleted (HRAdminMixin refuses deletes).
    list_display = ["code", "phrase", "is_active", "source"]
    list_filter = ["code", "is_active"]
    search_fields = ["phrase"]
