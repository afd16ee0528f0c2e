"""Shared vocabularies used by several apps (programme eligibility, registry, reports)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TargetCategory(models.TextChoices):
    UNEMPLOYED = "penganggur", _("Unemployed")
    UNDEREMPLOYED = "setengah_penganggur", _("Underemployed")
    LAID_OFF = "korban_phk", _("Laid off")
    POOR_HOUSEHOLD = "keluarga_miskin", _("Poor household")
    ELDERLY = "lansia", _("Elderly")
    DISABILITY = "disabilitas", _("Person with disability")
    RETIREE = "purna_tugas", _("Retiree")
    RETURNED_MIGRANT = "purna_pmi", _("Returned migrant worker")
    WOMAN_HEADED = "perempuan_kepala_keluarga", _("Woman head of household")
    YOUTH = "pemuda", _("Youth")


# Labels as Indonesian offices write them, accepted on import besides the keys and translated labels.
TARGET_CATEGORY_ID_LABELS = {
    "penganggur": "Penganggur",
    "setengah_penganggur": "Setengah penganggur",
    "korban_phk": "Korban PHK",
    "keluarga_miskin": "Keluarga miskin",
    "lansia": "Lansia",
    "disabilitas": "Penyandang disabilitas",
    "purna_tugas": "Purna tugas",
    "purna_pmi": "Purna PMI",
    "perempuan_kepala_keluarga": "Perempuan kepala keluarga",
    "pemuda": "Pemuda",
}


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")
