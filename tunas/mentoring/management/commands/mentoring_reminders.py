"""``python manage.py mentoring_reminders``: the monthly e-mail reminders to mentors (run it daily)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from tunas.mentoring.reminders import send_reminders


class Command(BaseCommand):
    help = "Sends mentors their monthly reminder: reports due and follow-ups overdue (where configured)."

    def handle(self, *args, **options) -> None:
        sent = send_reminders()
        self.stdout.write(f"{sent}")
