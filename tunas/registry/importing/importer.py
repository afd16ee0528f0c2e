"""The import of one file for one programme: read, parse, look up, check, and (unless a dry run) write.

One pass reads every row into Python values; the lookups and the eligibility context are then built once for
the whole file, each row is checked in sheet order, and the valid rows are written with bulk inserts, their
django-simple-history rows beside them, in a single transaction. The number of queries grows with the file
size divided by the batch size, never with the number of rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError
from django.utils.translation import gettext as _

from tunas.core.errors import Problem

from . import lookups
from .checks import Progress, check_rows
from .columns import COLUMNS
from .reading import Source, Table, data_rows, read_table, source_name
from .rows import Row, parse_row
from .values import Choices, cell_text
from .writing import write_rows

if TYPE_CHECKING:
    from tunas.accounts.models import User
    from tunas.programs.models import Program

# Rows written per statement batch: large enough for few queries, small enough that a batch of people,
# memberships and their history stays a few megabytes.
BATCH = 1000


@dataclass
class ImportReport:
    rows: int = 0
    valid: int = 0
    created: int = 0
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    # Lines under the list that are not participants (the signature block): row number and text.
    ignored: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """The documented JSON of ``import_participants --json`` (DESIGN.md): these keys, no others."""
        return {
            "rows": self.rows,
            "valid": self.valid,
            "created": self.created,
            "errors": [p.as_dict() for p in self.errors],
            "warnings": [p.as_dict() for p in self.warnings],
        }


class Importer:
    """Checks (and optionally writes) the rows of one file for one programme."""

    def __init__(self, program: Program, *, by: User | None = None, batch_size: int = BATCH):
        self.program = program
        self.by = by
        self.batch_size = batch_size
        # The columns' allowed values, in the interface language of this import.
        self.allowed: dict[str, Choices] = {c.key: c.allowed() for c in COLUMNS if c.allowed}
        self.new_hamlets: lookups.NewHamlets = {}

    def parse(self, number: int, values: dict[str, object]) -> Row:
        """A row read into Python values, with the problems of its cells (no database)."""
        return parse_row(number, values, self.allowed)

    def resolve(self, rows: list[Row], *, dry_run: bool) -> None:
        """Villages, hamlets and groups of every row, read in a bounded number of queries."""
        lookups.resolve_villages(rows, prefix=self.program.office.region_code)
        self.new_hamlets = lookups.resolve_hamlets(rows, dry_run=dry_run)
        lookups.resolve_groups(rows, program=self.program)

    def check(self, rows: list[Row], progress: Progress | None = None) -> list[Row]:
        """Applies the programme's rules to every row in sheet order; returns the valid rows."""
        return check_rows(self.program, rows, batch_size=self.batch_size, progress=progress)

    def write(self, rows: list[Row], *, reason: str, progress: Progress | None = None) -> int:
        """Writes the valid rows in one transaction (all or none); returns the memberships created."""
        return write_rows(
            rows,
            program=self.program,
            by=self.by,
            new_hamlets=self.new_hamlets,
            reason=reason,
            batch_size=self.batch_size,
            progress=progress,
        )


# A line under the list with no NIK and at most this many filled cells is a signature block line
# ("Semarapura, 10 November 2026", "Kepala Dinas", a name, "NIP. 19700101 …"), not a participant.
SIGNATURE_CELLS = 2


def _parse_all(importer: Importer, source: Source | Table, filename: str) -> tuple[list[Row], list[dict]]:
    """The participant rows, and the lines under the last of them that are not participants."""
    # The sheet lives only as long as this call: its cells are native memory as large as the parsed rows.
    table = source if isinstance(source, Table) else read_table(source, filename)
    read = list(data_rows(table))
    last = max((i for i, (_n, values) in enumerate(read) if cell_text(values.get("nik"))), default=-1)
    rows = [importer.parse(number, values) for number, values in read[: last + 1]]
    ignored = []
    for number, values in read[last + 1 :]:
        filled = [cell_text(v) for v in values.values() if cell_text(v)]
        if len(filled) > SIGNATURE_CELLS:
            rows.append(importer.parse(number, values))  # a participant without a NIK: its errors show
        else:
            ignored.append({"row": number, "text": " · ".join(filled)})
    return rows, ignored


def import_participants(
    *,
    program: Program,
    source: Source | Table,
    filename: str = "",
    dry_run: bool = False,
    by: User | None = None,
    progress: Progress | None = None,
    batch_size: int = BATCH,
) -> ImportReport:
    """Checks every row of a participant spreadsheet and, unless ``dry_run``, imports the valid ones.

    ``source`` is a path, a binary file object or a Table already opened with ``read_table``.

    Rows with errors are skipped and reported; the valid rows are committed in one transaction (all or none).
    A person already known by NIK is reused and their data updated; a new hamlet is added to its village
    (not on a dry run). Raises ImportFileError when the file cannot be read at all.
    """
    importer = Importer(program, by=by, batch_size=batch_size)
    rows, ignored = _parse_all(importer, source, filename)
    importer.resolve(rows, dry_run=dry_run)
    valid = importer.check(rows, progress)
    report = ImportReport(rows=len(rows), valid=len(valid), ignored=ignored)
    for row in rows:
        report.errors.extend(row.errors)
        report.warnings.extend(row.warnings)
    if not dry_run and valid:
        name = Path(source_name(source, filename)).name
        reason = (_("Spreadsheet import: %(file)s") % {"file": name})[:100]
        try:
            report.created = importer.write(valid, reason=reason, progress=progress)
        except IntegrityError:
            # Someone saved some of these people meanwhile (another import at the same moment): nothing of
            # this one was written; the rows are checked again, so the report names the rows taken.
            return _recheck(importer, rows)
    return report


def _recheck(importer: Importer, rows: list[Row]) -> ImportReport:
    for row in rows:
        row.errors.clear()
        row.warnings.clear()
    valid = importer.check(rows)
    report = ImportReport(rows=len(rows), valid=len(valid), created=0)
    for row in rows:
        report.errors.extend(row.errors)
        report.warnings.extend(row.warnings)
    return report
