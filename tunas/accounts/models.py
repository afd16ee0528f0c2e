"""Offices with a jurisdiction, and users who belong to one office and hold roles."""

from __future__ import annotations

from functools import cached_property

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .roles import ROLES_MANAGING_PROGRAMMES, ROLES_READING_JURISDICTION, ROLES_SEEING_FULL_NIK, Role


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

    class Meta:
        ordering = ["region_code", "name"]
        verbose_name = _("office")
        verbose_name_plural = _("offices")

    def __str__(self) -> str:
        return self.short_name or self.name

    def clean(self) -> None:
        from tunas.regions.models import Province, Regency

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
