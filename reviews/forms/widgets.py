"""Widgets the review forms share."""

from __future__ import annotations

from django import forms

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def textarea(rows: int = 4) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})
