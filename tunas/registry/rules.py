"""The registry's rules, each written once: forms, services, the importer, views and templates ask here.

Templates get the answers as booleans from their views; nothing else restates a rule.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from lokal import normalize_phone as _lokal_normalize_phone

from tunas.accounts.roles import Role as UserRole
from tunas.core.errors import message_for
from tunas.core.nik import normalize_nik
from tunas.programs.models import STAGE_ORDER, Stage

from .models import GroupStatus, Role, Verification

if TYPE_CHECKING:
    from .models import Group, Membership, Person

# Groups take members until training starts; later the roster is fixed.
OPEN_STATUSES = (GroupStatus.FORMING, GroupStatus.VERIFIED)
# A group's own verification can be decided (or changed) in these statuses.
DECIDABLE_STATUSES = (GroupStatus.FORMING, GroupStatus.VERIFIED, GroupStatus.REJECTED)
# Roles a group holds once each (DOMAIN.md: a chair, a secretary, a treasurer, the rest members).
SINGLE_ROLES = (Role.CHAIR, Role.SECRETARY, Role.TREASURER)
# Memberships that hold a place in their group (a rejection frees it).
ACTIVE_VERIFICATIONS = (Verification.PENDING, Verification.APPROVED)
# A person's identity, as on the KTP: one record nationally, corrected only by its owner office.
IDENTITY_FIELDS = ("nik", "full_name", "sex", "birth_date", "birth_place")
# What a person declares for one programme: kept on that registration as it was.
DECLARED_FIELDS = (
    "kk",
    "village_id",
    "hamlet_id",
    "street",
    "phone",
    "education",
    "disability",
    "categories",
    "employment_before",
    "income_before",
    "consent_data",
    "consent_public",
)
# What the verifier checked: a change after a decision sends the member back to the queue.
VERIFIED_FIELDS = (
    *IDENTITY_FIELDS,
    "kk",
    "village_id",
    "education",
    "disability",
    "categories",
    "employment_before",
    "income_before",
)
# Phone numbers longer than this are not Indonesian numbers.
PHONE_MAX_DIGITS = 16

_KK = re.compile(r"[0-9]{16}")


# Eligibility (DOMAIN.md) ------------------------------------------------------------------------------------

# Civil servants (ASN/PNS), soldiers (TNI), police officers (Polri) and formal employees are not eligible.
EXCLUDED_EMPLOYMENT = frozenset({"asn", "tni", "polri", "formal"})
# Group statuses after a successful verification: the group was selected and goes on to receive aid.
SELECTED_GROUP_STATUSES = (
    GroupStatus.VERIFIED,
    GroupStatus.TRAINED,
    GroupStatus.EQUIPPED,
    GroupStatus.MENTORED,
    GroupStatus.GRADUATED,
)
# The ages that make a category plausible (UU 40/2009 for youth): implausible_categories warns outside them.
ELDERLY_FROM, YOUTH_UNTIL, RETIREE_FROM = 60, 30, 45


def age_reference_date(program: Any, *, today: dt.date) -> dt.date:
    """Ages are measured on the programme's registration closing day (today while it has none)."""
    return program.registration_end or program.registration_start or today


def aid_reference_date(program: Any, *, today: dt.date) -> dt.date:
    """Earlier aid is looked back from this programme's aid date, else its registration closing day."""
    return program.aid_date or program.registration_end or today


def registration_is_open(*, verification: str, group_status: str) -> bool:
    """A registration holds its place while it is not rejected and its group is neither rejected nor
    dissolved."""
    return verification != Verification.REJECTED and group_status not in (
        GroupStatus.REJECTED,
        GroupStatus.DISSOLVED,
    )


def aid_received(*, verification: str, group_status: str, aid_date: dt.date | None, today: dt.date) -> bool:
    """Aid means aid received: an approved member of a selected group of a programme whose aid date has
    passed (until handovers are recorded, the programme's aid date stands for the handover)."""
    return (
        verification == Verification.APPROVED
        and group_status in SELECTED_GROUP_STATUSES
        and aid_date is not None
        and aid_date <= today
    )


def employment_is_excluded(employment: str) -> bool:
    """Whether this work before the programme makes a person ineligible."""
    return employment in EXCLUDED_EMPLOYMENT


def same_district(village_a: str, village_b: str) -> bool:
    """Villages of one district (kecamatan): without adjacency data, "neighbouring" means this."""
    return village_a[:8] == village_b[:8]


def implausible_categories(categories: list[str], *, age: int | None, sex: str) -> list[tuple[str, str]]:
    """(code, message) for each category the person's age or sex makes implausible: warnings only."""
    found = []
    chosen = set(categories or [])
    if "lansia" in chosen and age is not None and age < ELDERLY_FROM:
        found.append(_("Elderly is for people of %(n)s and over.") % {"n": ELDERLY_FROM})
    if "pemuda" in chosen and age is not None and age > YOUTH_UNTIL:
        found.append(_("Youth is for people of 16 to %(n)s (UU 40/2009).") % {"n": YOUTH_UNTIL})
    if "purna_tugas" in chosen and age is not None and age < RETIREE_FROM:
        found.append(_("A retiree is usually %(n)s or older.") % {"n": RETIREE_FROM})
    if "perempuan_kepala_keluarga" in chosen and sex == "M":
        found.append(_("Woman head of household is chosen for a man."))
    base = str(message_for("category_implausible"))
    return [("category_implausible", f"{base} {detail}") for detail in found]


def may_verify(user: Any) -> bool:
    """Verifiers and administrators decide on members and groups (a superuser holds every role)."""
    return bool(user and user.is_authenticated and user.has_role(UserRole.VERIFIER, UserRole.ADMIN))


def may_read_trail(user: Any) -> bool:
    """The staff who see people's full records (administrator, officer, verifier) see how they changed."""
    return bool(user and user.is_authenticated and user.sees_full_nik)


def may_read_office_trail(user: Any) -> bool:
    """The office-wide audit trail is the administrator's."""
    return bool(user and user.is_authenticated and user.has_role(UserRole.ADMIN))


def foreign_registration(*, office: str, year: int, stage: str) -> str:
    """All that is shown of another office's registration: never its people, groups or decisions."""
    return _("registered in a programme of %(office)s, %(year)s, %(stage)s") % {
        "office": office,
        "year": year,
        "stage": stage,
    }


def identity_differs(person: Any, *, full_name: str, sex: str, birth_date: Any, birth_place: str) -> bool:
    """Another name (beyond case and spacing), sex or birth date than on record; a blank birth place is no
    difference (the record keeps its own)."""
    return (
        person.name_key != " ".join(str(full_name).lower().split())
        or person.sex != sex
        or person.birth_date != birth_date
        or bool(birth_place and birth_place != person.birth_place)
    )


def may_correct_identity(person: Person, office: Any) -> bool:
    """The owner office corrects a person's identity, and only while no other office has registered them."""
    if person.pk is None:
        return True
    if person.owner_office_id not in (None, office.pk):
        return False
    return not person.memberships.exclude(program__office=office).exists()


def registry_lock(program: Any) -> str:
    """Open until verification ends; then "admin" (an administrator, with a reason); "closed" at the end."""
    if program.status == Stage.CLOSED:
        return "closed"
    if program.stage_index > STAGE_ORDER.index(Stage.VERIFICATION):
        return "admin"
    return "open"


def may_edit_registry(program: Any, user: Any) -> bool:
    """Whether the user may change the programme's registry data now (an administrator past verification)."""
    lock = registry_lock(program)
    if lock == "closed":
        return False
    return lock == "open" or bool(user and user.has_role(UserRole.ADMIN))


def verified_fields_changed(before: dict, after: dict) -> list[str]:
    """The fields the verifier checked whose values differ between two snapshots of a registration."""
    return [name for name in VERIFIED_FIELDS if before.get(name) != after.get(name)]


def group_is_open(group: Group) -> bool:
    """A group takes members and edits while it is forming or verified; later its roster is fixed."""
    return group.status in OPEN_STATUSES


def group_is_full(group: Group, active_count: int) -> bool:
    """A group is full when its open places (pending and approved members) reach the programme maximum."""
    return active_count >= group.program.group_size_max


def group_is_decidable(group: Group) -> bool:
    """Whether the group's own verification may still be decided or changed."""
    return group.status in DECIDABLE_STATUSES


def decision_may_change(membership: Membership) -> bool:
    """Decisions on members stay open while the group forms; once verified, only late members wait."""
    status = membership.group.status
    if status == GroupStatus.FORMING:
        return True
    return status == GroupStatus.VERIFIED and membership.verification == Verification.PENDING


def member_may_be_removed(membership: Membership) -> bool:
    """Only a member still waiting for a decision, in an open group, may be taken out (decisions are kept)."""
    return membership.verification == Verification.PENDING and group_is_open(membership.group)


def role_is_single(role: str) -> bool:
    """Whether a group holds this role once only (chair, secretary, treasurer)."""
    return role in SINGLE_ROLES


def normalize_kk(text: str) -> str:
    """The family card number as digits (spaces, dots and dashes removed, as for the NIK)."""
    return normalize_nik(text or "")


def kk_is_valid(kk: str) -> bool:
    """A KK number is exactly 16 digits (no structure beyond that is published)."""
    return bool(_KK.fullmatch(kk))


def normalize_phone(text: str) -> str:
    """An Indonesian phone number as ``+62…``, or "" when it is not one."""
    raw = (text or "").strip()
    if not raw:
        return ""
    phone = _lokal_normalize_phone(raw) or ""
    return phone if len(phone) <= PHONE_MAX_DIGITS else ""
