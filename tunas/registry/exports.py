"""Spreadsheet exports of the group and member lists, with the filters the user chose.

NIK and KK numbers are masked for every role that does not need them (UU 27/2022), and so are the contact
details that would identify a person at home.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tunas.core.choices import Sex, TargetCategory
from tunas.core.nik import mask_nik
from tunas.reports.renderers import Column

from .eligibility import age_on
from .models import BusinessType, Disability, Education, Employment, GroupStatus, Role, Verification

GROUP_COLUMNS = [
    Column("program", _("Programme"), width=18),
    Column("name", _("Group"), width=32),
    Column("business_type", _("Business type"), width=20),
    Column("business_description", _("What the group makes or sells"), width=40),
    Column("district", _("District"), width=18),
    Column("village", _("Village"), width=22),
    Column("village_code", _("Village code"), width=16),
    Column("hamlet", _("Hamlet"), width=20),
    Column("members", _("Members"), kind="int"),
    Column("pending", _("Waiting for verification"), kind="int"),
    Column("status", _("Status"), width=16),
]


def group_rows(groups: Iterable) -> Iterator[dict]:
    """One row per group of ``selectors.group_list_visible`` (its counts are annotated already)."""
    business_types = dict(BusinessType.choices)
    statuses = dict(GroupStatus.choices)
    for g in groups:
        yield {
            "program": g.program.code,
            "name": g.name,
            "business_type": str(business_types.get(g.business_type, g.business_type)),
            "business_description": g.business_description,
            "district": g.village.district.name,
            "village": g.village.name,
            "village_code": g.village_id,
            "hamlet": str(g.hamlet) if g.hamlet_id else "",
            "members": g.member_count,
            "pending": g.pending_count,
            "status": str(statuses.get(g.status, g.status)),
        }


def member_columns(*, full: bool) -> list[Column]:
    """The member sheet's columns. Roles that may not see the NIK get neither the KK, the exact birth date
    (the age instead), the address, the phone, the disability, the income nor the rejection reasons: any
    of them beside the NIK's last digits would let a reader rebuild the number or find the person."""
    if full:
        who = [
            Column("nik", _("NIK"), width=20),
            Column("kk", _("Family card number (KK)"), width=20),
            Column("full_name", _("Full name"), width=28),
            Column("sex", _("Sex"), width=12),
            Column("birth_place", _("Place of birth"), width=16),
            Column("birth_date", _("Date of birth"), kind="date", width=14),
        ]
    else:
        who = [
            Column("nik", _("NIK"), width=20),
            Column("full_name", _("Full name"), width=28),
            Column("sex", _("Sex"), width=12),
            Column("age", _("Age"), kind="int", width=8),
        ]
    where = [
        Column("district", _("District"), width=18),
        Column("village", _("Village"), width=22),
        Column("hamlet", _("Hamlet"), width=20),
    ]
    if full:
        where += [Column("street", _("Street address"), width=28), Column("phone", _("Phone"), width=16)]
    situation = [
        Column("education", _("Education"), width=18),
        *([Column("disability", _("Disability"), width=16)] if full else []),
        Column("categories", _("Target categories"), width=36),
        Column("employment_before", _("Work before the programme"), width=20),
        *([Column("income_before", _("Monthly income before"), kind="rupiah", width=18)] if full else []),
        Column("consent_public", _("Agrees to appear on public pages"), width=14),
        Column("verification", _("Verification"), width=18),
        *([Column("verification_reason", _("Reason"), width=30)] if full else []),
        Column("verified_at", _("Decided on"), kind="date", width=14),
    ]
    programme = [
        Column("program", _("Programme"), width=18),
        Column("group", _("Group"), width=28),
        Column("role", _("Role in the group"), width=14),
    ]
    return programme + who + where + situation


def member_rows(memberships: Iterable, *, full: bool) -> Iterator[dict]:
    """One row per membership of ``selectors.membership_list_visible`` (person, village and group joined)."""
    labels = {
        "sex": dict(Sex.choices),
        "education": dict(Education.choices),
        "disability": dict(Disability.choices),
        "employment": dict(Employment.choices),
        "category": dict(TargetCategory.choices),
        "role": dict(Role.choices),
        "verification": dict(Verification.choices),
    }
    yes, no = str(_("Yes")), str(_("No"))
    today = timezone.localdate()
    for m in memberships:
        p = m.person
        yield {
            "program": m.program.code,
            "group": m.group.name,
            "role": str(labels["role"].get(m.role, m.role)),
            "nik": p.nik if full else mask_nik(p.nik),
            "kk": (m.kk if full else mask_nik(m.kk)) if m.kk else "",
            "full_name": p.full_name,
            "sex": str(labels["sex"].get(p.sex, p.sex)),
            "birth_place": p.birth_place,
            "birth_date": p.birth_date,
            "age": age_on(p.birth_date, m.program.registration_end or today),
            "district": m.village.district.name,
            "village": m.village.name,
            "hamlet": str(m.hamlet) if m.hamlet_id else "",
            "street": m.street,
            "phone": m.phone,
            "education": str(labels["education"].get(m.education, "")) if m.education else "",
            "disability": str(labels["disability"].get(m.disability, "")) if m.disability else "",
            "categories": ", ".join(str(labels["category"].get(c, c)) for c in m.categories),
            "employment_before": (
                str(labels["employment"].get(m.employment_before, "")) if m.employment_before else ""
            ),
            "income_before": m.income_before,
            "consent_public": yes if m.consent_public else no,
            "verification": str(labels["verification"].get(m.verification, m.verification)),
            "verification_reason": m.verification_reason,
            "verified_at": m.verified_at.date() if m.verified_at else None,
        }
