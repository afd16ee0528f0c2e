"""Spreadsheet exports of the group and member lists, with the filters the user chose.

NIK and KK numbers are masked for every role that does not need them (UU 27/2022), and so are the contact
details that would identify a person at home.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.utils.translation import gettext_lazy as _

from tunas.core.choices import Sex, TargetCategory
from tunas.core.nik import mask_nik
from tunas.reports.renderers import Column

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
    """The member sheet's columns; street and phone only for the roles that see full NIKs."""
    columns = [
        Column("program", _("Programme"), width=18),
        Column("group", _("Group"), width=28),
        Column("role", _("Role in the group"), width=14),
        Column("nik", _("NIK"), width=20),
        Column("kk", _("Family card number (KK)"), width=20),
        Column("full_name", _("Full name"), width=28),
        Column("sex", _("Sex"), width=12),
        Column("birth_place", _("Place of birth"), width=16),
        Column("birth_date", _("Date of birth"), kind="date", width=14),
        Column("district", _("District"), width=18),
        Column("village", _("Village"), width=22),
        Column("hamlet", _("Hamlet"), width=20),
    ]
    if full:
        columns += [Column("street", _("Street address"), width=28), Column("phone", _("Phone"), width=16)]
    columns += [
        Column("education", _("Education"), width=18),
        Column("disability", _("Disability"), width=16),
        Column("categories", _("Target categories"), width=36),
        Column("employment_before", _("Work before the programme"), width=20),
        Column("income_before", _("Monthly income before"), kind="rupiah", width=18),
        Column("consent_public", _("Agrees to appear on public pages"), width=14),
        Column("verification", _("Verification"), width=18),
        Column("verification_reason", _("Reason"), width=30),
        Column("verified_at", _("Decided on"), kind="date", width=14),
    ]
    return columns


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
    for m in memberships:
        p = m.person
        yield {
            "program": m.program.code,
            "group": m.group.name,
            "role": str(labels["role"].get(m.role, m.role)),
            "nik": p.nik if full else mask_nik(p.nik),
            "kk": (p.kk if full else mask_nik(p.kk)) if p.kk else "",
            "full_name": p.full_name,
            "sex": str(labels["sex"].get(p.sex, p.sex)),
            "birth_place": p.birth_place,
            "birth_date": p.birth_date,
            "district": p.village.district.name,
            "village": p.village.name,
            "hamlet": str(p.hamlet) if p.hamlet_id else "",
            "street": p.street,
            "phone": p.phone,
            "education": str(labels["education"].get(p.education, "")) if p.education else "",
            "disability": str(labels["disability"].get(p.disability, "")) if p.disability else "",
            "categories": ", ".join(str(labels["category"].get(c, c)) for c in p.categories),
            "employment_before": (
                str(labels["employment"].get(p.employment_before, "")) if p.employment_before else ""
            ),
            "income_before": p.income_before,
            "consent_public": yes if p.consent_public else no,
            "verification": str(labels["verification"].get(m.verification, m.verification)),
            "verification_reason": m.verification_reason,
            "verified_at": m.verified_at.date() if m.verified_at else None,
        }
