"""Reads of the fairness audit (SPEC §6), by sub-domain:

- ``access``: who may read the audit (HR and superusers) and which cycles it covers;
- ``population``: who the audit of a cycle is about and what happened to them (the only
  module that reads people and reviews);
- ``outcome_tables``: the outcome table of one dimension × outcome;
- ``comparison``: outcome rates across cycles;
- ``report``: the whole report of a cycle, its state key and its cache.

Every selector a page, the API, the CSV or the PDF calls takes ``user`` and refuses
anyone but HR itself (``access.audit_reader_require``); the helpers they share inside
this package take none.
"""
