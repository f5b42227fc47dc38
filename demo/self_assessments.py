"""Demo data for this part of SPEC §11 (called by demo/voice.py)."""

from __future__ import annotations

from org.models import User
from reviews.models import ReviewCycle


def seed(*, actor: User, cycles: dict[str, ReviewCycle]) -> None:
    """Seed this feature's demo data."""
