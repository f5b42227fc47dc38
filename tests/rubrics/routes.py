"""Role-test rows (imported by tests/test_routes.py): rubric pages and the ladder and
rubric-version API. Drafts exist only for HR (and superusers): 404 to everyone else."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from rubrics.exchange import version_to_yaml
from rubrics.models import RubricVersion
from rubrics.selectors import with_contents
from tests.route_cases import ANON_API, ANON_HTML, NO_ARGS, Case, everyone, hr_only


def _v1_upload(w: Any) -> dict[str, Any]:
    """The page's import form with v1's YAML export (a fresh file for every request)."""
    v1 = with_contents(RubricVersion.objects.filter(pk=w.v1.pk)).get()
    return {"file": SimpleUploadedFile("engineering-ic-v1.yaml", version_to_yaml(v1).encode())}


ROUTES: list[Case] = [
    # --- Rubric pages ------------------------------------------------------------------
    Case("rubrics:index", "get", NO_ARGS, everyone(200, ANON_HTML)),
    Case("rubrics:ladder", "get", lambda w: [w.ladder.slug], everyone(200, ANON_HTML)),
    Case("rubrics:current-level", "get", lambda w: [w.ladder.slug, "L4"], everyone(200, ANON_HTML)),
    Case("rubrics:history", "get", lambda w: [w.ladder.slug], everyone(200, ANON_HTML)),
    Case("rubrics:version", "get", lambda w: [w.ladder.slug, 1], everyone(200, ANON_HTML)),
    Case(
        "rubrics:version",
        "get",
        lambda w: [w.ladder.slug, 2],
        hr_only(200, 404, ANON_HTML),
        note="draft",
    ),
    Case("rubrics:level", "get", lambda w: [w.ladder.slug, 1, "L5"], everyone(200, ANON_HTML)),
    Case(
        "rubrics:level",
        "get",
        lambda w: [w.ladder.slug, 2, "L5"],
        hr_only(200, 404, ANON_HTML),
        note="draft",
    ),
    Case("rubrics:pdf", "get", lambda w: [w.ladder.slug, 1], everyone(200, ANON_HTML)),
    Case(
        "rubrics:pdf",
        "get",
        lambda w: [w.ladder.slug, 2],
        hr_only(200, 404, ANON_HTML),
        note="draft",
    ),
    Case("rubrics:publish", "get", lambda w: [w.ladder.slug, 2], hr_only(200, 404, ANON_HTML)),
    Case("rubrics:yaml", "get", lambda w: [w.ladder.slug, 1], everyone(200, ANON_HTML)),
    Case(
        "rubrics:yaml",
        "get",
        lambda w: [w.ladder.slug, 2],
        hr_only(200, 404, ANON_HTML),
        note="draft",
    ),
    Case("rubrics:csv", "get", lambda w: [w.ladder.slug, 1], everyone(200, ANON_HTML)),
    Case(
        "rubrics:csv",
        "get",
        lambda w: [w.ladder.slug, 2],
        hr_only(200, 404, ANON_HTML),
        note="draft",
    ),
    # A new draft, then the redirect to it; the page is hidden (404) from everyone else.
    Case(
        "rubrics:import",
        "post",
        lambda w: [w.ladder.slug],
        hr_only(302, 404, ANON_HTML),
        data=_v1_upload,
    ),
    Case(
        "rubrics:publish",
        "post",
        lambda w: [w.ladder.slug, 2],
        hr_only(302, 404, ANON_HTML),
        data=lambda w: {"confirm": "on"},
    ),
    # --- Ladders and rubric versions -----------------------------------------------------
    Case("api:ladder-list", "get", NO_ARGS, everyone(200, ANON_API), api=True),
    Case(
        "api:ladder-list",
        "post",
        NO_ARGS,
        hr_only(201, 403, ANON_API),
        api=True,
        data=lambda w: {"name": "Data Engineering", "slug": "data-engineering"},
    ),
    Case("api:ladder-detail", "get", lambda w: [w.ladder.pk], everyone(200, ANON_API), api=True),
    Case(
        "api:ladder-detail",
        "patch",
        lambda w: [w.ladder.pk],
        hr_only(200, 403, ANON_API),
        api=True,
        data=lambda w: {"description": "Individual contributors."},
    ),
    Case(
        "api:ladder-detail",
        "put",
        lambda w: [w.ladder.pk],
        hr_only(200, 403, ANON_API),
        api=True,
        data=lambda w: {"name": "Engineering IC", "slug": "engineering-ic"},
    ),
    Case("api:rubric-version-list", "get", NO_ARGS, everyone(200, ANON_API), api=True),
    Case(
        "api:rubric-version-list",
        "post",
        NO_ARGS,
        hr_only(201, 403, ANON_API),
        api=True,
        data=lambda w: {"ladder": w.ladder.pk, "from_version": w.v1.pk},
    ),
    Case(
        "api:rubric-version-detail", "get", lambda w: [w.v1.pk], everyone(200, ANON_API), api=True
    ),
    Case(
        "api:rubric-version-detail",
        "get",
        lambda w: [w.v2.pk],
        hr_only(200, 404, ANON_API),
        api=True,
        note="draft",
    ),
    Case(
        "api:rubric-version-detail",
        "patch",
        lambda w: [w.v2.pk],
        hr_only(200, 404, ANON_API),
        api=True,
        data=lambda w: {"change_summary": "Edited"},
        note="draft",
    ),
    Case(
        "api:rubric-version-detail",
        "patch",
        lambda w: [w.v1.pk],
        hr_only(409, 403, ANON_API),
        api=True,
        data=lambda w: {"change_summary": "Edited"},
        note="published",
    ),
    Case(
        "api:rubric-version-detail",
        "put",
        lambda w: [w.v1.pk],
        hr_only(409, 403, ANON_API),
        api=True,
        data=lambda w: {"levels": []},
        note="published",
    ),
    Case(
        "api:rubric-version-detail",
        "delete",
        lambda w: [w.v1.pk],
        hr_only(409, 403, ANON_API),
        api=True,
        note="published",
    ),
    Case(
        "api:rubric-version-detail",
        "delete",
        lambda w: [w.v2.pk],
        hr_only(204, 404, ANON_API),
        api=True,
        note="draft",
    ),
    Case(
        "api:rubric-version-publish",
        "post",
        lambda w: [w.v2.pk],
        hr_only(200, 404, ANON_API),
        api=True,
        note="draft",
    ),
    Case(
        "api:rubric-version-publish",
        "post",
        lambda w: [w.v1.pk],
        hr_only(409, 403, ANON_API),
        api=True,
        note="published",
    ),
    Case(
        "api:rubric-version-diff",
        "get",
        lambda w: [w.v1.pk],
        everyone(200, ANON_API),
        api=True,
        query="against={v1}",
    ),
    Case(
        "api:rubric-version-diff",
        "get",
        lambda w: [w.v2.pk],
        hr_only(200, 404, ANON_API),
        api=True,
        query="against={v1}",
        note="draft",
    ),
    Case(
        "api:rubric-version-export",
        "get",
        lambda w: [w.v1.pk],
        everyone(200, ANON_API),
        api=True,
        query="format=yaml",
    ),
    Case(
        "api:rubric-version-export",
        "get",
        lambda w: [w.v2.pk],
        hr_only(200, 404, ANON_API),
        api=True,
        query="format=csv",
        note="draft",
    ),
    # The role rows send JSON, so HR's answer is the 400 for a missing file; imports that
    # succeed are in test_exchange.py.
    Case(
        "api:rubric-version-import",
        "post",
        NO_ARGS,
        hr_only(400, 403, ANON_API),
        api=True,
        data=lambda w: {"ladder": w.ladder.pk},
        note="no file",
    ),
]
