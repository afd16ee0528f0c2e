"""Programmes: fiscal year, funding, budget lines, group and aid settings, eligibility rules, stage dates."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from tunas.accounts.models import nip_validator
from tunas.core.choices import TargetCategory
from tunas.core.errors import message_for
from tunas.core.models import TimeStamped, Versioned


class FundingSource(models.TextChoices):
    TP = "tp", _("Dana Tugas Pembantuan (TP)")
    DEKON = "dekon", _("Dekonsentrasi")
    APBN_BANTUAN = "apbn_bantuan", _("APBN government aid")
    APBD_KAB = "apbd_kab", _("APBD regency/city")
    APBD_PROV = "apbd_prov", _("APBD province")
    OTHER = "other", _("Other")


class Stage(models.TextChoices):
    """The programme lifecycle of DOMAIN.md, in order."""

    PLANNING = "planning", _("Planning")
    REGISTRATION = "registration", _("Registration")
    VERIFICATION = "verification", _("Verification")
    TRAINING = "training", _("Training")
    AID = "aid", _("Aid handover")
    MENTORING = "mentoring", _("Mentoring")
    EVALUATION = "evaluation", _("Evaluation")
    CLOSED = "closed", _("Closed")


STAGE_ORDER = list(Stage.values)
# A business group has about 10 to 20 members (DOMAIN.md); no programme runs groups of more than this.
GROUP_SIZE_LIMIT = 100


class AidForm(models.TextChoices):
    GOODS = "goods", _("Goods (equipment)")
    MONEY = "money", _("Money")


class Program(TimeStamped, Versioned):
    code = models.CharField(
        _("code"),
        max_length=40,
        unique=True,
        validators=[
            RegexValidator(
                r"^[A-Z0-9][A-Z0-9\-]*$", _("Use capital letters, digits and dashes, e.g. KLK-TKM-2018.")
            )
        ],
        help_text=_("A short unique code, e.g. KLK-TKM-2018."),
    )
    name = models.CharField(_("name"), max_length=300)
    office = models.ForeignKey(
        "accounts.Office", on_delete=models.PROTECT, related_name="programs", verbose_name=_("office")
    )
    fiscal_year = models.PositiveSmallIntegerField(
        _("fiscal year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    funding_source = models.CharField(_("funding source"), max_length=20, choices=FundingSource.choices)
    budget_total = models.BigIntegerField(
        _("total budget (Rp)"), default=0, validators=[MinValueValidator(0)]
    )
    group_size_min = models.PositiveSmallIntegerField(
        _("minimum group size"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(GROUP_SIZE_LIMIT)],
    )
    group_size_max = models.PositiveSmallIntegerField(
        _("maximum group size"),
        default=20,
        validators=[MinValueValidator(1), MaxValueValidator(GROUP_SIZE_LIMIT)],
    )
    aid_form = models.CharField(_("aid form"), max_length=10, choices=AidForm.choices, default=AidForm.GOODS)
    aid_per_group = models.BigIntegerField(
        _("aid per group (Rp)"), default=0, validators=[MinValueValidator(0)]
    )
    # Eligibility (DOMAIN.md, every rule configurable per programme).
    min_age = models.PositiveSmallIntegerField(_("minimum age"), default=18)
    max_age = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    allowed_categories = models.JSONField(
        _("allowed target categories"),
        default=list,
        blank=True,
        help_text=_("Empty means every target category is allowed."),
    )
    aid_lookback_months = models.PositiveSmallIntegerField(
        _("months of look-back for earlier aid"), default=12
    )
    domicile_in_jurisdiction = models.BooleanField(
        _("domicile must be inside the office's jurisdiction"), default=True
    )
    # Stage dates.
    registration_start = models.DateField(_("registration opens"), null=True, blank=True)
    registration_end = models.DateField(_("registration closes"), null=True, blank=True)
    verification_start = models.DateField(_("verification starts"), null=True, blank=True)
    verification_end = models.DateField(_("verification ends"), null=True, blank=True)
    training_start = models.DateField(_("training starts"), null=True, blank=True)
    training_end = models.DateField(_("training ends"), null=True, blank=True)
    aid_date = models.DateField(_("aid handover date"), null=True, blank=True)
    mentoring_until = models.DateField(_("mentoring until"), null=True, blank=True)
    evaluation_date = models.DateField(_("evaluation date"), null=True, blank=True)
    status = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.PLANNING)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-fiscal_year", "code"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(group_size_min__lte=models.F("group_size_max")),
                name="program_group_size_range",
            ),
            # SQLite stores any integer in a small-integer column: the database itself holds the limit.
            models.CheckConstraint(
                condition=models.Q(group_size_max__lte=GROUP_SIZE_LIMIT, group_size_min__gte=1),
                name="program_group_size_limit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    # The stage dates, in lifecycle order (forms, the dossier and reports list them the same way).
    STAGE_DATE_FIELDS = (
        "registration_start",
        "registration_end",
        "verification_start",
        "verification_end",
        "training_start",
        "training_end",
        "aid_date",
        "mentoring_until",
        "evaluation_date",
    )

    DATE_PAIRS = [
        ("registration_start", "registration_end"),
        ("verification_start", "verification_end"),
        ("training_start", "training_end"),
    ]

    def clean(self) -> None:
        errors: dict[str, ValidationError] = {}
        if self.group_size_min and self.group_size_max and self.group_size_min > self.group_size_max:
            errors["group_size_min"] = ValidationError(
                message_for("group_size_range"), code="group_size_range"
            )
        if self.max_age is not None and self.max_age < self.min_age:
            errors["max_age"] = ValidationError(
                _("The maximum age cannot be below the minimum age."), code="value_invalid"
            )
        unknown = [c for c in self.allowed_categories or [] if c not in TargetCategory.values]
        if unknown:
            errors["allowed_categories"] = ValidationError(message_for("value_invalid"), code="value_invalid")
        for start, end in self.DATE_PAIRS:
            a, b = getattr(self, start), getattr(self, end)
            if a and b and b < a:
                errors[end] = ValidationError(message_for("date_order"), code="date_order")
        if errors:
            raise ValidationError(errors)

    @property
    def stage_index(self) -> int:
        return STAGE_ORDER.index(self.status)

    @property
    def budget_planned(self) -> int:
        return sum(line.planned for line in self.budget_lines.all())

    @property
    def categories_allowed(self) -> list[str]:
        return list(self.allowed_categories) or list(TargetCategory.values)


class BudgetLine(models.Model):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="budget_lines")
    name = models.CharField(_("budget line"), max_length=200)
    planned = models.BigIntegerField(_("planned (Rp)"), validators=[MinValueValidator(0)])
    position = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")

    def __str__(self) -> str:
        return self.name


# The programme's documents: who signs the selection record, and the numbers an office issues ----------------


class TeamPosition(models.TextChoices):
    CHAIR = "ketua", _("Chair")
    SECRETARY = "sekretaris", _("Secretary")
    MEMBER = "anggota", _("Member")


class VerificationTeamMember(models.Model):
    """A member of the programme's verification team, who signs its selection record."""

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="verification_team", verbose_name=_("programme")
    )
    name = models.CharField(_("name"), max_length=200, help_text=_("With titles, as it is signed."))
    nip = models.CharField(
        _("NIP"),
        max_length=18,
        blank=True,
        validators=[nip_validator],
        help_text=_("18 digits; leave empty for a member who is not a civil servant."),
    )
    position = models.CharField(
        _("role in the team"), max_length=12, choices=TeamPosition.choices, default=TeamPosition.MEMBER
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["program", "order", "pk"]
        verbose_name = _("verification team member")
        verbose_name_plural = _("verification team members")

    def __str__(self) -> str:
        return self.name


class DocumentKind(models.TextChoices):
    SELECTION_RECORD = "selection_record", _("Selection result record")


class DocumentCounter(models.Model):
    """An office's running number of documents in one year: the row locked while a number is issued."""

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="document_counters")
    year = models.PositiveSmallIntegerField(_("year"))
    last = models.PositiveIntegerField(_("last number issued"), default=0)

    class Meta:
        verbose_name = _("document counter")
        verbose_name_plural = _("document counters")
        constraints = [models.UniqueConstraint(fields=["office", "year"], name="document_counter_per_year")]

    def __str__(self) -> str:
        return f"{self.office} {self.year}: {self.last}"


class DocumentNumber(models.Model):
    """The number of one document of a programme, issued once and printed on it ever after."""

    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="document_numbers", verbose_name=_("programme")
    )
    kind = models.CharField(_("document"), max_length=30, choices=DocumentKind.choices)
    # The issuing office and the year of the running number: the database refuses a number issued twice.
    office = models.ForeignKey("accounts.Office", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("sequence"))
    number = models.CharField(_("number"), max_length=200)
    dated = models.DateField(_("date of the document"))
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("document number")
        verbose_name_plural = _("document numbers")
        constraints = [
            models.UniqueConstraint(fields=["program", "kind"], name="document_number_once_per_program"),
            models.UniqueConstraint(
                fields=["office", "year", "sequence"], name="document_number_sequence_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.number


# The budget ledger: every rupiah spent, against its line (tunas/programs/ledger.py writes these) ------------


def receipt_upload_to(instance: Spending, filename: str) -> str:
    """``receipts/2026/05/<uuid>.pdf``: the uploader's file name stays out of the path."""
    import uuid
    from pathlib import PurePath

    from django.utils import timezone

    suffix = PurePath(filename).suffix.lower()
    suffix = suffix if suffix in (".pdf", ".jpg", ".jpeg", ".png") else ""
    return f"receipts/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


def _private_storage():
    # The private storage of tunas.reports (outside MEDIA_ROOT, no URL); a callable, so migrations do not
    # record a path.
    from tunas.reports.models import private_storage

    return private_storage()


class Spending(TimeStamped):
    """One spending entry on a budget line. Never deleted: a mistake is cancelled with a reason."""

    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="spendings", verbose_name=_("programme")
    )
    budget_line = models.ForeignKey(
        BudgetLine, on_delete=models.PROTECT, related_name="spendings", verbose_name=_("budget line")
    )
    spent_on = models.DateField(_("date"))
    amount = models.BigIntegerField(_("amount (Rp)"), validators=[MinValueValidator(1)])
    description = models.CharField(_("description"), max_length=300)
    paid_for = models.CharField(_("paid for"), max_length=300, blank=True)
    # What the entry paid for in machine form, e.g. "aid.purchase:12": the app's record behind it.
    source = models.CharField(_("source record"), max_length=100, blank=True, db_index=True)
    receipt = models.FileField(
        _("receipt scan"), upload_to=receipt_upload_to, storage=_private_storage, max_length=255, blank=True
    )
    receipt_name = models.CharField(_("receipt file name"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cancelled by"),
    )
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-spent_on", "-pk"]
        verbose_name = _("spending entry")
        verbose_name_plural = _("spending entries")
        constraints = [
            # The database itself refuses a zero or negative amount, whatever path wrote it.
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="spending_amount_positive"),
        ]
        indexes = [models.Index(fields=["budget_line", "cancelled_at"], name="spending_line_active")]

    def __str__(self) -> str:
        return f"{self.spent_on} {self.description}"

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    def clean(self) -> None:
        if self.budget_line_id and self.program_id and self.budget_line.program_id != self.program_id:
            raise ValidationError(
                {
                    "budget_line": ValidationError(
                        message_for("budget_line_foreign"), code="budget_line_foreign"
                    )
                }
            )


class BudgetRevision(models.Model):
    """An administrator's change of a line's plan: old and new, why, who and when (kept for the audit)."""

    line = models.ForeignKey(
        BudgetLine, on_delete=models.PROTECT, related_name="revisions", verbose_name=_("budget line")
    )
    old_planned = models.BigIntegerField(_("old plan (Rp)"))
    new_planned = models.BigIntegerField(_("new plan (Rp)"), validators=[MinValueValidator(0)])
    reason = models.CharField(_("reason"), max_length=300)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("revised by")
    )
    at = models.DateTimeField(_("revised at"), auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("budget revision")
        verbose_name_plural = _("budget revisions")

    def __str__(self) -> str:
        return f"{self.line}: {self.old_planned} → {self.new_planned}"
