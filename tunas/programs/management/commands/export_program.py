import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from tunas.programs.dossier import program_dossier
from tunas.programs.models import Program


class Command(BaseCommand):
    help = "Prints a programme's dossier (groups, members with masked NIK, budget …) as JSON."

    def add_arguments(self, parser):
        parser.add_argument("code")
        parser.add_argument("--json", action="store_true", help="JSON (the only format for now).")

    def handle(self, *args, **options):
        program = Program.objects.select_related("office").filter(code=options["code"]).first()
        if program is None:
            raise CommandError(_("No programme has the code %(code)s.") % {"code": options["code"]})
        self.stdout.write(json.dumps(program_dossier(program), ensure_ascii=False, indent=2))
