"""Aid: goods bought and allocated to groups, their handover records (BAST), the groups' asset registers,
and cash aid with its accountability reports (LPJ).

Money is integer Rupiah. What a signed record prints (the receivers' names, the items) is stored on the
record as it was on the day, so that a later edit of a person or an item never changes a signed document.
Photos, scans and receipts live in the private storage (no URL) and are served by permission-checked views.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from tunas.core.models import TimeStamped, Versioned

DEFAULT_HANDOVER_NUMBER_PATTERN = "{seq}/BAST/{office_code}/{month_roman}/{year}"


def _private_storage():
    # The private storage of tunas.reports (outside MEDIA_ROOT, no URL); a callable keeps paths out of
    # migrations.
    from tunas.reports.models import private_storage

    return private_storage()


def _stored_name(folder: str, filename: str) -> str:
    """``aid/photos/2026/05/<uuid>.jpg``: the uploader's file name stays out of the path."""
    from pathlib import PurePath

    suffix = PurePath(filename).suffix.lower()
    suffix = suffix if suffix in (".pdf", ".jpg", ".jpeg", ".png", ".webp") else ""
    return f"aid/{folder}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


def photo_upload_to(instance, filename: str) -> str:
    return _stored_name("photos", filename)


def scan_upload_to(instance, filename: str) -> str:
    return _stored_name("scans", filename)


def proof_upload_to(instance, filename: str) -> str:
    return _stored_name("proofs", filename)


def receipt_upload_to(instance, filename: str) -> str:
    return _stored_name("receipts", filename)


class AidSettings(models.Model):
    """An office's settings for its aid documents: how it numbers its handover records."""

    office = models.OneToOneField(
        "accounts.Office", on_delete=models.CASCADE, related_name="aid_settings", verbose_name=_("office")
    )
    handover_number_pattern = models.CharField(
        _("handover record number pattern"),
        max_length=200,
        default=DEFAULT_HANDOVER_NUMBER_PATTERN,
        help_text=_(
            "How the office numbers its handover records, e.g. {seq}/BAST/{office_code}/{month_roman}/"
            "{year}. {seq}: the office's running number for the year; {office_code}: the office code; "
            "{month_roman}: the month in Roman numerals; {year}: the year; {program}: the programme code."
        ),
    )

    class Meta:
        verbose_name = _("aid settings")
        verbose_name_plural = _("aid settings")

    def __str__(self) -> str:
        return str(self.office)


# Goods ------------------------------------------------------------------------------------------------------


class Purchase(TimeStamped, Versioned):
    """Goods procured for a programme: one spending entry on one of its budget lines."""

    program = models.ForeignKey(
        "programs.Program",
        on_delete=models.PROTECT,
        related_name="aid_purchases",
        verbose_name=_("programme"),
    )
    budget_line = models.ForeignKey(
        "programs.BudgetLine", on_delete=models.PROTECT, related_name="+", verbose_name=_("budget line")
    )
    name = models.CharField(_("item"), max_length=200)
    specification = models.CharField(_("specification"), max_length=400, blank=True)
    unit = models.CharField(_("unit"), max_length=30, help_text=_("As counted: unit, set, piece, pack …"))
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    unit_price = models.BigIntegerField(_("unit price (Rp)"), validators=[MinValueValidator(1)])
    supplier = models.CharField(_("supplier"), max_length=200)
    purchased_on = models.DateField(_("purchase date"))
    spending = models.OneToOneField(
        "programs.Spending",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="aid_purchase",
        verbose_name=_("spending entry"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["purchased_on", "pk"]
        verbose_name = _("purchase")
        verbose_name_plural = _("purchases")
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="aid_purchase_quantity_positive"),
            models.CheckConstraint(condition=models.Q(unit_price__gt=0), name="aid_purchase_price_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def total(self) -> int:
        return self.quantity * self.unit_price


class Allocation(TimeStamped, Versioned):
    """How many of a purchase's units go to one group of the programme."""

    purchase = models.ForeignKey(
        Purchase, on_delete=models.PROTECT, related_name="allocations", verbose_name=_("purchase")
    )
    group = models.ForeignKey(
        "registry.Group", on_delete=models.PROTECT, related_name="aid_allocations", verbose_name=_("group")
    )
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["group", "purchase"]
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        constraints = [
            models.UniqueConstraint(fields=["purchase", "group"], name="aid_allocation_once_per_group"),
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="aid_allocation_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.purchase} → {self.group} ({self.quantity})"

    @property
    def value(self) -> int:
        return self.quantity * self.purchase.unit_price


# The handover (serah terima) --------------------------------------------------------------------------------


class Handover(TimeStamped, Versioned):
    """One handover record (Berita Acara Serah Terima) of goods to one group.

    ``parties`` holds who handed over, who received and who witnessed as they were when the record was
    last saved before signing (names, roles, addresses, NIK masked): the printed record reads only these.
    Once the signed scan is uploaded (``signed_at``) the record is locked.
    """

    program = models.ForeignKey(
        "programs.Program",
        on_delete=models.PROTECT,
        related_name="aid_handovers",
        verbose_name=_("programme"),
    )
    group = models.ForeignKey(
        "registry.Group", on_delete=models.PROTECT, related_name="aid_handovers", verbose_name=_("group")
    )
    handed_on = models.DateField(_("handover date"))
    place = models.CharField(_("place"), max_length=200)
    date_reason = models.CharField(
        _("reason for the date"),
        max_length=300,
        blank=True,
        help_text=_("Needed only when the handover falls outside the programme's fiscal year."),
    )
    official_name = models.CharField(_("official handing over"), max_length=200)
    official_nip = models.CharField(_("NIP of the official"), max_length=18, blank=True)
    official_position = models.CharField(_("position of the official"), max_length=200)
    receiver = models.ForeignKey(
        "registry.Membership",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("receiving representative"),
    )
    witnesses = models.ManyToManyField("registry.Membership", related_name="+", verbose_name=_("witnesses"))
    parties = models.JSONField(default=dict, editable=False)
    # The record's number, drawn once from the office's running number of the handover's year.
    office = models.ForeignKey("accounts.Office", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("sequence"))
    number = models.CharField(_("number"), max_length=200)
    signed_scan = models.FileField(
        _("signed scan"), upload_to=scan_upload_to, storage=_private_storage, max_length=255, blank=True
    )
    signed_at = models.DateTimeField(_("signed record uploaded at"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords(m2m_fields=[witnesses])

    class Meta:
        ordering = ["handed_on", "pk"]
        verbose_name = _("handover record")
        verbose_name_plural = _("handover records")
        constraints = [
            models.UniqueConstraint(fields=["office", "year", "sequence"], name="aid_handover_number_unique"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None


class HandoverItem(models.Model):
    """A line of the handover record: how many units of one allocation, with their serial numbers.

    Name, specification, unit and price are copied from the purchase when the line is written.
    """

    handover = models.ForeignKey(Handover, on_delete=models.CASCADE, related_name="items")
    allocation = models.ForeignKey(
        Allocation, on_delete=models.PROTECT, related_name="handover_items", verbose_name=_("allocation")
    )
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    serials = models.JSONField(_("serial numbers"), default=list, blank=True)
    name = models.CharField(_("item"), max_length=200)
    specification = models.CharField(_("specification"), max_length=400, blank=True)
    unit = models.CharField(_("unit"), max_length=30)
    unit_price = models.BigIntegerField(_("unit price (Rp)"))
    position = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["handover", "position", "pk"]
        verbose_name = _("handed-over item")
        verbose_name_plural = _("handed-over items")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="aid_handover_item_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} × {self.quantity}"

    @property
    def total(self) -> int:
        return self.quantity * self.unit_price


class HandoverPhoto(models.Model):
    """A photo of the handover: EXIF removed, turned upright and resized when uploaded."""

    handover = models.ForeignKey(Handover, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to=photo_upload_to, storage=_private_storage, max_length=255)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["handover", "pk"]
        verbose_name = _("handover photo")
        verbose_name_plural = _("handover photos")

    def __str__(self) -> str:
        return self.caption or self.image.name


# The asset register -----------------------------------------------------------------------------------------


class Condition(models.TextChoices):
    GOOD = "good", _("Good")
    DAMAGED = "damaged", _("Damaged")
    LOST = "lost", _("Lost")
    SOLD = "sold", _("Sold")


class Asset(TimeStamped):
    """One item a group holds from a signed handover (one per serial number, or one per line without)."""

    group = models.ForeignKey(
        "registry.Group", on_delete=models.PROTECT, related_name="aid_assets", verbose_name=_("group")
    )
    handover_item = models.ForeignKey(
        HandoverItem, on_delete=models.PROTECT, related_name="assets", verbose_name=_("handed-over item")
    )
    name = models.CharField(_("item"), max_length=200)
    serial = models.CharField(_("serial number"), max_length=100, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    received_on = models.DateField(_("received on"))
    # The latest check's condition, kept here so that the register reads in one query.
    condition = models.CharField(
        _("condition"), max_length=10, choices=Condition.choices, default=Condition.GOOD
    )
    checked_on = models.DateField(_("last checked on"), null=True, blank=True)

    class Meta:
        ordering = ["group", "name", "serial", "pk"]
        verbose_name = _("asset")
        verbose_name_plural = _("assets")

    def __str__(self) -> str:
        return f"{self.name} {self.serial}".strip()


class AssetCheck(models.Model):
    """A look at an asset on a day: its condition, a note and a photo (mentors fill these over time)."""

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="checks")
    checked_on = models.DateField(_("checked on"))
    condition = models.CharField(_("condition"), max_length=10, choices=Condition.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    photo = models.ImageField(
        _("photo"), upload_to=photo_upload_to, storage=_private_storage, max_length=255, blank=True
    )
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The mentor's visit this check was made on (the visit's UUID: the mentoring app sits beside this one,
    # so no foreign key); empty for a check recorded on the asset's own page.
    visit_id = models.UUIDField(_("visit"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["asset", "-checked_on", "-pk"]
        verbose_name = _("condition check")
        verbose_name_plural = _("condition checks")
        constraints = [
            models.UniqueConstraint(
                fields=["visit_id", "asset"],
                condition=models.Q(visit_id__isnull=False),
                name="aid_assetcheck_once_per_visit",
            )
        ]

    def __str__(self) -> str:
        return f"{self.asset} {self.checked_on}: {self.condition}"


# Cash aid ---------------------------------------------------------------------------------------------------


class CashTransfer(TimeStamped, Versioned):
    """Money sent to a group's account: one spending entry on a budget line of the programme."""

    program = models.ForeignKey(
        "programs.Program",
        on_delete=models.PROTECT,
        related_name="aid_transfers",
        verbose_name=_("programme"),
    )
    group = models.ForeignKey(
        "registry.Group", on_delete=models.PROTECT, related_name="aid_transfers", verbose_name=_("group")
    )
    budget_line = models.ForeignKey(
        "programs.BudgetLine", on_delete=models.PROTECT, related_name="+", verbose_name=_("budget line")
    )
    bank = models.CharField(_("bank"), max_length=100)
    account_holder = models.CharField(_("account holder"), max_length=200)
    account_number = models.CharField(_("account number"), max_length=30)
    amount = models.BigIntegerField(_("amount (Rp)"), validators=[MinValueValidator(1)])
    transferred_on = models.DateField(_("transfer date"))
    proof = models.FileField(
        _("proof of transfer"),
        upload_to=proof_upload_to,
        storage=_private_storage,
        max_length=255,
        blank=True,
    )
    spending = models.OneToOneField(
        "programs.Spending",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="aid_transfer",
        verbose_name=_("spending entry"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["transferred_on", "pk"]
        verbose_name = _("cash transfer")
        verbose_name_plural = _("cash transfers")
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="aid_transfer_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.group}: {self.amount}"

    @property
    def account_masked(self) -> str:
        """The account number as pages show it: the last four digits only."""
        digits = self.account_number.replace(" ", "").replace("-", "").replace(".", "")
        if len(digits) <= 4:
            return "•" * len(digits)
        return "•" * (len(digits) - 4) + digits[-4:]


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Being written")
    SUBMITTED = "submitted", _("Submitted")


class AccountabilityReport(TimeStamped, Versioned):
    """A group's accountability report (laporan pertanggungjawaban, LPJ) for one transfer."""

    transfer = models.OneToOneField(
        CashTransfer, on_delete=models.PROTECT, related_name="report", verbose_name=_("cash transfer")
    )
    due_on = models.DateField(_("due date"))
    introduction = models.TextField(_("introduction"), blank=True)
    business_idea = models.TextField(_("business idea"), blank=True)
    results = models.TextField(_("results"), blank=True)
    problems = models.TextField(_("problems met"), blank=True)
    strategy = models.TextField(_("strategy"), blank=True)
    closing = models.TextField(_("closing"), blank=True)
    returned_amount = models.BigIntegerField(
        _("remaining balance returned (Rp)"), default=0, validators=[MinValueValidator(0)]
    )
    returned_on = models.DateField(_("returned on"), null=True, blank=True)
    return_proof = models.FileField(
        _("proof of return"), upload_to=proof_upload_to, storage=_private_storage, max_length=255, blank=True
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    CHAPTERS = ("introduction", "business_idea", "results", "problems", "strategy", "closing")

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("accountability report")
        verbose_name_plural = _("accountability reports")

    def __str__(self) -> str:
        return f"LPJ {self.transfer}"

    @property
    def is_overdue(self) -> bool:
        return self.status != ReportStatus.SUBMITTED and self.due_on < timezone.localdate()


class ReportPurchase(models.Model):
    """What a group bought with the transferred money, with its receipt and a photo."""

    report = models.ForeignKey(AccountabilityReport, on_delete=models.CASCADE, related_name="purchases")
    bought_on = models.DateField(_("date"))
    description = models.CharField(_("what was bought"), max_length=300)
    quantity = models.PositiveIntegerField(_("quantity"), default=1, validators=[MinValueValidator(1)])
    amount = models.BigIntegerField(_("amount (Rp)"), validators=[MinValueValidator(1)])
    receipt = models.FileField(
        _("receipt"), upload_to=receipt_upload_to, storage=_private_storage, max_length=255, blank=True
    )
    photo = models.ImageField(
        _("photo"), upload_to=photo_upload_to, storage=_private_storage, max_length=255, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["report", "bought_on", "pk"]
        verbose_name = _("purchase from cash aid")
        verbose_name_plural = _("purchases from cash aid")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="aid_report_purchase_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.description
