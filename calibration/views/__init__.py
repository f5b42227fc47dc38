"""The calibration pages, one module per sub-domain (SPEC §2 calibration, §3):

- ``board``: the sessions list (HR creates sessions there), a session's board, opening
  and finalizing it, and its decision log;
- ``case``: a case with its review and the decision form;
- ``documents``: the pre-read packet (built in the background) and HR's CSV export;
- ``letter``: the engineer's outcome letter, as a page and as a PDF.

Who sees what is decided by calibration.selectors (sessions and cases the user may not
see answer 404) and calibration.services (who may open, decide and finalize: 403
otherwise). The board is information for consistency, never a ranking or a quota
(SPEC §1.1): cases are grouped by level and ordered by team and name.
"""
