"""Serializer fields shared by every app's input serializers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Model, QuerySet
from rest_framework import serializers

from core.filters import MAX_ID

# Longest decimal string that can still be an id (MAX_ID has 19 digits); checked before
# int() so a megabyte of digits costs nothing.
MAX_ID_DIGITS = len(str(MAX_ID))


def parse_id(value: object) -> int | None:
    """``value`` as an object id, or None when it cannot be one.

    Only whole numbers in 1..2**63-1, as JSON integers or digit strings (form posts).
    Booleans, floats (1.0, 1e300), signs, spaces, lists and ids beyond 64 bits are not ids.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif (
        isinstance(value, str)
        and 0 < len(value) <= MAX_ID_DIGITS
        and value.isascii()
        and value.isdigit()
    ):
        number = int(value)
    else:
        return None
    return number if 1 <= number <= MAX_ID else None


class ScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):  # type: ignore[type-arg]
    """An id resolved through the caller's selector (``selector(user=request.user)``).

    An id the caller may not see, one that does not exist, one the selector leaves out
    (a deactivated person) and a value that is no id at all all answer the same 400
    with the same message, so the answer never tells whether the object exists
    (SPEC §3). The serializer needs ``context={"request": request}``.
    """

    def __init__(
        self,
        *,
        model: type[Model],
        selector: Callable[..., QuerySet[Any]],
        message: str,
        **kwargs: Any,
    ) -> None:
        self.selector = selector
        self.message = message
        # The plain queryset only names the model (for the schema and DRF's checks);
        # lookups go through get_queryset().
        super().__init__(queryset=model._default_manager.all(), **kwargs)

    def get_queryset(self) -> QuerySet[Any]:
        request = self.context.get("request")
        if request is None:
            raise AssertionError(
                f"{type(self.root).__name__} needs context={{'request': request}} "
                "to resolve ids through the caller's selector."
            )
        return self.selector(user=request.user)

    def to_internal_value(self, data: Any) -> Any:
        pk = parse_id(data)
        found = self.get_queryset().filter(pk=pk).first() if pk is not None else None
        if found is None:
            raise serializers.ValidationError(self.message, code="does_not_exist")
        return found
