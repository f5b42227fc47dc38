"""Role-test rows for this workstream's routes (imported by tests/test_routes.py)."""

from __future__ import annotations

from types import SimpleNamespace

from tests.route_cases import Case

ROUTES: list[Case] = []


def extend_world(w: SimpleNamespace) -> None:
    """Add what these routes act on to the route world (called by build_route_world)."""
