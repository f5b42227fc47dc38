from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from org import selectors, services
from org.forms import DemographicsForm
from org.types import signed_in


@login_required
@require_http_methods(["GET", "POST"])
def about_me(request: HttpRequest) -> HttpResponse:
    """A person's own record, and their optional self-identified demographic answers."""
    me = selectors.person_for_user(request.user)
    dimensions = list(selectors.dimension_list())
    current = selectors.demographics_for(me) if me else {}
    form = DemographicsForm(request.POST or None, dimensions=dimensions, initial=current)
    if request.method == "POST" and me is not None:
        if "clear" in request.POST:
            services.demographics_set(actor=signed_in(request.user), person=me, attributes={})
            messages.success(request, "Your answers were cleared.")
            return redirect("about-me")
        if form.is_valid():
            try:
                services.demographics_set(
                    actor=signed_in(request.user), person=me, attributes=dict(form.cleaned_data)
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, "Your answers were saved.")
                return redirect("about-me")
    chain = list(me.ancestors().select_related("team")) if me and me.parent_id else []
    return render(
        request,
        "org/about_me.html",
        {
            "person": me,
            "form": form,
            "chain": chain,
            "has_answers": bool(current),
            "level_history": selectors.level_history(person=me) if me else [],
        },
    )


def lockout(
    request: HttpRequest, original_response: object = None, credentials: object = None
) -> HttpResponse:
    """Shown after too many failed sign-ins (django-axes): JSON for the API, a page
    for people. Deliberately says nothing about whether the account exists."""
    message = "Too many failed sign-in attempts. Please wait a few minutes and try again."
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "code": "locked_out"}, status=429)
    return render(request, "registration/locked_out.html", {"message": message}, status=429)
