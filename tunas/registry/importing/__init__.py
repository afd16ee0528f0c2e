"""Spreadsheet import of programme participants.

- ``columns``: the one declarative list of the file's columns, which drives everything below;
- ``reading``: file formats (xlsx, xlsm, xls, ods through python-calamine; csv) and the header row;
- ``values``: pure parsers of cell values (dates, sex, village codes, choices);
- ``rows``: one row's parsed values with its errors and warnings;
- ``lookups``: the bulk queries for villages, hamlets, groups, roles and people of the whole file;
- ``checks``: the NIK, duplicate and eligibility rules per row, in sheet order;
- ``writing``: the bulk write with simple-history rows, in batches within one transaction;
- ``importer``: ``import_participants``, which runs the steps above;
- ``template``: the downloadable template and the problems workbook;
- ``jobs``: the services that create, claim, advance, finish, recover, retry and purge import jobs.
"""

from .checks import Progress
from .columns import COLUMNS, HEADER_OF, HEADERS, Column, map_headers
from .importer import BATCH, Importer, ImportReport, import_participants
from .jobs import (
    JobReplaced,
    import_job_can_retry,
    import_job_claim,
    import_job_create,
    import_job_finish,
    import_job_heartbeat,
    import_job_progress,
    import_job_recover_if_stale,
    import_job_retry,
    import_jobs_recover,
    import_uploads_purge,
)
from .reading import EXTENSIONS, SPREADSHEET_EXTENSIONS, ImportFileError, Table, data_rows, read_table
from .rows import Row
from .template import problems_bytes, problems_write, template_bytes, template_workbook
from .values import (
    ROLE_WORDS,
    Choices,
    category_choices,
    cell_text,
    disability_choices,
    education_choices,
    parse_date,
    parse_sex,
    parse_village,
    role_choices,
    sex_choices,
    word_key,
)
from .writing import full_sqlite_batches

__all__ = [
    "BATCH",
    "COLUMNS",
    "EXTENSIONS",
    "HEADERS",
    "HEADER_OF",
    "ROLE_WORDS",
    "SPREADSHEET_EXTENSIONS",
    "Choices",
    "Column",
    "ImportFileError",
    "ImportReport",
    "JobReplaced",
    "Importer",
    "Progress",
    "Row",
    "Table",
    "category_choices",
    "cell_text",
    "data_rows",
    "disability_choices",
    "education_choices",
    "full_sqlite_batches",
    "import_job_can_retry",
    "import_job_claim",
    "import_job_create",
    "import_job_finish",
    "import_job_heartbeat",
    "import_job_progress",
    "import_job_recover_if_stale",
    "import_job_retry",
    "import_jobs_recover",
    "import_uploads_purge",
    "import_participants",
    "map_headers",
    "parse_date",
    "parse_sex",
    "parse_village",
    "problems_bytes",
    "problems_write",
    "read_table",
    "role_choices",
    "sex_choices",
    "template_bytes",
    "template_workbook",
    "word_key",
]
