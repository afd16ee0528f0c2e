"""People, business groups and memberships: who takes part in which programme, verified by whom."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from tunas.core.choices import Sex
from tunas.core.models import TimeStamped, Versioned
from tunas.core.nik import mask_nik


class Disability(models.TextChoices):
    """UU 8/2016 categories."""

    NONE = "", _("None")
    PHYSICAL = "fisik", _("Physical")
    INTELLECTUAL = "intelektual", _("Intellectual")
    MENTAL = "mental", _("Mental")
    VISUAL = "sensorik_netra", _("Sensory: visual")
    HEARING = "sensorik_rungu", _("Sensory: hearing")
    SPEECH = "sensorik_wicara", _("Sensory: speech")


class Education(models.TextChoices):
    NONE = "tidak_sekolah", _("No schooling")
    SD = "sd", _("Primary school (SD)")
    SMP = "smp", _("Junior high school (SMP)")
    SMA = "sma", _("Senior high school (SMA/SMK)")
    DIPLOMA = "diploma", _("Diploma (D1–D4)")
    S1 = "s1", _("Bachelor (S1)")
    S2 = "s2", _("Postgraduate (S2/S3)")


class Employment(models.TextChoices):
    NONE = "tidak_bekerja", _("Not working")
    INFORMAL = "informal", _("Informal / casual work")
    SELF = "usaha_sendiri", _("Own small business")
    FAMILY = "pekerja_keluarga", _("Unpaid family worker")
    RETIRED = "pensiun", _("Retired")
    OTHER = "lainnya", _("Other")
    # Not eligible (DOMAIN.md): recorded so the refusal says why.
    CIVIL_SERVANT = "asn", _("Civil servant (ASN/PNS)")
    SOLDIER = "tni", _("Soldier (TNI)")
    POLICE = "polri", _("Police officer (Polri)")
    FORMAL = "formal", _("Formal employee")


digits16 = RegexValidator(r"^[0-9]{16}$", _("Enter exactly 16 digits."), code="nik_format")


class Person(TimeStamped, Versioned):
    """One human being's identity as on the KTP, identified by NIK, one record nationally.

    Only the office that registered the person first (the owner) corrects it, and only while no other
    office has registered them. What a person declares for a programme belongs to the ``Membership``.
    """

    nik = models.CharField(_("NIK"), max_length=16, unique=True, validators=[digits16])
    full_name = models.CharField(_("full name"), max_length=150)
    # Lower-case, single-spaced name for finding the same person under another NIK.
    name_key = models.CharField(max_length=150, db_index=True, editable=False)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_place = models.CharField(_("place of birth"), max_length=100, blank=True)
    birth_date = models.DateField(_("date of birth"))
    owner_office = models.ForeignKey(
        "accounts.Office",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("office that owns the identity"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["name_key"])

    class Meta:
        ordering = ["full_name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        indexes = [
            models.Index(fields=["name_key", "birth_date"], name="person_name_birth"),
            models.Index(fields=["full_name", "id"], name="person_sort_name"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def nik_masked(self) -> str:
        return mask_nik(self.nik)


def name_key(name: str) -> str:
    return " ".join(str(name).lower().split())


class BusinessType(models.TextChoices):
    CRAFTS = "kerajinan", _("Crafts")
    FOOD = "olahan_pangan", _("Food processing")
    AGRICULTURE = "pertanian", _("Agriculture")
    LIVESTOCK = "peternakan", _("Livestock")
    FISHERIES = "perikanan", _("Fisheries")
    TRADE = "perdagangan", _("Trade")
    SERVICES = "jasa", _("Services")
    OTHER = "lainnya", _("Other")


class GroupStatus(models.TextChoices):
    FORMING = "forming", _("Forming")
    VERIFIED = "verified", _("Verified")
    TRAINED = "trained", _("Trained")
    EQUIPPED = "equipped", _("Equipped")
    MENTORED = "mentored", _("Mentored")
    GRADUATED = "graduated", _("Graduated")
    DISSOLVED = "dissolved", _("Dissolved")
    REJECTED = "rejected", _("Rejected")


# The copies a membership keeps of its programme's office, its person's name and its group's name.
LIST_KEYS = ("office_id", "person_name", "group_name")

COUNT_FIELDS = (
    "member_count",
    "pending_count",
    "approved_count",
    "rejected_count",
    "women_count",
    "men_count",
    "warning_count",
)


class Group(TimeStamped, Versioned):
    """A business group (kelompok usaha) of one programme: ~10–20 people of one village and trade."""

    program = models.ForeignKey(
        "programs.Program", on_delete=models.PROTECT, related_name="groups", verbose_name=_("programme")
    )
    name = models.CharField(_("group name"), max_length=150)
    business_type = models.CharField(_("business type"), max_length=20, choices=BusinessType.choices)
    business_description = models.CharField(_("business description"), max_length=300, blank=True)
    village = models.ForeignKey(
        "regions.Village", on_delete=models.PROTECT, related_name="groups", verbose_name=_("village")
    )
    hamlet = models.ForeignKey(
        "regions.Hamlet",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="groups",
        verbose_name=_("hamlet (banjar/dusun)"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=GroupStatus.choices, default=GroupStatus.FORMING
    )
    verification_note = models.TextField(_("verification note"), blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    # Counts of the group's registrations, kept current by registry.counts in the same transaction as every
    # change to them, so lists and the queue read them instead of counting (COUNTS lists them).
    member_count = models.PositiveIntegerField(_("members"), default=0, editable=False)
    pending_count = models.PositiveIntegerField(default=0, editable=False)
    approved_count = models.PositiveIntegerField(default=0, editable=False)
    rejected_count = models.PositiveIntegerField(default=0, editable=False)
    women_count = models.PositiveIntegerField(default=0, editable=False)
    men_count = models.PositiveIntegerField(default=0, editable=False)
    warning_count = models.PositiveIntegerField(default=0, editable=False)

    history = HistoricalRecords(excluded_fields=[*COUNT_FIELDS])

    class Meta:
        ordering = ["program", "name"]
        verbose_name = _("business group")
        verbose_name_plural = _("business groups")
        constraints = [
            models.UniqueConstraint("program", Lower("name"), name="group_name_unique_in_program"),
        ]
        # One index per sort the lists offer (name last, then the key), so a page is an index seek.
        indexes = [
            models.Index(fields=["name", "id"], name="group_sort_name"),
            models.Index(fields=["business_type", "name", "id"], name="group_sort_type"),
            models.Index(fields=["status", "name", "id"], name="group_sort_status"),
            models.Index(fields=["member_count", "name", "id"], name="group_sort_members"),
            models.Index(fields=["program", "name", "id"], name="group_sort_program"),
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    CHAIR = "ketua", _("Chair")
    SECRETARY = "sekretaris", _("Secretary")
    TREASURER = "bendahara", _("Treasurer")
    MEMBER = "anggota", _("Member")


class Verification(models.TextChoices):
    PENDING = "pending", _("Waiting for verification")
    APPROVED = "approved", _("Verified")
    REJECTED = "rejected", _("Rejected")


class Membership(TimeStamped, Versioned):
    """A person's registration in a group of a programme, with what they declared for it, kept as it was.

    One person, one open registration per programme. The selection record, and later the handover record
    and the certificate, show this registration's data, never what a later programme recorded.
    """

    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="memberships")
    group = models.ForeignKey(
        Group, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("group")
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("person")
    )
    role = models.CharField(_("role in group"), max_length=12, choices=Role.choices, default=Role.MEMBER)
    # What the person declared for this programme ------------------------------------------------------------
    kk = models.CharField(_("family card number (KK)"), max_length=16, blank=True, validators=[digits16])
    village = models.ForeignKey(
        "regions.Village", on_delete=models.PROTECT, related_name="registrations", verbose_name=_("village")
    )
    hamlet = models.ForeignKey(
        "regions.Hamlet",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="registrations",
        verbose_name=_("hamlet (banjar/dusun)"),
    )
    street = models.CharField(_("street address"), max_length=200, blank=True)
    phone = models.CharField(
        _("phone"), max_length=16, blank=True, db_index=True, help_text=_("Stored as +62…")
    )
    education = models.CharField(_("education"), max_length=20, choices=Education.choices, blank=True)
    disability = models.CharField(_("disability"), max_length=20, choices=Disability.choices, blank=True)
    categories = models.JSONField(_("target categories"), default=list)
    employment_before = models.CharField(
        _("employment before the programme"), max_length=20, choices=Employment.choices, blank=True
    )
    income_before = models.BigIntegerField(
        _("monthly income before (Rp)"), null=True, blank=True, validators=[MinValueValidator(0)]
    )
    consent_data = models.BooleanField(_("consents to data processing"), default=False)
    consent_public = models.BooleanField(
        _("consents to appear by name or photo on public pages"), default=False
    )
    # The verification --------------------------------------------------------------------------------------
    verification = models.CharField(
        _("verification"), max_length=10, choices=Verification.choices, default=Verification.PENDING
    )
    verification_reason = models.TextField(_("reason"), blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    # Warnings found at registration (possible duplicates under another NIK …) until an officer resolves them.
    warnings = models.JSONField(default=list, blank=True)
    warnings_resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Whether this registration holds the person's one place in the programme: a rejection, or a rejected
    # or dissolved group, frees it (kept by the services, from rules.registration_is_open).
    holds_place = models.BooleanField(default=True, editable=False)
    # Copies of the programme's office, the person's name and the group's name, so that a list filters and
    # sorts on the registration's own row: an index (office, person_name, id) pages a regency's members by
    # name with one seek, where a sort on the joined person's name sorted all of them. Written with the
    # registration and kept by registry.counts.refresh, which every service that renames a person or a
    # group already calls; LIST_KEYS names them.
    office = models.ForeignKey(
        "accounts.Office",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        db_index=False,  # membership_office_name leads with it
    )
    person_name = models.CharField(max_length=150, blank=True, editable=False)
    group_name = models.CharField(max_length=150, blank=True, editable=False)

    # The copies are not edits of the registration: its history leaves them out.
    history = HistoricalRecords(excluded_fields=["office", "person_name", "group_name"])

    class Meta:
        ordering = ["group", "person__full_name"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["program", "person"],
                condition=models.Q(holds_place=True),
                name="one_open_registration_per_programme",
            ),
        ]
        # One index per list and sort the lists offer (registry.selectors.MEMBER_SORTS): a page is a seek.
        indexes = [
            models.Index(fields=["program", "verification"], name="membership_program_verif"),
            models.Index(fields=["verification", "id"], name="membership_sort_verif"),
            models.Index(fields=["group", "id"], name="membership_group_id"),
            models.Index(fields=["person_name", "id"], name="membership_sort_name"),
            models.Index(fields=["office", "person_name", "id"], name="membership_office_name"),
            models.Index(fields=["program", "person_name", "id"], name="membership_program_name"),
            models.Index(
                fields=["program", "group_name", "group", "person_name", "id"],
                name="membership_program_group",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.group})"

    def copy_list_keys(self) -> None:
        """Takes the office, the person's name and the group's name from the rows they belong to."""
        self.office_id = self.program.office_id
        self.person_name = self.person.full_name
        self.group_name = self.group.name

    @property
    def kk_masked(self) -> str:
        return mask_nik(self.kk) if self.kk else ""


class ImportJob(TimeStamped):
    """One spreadsheet upload: its file, its preview report, and its progress once confirmed.

    The upload and the problems file hold NIKs: they live in a private storage (PRIVATE_MEDIA_ROOT, never
    under MEDIA_ROOT, with no URL), under random names, are served only through the permission-checked
    import pages, and are deleted a while after the job ends (``manage.py purge_uploads``).
    """

    # Imported here rather than at the top so that all of the import's storage stays in this class.
    from django.core.files.storage import FileSystemStorage as _FileSystemStorage

    class PrivateStorage(_FileSystemStorage):
        """Files of personal data: under settings.PRIVATE_MEDIA_ROOT, read when used (tests override it)."""

        @property  # type: ignore[override]
        def base_location(self) -> str:
            return str(settings.PRIVATE_MEDIA_ROOT)

        @property  # type: ignore[override]
        def location(self) -> str:
            import os

            return os.path.abspath(self.base_location)

        def url(self, name: str | None) -> str:
            raise ValueError("Private files have no URL; serve them through a permission-checked view.")

    def upload_name(self, filename: str) -> str:
        """``imports/2026/05/<uuid>.xlsx``: the name the uploader gave stays in original_name only."""
        import uuid
        from pathlib import PurePath

        from django.utils import timezone

        suffix = PurePath(filename).suffix.lower()
        suffix = suffix if suffix in (".xlsx", ".xlsm", ".xls", ".ods", ".csv") else ""
        return f"imports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"

    def problems_name(self, filename: str) -> str:
        import uuid

        from django.utils import timezone

        return f"problems/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.xlsx"

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        CHECKING = "checking", _("Checking")
        PREVIEWED = "previewed", _("Ready to confirm")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="import_jobs")
    file = models.FileField(upload_to=upload_name, storage=PrivateStorage, max_length=255, blank=True)
    original_name = models.CharField(max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.UPLOADED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    # Counts and the first problems only (limits.REPORT_PROBLEMS); the problems file has them all.
    report = models.JSONField(default=dict, blank=True)
    problems_file = models.FileField(
        upload_to=problems_name, storage=PrivateStorage, max_length=255, blank=True
    )
    error = models.TextField(blank=True)
    # Each run of a phase takes the next number; a run that finds another number has been replaced (its
    # worker was taken for dead) and stops without writing.
    attempt = models.PositiveIntegerField(default=0)
    # The phase a retryable failure stopped in (its worker died, an internal error); blank when running it
    # again cannot help (the file cannot be read).
    failed_during = models.CharField(max_length=10, choices=Status.choices, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    @property
    def progress_percent(self) -> int:
        return int(100 * self.rows_done / self.rows_total) if self.rows_total else 0


class ProgramSummary(models.Model):
    """A programme's registry counts, kept current by registry.counts in the same transaction as every
    registration, decision and group change, so the home page and the programme tabs never count rows.
    ``python manage.py rebuild_counts`` recomputes them from the rows."""

    program = models.OneToOneField(
        "programs.Program", on_delete=models.CASCADE, primary_key=True, related_name="registry_summary"
    )
    groups = models.PositiveIntegerField(default=0)  # not dissolved or rejected
    groups_waiting = models.PositiveIntegerField(default=0)  # forming, with members
    groups_selected = models.PositiveIntegerField(default=0)
    groups_undersized = models.PositiveIntegerField(default=0)
    members = models.PositiveIntegerField(default=0)  # registrations not rejected, in open groups
    women = models.PositiveIntegerField(default=0)
    men = models.PositiveIntegerField(default=0)
    pending = models.PositiveIntegerField(default=0)  # all waiting registrations
    pending_in_queue = models.PositiveIntegerField(default=0)  # waiting, in forming or verified groups
    approved = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    open_warnings = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("programme registry summary")
        verbose_name_plural = _("programme registry summaries")

    def __str__(self) -> str:
        return f"{self.program_id}"
