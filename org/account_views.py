"""Pages for local accounts (org.accounts): HR's invitations, setting a password from an
invitation, resetting a forgotten one and changing one's own."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.messages.views import SuccessMessageMixin
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_http_methods

from core.errors import ConflictError
from org import accounts, selectors
from org.types import signed_in


@login_required
@require_http_methods(["GET", "POST"])
def invitations(request: HttpRequest) -> HttpResponse:
    """HR: the people who have not signed in yet, each with an Invite button, and one
    button to invite them all."""
    if not selectors.is_hr(request.user):
        raise Http404("No such page.")
    actor = signed_in(request.user)
    status = 200
    if request.method == "POST":
        if "all" in request.POST:
            count = accounts.invitations_send_all(actor=actor, site=accounts.site_url(request))
            messages.success(request, f"{count} invitation(s) sent.")
            return redirect("invitations")
        raw = request.POST.get("person", "")
        person = selectors.person_list(user=actor).filter(pk=raw).first() if raw.isdigit() else None
        if person is None:
            messages.error(request, "Choose someone from the list to invite.")
            status = 400
        else:
            try:
                accounts.invitation_send(
                    actor=actor, person=person, site=accounts.site_url(request)
                )
            except ConflictError as exc:
                messages.error(request, f"{person.full_name}: {exc}")
                status = 409
            else:
                messages.success(
                    request, f"Invitation sent to {person.full_name} ({person.email})."
                )
                return redirect("invitations")
    return render(
        request,
        "registration/invitations.html",
        {"people": list(accounts.not_signed_in_yet())},
        status=status,
    )


class _BadLinkIs400:
    """A link that is used, expired or not for this account answers 400 with the page
    that says so (Django's views answer 200)."""

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        response = super().render_to_response(context, **kwargs)  # type: ignore[misc]
        if not context.get("validlink", True):
            response.status_code = 400
        return response  # type: ignore[no-any-return]


class _InvalidFormIs400:
    """A form sent back with errors answers 400 (SPEC §4), not Django's 200."""

    def form_invalid(self, form: Any) -> HttpResponse:
        response = super().form_invalid(form)  # type: ignore[misc]
        response.status_code = 400
        return response  # type: ignore[no-any-return]


class InvitationAcceptView(  # type: ignore[misc]
    _InvalidFormIs400, _BadLinkIs400, SuccessMessageMixin, auth_views.PasswordResetConfirmView
):
    token_generator = accounts.invitation_tokens
    template_name = "registration/invitation_accept.html"
    success_url = reverse_lazy("login")
    success_message = "Your password is set. Sign in with your username and new password."


class PasswordResetView(_InvalidFormIs400, auth_views.PasswordResetView):
    """Answers the same whether or not the address belongs to anyone."""

    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("password-reset-sent")

    def form_valid(self, form: Any) -> HttpResponse:
        self.extra_email_context = {"site": accounts.site_url(self.request).rstrip("/")}
        return super().form_valid(form)


class PasswordResetConfirmView(
    _BadLinkIs400, SuccessMessageMixin, auth_views.PasswordResetConfirmView
):  # type: ignore[misc]
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("login")
    success_message = "Your password is changed. Sign in with your new password."


class PasswordChangeView(  # type: ignore[misc]
    _InvalidFormIs400, SuccessMessageMixin, auth_views.PasswordChangeView
):
    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("about-me")
    success_message = "Your password is changed."
