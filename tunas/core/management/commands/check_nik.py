import json

from django.core.management.base import BaseCommand

from tunas.core.errors import message_for
from tunas.core.nik import parse_nik
from tunas.regions.selectors import district_exists


class Command(BaseCommand):
    help = "Checks national ID numbers (NIK) by their structure; --json prints one JSON object per NIK."

    def add_arguments(self, parser):
        parser.add_argument("nik", nargs="+")
        parser.add_argument("--json", action="store_true", help="One JSON object per line.")

    def handle(self, *args, **options):
        for value in options["nik"]:
            result = parse_nik(value, district_exists=district_exists)
            if options["json"]:
                self.stdout.write(json.dumps(result.as_json(), ensure_ascii=False))
                continue
            status = "OK" if result.valid else "ERROR"
            self.stdout.write(f"{value}: {status}")
            for code in result.errors + result.warnings:
                self.stdout.write(f"  {code}: {message_for(code, result.details.get(code))}")
