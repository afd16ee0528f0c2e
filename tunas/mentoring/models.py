"""Models of the mentoring app: who follows which group, their visits and the groups' monthly figures.

Visits and monthly reports are written on a phone, often offline: the phone gives each record a UUID that
becomes its primary key, and the body it sent is kept with its hash, so a resend is recognised (the same
answer) and a changed resend is a conflict (both versions shown). Figures are never overwritten: an edit is
a new version that ``replaces`` the one it corrects; the current version has ``is_current``.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from tunas.core.models import TimeStamped


def _private_storage():
    # The private storage of tunas.reports (outside MEDIA_ROOT, no URL): visit photos show people and
    # their homes, so they are served only by the permission-checked photo view. A callable keeps paths
    # out of migrations.
    from tunas.reports.models import private_storage

    return private_storage()


def photo_upload_to(instance, filename: str) -> str:
    """``mentoring/visits/2026/05/<uuid>.jpg``: nothing of the phone's file name in the path."""
    return f"mentoring/visits/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.jpg"


DEFAULT_MAX_GROUPS = 2
DEFAULT_MAX_PEOPLE = 40


class MentoringSettings(models.Model):
    """A programme's mentoring settings: how many groups and people one mentor follows at most."""

    program = models.OneToOneField(
        "programs.Program",
        on_delete=models.CASCADE,
        related_name="mentoring_settings",
        verbose_name=_("programme"),
    )
    max_groups = models.PositiveSmallIntegerField(
        _("groups per mentor"), default=DEFAULT_MAX_GROUPS, validators=[MinValueValidator(1)]
    )
    max_people = models.PositiveSmallIntegerField(
        _("people per mentor"), default=DEFAULT_MAX_PEOPLE, validators=[MinValueValidator(1)]
    )
    email_reminders = models.BooleanField(
        _("remind mentors by e-mail"),
        default=False,
        help_text=_(
            "Once a month, each mentor with an e-mail address is reminded of the reports due and the "
            "follow-ups overdue (the mentoring_reminders command, run daily)."
        ),
    )

    class Meta:
        verbose_name = _("mentoring settings")
        verbose_name_plural = _("mentoring settings")

    def __str__(self) -> str:
        return str(self.program)


class Reminder(models.Model):
    """A monthly e-mail reminder sent to a mentor: one per mentor and month, whatever the runs."""

    mentor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["mentor", "month"], name="one_reminder_per_month")]

    def __str__(self) -> str:
        return f"{self.mentor} {self.month:%Y-%m}"


class Assignment(TimeStamped):
    """A mentor follows a group from ``starts_on``; ending the assignment keeps it as history."""

    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="+")
    group = models.ForeignKey(
        "registry.Group",
        on_delete=models.PROTECT,
        related_name="mentor_assignments",
        verbose_name=_("group"),
    )
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="mentor_assignments",
        verbose_name=_("mentor"),
    )
    starts_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["group__name", "-starts_on"]
        verbose_name = _("mentor assignment")
        verbose_name_plural = _("mentor assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["group"],
                condition=models.Q(ended_on__isnull=True),
                name="one_current_mentor_per_group",
            ),
        ]
        indexes = [models.Index(fields=["mentor", "ended_on"], name="assignment_mentor_current")]

    def __str__(self) -> str:
        return f"{self.mentor} → {self.group}"


class SyncedRecord(models.Model):
    """What a record sent from a phone keeps: its UUID, the body as sent and its hash, who sent it, when."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    group = models.ForeignKey("registry.Group", on_delete=models.PROTECT, related_name="+")
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("mentor")
    )
    body = models.JSONField(default=dict, editable=False)
    body_hash = models.CharField(max_length=64, editable=False)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    # The version this one corrects (an edit is a new version, never an overwrite).
    replaces = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by"
    )
    is_current = models.BooleanField(default=True, editable=False)

    class Meta:
        abstract = True


class Activity(models.TextChoices):
    PRODUCTION = "production", _("Production")
    BOOKKEEPING = "bookkeeping", _("Bookkeeping")
    MARKETING = "marketing", _("Marketing")
    CAPITAL = "capital", _("Access to capital")
    ACCOUNTABILITY = "accountability", _("Accountability report (LPJ)")
    OTHER = "other", _("Other")


class Visit(SyncedRecord):
    """A mentor's visit to a group: who was met, what was done and found, what was agreed."""

    visited_on = models.DateField(_("date of the visit"))
    met = models.CharField(_("who was met"), max_length=300)
    activities = models.JSONField(_("activities"), default=list, blank=True)
    findings = models.TextField(_("findings and problems"), blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)

    class Meta:
        ordering = ["-visited_on", "-received_at"]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        indexes = [
            models.Index(fields=["group", "is_current", "visited_on"], name="visit_group_current"),
            models.Index(fields=["-visited_on", "id"], name="visit_sort_date"),
        ]

    def __str__(self) -> str:
        return f"{self.group} {self.visited_on}"


class FollowUp(models.Model):
    """An agreed next step of a visit: what, by when, by whom; shown until it is marked done."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="follow_ups")
    action = models.CharField(_("follow-up"), max_length=300)
    due_on = models.DateField(_("due on"))
    responsible = models.CharField(_("who does it"), max_length=150)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        indexes = [models.Index(fields=["done_on", "due_on"], name="followup_open_due")]

    def __str__(self) -> str:
        return self.action


class VisitPhoto(models.Model):
    """A photo of a visit, resized and stripped of its EXIF data (and so of the phone's GPS tag)."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to=photo_upload_to, storage=_private_storage, max_length=255)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.image.name


class BusinessStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    CLOSED = "closed", _("Closed down")


class Channel(models.TextChoices):
    DIRECT = "direct", _("Direct sales")
    MARKET = "market", _("Market")
    SHOP = "shop", _("Shop or consignment")
    MARKETPLACE = "marketplace", _("Online marketplace")
    SOCIAL = "social", _("Social media")
    WHATSAPP = "whatsapp", _("WhatsApp")


class EquipmentCondition(models.TextChoices):
    GOOD = "good", _("Good, in use")
    REPAIR = "repair", _("Needs repair")
    BROKEN = "broken", _("Broken")
    UNUSED = "unused", _("Not used")
    NONE = "", _("Not recorded")


class ProgressReport(SyncedRecord):
    """A group's business figures for one month, as a dated version: an edit is a new version."""

    month = models.DateField(_("month"), help_text=_("The first day of the month reported."))
    version = models.PositiveSmallIntegerField(default=1, editable=False)
    status = models.CharField(_("business status"), max_length=10, choices=BusinessStatus.choices)
    status_reason = models.CharField(_("reason"), max_length=300, blank=True)
    turnover = models.BigIntegerField(_("turnover (Rp)"), validators=[MinValueValidator(0)])
    costs = models.BigIntegerField(_("costs (Rp)"), default=0, validators=[MinValueValidator(0)])
    profit = models.BigIntegerField(_("profit (Rp)"))
    working_members = models.PositiveSmallIntegerField(_("members working"), default=0)
    hired_paid = models.PositiveSmallIntegerField(_("hired workers, paid"), default=0)
    hired_unpaid = models.PositiveSmallIntegerField(_("hired workers, unpaid"), default=0)
    products_sold = models.CharField(_("main products sold"), max_length=300, blank=True)
    channels = models.JSONField(_("sales channels"), default=list, blank=True)
    capital_received = models.BigIntegerField(
        _("loans or capital received (Rp)"), default=0, validators=[MinValueValidator(0)]
    )
    nib_obtained = models.BooleanField(_("business permit (NIB) obtained"), default=False)
    equipment_condition = models.CharField(
        _("condition of the aid equipment"), max_length=10, choices=EquipmentCondition.choices, blank=True
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["-month", "-version"]
        verbose_name = _("monthly progress report")
        verbose_name_plural = _("monthly progress reports")
        constraints = [
            models.UniqueConstraint(fields=["group", "month", "version"], name="report_version_unique"),
            models.UniqueConstraint(
                fields=["group", "month"],
                condition=models.Q(is_current=True),
                name="one_current_report_per_group_month",
            ),
        ]
        indexes = [
            models.Index(fields=["group", "is_current", "month"], name="report_group_current"),
            models.Index(fields=["-month", "id"], name="report_sort_month"),
        ]

    def __str__(self) -> str:
        return f"{self.group} {self.month:%Y-%m} v{self.version}"

    @property
    def hired_workers(self) -> int:
        return self.hired_paid + self.hired_unpaid


class MemberStatus(models.TextChoices):
    WORKING = "working", _("Works in the business")
    ELSEWHERE = "elsewhere", _("Works elsewhere")
    NOT_WORKING = "not_working", _("Not working")
    LEFT = "left", _("Left the group")


class MemberFigure(models.Model):
    """Optionally, one member's status and own monthly income in a report version (personal data: shown to
    the roles that see personal numbers, and to the mentor who wrote it)."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="member_figures")
    membership = models.ForeignKey("registry.Membership", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=12, choices=MemberStatus.choices)
    income = models.BigIntegerField(
        _("own monthly income (Rp)"), null=True, blank=True, validators=[MinValueValidator(0)]
    )

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["report", "membership"], name="one_figure_per_member_and_report")
        ]

    def __str__(self) -> str:
        return f"{self.membership_id} {self.status}"


class ReportCount(models.Model):
    """Per programme and month, how many of its selected groups have a current report for that month.

    Kept by ``tunas.mentoring.counts`` in the transaction of every write that changes it, so the officer's
    home card reads one row per programme instead of every group; ``python manage.py
    rebuild_mentoring_counts`` recomputes them from the reports."""

    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    groups = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("monthly report count")
        verbose_name_plural = _("monthly report counts")
        constraints = [
            models.UniqueConstraint(fields=["program", "month"], name="one_report_count_per_program_month")
        ]

    def __str__(self) -> str:
        return f"{self.program_id} {self.month:%Y-%m}: {self.groups}"
