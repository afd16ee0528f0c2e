"""``manage.py import_participants FILE --program CODE [--dry-run] [--json]``: a spreadsheet of participants.

Rows with problems are skipped and reported; the valid rows are committed in one transaction. Exit code 0
whatever the rows hold, 2 when the file cannot be read at all.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from tunas.core.formatting import number
from tunas.programs.models import Program
from tunas.registry.importing import ImportFileError, import_participants, read_table


class Command(BaseCommand):
    help = (
        "Imports programme participants from a spreadsheet made from the template (.xlsx, .xls, .ods, .csv)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The spreadsheet to import.")
        parser.add_argument("--program", required=True, help="The programme code, e.g. KLK-TKM-2018.")
        parser.add_argument("--dry-run", action="store_true", help="Check every row and write nothing.")
        parser.add_argument("--json", action="store_true", help="Print the report as one JSON object.")
        parser.add_argument("--user", help="Username recorded as the author of the new records.")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("The file %(file)s does not exist.") % {"file": path}, returncode=2)
        try:
            table = read_table(path)
        except ImportFileError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        try:
            program = Program.objects.select_related("office").get(code=options["program"])
        except Program.DoesNotExist as exc:
            raise CommandError(
                _("No programme has the code %(code)s.") % {"code": options["program"]}
            ) from exc
        by = None
        if options["user"]:
            by = get_user_model().objects.filter(username=options["user"]).first()
            if by is None:
                raise CommandError(_("No user has the username %(name)s.") % {"name": options["user"]})
        report = import_participants(
            program=program, source=table, filename=path.name, dry_run=options["dry_run"], by=by
        )

        if options["json"]:
            self.stdout.write(json.dumps(report.as_json(), ensure_ascii=False))
            return
        lines = (
            (_("Error in row %(row)s, column %(column)s (%(code)s): %(message)s"), report.errors),
            (_("Warning in row %(row)s, column %(column)s (%(code)s): %(message)s"), report.warnings),
        )
        for line, problems in lines:
            for p in problems:
                self.stdout.write(
                    line % {"row": p.row, "column": p.field, "code": p.code, "message": p.message}
                )
        summary = _("%(rows)s rows, %(valid)s without errors, %(created)s participants imported.") % {
            "rows": number(report.rows),
            "valid": number(report.valid),
            "created": number(report.created),
        }
        if options["dry_run"]:
            summary += " " + _("Dry run: nothing was saved.")
        self.stdout.write(self.style.SUCCESS(summary) if not report.errors else summary)
