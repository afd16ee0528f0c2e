"""Offices with a jurisdiction, and users who belong to one office and hold roles."""

from __future__ import annotations

import string
from functools import cached_property

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .roles import ROLES_MANAGING_PROGRAMMES, ROLES_READING_JURISDICTION, ROLES_SEEING_FULL_NIK, Role

# What an office's document numbers may hold, and the default (027/BA-SELEKSI/DISPERINAKER/VIII/2018).
DOCUMENT_NUMBER_PLACEHOLDERS = ("seq", "office_code", "month_roman", "year", "program")
DEFAULT_DOCUMENT_NUMBER_PATTERN = "{seq}/BA-SELEKSI/{office_code}/{month_roman}/{year}"
# A civil servant's NIP (NIP baru): 18 digits, birth date, appointment month, sex and serial.
nip_validator = RegexValidator(r"^\d{18}$", _("A NIP has exactly 18 digits."), code="value_invalid")


class Office(models.Model):
    """A manpower office. Jurisdiction: a region code, "" national, "51" a province, "51.05" a regency."""

    class Level(models.TextChoices):
        NATIONAL = "national", _("National")
        PROVINCE = "province", _("Province")
        REGENCY = "regency", _("Regency/city")

    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    region_code = models.CharField(
        _("jurisdiction code"),
        max_length=5,
        blank=True,
        db_index=True,
        help_text=_("Kemendagri code of the province (51) or regency (51.05); empty for the ministry."),
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    logo = models.ImageField(_("logo"), upload_to="offices/", blank=True)
    # The letterhead (kop surat) and signatures of the office's documents. The database holds the defaults
    # too, so that a row written without these columns (an older migration's state, raw SQL) is still valid.
    government_name = models.CharField(
        _("government"),
        max_length=200,
        blank=True,
        default="",
        db_default="",
        help_text=_(
            "The line above the office's name on its letters, e.g. Pemerintah Kabupaten Klungkung. "
            "Leave empty to use the government of the office's jurisdiction."
        ),
    )
    office_code = models.CharField(
        _("office code"),
        max_length=30,
        blank=True,
        default="",
        db_default="",
        help_text=_(
            "The office's code in document numbers, e.g. DISPERINAKER. "
            "Leave empty to use the first word of the short name."
        ),
    )
    email = models.EmailField(_("e-mail"), blank=True, default="", db_default="")
    website = models.CharField(
        _("website"),
        max_length=200,
        blank=True,
        default="",
        db_default="",
        help_text=_("As printed, e.g. disnaker.klungkungkab.go.id"),
    )
    head_title = models.CharField(
        _("title of the head of office"),
        max_length=200,
        blank=True,
        default="",
        db_default="",
        help_text=_("As it is signed, e.g. Kepala Dinas Perindustrian dan Tenaga Kerja Kabupaten Klungkung."),
    )
    head_name = models.CharField(
        _("name of the head of office"), max_length=200, blank=True, default="", db_default=""
    )
    head_nip = models.CharField(
        _("NIP of the head of office"),
        max_length=18,
        blank=True,
        default="",
        db_default="",
        validators=[nip_validator],
    )
    document_number_pattern = models.CharField(
        _("document number pattern"),
        max_length=200,
        default=DEFAULT_DOCUMENT_NUMBER_PATTERN,
        db_default=DEFAULT_DOCUMENT_NUMBER_PATTERN,
        help_text=_(
            "How the office numbers its selection records. {seq}: the office's running number for the "
            "year, three digits (027); {office_code}: the office code; {month_roman}: the month in Roman "
            "numerals (VIII); {year}: the year (2018); {program}: the programme code."
        ),
    )

    class Meta:
        ordering = ["region_code", "name"]
        verbose_name = _("office")
        verbose_name_plural = _("offices")

    def __str__(self) -> str:
        return self.short_name or self.name

    @property
    def document_code(self) -> str:
        """The code in document numbers: the office code, else the first word of the short name."""
        if self.office_code.strip():
            return self.office_code.strip()
        words = (self.short_name or self.name).split()
        return words[0].upper() if words else ""

    def clean(self) -> None:
        from tunas.regions.models import Province, Regency

        self._clean_document_number_pattern()

        lengths: dict[str, int] = {self.Level.NATIONAL: 0, self.Level.PROVINCE: 2, self.Level.REGENCY: 5}
        expected = lengths.get(self.level)
        if len(self.region_code) != expected:
            raise ValidationError(
                {"region_code": _("The jurisdiction code does not fit the office level.")},
                code="value_invalid",
            )
        if self.level == self.Level.PROVINCE and not Province.objects.filter(code=self.region_code).exists():
            raise ValidationError({"region_code": _("Unknown province code.")}, code="value_invalid")
        if self.level == self.Level.REGENCY and not Regency.objects.filter(code=self.region_code).exists():
            raise ValidationError({"region_code": _("Unknown regency code.")}, code="value_invalid")

    def _clean_document_number_pattern(self) -> None:
        try:
            fields = [
                (name, spec, conversion)
                for _text, name, spec, conversion in string.Formatter().parse(self.document_number_pattern)
                if name is not None
            ]
        except ValueError:
            fields = [("{", "", None)]
        names = {name for name, _spec, _conversion in fields}
        unknown = names - set(DOCUMENT_NUMBER_PLACEHOLDERS)
        if unknown or "seq" not in names or any(spec or conversion for _name, spec, conversion in fields):
            raise ValidationError(
                {
                    "document_number_pattern": _(
                        "Use {seq} once or more, and only the placeholders listed below, each as written."
                    )
                },
                code="value_invalid",
            )


class User(AbstractUser):
    office = models.ForeignKey(
        Office,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("office"),
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @cached_property
    def roles(self) -> frozenset[str]:
        # Through .all(), so a list that prefetched the groups asks nothing more per user.
        return frozenset(group.name for group in self.groups.all())

    def has_role(self, *roles: str) -> bool:
        return self.is_superuser or any(role in self.roles for role in roles)

    @property
    def jurisdiction(self) -> str | None:
        """The region prefix this user may see: "" national, a code, or None for nothing at all."""
        if self.is_superuser and self.office is None:
            return ""
        return self.office.region_code if self.office else None

    @property
    def sees_full_nik(self) -> bool:
        return self.has_role(*ROLES_SEEING_FULL_NIK)

    @property
    def reads_jurisdiction(self) -> bool:
        return self.has_role(*ROLES_READING_JURISDICTION)

    @property
    def manages_programmes(self) -> bool:
        return self.has_role(*ROLES_MANAGING_PROGRAMMES)

    @property
    def role_labels(self) -> list[str]:
        return [str(label) for key, label in Role.choices if key in self.roles]
