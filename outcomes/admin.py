"""HR's back office for team outcomes: read-only event lists with a CSV upload (dry run
first), and ingestion tokens (created with their secret shown once, revoked for good)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from rest_framework import serializers

from org.admin_site import HRAdminMixin
from org.selectors import is_hr, team_list
from org.types import Viewer, signed_in
from outcomes import services
from outcomes.forms import CSVImportForm
from outcomes.models import Deployment, HealthSurvey, Incident, IngestionToken, SLOReport
from outcomes.selectors.events import (
    deployment_list,
    health_survey_list,
    incident_list,
    slo_report_list,
)
from outcomes.selectors.tokens import ingestion_token_list
from outcomes.serializers import (
    DeploymentInputSerializer,
    HealthSurveyInputSerializer,
    IncidentInputSerializer,
    SLOReportInputSerializer,
    validate_batch,
)
from outcomes.services import IngestResult

CSV_ERRORS_SHOWN = 50


class OutcomeEventAdmin(HRAdminMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    """Events arrive through the API or a CSV upload and never change afterwards, so the
    admin shows them read-only."""

    kind: str = ""
    input_serializer: type[serializers.Serializer[Any]]
    change_list_template = "admin/outcomes/change_list.html"
    list_select_related = ["team"]
    list_filter = ["team"]

    def has_add_permission(self, request: Any, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        meta = self.model._meta
        return [
            path(
                "import-csv/",
                self.admin_site.admin_view(self.import_csv),
                name=f"{meta.app_label}_{meta.model_name}_import_csv",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request: Any, extra_context: Any = None) -> Any:
        meta = self.model._meta
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_import_csv")
        return super().changelist_view(request, {**(extra_context or {}), "import_url": url})

    def import_csv(self, request: HttpRequest) -> HttpResponse:
        if not is_hr(request.user):
            raise PermissionDenied
        columns = list(self.input_serializer().fields)
        form = CSVImportForm(request.POST or None, request.FILES or None, fields=columns)
        errors: list[str] = []
        result: IngestResult | None = None
        dry_run = True
        if request.method == "POST" and form.is_valid():
            dry_run = bool(form.cleaned_data["dry_run"])
            rows = form.cleaned_data["file"]
            try:
                items = _validated_rows(self.input_serializer, rows, user=request.user)
                result = services.outcomes_csv_import(
                    actor=signed_in(request.user),
                    kind=self.kind,
                    items=items,
                    filename=getattr(request.FILES.get("file"), "name", "") or "",
                    dry_run=dry_run,
                )
            except ValidationError as exc:
                errors = [str(m) for m in exc.messages][:CSV_ERRORS_SHOWN]
            else:
                if not dry_run:
                    messages.success(
                        request,
                        f"Imported: {result.created} new, {result.unchanged} already stored.",
                    )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Import {self.model._meta.verbose_name_plural} from CSV",
            "form": form,
            "columns": columns,
            "errors": errors,
            "result": result,
            "dry_run": dry_run,
        }
        status = 400 if (request.method == "POST" and (errors or not form.is_valid())) else 200
        return TemplateResponse(request, "admin/outcomes/import_csv.html", context, status=status)


def _validated_rows(
    input_serializer: type[serializers.Serializer[Any]],
    rows: list[dict[str, str]],
    *,
    user: Viewer,
) -> list[dict[str, Any]]:
    """CSV rows → items, or a ValidationError listing bad rows by their line in the file.
    The team column takes a team id or a team slug."""
    slugs = {r["team"] for r in rows if "team" in r and not r["team"].isdigit()}
    ids = dict(team_list(user=user).filter(slug__in=slugs).values_list("slug", "pk"))
    unknown_slugs: dict[str, str] = {}
    for index, row in enumerate(rows):
        team = row.get("team")
        if team in ids:
            row["team"] = str(ids[team])
        elif team in slugs:
            unknown_slugs[str(index)] = team
    try:
        return validate_batch(input_serializer, rows, max_items=len(rows))
    except serializers.ValidationError as exc:
        detail: Any = exc.detail
        problems = []
        for index, fields in detail.get("items", {}).items():
            line = int(index) + 2  # the header is line 1
            for field, field_errors in fields.items():
                if field == "team" and index in unknown_slugs:
                    field_errors = [f"No team with the id or slug '{unknown_slugs[index]}'."]
                problems.append(f"Line {line}, {field}: {' '.join(str(e) for e in field_errors)}")
        raise ValidationError(problems or [str(detail)]) from exc


@admin.register(Deployment)
class DeploymentAdmin(OutcomeEventAdmin):
    kind = "deployments"
    input_serializer = DeploymentInputSerializer
    list_display = ["external_id", "team", "deployed_at", "committed_at", "failed"]
    list_filter = ["team", "failed"]
    search_fields = ["external_id"]
    date_hierarchy = "deployed_at"

    def get_queryset(self, request: Any) -> Any:
        return deployment_list(user=request.user)


@admin.register(Incident)
class IncidentAdmin(OutcomeEventAdmin):
    kind = "incidents"
    input_serializer = IncidentInputSerializer
    list_display = [
        "external_id",
        "team",
        "severity",
        "started_at",
        "resolved_at",
        "caused_by_deployment",
    ]
    list_filter = ["team", "severity"]
    search_fields = ["external_id", "caused_by_deployment"]
    date_hierarchy = "started_at"

    def get_queryset(self, request: Any) -> Any:
        return incident_list(user=request.user)


@admin.register(SLOReport)
class SLOReportAdmin(OutcomeEventAdmin):
    kind = "slo-reports"
    input_serializer = SLOReportInputSerializer
    list_display = ["service", "team", "period_start", "period_end", "objective", "attained"]
    search_fields = ["service"]

    def get_queryset(self, request: Any) -> Any:
        return slo_report_list(user=request.user)


@admin.register(HealthSurvey)
class HealthSurveyAdmin(OutcomeEventAdmin):
    kind = "health-surveys"
    input_serializer = HealthSurveyInputSerializer
    list_display = [
        "team",
        "period_start",
        "respondents",
        "psychological_safety",
        "workload",
        "clarity",
        "on_call_burden",
        "decision_latency",
    ]

    def get_queryset(self, request: Any) -> Any:
        return health_survey_list(user=request.user)


@admin.register(IngestionToken)
class IngestionTokenAdmin(HRAdminMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "key_prefix", "created_by", "created_at", "last_used_at", "revoked_at"]
    list_select_related = ["created_by"]
    fields = ["name"]
    actions = ["revoke"]

    def get_queryset(self, request: Any) -> Any:
        return ingestion_token_list()

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        # Tokens are never edited: create a new one and revoke the old.
        return False

    def get_actions(self, request: Any) -> Any:
        # The revoke action needs no change permission; HRAdminMixin guards the page.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def save_model(self, request: Any, obj: IngestionToken, form: Any, change: bool) -> None:
        token, secret = services.ingestion_token_create(
            actor=signed_in(request.user), name=form.cleaned_data["name"]
        )
        obj.pk = token.pk
        request._ingestion_token_secret = secret

    def response_add(self, request: Any, obj: IngestionToken, post_url_continue: Any = None) -> Any:
        """Show the secret once, on a page of its own (never in a message or a URL)."""
        secret = getattr(request, "_ingestion_token_secret", "")
        token = ingestion_token_list().get(pk=obj.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Ingestion token created",
            "token": token,
            "secret": secret,
        }
        return render(request, "admin/outcomes/token_created.html", context)

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request: Any, queryset: Any) -> None:
        count = 0
        for token in queryset:
            if token.revoked_at is None:
                services.ingestion_token_revoke(actor=signed_in(request.user), token=token)
                count += 1
        self.message_user(request, f"Revoked {count} token{'s' if count != 1 else ''}.")
