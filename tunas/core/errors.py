"""Stable machine codes for validation problems, with the message a user reads (DESIGN.md).

Forms, imports and the API report the same code for the same problem, so the words live here once.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MESSAGES = {
    "required": _("This field is required. Fill it in."),
    "nik_format": _("The NIK must be exactly 16 digits. Check the number on the ID card."),
    "nik_province": _(
        "The first two digits of the NIK are not a province code. Check the number on the ID card."
    ),
    "nik_date": _(
        "Digits 7 to 12 of the NIK are not a real birth date (DDMMYY, with 40 added to the day for women)."
    ),
    "nik_future": _("The birth date in the NIK lies in the future. Check the number on the ID card."),
    "nik_serial": _("The last four digits of the NIK cannot be 0000. Check the number on the ID card."),
    "nik_region_unknown": _(
        "The region code in the NIK is not in the current list of districts. "
        "This can be an old code; check the ID card."
    ),
    "nik_sex_mismatch": _(
        "The sex entered does not match the NIK (women have 40 added to the day of birth). "
        "Correct the sex or the NIK."
    ),
    "nik_birthdate_mismatch": _(
        "The birth date entered does not match the date in the NIK. Correct the birth date or the NIK."
    ),
    "duplicate_in_file": _("This NIK already appears in an earlier row of the file. Remove the duplicate."),
    "duplicate_in_program": _("This person is already registered in this programme."),
    "recent_aid": _("This person received aid in another programme within the look-back period."),
    "age_out_of_range": _("The person's age is outside the range this programme allows."),
    "domicile_outside": _("The address is outside the office's jurisdiction."),
    "category_missing": _("Choose at least one target category the programme allows."),
    "group_full": _("The group already has the maximum number of members."),
    "group_unknown": _("No group with this name exists in the programme. Check the spelling or add it."),
    "village_unknown": _("The village is unknown. Use its Kemendagri code or its exact name."),
    "date_invalid": _("The date cannot be read. Use DD-MM-YYYY, for example 04-09-2018."),
    "phone_invalid": _("The phone number cannot be read. Use 08…, 62… or +62…, for example 0812 3456 7890."),
    "value_invalid": _("The value is not one of the allowed choices."),
    "possible_duplicate": _(
        "A person with the same name and birth date, or the same phone, is already registered under another "
        "NIK. Check that this is not the same person."
    ),
    "hamlet_new": _("This hamlet was not in the village's list yet; it has been added."),
    "nik_as_number": _(
        "The NIK arrived as a number, so the spreadsheet may have cut its last digits. Format the NIK column "
        "as text and type the number again."
    ),
    "conflict": _(
        "Someone else saved this record while you were editing. Reload the page to see their changes, "
        "then make yours again."
    ),
    "enrolled_elsewhere": _(
        "This person is registered in another programme whose aid is still to come. Withdraw them there "
        "first, or wait until that programme's aid is handed over."
    ),
    "employment_excluded": _(
        "Civil servants (ASN/PNS), soldiers (TNI), police officers (Polri) and formal employees cannot take "
        "part in this programme."
    ),
    "village_far": _(
        "The member lives outside the group's district (kecamatan). Group members live in the same village "
        "or neighbouring ones: check the address or choose a group near it."
    ),
    "category_implausible": _("Check the target category:"),
    "kk_format": _("The family card number (KK) must be exactly 16 digits. Check the number on the card."),
    "identity_mismatch": _(
        "This NIK is registered under a different name by another office: check the KTP. Nothing was changed."
    ),
    "registry_locked": _(
        "The programme is past its verification stage: only an administrator may change its registry data, "
        "giving the reason."
    ),
    "programme_closed": _("The programme is closed: its registry data can no longer change."),
    "back_to_verification": _(
        "What the verifier checked has changed, so the member waits in the verification queue again."
    ),
    "text_control_characters": _(
        "The text holds invisible direction-control characters. Type it again without copying it from "
        "elsewhere."
    ),
    "group_size_range": _("The minimum group size cannot be larger than the maximum."),
    "date_order": _("The end date cannot be before the start date."),
}


def register_messages(messages: dict) -> None:
    """An app adds its own codes (from its ``contributions.py`` or ``errors.py``); a code once published
    keeps its meaning, so registering a different sentence under a known code is a start-up error."""
    from django.core.exceptions import ImproperlyConfigured

    for code, text in messages.items():
        if code in MESSAGES and MESSAGES[code] is not text:
            raise ImproperlyConfigured(f"The error code {code!r} is already defined.")
        MESSAGES[code] = text


NIK_DETAILS = {
    ("nik_format", "length"): _("The NIK must be exactly 16 digits (spaces, dots and dashes are ignored)."),
    ("nik_format", "regency"): _("Digits 3 and 4 of the NIK (the regency code) cannot be 00."),
    ("nik_format", "district"): _("Digits 5 and 6 of the NIK (the district code) cannot be 00."),
    ("nik_date", "month"): _("Digits 9 and 10 of the NIK (the month of birth) must be 01 to 12."),
    ("nik_date", "day"): _(
        "Digits 7 and 8 of the NIK (the day of birth) must be 01–31, or 41–71 for women, "
        "and form a real date."
    ),
}


def message_for(code: str, detail: str | None = None) -> str:
    """The user's-language sentence for a code (and the NIK part it concerns, when known)."""
    if detail and code in ("nik_format", "kk_format"):
        found = _length_message(code, detail)
        if found:
            return found
    if detail and (code, detail) in NIK_DETAILS:
        return str(NIK_DETAILS[(code, detail)])
    return str(MESSAGES.get(code, code))


def _length_message(code: str, detail: str) -> str | None:
    """ "The NIK has 15 digits" or "The KK contains a letter": what was found, then the rule."""
    number = _("The NIK") if code == "nik_format" else _("The family card number (KK)")
    if detail == "letter":
        return str(
            _("%(number)s contains a letter or another sign; it must be exactly 16 digits. Check the card.")
            % {"number": number}
        )
    if detail.startswith("digits:"):
        n = int(detail.split(":", 1)[1])
        return str(
            _("%(number)s has %(n)s digits; it must have exactly 16. Check the card.")
            % {"number": number, "n": n}
        )
    return None


@dataclass(frozen=True)
class Problem:
    """One problem found in a value: where, its stable code, and the message."""

    code: str
    message: str
    field: str | None = None
    row: int | None = None

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.field, "code": self.code, "message": self.message}


def validation_error(code: str, detail: str | None = None, **params: object) -> ValidationError:
    return ValidationError(message_for(code, detail), code=code, params=params or None)


class ConflictError(Exception):
    """Raised when a record changed since the user loaded it (optimistic locking)."""

    code = "conflict"

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail)
        self.detail = detail  # what changed meanwhile, in words, when the caller knows

    def __str__(self) -> str:
        base = str(message_for("conflict"))
        return f"{base} {self.detail}" if self.detail else base
