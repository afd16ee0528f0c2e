"""Monthly e-mail reminders to mentors, where the programme asks for them: the reports due for last month
and the follow-ups overdue. One mail per mentor and month, however often the command runs."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tunas.programs.models import Stage

from . import selectors
from .models import Assignment, Reminder


def send_reminders(*, today: dt.date | None = None) -> int:
    """Sends this month's reminder to every mentor of a programme in its mentoring stage that asked for
    e-mail reminders, who has something due and an address; returns how many were sent."""
    today = today or timezone.localdate()
    month = today.replace(day=1)
    mentors = {
        a.mentor
        for a in Assignment.objects.filter(
            ended_on__isnull=True,
            program__status=Stage.MENTORING,
            program__mentoring_settings__email_reminders=True,
        ).select_related("mentor")
        if a.mentor.email and a.mentor.is_active
    }
    sent = 0
    for mentor in sorted(mentors, key=lambda u: u.pk):
        if Reminder.objects.filter(mentor=mentor, month=month).exists():
            continue
        missing = list(selectors.groups_missing_report(user=mentor, month=selectors.last_month(today)))
        overdue = list(selectors.follow_ups_overdue(user=mentor, today=today))
        if not missing and not overdue:
            continue
        try:
            with transaction.atomic():
                Reminder.objects.create(mentor=mentor, month=month)
                with translation.override(settings.LANGUAGE_CODE):
                    context = {
                        "mentor": mentor,
                        "missing": missing,
                        "overdue": overdue,
                        "month": selectors.last_month(today),
                    }
                    send_mail(
                        subject=_("Tunas: monthly reports and follow-ups waiting for you"),
                        message=render_to_string("mentoring/email/reminder.txt", context),
                        from_email=settings.DEFAULT_FROM_EMAIL,
                        recipient_list=[mentor.email],
                    )
        except IntegrityError:
            continue  # another run sent it meanwhile
        sent += 1
    return sent
