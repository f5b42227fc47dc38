"""Reads for team outcomes (SPEC §7), one module per sub-domain:

- ``dora``: the DORA performance clusters and their cut-offs;
- ``windows``: the windows of days figures are computed over (months, quarters);
- ``metrics``: a team's figures per window, in six queries (``window_metrics``), built
  from ``slo`` (SLO attainment and error budgets) and ``health`` (team health surveys);
- ``trends`` and ``flags``: how a window compares with the one before it;
- ``scorecard``: a team's scorecard, the one thing the pages and the API show;
- ``events``: raw event lists; ``tokens``: ingestion tokens.

Every figure describes a team over a window of days. Nothing is computed, filtered or
grouped per person (SPEC §1.4): the models have no link to people to begin with.
"""
