"""``manage.py seed_scale --people N [--fresh]``: a synthetic national registry (tunas.demo.scale)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from tunas.demo import scale


class Command(BaseCommand):
    help = (
        "Seeds a synthetic national registry of N people (offices of every province and regency, ten years "
        "of programmes, groups and memberships) for measuring the lists at size. COPY on PostgreSQL."
    )

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, required=True, help="How many people to seed.")
        parser.add_argument("--fresh", action="store_true", help="Remove what an earlier run seeded first.")
        parser.add_argument("--seed", type=int, default=scale.SEED, help="Seed of the random generator.")

    def handle(self, *args, **options):
        try:
            report = scale.seed_scale(
                people=options["people"],
                fresh=options["fresh"],
                seed=options["seed"],
                log=lambda text: self.stdout.write(text),
            )
        except scale.ScaleError as exc:
            raise CommandError(str(exc)) from exc
        for name, seconds in report.phases.items():
            self.stdout.write(f"  {name:<28} {seconds:7.1f} s")
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Seeded %(people)s people, %(memberships)s memberships, %(groups)s groups, "
                    "%(programmes)s programmes and %(offices)s offices in %(seconds).1f s."
                )
                % {
                    "people": f"{report.people:,}",
                    "memberships": f"{report.memberships:,}",
                    "groups": f"{report.groups:,}",
                    "programmes": f"{report.programmes:,}",
                    "offices": f"{report.offices:,}",
                    "seconds": report.seconds,
                }
            )
        )
        self.stdout.write(
            _(
                "Sign in as %(regency_user)s (regency %(regency)s), "
                "%(province_user)s (province %(province)s) or %(national_user)s; "
                "the password is %(password)s."
            )
            % {
                "regency_user": scale.USERNAMES["regency"],
                "regency": report.regency,
                "province_user": scale.USERNAMES["province"],
                "province": report.province,
                "national_user": scale.USERNAMES["national"],
                "password": scale.DEMO_PASSWORD,
            }
        )
