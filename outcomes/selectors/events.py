"""Raw outcome events. Team-level data: every signed-in person may read every team's
events (SPEC §3)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from org.models import Team
from org.selectors import team_list
from org.types import Viewer
from outcomes.models import Deployment, HealthSurvey, Incident, SLOReport


def _signed_in(user: Viewer) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def team_for_slug(*, user: Viewer, slug: str) -> Team:
    """A team by slug, from the same scoped list as the team API (404 if not visible)."""
    team = team_list(user=user).filter(slug=slug).first()
    if team is None:
        raise Http404("No such team.")
    return team


def deployment_list(*, user: Viewer) -> QuerySet[Deployment]:
    """Team-level data: every signed-in person may read every team's events (SPEC §3)."""
    if not _signed_in(user):
        return Deployment.objects.none()
    return Deployment.objects.select_related("team").order_by("-deployed_at", "-id")


def incident_list(*, user: Viewer) -> QuerySet[Incident]:
    if not _signed_in(user):
        return Incident.objects.none()
    return Incident.objects.select_related("team").order_by("-started_at", "-id")


def slo_report_list(*, user: Viewer) -> QuerySet[SLOReport]:
    if not _signed_in(user):
        return SLOReport.objects.none()
    return SLOReport.objects.select_related("team").order_by("-period_start", "service", "id")


def health_survey_list(*, user: Viewer) -> QuerySet[HealthSurvey]:
    if not _signed_in(user):
        return HealthSurvey.objects.none()
    return HealthSurvey.objects.select_related("team").order_by("-period_start", "id")
