"""Appeal pages (SPEC §11.3): the subject's form to appeal a released review, the appeals
queue (HR's: every appeal, open ones first; a manager's: their chain's; a subject's:
their own) and an appeal's page with HR's resolve form.

Who may see, open and resolve is calibration.selectors.appeals' (404 for an appeal or
review the user may not see, 403 when visible but not theirs to act on); the rules of a
resolution are calibration.appeals'. Nothing here edits an appeal: there is no such path.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.views.decorators.http import require_GET, require_http_methods

from calibration import appeals
from calibration.forms import ref_from_value, ref_value
from calibration.models import Appeal
from calibration.selectors import appeals as selectors
from core.errors import ConflictError
from core.validation import long_text
from org.selectors import is_hr
from org.types import signed_in
from reviews.models import Review
from reviews.selectors import review_page_get, rubric_context

NOTE_HELP = (
    "What in the rubric the resolution rests on: the expectations at this level, and the "
    "evidence. The person reads this note on their review page."
)


class AppealOpenForm(forms.Form):
    reason = forms.CharField(
        label="Why are you appealing?",
        help_text=(
            "What you think is wrong with the outcome, and why: which expectations you "
            "think you met, and what the review missed."
        ),
        max_length=8000,
        validators=[long_text],
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    evidence = forms.MultipleChoiceField(
        label="Evidence you cite",
        help_text="Optional: items from your evidence that support the appeal.",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, evidence: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["evidence"].choices = evidence  # type: ignore[attr-defined]


class AppealResolveForm(forms.Form):
    resolution = forms.ChoiceField(
        label="Resolution",
        choices=[
            ("upheld", "Upheld: the final rating stands"),
            ("changed", "Changed: the final rating changes"),
            ("withdrawn", "Withdrawn: the person took the appeal back"),
        ],
        widget=forms.RadioSelect,
    )
    rating = forms.ChoiceField(
        label="New final rating (only when changed)",
        required=False,
    )
    resolution_note = forms.CharField(
        label="Note",
        help_text=NOTE_HELP,
        max_length=8000,
        validators=[long_text],
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    rubric_refs = forms.MultipleChoiceField(
        label="Rubric expectations the resolution cites",
        help_text="Tick at least one.",
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self,
        *args: Any,
        ratings: list[tuple[str, str]],
        refs: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rating"].choices = [("", "Keep the current rating"), *ratings]  # type: ignore[attr-defined]
        self.fields["rubric_refs"].choices = refs  # type: ignore[attr-defined]


def _add_errors(form: forms.Form, exc: ValidationError) -> None:
    for key, msgs in getattr(exc, "message_dict", {"__all__": exc.messages}).items():
        form.add_error(key if key in form.fields else None, msgs)


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """The appeals the user may see: open ones first (oldest first), then resolved."""
    rows = list(selectors.appeal_list(user=request.user))
    return render(
        request,
        "calibration/appeal_queue.html",
        {
            "open": [a for a in rows if a.status == Appeal.Status.OPEN],
            "resolved": [a for a in rows if a.status == Appeal.Status.RESOLVED],
            "viewer_is_hr": is_hr(request.user),
        },
    )


def _resolve_form(appeal: Appeal, data: Any = None) -> tuple[AppealResolveForm, dict[str, Any]]:
    review = appeal.review
    rubric = rubric_context(review)
    ratings = [(r["rating"].key, r["rating"].label) for r in rubric["ratings"]]
    refs = [
        (ref_value(review.level, c["competency"].key), f"{review.level} · {c['competency'].name}")
        for c in rubric["competencies"]
    ]
    return AppealResolveForm(data, ratings=ratings, refs=refs), rubric


@login_required
@require_http_methods(["GET", "POST"])
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An appeal, and for HR who may resolve it, the resolve form."""
    appeal = selectors.appeal_get(user=request.user, pk=pk)
    refusal = selectors.appeal_resolve_refusal(user=request.user, appeal=appeal)
    form, rubric = _resolve_form(appeal, request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if refusal is not None:
            raise PermissionDenied(refusal)
        if form.is_valid():
            data = form.cleaned_data
            try:
                appeals.appeal_resolve(
                    actor=signed_in(request.user),
                    appeal=appeal,
                    resolution=data["resolution"],
                    resolution_note=data["resolution_note"],
                    rubric_refs=[ref_from_value(v) for v in data["rubric_refs"]],
                    rating=data["rating"] if data["resolution"] == "changed" else "",
                )
            except ValidationError as exc:
                _add_errors(form, exc)
                status = 400
            except ConflictError as exc:
                form.add_error(None, exc.message)
                status = 409
            else:
                messages.success(request, "The appeal is resolved.")
                return redirect("calibration:appeal", pk=appeal.pk)
        else:
            status = 400
    labels = {r["rating"].key: r["rating"].label for r in rubric["ratings"]}
    names = {c["competency"].key: c["competency"].name for c in rubric["competencies"]}
    return render(
        request,
        "calibration/appeal_detail.html",
        {
            "appeal": appeal,
            "review": appeal.review,
            "form": form if refusal is None and appeal.status == Appeal.Status.OPEN else None,
            "refusal": refusal if is_hr(request.user) else None,
            "current_label": labels.get(
                appeal.review.final_rating or appeal.review.overall_rating, ""
            ),
            "from_label": labels.get(appeal.from_rating, appeal.from_rating),
            "to_label": labels.get(appeal.to_rating, appeal.to_rating),
            "refs": [
                {"level": r["level"], "name": names.get(r["competency"], r["competency"])}
                for r in appeal.rubric_refs
            ],
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def open_appeal(request: HttpRequest, pk: int) -> HttpResponse:
    """The subject's form to appeal their released review (one appeal per review)."""
    review: Review = review_page_get(user=request.user, pk=pk)
    try:
        selectors.appeal_open_check(user=request.user, review=review)
    except ConflictError as exc:
        existing = selectors.appeal_for_review(user=request.user, review=review)
        if existing is not None and request.method == "GET":
            return redirect("calibration:appeal", pk=existing.pk)
        return render(
            request,
            "calibration/appeal_open.html",
            {"review": review, "refusal": exc.message},
            status=409,
        )
    choices = list(selectors.appeal_evidence_choices(review=review))
    form = AppealOpenForm(
        request.POST if request.method == "POST" else None,
        evidence=[
            (str(e.pk), f"{e.title} · {e.get_kind_display()} · {date_format(e.occurred_on)}")
            for e in choices
        ],
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            picked = {int(v) for v in form.cleaned_data["evidence"]}
            try:
                appeal = appeals.appeal_open(
                    actor=signed_in(request.user),
                    review=review,
                    reason=form.cleaned_data["reason"],
                    evidence=[e for e in choices if e.pk in picked],
                )
            except ValidationError as exc:
                _add_errors(form, exc)
                status = 400
            except ConflictError as exc:
                form.add_error(None, exc.message)
                status = 409
            else:
                messages.success(request, "Your appeal is with HR.")
                return redirect("calibration:appeal", pk=appeal.pk)
        else:
            status = 400
    return render(
        request,
        "calibration/appeal_open.html",
        {"review": review, "form": form},
        status=status,
    )
