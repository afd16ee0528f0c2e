from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from tunas.demo import loader as demo
from tunas.regions.models import Village


class Command(BaseCommand):
    help = "Loads the Klungkung demo (offices, one user per role, programmes, groups). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--quiet-logins", action="store_true", help="Do not print the demo logins.")

    def handle(self, *args, **options):
        if not Village.objects.filter(code="51.05.03.1008").exists():
            call_command("load_regions", stdout=self.stdout)
        demo.load()
        self.stdout.write(self.style.SUCCESS(_("Demo data is loaded.")))
        if not options["quiet_logins"]:
            self.stdout.write(_("Demo logins (password for all: %(pw)s):") % {"pw": demo.DEMO_PASSWORD})
            for username, _first, _last, roles, office in demo.DEMO_USERS:
                labels = ", ".join(str(r.label) for r in roles)
                self.stdout.write(f"  {username:<18} {labels} — {office}")
