"""Kemendagri administrative areas, keyed by their dotted code, and the local hamlets below villages."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class Province(models.Model):
    code = models.CharField(_("code"), max_length=2, primary_key=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")

    def __str__(self) -> str:
        return self.name


class Regency(models.Model):
    class Kind(models.TextChoices):
        REGENCY = "kabupaten", _("Regency")
        CITY = "kota", _("City")

    code = models.CharField(_("code"), max_length=5, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="regencies")

    class Meta:
        ordering = ["code"]
        verbose_name = _("regency/city")
        verbose_name_plural = _("regencies/cities")

    def __str__(self) -> str:
        return self.name


class District(models.Model):
    code = models.CharField(_("code"), max_length=8, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    regency = models.ForeignKey(Regency, on_delete=models.PROTECT, related_name="districts")

    class Meta:
        ordering = ["code"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")

    def __str__(self) -> str:
        return self.name


class Village(models.Model):
    class Kind(models.TextChoices):
        KELURAHAN = "kelurahan", _("Urban village (kelurahan)")
        DESA = "desa", _("Rural village (desa)")
        DESA_ADAT = "desa_adat", _("Customary village (desa adat)")

    code = models.CharField(_("code"), max_length=13, primary_key=True)
    name = models.CharField(_("name"), max_length=100, db_index=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="villages")
    postal_code = models.CharField(_("postal code"), max_length=5, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("village")
        verbose_name_plural = _("villages")

    def __str__(self) -> str:
        return self.name

    @property
    def regency_code(self) -> str:
        return self.code[:5]

    @property
    def district_code(self) -> str:
        return self.code[:8]


class Hamlet(models.Model):
    """A banjar, dusun or lingkungan: no official code, kept as a local list per village."""

    class Kind(models.TextChoices):
        BANJAR = "banjar", _("Banjar")
        DUSUN = "dusun", _("Dusun")
        LINGKUNGAN = "lingkungan", _("Lingkungan")
        OTHER = "lainnya", _("Other")

    village = models.ForeignKey(Village, on_delete=models.CASCADE, related_name="hamlets")
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.DUSUN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["village", "name"]
        verbose_name = _("hamlet")
        verbose_name_plural = _("hamlets")
        constraints = [models.UniqueConstraint("village", Lower("name"), name="hamlet_unique_per_village")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.name}"
