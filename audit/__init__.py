"""Fairness audits: how outcomes of a review cycle differ across groups (SPEC §6)."""
