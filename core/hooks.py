"""Questions a lower app asks that only a higher app can answer.

Imports only go down the app graph (org ← rubrics ← outcomes ← reviews ← calibration ←
audit), yet org must know whose calibration session a person sits in, and reviews must
know which sessions hold a review. The lower app declares a ``Hook`` with the answer it
gives when nobody registers one; the higher app registers its answer at start-up, in its
``AppConfig.ready``. One hook, one answer: registering twice is a programming error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


class Hook(Generic[P, R]):
    def __init__(self, name: str, default: Callable[P, R]) -> None:
        self.name = name
        self._default = default
        self._answer: Callable[P, R] | None = None

    def register(self, answer: Callable[P, R]) -> Callable[P, R]:
        if self._answer is not None and self._answer is not answer:
            raise RuntimeError(f"The hook {self.name!r} already has an answer.")
        self._answer = answer
        return answer

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        return (self._answer or self._default)(*args, **kwargs)
