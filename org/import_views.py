"""HR's people import page (SPEC §10.4): upload, dry-run preview, confirm.

The previewed file's bytes wait in the session (base64, under the SHA-256 the confirm
button posts back), so "Confirm and import" applies exactly the file that was previewed
without asking HR to choose it again, and no file is left behind on the server's disk.
One file waits at a time; it is dropped once imported. The size cap is the import's own
(5 MB), enforced before anything is stored.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from org import people_import, selectors
from org.types import signed_in

SESSION_KEY = "levelhead_people_import"
SAMPLE_PATHS = ("examples/people.csv", "demo/demo_data/people_update.csv")


def _errors(body: dict[str, Any]) -> list[tuple[str, str, str]]:
    """The 400 answer as table rows: (line, column, message)."""
    out = [("", "file", m) for m in body.get("file", [])]
    for line, columns in sorted(body.get("rows", {}).items(), key=lambda kv: int(kv[0])):
        for column, messages in columns.items():
            out.extend((line, column, m) for m in messages)
    return out


@login_required
@require_http_methods(["GET", "POST"])
def people_import_page(request: HttpRequest) -> HttpResponse:
    if not selectors.is_hr(request.user):
        raise Http404("No such page.")
    actor = signed_in(request.user)
    context: dict[str, Any] = {
        "max_mb": people_import.MAX_BYTES // (1024 * 1024),
        "max_rows": people_import.MAX_ROWS,
        "columns": people_import.COLUMNS,
        "samples": SAMPLE_PATHS,
    }
    if request.method == "GET":
        return render(request, "org/people_import.html", context)

    confirm = request.POST.get("confirm", "")
    if confirm:
        pending = request.session.get(SESSION_KEY) or {}
        if pending.get("sha256") != confirm:
            context["errors"] = [
                ("", "file", "The previewed file is no longer waiting: upload it again.")
            ]
            return render(request, "org/people_import.html", context, status=400)
        data, name = base64.b64decode(pending["data"]), pending["name"]
    else:
        upload = request.FILES.get("file")
        if upload is None:
            context["errors"] = [("", "file", "Choose a CSV or XLSX file to upload.")]
            return render(request, "org/people_import.html", context, status=400)
        if upload.size is None or upload.size > people_import.MAX_BYTES:
            context["errors"] = [("", "file", f"The file is larger than {context['max_mb']} MB.")]
            return render(request, "org/people_import.html", context, status=400)
        data, name = upload.read(), upload.name or ""

    try:
        result = people_import.people_import(
            actor=actor, data=data, filename=name, dry_run=not confirm
        )
    except people_import.PeopleImportError as exc:
        request.session.pop(SESSION_KEY, None)
        context.update(errors=_errors(exc.body), filename=name)
        return render(request, "org/people_import.html", context, status=400)
    if confirm:
        request.session.pop(SESSION_KEY, None)
    else:
        digest = hashlib.sha256(data).hexdigest()
        request.session[SESSION_KEY] = {
            "sha256": digest,
            "name": name,
            "data": base64.b64encode(data).decode("ascii"),
        }
        context["confirm"] = digest
    context.update(result=result, filename=name)
    return render(request, "org/people_import.html", context)
