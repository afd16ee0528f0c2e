"""Instructors, trainings with their timetable, attendance, paper sheets, certificates and training costs."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from tunas.core.models import TimeStamped, Versioned

# A lesson hour (jam pelajaran, JP) lasts 45 minutes.
LESSON_HOUR_MINUTES = 45
DEFAULT_COMPLETION_THRESHOLD = 80


def default_curriculum() -> list[dict]:
    """The curriculum a programme starts from (DOMAIN.md, the ministry's usual content), in lesson hours."""
    return [
        {"topic": "Strategi dan teknik berwirausaha", "hours": 4},
        {"topic": "Motivasi dan etos kerja", "hours": 3},
        {"topic": "Perencanaan dan pengembangan usaha", "hours": 4},
        {"topic": "Keterampilan produk sesuai usaha kelompok", "hours": 7},
        {"topic": "Pembukuan sederhana", "hours": 3},
        {"topic": "Pemasaran dan promosi", "hours": 3},
    ]


def _private_storage():
    """Signed sheets show people's signatures: the private storage, served by a checked view."""
    from tunas.reports.models import private_storage

    return private_storage()


class Instructor(TimeStamped, Versioned):
    """A local entrepreneur who teaches; reusable across the office's programmes."""

    office = models.ForeignKey(
        "accounts.Office", on_delete=models.PROTECT, related_name="instructors", verbose_name=_("office")
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="instructor_profile",
        verbose_name=_("user account"),
        help_text=_("The instructor's own sign-in, to mark attendance of their sessions."),
    )
    name = models.CharField(_("name"), max_length=150)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    village = models.ForeignKey(
        "regions.Village",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("village"),
    )
    expertise = models.CharField(_("expertise"), max_length=200, blank=True)
    business = models.CharField(
        _("own business"), max_length=200, blank=True, help_text=_("What the instructor's business makes.")
    )
    business_since = models.PositiveSmallIntegerField(
        _("business running since (year)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1950), MaxValueValidator(2100)],
    )
    rate_per_hour = models.BigIntegerField(
        _("honorarium per lesson hour (Rp)"),
        default=0,
        validators=[MinValueValidator(0)],
        help_text=_("One lesson hour (JP) is 45 minutes."),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("instructor")
        verbose_name_plural = _("instructors")

    def __str__(self) -> str:
        return self.name


class TrainingSettings(models.Model):
    """A programme's training rules: the curriculum a new training copies, and who completes."""

    program = models.OneToOneField(
        "programs.Program", on_delete=models.CASCADE, related_name="training_settings"
    )
    curriculum = models.JSONField(_("curriculum template"), default=default_curriculum)
    completion_threshold = models.PositiveSmallIntegerField(
        _("attendance needed to complete (%)"),
        default=DEFAULT_COMPLETION_THRESHOLD,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("A participant present at this share of the sessions or more completes the training."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("training settings")
        verbose_name_plural = _("training settings")

    def __str__(self) -> str:
        return str(self.program)


class Training(TimeStamped, Versioned):
    """A training of one or more groups of a programme, in one place over a few days."""

    program = models.ForeignKey(
        "programs.Program", on_delete=models.PROTECT, related_name="trainings", verbose_name=_("programme")
    )
    groups = models.ManyToManyField("registry.Group", related_name="trainings", verbose_name=_("groups"))
    title = models.CharField(_("title"), max_length=200)
    village = models.ForeignKey(
        "regions.Village", on_delete=models.PROTECT, related_name="+", verbose_name=_("village")
    )
    hamlet = models.ForeignKey(
        "regions.Hamlet",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("hamlet (banjar/dusun)"),
    )
    place = models.CharField(_("place"), max_length=200, blank=True, help_text=_("e.g. Balai Banjar Besang"))
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    completed_at = models.DateTimeField(_("completion decided at"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords(m2m_fields=[groups])

    class Meta:
        ordering = ["start_date", "title"]
        verbose_name = _("training")
        verbose_name_plural = _("trainings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")), name="training_dates_in_order"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def venue(self) -> str:
        parts = [self.place, str(self.hamlet) if self.hamlet_id else "", self.village.name]
        return ", ".join(p for p in parts if p)

    @property
    def days(self) -> list[dt.date]:
        n = (self.end_date - self.start_date).days
        return [self.start_date + dt.timedelta(days=i) for i in range(n + 1)]


class Session(models.Model):
    """One lesson of a training's timetable: a day, a time, a topic and the instructor who teaches it."""

    training = models.ForeignKey(Training, on_delete=models.CASCADE, related_name="sessions")
    date = models.DateField(_("date"))
    start = models.TimeField(_("start"))
    end = models.TimeField(_("end"))
    topic = models.CharField(_("topic"), max_length=200)
    instructor = models.ForeignKey(
        Instructor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("instructor"),
    )
    lesson_hours = models.PositiveSmallIntegerField(
        _("lesson hours (JP)"), default=1, validators=[MinValueValidator(1), MaxValueValidator(16)]
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["date", "start", "pk"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        indexes = [models.Index(fields=["instructor", "date"], name="session_instructor_date")]

    def __str__(self) -> str:
        return f"{self.date:%d-%m-%Y} {self.start:%H:%M} {self.topic}"


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    ABSENT = "absent", _("Absent")
    EXCUSED = "excused", _("Excused")


class Attendance(models.Model):
    """Whether one participant attended one session; every change is kept with who and why."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendance")
    membership = models.ForeignKey(
        "registry.Membership",
        on_delete=models.PROTECT,
        related_name="attendance",
        verbose_name=_("participant"),
    )
    status = models.CharField(_("attendance"), max_length=8, choices=AttendanceStatus.choices)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    marked_at = models.DateTimeField(_("marked at"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["session", "membership"], name="attendance_once_per_session")
        ]

    def __str__(self) -> str:
        return f"{self.session}: {self.get_status_display()}"


def sheet_upload_name(instance: AttendanceSheet, filename: str) -> str:
    import uuid
    from pathlib import PurePath

    suffix = PurePath(filename).suffix.lower()
    suffix = suffix if suffix in (".jpg", ".jpeg", ".png", ".webp", ".pdf") else ""
    return f"training-sheets/{instance.date:%Y/%m}/{uuid.uuid4().hex}{suffix}"


class AttendanceSheet(models.Model):
    """The printed attendance sheet of one training day: its number, and the signed paper photographed."""

    training = models.ForeignKey(Training, on_delete=models.CASCADE, related_name="sheets")
    date = models.DateField(_("date"))
    number = models.CharField(_("number"), max_length=200, blank=True)
    photo = models.FileField(
        _("photo of the signed sheet"),
        upload_to=sheet_upload_name,
        storage=_private_storage,
        max_length=255,
        blank=True,
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["training", "date"]
        verbose_name = _("attendance sheet")
        verbose_name_plural = _("attendance sheets")
        constraints = [models.UniqueConstraint(fields=["training", "date"], name="attendance_sheet_per_day")]

    def __str__(self) -> str:
        return self.number or f"{self.training} {self.date:%d-%m-%Y}"


class CertificateStatus(models.TextChoices):
    VALID = "valid", _("Valid")
    REVOKED = "revoked", _("Revoked")


class Certificate(TimeStamped):
    """A certificate of completion: the name and hours as they were at issue, and a code anyone may check."""

    training = models.ForeignKey(Training, on_delete=models.PROTECT, related_name="certificates")
    membership = models.ForeignKey(
        "registry.Membership", on_delete=models.PROTECT, related_name="certificates"
    )
    office = models.ForeignKey("accounts.Office", on_delete=models.PROTECT, related_name="+")
    code = models.CharField(_("verification code"), max_length=16, unique=True)
    year = models.PositiveSmallIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("sequence"))
    number = models.CharField(_("number"), max_length=200)
    name = models.CharField(_("name as issued"), max_length=150)
    lesson_hours = models.PositiveSmallIntegerField(_("lesson hours (JP)"))
    issued_on = models.DateField(_("issued on"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=8, choices=CertificateStatus.choices, default=CertificateStatus.VALID
    )
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)
    revoke_reason = models.CharField(_("reason for revoking"), max_length=200, blank=True)
    check_count = models.PositiveIntegerField(_("times checked"), default=0)
    last_checked_at = models.DateTimeField(_("last checked at"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["check_count", "last_checked_at"])

    class Meta:
        ordering = ["training", "sequence"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        constraints = [
            models.UniqueConstraint(fields=["training", "membership"], name="certificate_once_per_training"),
            models.UniqueConstraint(fields=["office", "year", "sequence"], name="certificate_number_unique"),
        ]

    def __str__(self) -> str:
        return self.number


class CostKind(models.TextChoices):
    HONORARIUM = "honorarium", _("Instructor honorarium")
    COST = "cost", _("Training cost")


class TrainingCost(models.Model):
    """A spending of a training recorded on a budget line: an instructor's honorarium or another cost."""

    training = models.ForeignKey(Training, on_delete=models.PROTECT, related_name="costs")
    kind = models.CharField(_("kind"), max_length=12, choices=CostKind.choices)
    session = models.OneToOneField(
        Session, on_delete=models.PROTECT, null=True, blank=True, related_name="honorarium"
    )
    budget_line = models.ForeignKey(
        "programs.BudgetLine", on_delete=models.PROTECT, related_name="+", verbose_name=_("budget line")
    )
    spent_on = models.DateField(_("date"))
    amount = models.BigIntegerField(_("amount (Rp)"), validators=[MinValueValidator(1)])
    description = models.CharField(_("description"), max_length=300)
    # The ledger's record (tunas.programs.ledger); kept as a plain id so this app needs no migration of it.
    spending_id = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["training", "spent_on", "pk"]
        verbose_name = _("training cost")
        verbose_name_plural = _("training costs")

    def __str__(self) -> str:
        return self.description

    @property
    def source(self) -> str:
        if self.kind == CostKind.HONORARIUM and self.session_id:
            return f"training.honorarium:{self.session_id}"
        return f"training.cost:{self.pk}"
