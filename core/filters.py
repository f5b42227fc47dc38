"""Filter types shared by every app's FilterSets."""

from __future__ import annotations

from typing import Any

import django_filters as filters
from django import forms

# Largest id any supported database stores; bigger numbers would overflow SQLite.
MAX_ID = 2**63 - 1


class IdFilter(filters.NumberFilter):
    """An object id: a whole number in range (1.5 or 10**30 answer 400, never 500)."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)
