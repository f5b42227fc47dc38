from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from rest_framework.exceptions import ValidationError as ImportRefused

from core.errors import ConflictError
from core.page_cache import cached_page
from core.pdf import render_pdf
from org.selectors import is_hr, person_for_user
from org.services import access_log_record
from org.types import signed_in
from rubrics import exchange, selectors, services
from rubrics.models import Ladder, RubricVersion


def _version_or_current(request: HttpRequest, ladder: Ladder, number: int | None) -> RubricVersion:
    if number is None:
        return selectors.rubric_version_current(user=request.user, ladder=ladder)
    return selectors.rubric_version_by_number(user=request.user, ladder=ladder, number=number)


def _versions(request: HttpRequest, ladder: Ladder) -> list[RubricVersion]:
    return list(selectors.rubric_version_list(user=request.user).filter(ladder=ladder))


@login_required
@require_GET
@cached_page
def ladder_index(request: HttpRequest) -> HttpResponse:
    ladders = list(selectors.ladder_list(user=request.user))
    versions = list(selectors.rubric_version_list(user=request.user).filter(ladder__in=ladders))
    by_ladder: dict[int, list[RubricVersion]] = {}
    for v in versions:
        by_ladder.setdefault(v.ladder_id, []).append(v)
    rows = [
        {
            "ladder": lad,
            "current": next(
                (v for v in by_ladder.get(lad.pk, []) if v.pk == selectors.current_version_id(lad)),
                None,
            ),
            "drafts": [v for v in by_ladder.get(lad.pk, []) if v.status == v.Status.DRAFT],
        }
        for lad in ladders
    ]
    return render(request, "rubrics/ladder_index.html", {"rows": rows})


@login_required
@require_GET
@cached_page
def ladder_matrix(request: HttpRequest, ladder: str, number: int | None = None) -> HttpResponse:
    """The rubric as a level × competency matrix (current version unless one is named)."""
    lad = selectors.ladder_get(user=request.user, slug=ladder)
    version = _version_or_current(request, lad, number)
    me = person_for_user(request.user)
    return render(
        request,
        "rubrics/ladder_matrix.html",
        {
            "ladder": lad,
            "version": version,
            "matrix": selectors.rubric_matrix(version),
            "versions": _versions(request, lad),
            "is_current": version.pk == selectors.current_version_id(lad),
            "my_level": me.level if me and me.ladder_id == lad.pk else None,
        },
    )


@login_required
@require_GET
@cached_page
def level_detail(
    request: HttpRequest, ladder: str, code: str, number: int | None = None
) -> HttpResponse:
    """What good looks like at one level, with the neighbouring levels for comparison."""
    lad = selectors.ladder_get(user=request.user, slug=ladder)
    version = _version_or_current(request, lad, number)
    matrix = selectors.rubric_matrix(version)
    index = next((i for i, row in enumerate(matrix.rows) if row.level.code == code), None)
    if index is None:
        raise Http404("No such level in this rubric.")
    row = matrix.rows[index]
    prev_row = matrix.rows[index - 1] if index > 0 else None
    next_row = matrix.rows[index + 1] if index + 1 < len(matrix.rows) else None
    competencies = [
        {
            "competency": comp,
            "expectation": row.cells[i],
            "previous": prev_row.cells[i] if prev_row else None,
            "next": next_row.cells[i] if next_row else None,
        }
        for i, comp in enumerate(matrix.competencies)
    ]
    return render(
        request,
        "rubrics/level_detail.html",
        {
            "ladder": lad,
            "version": version,
            "level": row.level,
            "previous_level": prev_row.level if prev_row else None,
            "next_level": next_row.level if next_row else None,
            "levels": matrix.levels,
            "competencies": competencies,
            "rating_definitions": selectors.rating_definitions_for_level(version, row.level),
            "is_current": version.pk == selectors.current_version_id(lad),
        },
    )


def _parse_number(raw: str | None) -> int | None:
    if raw is None or raw == "":
        return None
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9:
        raise ValidationError("Version numbers are whole numbers.")
    return int(raw)


@login_required
@require_GET
def version_history(request: HttpRequest, ladder: str) -> HttpResponse:
    """Every visible version, and a readable diff between any two of them."""
    lad = selectors.ladder_get(user=request.user, slug=ladder)
    return _history_page(request, lad)


def _history_page(
    request: HttpRequest, lad: Ladder, *, import_errors: list[str] | None = None
) -> HttpResponse:
    versions = _versions(request, lad)
    diff = None
    error = None
    old = new = None
    try:
        a = _parse_number(request.GET.get("from"))
        b = _parse_number(request.GET.get("to"))
    except ValidationError:
        a = b = None
        error = "Choose two versions from the lists."
    if a is None and b is None and len(versions) >= 2:
        # Default: the newest version against the one before it.
        b, a = versions[0].number, versions[1].number
    if a is not None and b is not None:
        try:
            old = selectors.rubric_version_by_number(user=request.user, ladder=lad, number=a)
            new = selectors.rubric_version_by_number(user=request.user, ladder=lad, number=b)
        except Http404:
            error = "One of those versions does not exist."
        else:
            diff = services.rubric_version_diff(old=old, new=new)
    context = {
        "ladder": lad,
        "versions": versions,
        "diff": diff,
        "old": old,
        "new": new,
        "error": error,
        "import_errors": import_errors or [],
        "max_import_mb": exchange.MAX_IMPORT_BYTES // (1024 * 1024),
    }
    return render(
        request,
        "rubrics/version_history.html",
        context,
        status=400 if error or import_errors else 200,
    )


@login_required
@require_POST
def version_import(request: HttpRequest, ladder: str) -> HttpResponse:
    """HR uploads a YAML or CSV export; it becomes a new draft of this ladder."""
    if not is_hr(request.user):
        raise Http404("No such page.")
    lad = selectors.ladder_get(user=request.user, slug=ladder)
    try:
        version = exchange.rubric_version_import(
            actor=signed_in(request.user), ladder=lad, upload=request.FILES.get("file")
        )
    except ImportRefused as exc:
        return _history_page(request, lad, import_errors=exchange.error_messages(exc.detail))
    messages.success(
        request,
        f"The file is imported as draft version {version.number} of {lad.name}. "
        "No other version changed.",
    )
    return redirect("rubrics:version", ladder=lad.slug, number=version.number)


@login_required
@require_GET
def version_export(request: HttpRequest, ladder: str, number: int, fmt: str) -> HttpResponse:
    """The version as a YAML or CSV file, the same file the API's export gives."""
    lad = selectors.ladder_get(user=request.user, slug=ladder)
    version = selectors.rubric_version_by_number(user=request.user, ladder=lad, number=number)
    export = exchange.rubric_version_export(
        user=request.user, version=version, fmt=fmt, path=request.path
    )
    response = HttpResponse(export.text, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response


PDF_CACHE_SECONDS = 24 * 3600


@login_required
@require_GET
def version_pdf(request: HttpRequest, ladder: str, number: int) -> HttpResponse:
    """The rubric as an A4 PDF. Frozen versions never change, so their PDF is cached."""
    lad = selectors.ladder_get(user=request.user, slug=ladder)
    version = selectors.rubric_version_by_number(user=request.user, ladder=lad, number=number)
    # The status is part of the key: the title page says whether a version is retired.
    key = f"rubric-pdf:{version.pk}:{version.status}"
    pdf = cache.get(key) if version.is_frozen else None
    if pdf is None:
        matrix = selectors.rubric_matrix(version)
        pdf = render_pdf(
            "rubrics/rubric_pdf.html",
            {
                "ladder": lad,
                "version": version,
                "matrix": matrix,
                "levels": [
                    {
                        "level": row.level,
                        "items": list(zip(matrix.competencies, row.cells, strict=True)),
                        "ratings": selectors.rating_definitions_for_level(version, row.level),
                    }
                    for row in matrix.rows
                ],
            },
        )
        if version.is_frozen:
            cache.set(key, pdf, PDF_CACHE_SECONDS)
    access_log_record(user=request.user, action="rubric_pdf", target=version, path=request.path)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{lad.slug}-v{version.number}.pdf"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def version_publish(request: HttpRequest, ladder: str, number: int) -> HttpResponse:
    """HR reviews a draft against the current version, then publishes it."""
    if not is_hr(request.user):
        # Drafts are not visible to anyone else: do not reveal that one exists.
        raise Http404("No such rubric version.")
    lad = selectors.ladder_get(user=request.user, slug=ladder)
    version = selectors.rubric_version_by_number(user=request.user, ladder=lad, number=number)
    current = (
        selectors.rubric_version_get(user=request.user, pk=selectors.current_version_id(lad))
        if selectors.current_version_id(lad)
        else None
    )
    errors: list[str] = []
    if version.is_frozen:
        errors.append(f"Version {version.number} is already {version.status}; it cannot change.")
    elif request.method == "POST" and not request.POST.get("confirm"):
        errors.append("Tick the box to confirm that a published version cannot be changed.")
    elif request.method == "POST":
        try:
            services.rubric_version_publish(
                actor=signed_in(request.user),
                version=version,
                change_summary=request.POST.get("change_summary", version.change_summary)[:4000],
            )
        except ValidationError as exc:
            errors.extend(exc.messages)
        except (ConflictError, PermissionDenied) as exc:
            errors.append(str(exc))
        else:
            messages.success(request, f"Version {version.number} of {lad.name} is published.")
            return redirect("rubrics:ladder", ladder=lad.slug)
    problems = [] if version.is_frozen else services.publish_problems(version)
    context: dict[str, Any] = {
        "ladder": lad,
        "version": version,
        "current": current,
        "diff": services.rubric_version_diff(old=current, new=version) if current else None,
        "problems": problems,
        "errors": errors,
    }
    status = 409 if version.is_frozen else (400 if errors else 200)
    return render(request, "rubrics/version_publish.html", context, status=status)
