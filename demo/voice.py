"""The engineer's voice in the demo (SPEC §11): self-assessments, growth, appeals, upward."""

from __future__ import annotations

from demo import appeals, growth, self_assessments, upward
from org.models import User
from reviews.models import ReviewCycle


def seed_voice(*, actor: User, cycles: dict[str, ReviewCycle]) -> None:
    """Run after the reviews demo: ``cycles`` is what demo.reviews.seed_reviews returned."""
    self_assessments.seed(actor=actor, cycles=cycles)
    growth.seed(actor=actor, cycles=cycles)
    appeals.seed(actor=actor, cycles=cycles)
    upward.seed(actor=actor, cycles=cycles)
