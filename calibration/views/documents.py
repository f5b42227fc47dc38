"""The committee's pre-read packet (built in the background; the page follows its
progress) and HR's CSV export of a finalized session. Handing each out is
calibration.documents' (the same functions serve the API)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from calibration import documents, selectors
from calibration.views.board import board_context
from core.errors import InvalidStateError


@login_required
@require_GET
def packet(request: HttpRequest, pk: int) -> HttpResponse:
    """The committee's (and HR's) pre-read: built in the background; the page follows its
    progress (htmx polling, or a plain Refresh link without JavaScript)."""
    session = selectors.packet_session_get(user=request.user, pk=pk)
    packet = documents.packet_request(user=request.user, session=session)
    return render(request, "calibration/packet_page.html", {"session": session, "packet": packet})


@login_required
@require_GET
def packet_status(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.packet_session_get(user=request.user, pk=pk)
    return render(
        request,
        "calibration/_packet_status.html",
        {"session": session, "packet": documents.packet_current(session)},
    )


@login_required
@require_GET
def packet_download(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        return documents.packet_deliver(
            user=request.user, pk=pk, path=request.path, attachment=True, start=False
        )
    except documents.PacketNotReady as wait:
        # Not built for the session as it is now: the packet page asks for it.
        return redirect("calibration:packet", pk=wait.session.pk)


@login_required
@require_GET
def export_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """HR's record of a finalized session. Demographic attributes are never part of it."""
    session = selectors.session_get(user=request.user, pk=pk)
    try:
        return documents.session_csv_deliver(user=request.user, session=session, path=request.path)
    except InvalidStateError as exc:
        context = board_context(request, session)
        context["error"] = exc.message
        return render(request, "calibration/session_board.html", context, status=409)
