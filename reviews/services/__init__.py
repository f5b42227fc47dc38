"""Writes for the review cycle, one module per sub-domain: cycles, evidence, reviews,
feedback and check-ins (``actors`` holds the who-is-acting checks they share).

Each function takes the acting user, checks the actor's right to act inside (create
paths are not covered by queryset scoping), raises ValidationError for bad input and a
ConflictError for writes the state forbids, and records what it did
(org.services.activity_record). Import from the module that holds the function.
"""
