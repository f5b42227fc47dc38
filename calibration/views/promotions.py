"""Applying a cycle's approved promotions from HR's cycle page (calibration.promotions)."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from calibration import promotions
from core.errors import ConflictError
from reviews.selectors import cycle_admin_get


class ApplyPromotionsForm(forms.Form):
    effective_on = forms.DateField()


@login_required
@require_POST
def apply_promotions(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = cycle_admin_get(user=request.user, pk=pk)  # HR only: 404 for anyone else
    form = ApplyPromotionsForm(request.POST)
    errors: list[str] = []
    if form.is_valid():
        effective_on: datetime.date = form.cleaned_data["effective_on"]
        try:
            changes = promotions.promotions_apply(
                actor=request.user, cycle=cycle, effective_on=effective_on
            )
        except PermissionDenied as exc:
            raise Http404("No such page.") from exc
        except (ValidationError, ConflictError) as exc:
            errors = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
        else:
            when = "now" if effective_on <= timezone.localdate() else f"on {effective_on:%-d %B %Y}"
            messages.success(
                request,
                f"{len(changes)} promotion(s) recorded; the new levels take effect {when}."
                if changes
                else "Every approved promotion was already applied: nothing changed.",
            )
            return redirect("reviews:cycle", pk=cycle.pk)
    else:
        errors = [f"Effective from: {e}" for e in form.errors.get("effective_on", [])]
    rows = promotions.approved_promotions(user=request.user, cycle=cycle)
    return render(
        request,
        "calibration/promotions_apply.html",
        {
            "cycle": cycle,
            "promotions": rows,
            "promotions_pending": any(r.change is None for r in rows),
            "promotion_errors": errors,
            "effective_on": form.data.get("effective_on", ""),
            "today": timezone.localdate(),
        },
        status=400,
    )
