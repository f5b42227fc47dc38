"""People import from an HRIS export (SPEC §10.4): a CSV or XLSX file of people, keyed by
email, checked whole before anything is written.

Steps, in this order: read the file into rows (``_read``), check the header, read every
row's cells, resolve what they name against the organisation *and the rest of the file*
(teams, ladders, levels, managers, employee ids, the final reporting graph), and only when
no row has an error, write everything in one transaction. A dry run stops before the
writes, so it costs the same few queries whatever the file's size. The writes are bulk
(``_create``, ``_update``): the same rows person_create / person_update write (login,
person, history, Activity, the end of a leaver's sessions), a batch at a time, because
the services' per-person checks made an export of 10,000 people take minutes.

Rules decided here (the README's "People import" section says the same to HR):

- A column that is present with an empty cell clears the optional fields (``employee_id``,
  ``team``, ``manager``, ``ladder``, ``level``, ``function``, ``start_date``,
  ``location``); ``full_name`` cannot be cleared and ``active`` left empty changes nothing.
- ``active`` is ``true``/``false``, also ``yes``/``no`` and ``1``/``0``, in any case.
- A new person's login is the email's local part (characters a username cannot hold
  become ``-``), with ``-2``, ``-3``… when that is taken; no password until they set one.
- Cells are text exactly as given (surrounding spaces aside): a cell that looks like a
  formula (``=``, ``+``, ``-``, ``@``) is stored as those characters and never evaluated.
"""

from org.people_import.services import people_import as people_import
from org.people_import.shared import COLUMNS as COLUMNS
from org.people_import.shared import MAX_BYTES as MAX_BYTES
from org.people_import.shared import MAX_ROWS as MAX_ROWS
from org.people_import.shared import PeopleImportError as PeopleImportError
