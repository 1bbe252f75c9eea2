"""Imports: store an uploaded workbook as a job, run it (read the sheet → validate every row → one write
transaction), and hand back an error workbook when any row is wrong. All or nothing.

Four sheets: the project ledger (项目), annual plans (年度计划), monthly progress (月度进展) and units (单位).
A row of the ledger, of 年度计划 and of 月度进展 finds its project by one rule (validation._ProjectIndex.match).

Queries are bounded: reference data, existing projects and their tags, plans or reports are read in a fixed
number of queries (IN lists in chunks of IN_CHUNK), writes are bulk operations in batches of BATCH. The
per-object audit events are written in batches through audit.record_many(). The ledger streams: its rows are
validated, then written, ledger.CHUNK at a time, with a fixed number of queries per chunk (up to 200 000 rows;
the other sheets are read whole, up to 10 000).

Which module holds what:

- jobs.py — the job lifecycle: create_job, run_import (header row, dispatch to the sheet's writer, the error
  workbook), recover_stale_jobs and check_job (a job whose worker stopped is failed).
- running.py — a running job's own bookkeeping: heartbeat (its lease), progress counter, success, failure.
- validation.py — the row checks the sheets share: cells, the importer's scope, finding a row's project.
- ledger.py, plans.py, progress.py, units.py — one writer per sheet (项目, 年度计划, 月度进展, 单位).
- base.py — Row, ImportFailed, JobLost, the chunk and batch sizes, the optimistic lock.

Callers use this package's names (`services.run_import(...)`). jobs._run looks `_start_progress` up in
running.py at call time, so a test that replaces `running._start_progress` replaces it for the run. The
constants below are copies for reading: change them in the module that holds them.
"""

from tadiao.imports.services.base import BATCH, IN_CHUNK, ImportFailed, JobLost, Row
from tadiao.imports.services.jobs import (
    CONFLICT_EXAMPLES,
    INTERRUPTED,
    LEDGER_MAX_ROWS,
    MAX_ROWS,
    check_job,
    create_job,
    recover_stale_jobs,
    run_import,
)
from tadiao.imports.services.ledger import (
    DATE_FIELDS,
    FLAG_FIELDS,
    IMPORT_REASON,
    LEDGER_FIELDS,
    OPTIONAL_FIELDS,
    import_ledger,
)
from tadiao.imports.services.plans import import_plans
from tadiao.imports.services.progress import REPORT_DONE, REPORT_STATUS_FIELDS, import_progress
from tadiao.imports.services.running import PROGRESS_EVERY, _start_progress
from tadiao.imports.services.units import UNIT_FIELDS, import_units
from tadiao.imports.services.validation import ProjectKey

__all__ = [
    "BATCH", "CONFLICT_EXAMPLES", "DATE_FIELDS", "FLAG_FIELDS", "IMPORT_REASON", "INTERRUPTED", "IN_CHUNK",
    "LEDGER_FIELDS", "LEDGER_MAX_ROWS", "MAX_ROWS", "OPTIONAL_FIELDS", "PROGRESS_EVERY", "REPORT_DONE",
    "REPORT_STATUS_FIELDS",
    "UNIT_FIELDS", "ImportFailed", "JobLost", "ProjectKey", "Row", "_start_progress", "check_job", "create_job",
    "import_ledger", "import_plans", "import_progress", "import_units", "recover_stale_jobs", "run_import",
]
