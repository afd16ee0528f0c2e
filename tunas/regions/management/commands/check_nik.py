import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from tunas.core.errors import message_for
from tunas.core.nik import parse_nik
from tunas.regions.selectors import district_exists


class Command(BaseCommand):
    help = "Checks national ID numbers (NIK) by their structure; --json prints one JSON object per NIK."

    def add_arguments(self, parser):
        parser.add_argument("nik", nargs="+")
        parser.add_argument("--json", action="store_true", help="One JSON object per line.")
        parser.add_argument(
            "--sex", choices=["M", "F"], help="Compare the sex encoded in each NIK with this."
        )
        parser.add_argument(
            "--birth-date", metavar="YYYY-MM-DD", help="Compare the birth date encoded in each NIK with this."
        )

    def handle(self, *args, **options):
        birth_date = None
        if options["birth_date"]:
            try:
                birth_date = dt.date.fromisoformat(options["birth_date"])
            except ValueError as exc:
                raise CommandError(_("Write the birth date as YYYY-MM-DD, for example 1980-05-17.")) from exc
        for value in options["nik"]:
            result = parse_nik(
                value, sex=options["sex"], birth_date=birth_date, district_exists=district_exists
            )
            if options["json"]:
                self.stdout.write(json.dumps(result.as_json(), ensure_ascii=False))
                continue
            status = "OK" if result.valid else "ERROR"
            self.stdout.write(f"{value}: {status}")
            for code in result.errors + result.warnings:
                self.stdout.write(f"  {code}: {message_for(code, result.details.get(code))}")
