"""What the review page asks about an appeal (SPEC §11.3), answered by calibration.

Appeals live in calibration, above reviews in the app order, so the review page asks
through this hook; calibration registers its answer in ``CalibrationConfig.ready``.
Without an answer a review has no appeal and cannot be appealed.
"""

from __future__ import annotations

from typing import Any

from core.hooks import Hook
from org.types import Viewer
from reviews.models import Review


def _no_appeal(*, user: Viewer, review: Review) -> dict[str, Any] | None:
    return None


# For the review page: None when there is nothing to show the viewer, else
# ``{"appeal": <the appeal the viewer may see, or None>, "can_open": bool, "url": str}``
# (``url``: the appeal's page, or the subject's form to open one).
review_appeal: Hook[..., dict[str, Any] | None] = Hook("review_appeal", _no_appeal)
