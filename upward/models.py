"""Anonymous upward feedback on a manager (SPEC §11.4)."""
