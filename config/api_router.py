"""Every API viewset is registered here, once (mounted at /api/v1/)."""

from __future__ import annotations

import re
from typing import Any

from django.urls import path, re_path
from rest_framework.routers import DefaultRouter, DynamicRoute, Route

from audit import api as audit_api
from calibration import api as calibration_api
from calibration import appeals_api
from org import api as org_api
from outcomes import api as outcomes_api
from reviews import api as reviews_api
from reviews import self_assessment_api
from rubrics import api as rubrics_api
from upward import api as upward_api


class Router(DefaultRouter):
    """The default router, except that:

    - an action named like a file (``packet.pdf``, ``outcome.pdf``) answers at the address
      SPEC §5 gives it, without a trailing slash, and with one too: with only the slash
      form, the SPEC address was a 301 redirect;
    - there are no format-suffix addresses (``…/submit.json``): the API speaks JSON (and
      chooses by ``Accept`` or ``?format=``), and at those addresses DRF handed every
      action a ``format`` argument it does not take, a 500 for any client that tried.
    """

    include_format_suffixes = False

    def _get_dynamic_route(self, route: DynamicRoute, action: Any) -> Route:
        built = super()._get_dynamic_route(route, action)
        if not re.search(r"\.[a-z]+$", action.url_path):
            return built
        # A literal dot, and "/" optional. The schema shows the SPEC form: drf-spectacular
        # drops the optional non-capturing group and unescapes the dot.
        url = route.url.replace("{url_path}", re.escape(action.url_path)).replace(
            "{trailing_slash}", "(?:/)?"
        )
        return built._replace(url=url)


router = Router()
router.register("teams", org_api.TeamViewSet, basename="team")
router.register("people", org_api.PersonViewSet, basename="person")
router.register(
    "demographic-dimensions", org_api.DemographicDimensionViewSet, basename="demographic-dimension"
)
router.register("ladders", rubrics_api.LadderViewSet, basename="ladder")
router.register("rubric-versions", rubrics_api.RubricVersionViewSet, basename="rubric-version")
router.register("cycles", reviews_api.CycleViewSet, basename="cycle")
router.register("evidence", reviews_api.EvidenceViewSet, basename="evidence")
router.register("reviews", reviews_api.ReviewViewSet, basename="review")
router.register(
    "feedback-requests", reviews_api.FeedbackRequestViewSet, basename="feedback-request"
)
router.register("check-ins", reviews_api.CheckInViewSet, basename="check-in")
self_assessment_api.register(router)
upward_api.register(router)
appeals_api.register(router)
router.register(
    "calibration-sessions", calibration_api.SessionViewSet, basename="calibration-session"
)
router.register("calibration-cases", calibration_api.CaseViewSet, basename="calibration-case")
router.register("outcomes/deployments", outcomes_api.DeploymentViewSet, basename="deployment")
router.register("outcomes/incidents", outcomes_api.IncidentViewSet, basename="incident")
router.register("outcomes/slo-reports", outcomes_api.SLOReportViewSet, basename="slo-report")
router.register(
    "outcomes/health-surveys", outcomes_api.HealthSurveyViewSet, basename="health-survey"
)
router.register("outcomes/tokens", outcomes_api.IngestionTokenViewSet, basename="ingestion-token")

app_name = "api"
urlpatterns = [
    path("me/", org_api.WhoAmIView.as_view(), name="me"),
    *router.urls,
    *self_assessment_api.urlpatterns,
    *upward_api.urlpatterns,
    *appeals_api.urlpatterns,
    path(
        "cycles/<int:pk>/apply-promotions/",
        calibration_api.ApplyPromotionsView.as_view(),
        name="cycle-apply-promotions",
    ),
    # The outcome letter, at its review's address (SPEC §5), with or without the slash.
    re_path(
        r"^reviews/(?P<pk>[^/.]+)/outcome\.pdf(?:/)?$",
        calibration_api.OutcomeLetterView.as_view(),
        name="review-outcome",
    ),
    path("audit/outcomes/", audit_api.AuditOutcomesView.as_view(), name="audit-outcomes"),
    path("audit/report/", audit_api.AuditReportView.as_view(), name="audit-report"),
    path("audit/report.pdf", audit_api.AuditReportPdfView.as_view(), name="audit-report-pdf"),
    path(
        "teams/<int:pk>/scorecard/",
        outcomes_api.TeamScorecardView.as_view(),
        name="team-scorecard",
    ),
]
