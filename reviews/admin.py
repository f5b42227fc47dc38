from __future__ import annotations

from typing import Any

from django.contrib import admin

from org.admin_site import HRAdminMixin
from reviews.lint_terms import load_terms
from reviews.models import LintTerm
from reviews.services.contents import lint_terms_changed


@admin.register(LintTerm)
class LintTermAdmin(HRAdminMixin, admin.ModelAdmin):
    # Terms are deactivated, never deleted (HRAdminMixin refuses deletes).
    list_display = ["code", "phrase", "is_active", "source"]
    list_filter = ["code", "is_active"]
    search_fields = ["phrase"]

    def save_model(self, request: Any, obj: LintTerm, form: Any, change: bool) -> None:
        # The stored lint of every review follows the word lists at once (reviews.contents).
        before = load_terms()
        super().save_model(request, obj, form, change)
        lint_terms_changed(before=before, after=load_terms())
