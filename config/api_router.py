"""Every API viewset is registered here, once (mounted at /api/v1/)."""

from __future__ import annotations

from rest_framework.routers import DefaultRouter

from org import api as org_api
from rubrics import api as rubrics_api

router = DefaultRouter()
router.register("teams", org_api.TeamViewSet, basename="team")
router.register("people", org_api.PersonViewSet, basename="person")
router.register(
    "demographic-dimensions", org_api.DemographicDimensionViewSet, basename="demographic-dimension"
)
router.register("ladders", rubrics_api.LadderViewSet, basename="ladder")
router.register("rubric-versions", rubrics_api.RubricVersionViewSet, basename="rubric-version")

app_name = "api"
urlpatterns = router.urls
