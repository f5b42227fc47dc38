from __future__ import annotations

from typing import Any

from django import forms

from org.models import DemographicDimension


class DemographicsForm(forms.Form):
    """One optional choice per configured dimension; blank means "no answer"."""

    def __init__(self, *args: Any, dimensions: list[DemographicDimension], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for dim in dimensions:
            self.fields[dim.key] = forms.ChoiceField(
                label=dim.label,
                required=False,
                choices=[("", "No answer")] + [(v, v.capitalize()) for v in dim.allowed_values],
            )
