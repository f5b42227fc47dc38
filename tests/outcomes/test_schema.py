"""The OpenAPI schema documents the outcome endpoints, the batch bodies and the Bearer
scheme (only where ingestion tokens are accepted)."""

from __future__ import annotations

import io

import yaml
from django.core.management import call_command


def test_the_schema_documents_ingestion_and_the_scorecard(db):
    out = io.StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    schema = yaml.safe_load(out.getvalue())

    paths = schema["paths"]
    for path in (
        "/api/v1/outcomes/deployments/",
        "/api/v1/outcomes/incidents/",
        "/api/v1/outcomes/slo-reports/",
        "/api/v1/outcomes/health-surveys/",
        "/api/v1/outcomes/tokens/",
        "/api/v1/teams/{id}/scorecard/",
    ):
        assert path in paths, path
    post = paths["/api/v1/outcomes/deployments/"]["post"]
    assert {"ingestionToken": []} in post["security"]
    assert {"ingestionToken": []} not in paths["/api/v1/outcomes/deployments/"]["get"]["security"]
    assert {"ingestionToken": []} not in paths["/api/v1/teams/{id}/scorecard/"]["get"]["security"]
    batch = schema["components"]["schemas"]["DeploymentBatchRequest"]["oneOf"]
    assert batch[1]["type"] == "array"
    assert schema["components"]["securitySchemes"]["ingestionToken"]["scheme"] == "bearer"
