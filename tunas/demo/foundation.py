"""Demo offices, one user per role, and the two Klungkung programmes."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from tunas.accounts.models import Office, User
from tunas.accounts.roles import Role
from tunas.accounts.services import office_upsert, role_groups_ensure, user_set_roles
from tunas.core.choices import TargetCategory
from tunas.programs.models import AidForm, DocumentKind, FundingSource, Program, Stage, TeamPosition
from tunas.programs.numbering import (
    TeamMemberData,
    document_number_issue,
    verification_team_list,
    verification_team_save,
)
from tunas.programs.services import program_save

DEMO_PASSWORD = "tunas-demo-2018"  # noqa: S105 - the demo password is published in the README on purpose

KLUNGKUNG = "Dinas Perindustrian dan Tenaga Kerja Kabupaten Klungkung"
GIANYAR = "Dinas Tenaga Kerja Kabupaten Gianyar"

# username, first name, last name, roles, office
DEMO_USERS = [
    ("admin", "Made", "Suartana", [Role.ADMIN, Role.OFFICER], KLUNGKUNG),
    ("operator", "Ni Luh", "Sukerti", [Role.OFFICER], KLUNGKUNG),
    ("verifikator", "I Gede", "Darmawan", [Role.VERIFIER], KLUNGKUNG),
    ("instruktur", "Ni Wayan", "Rusmini", [Role.INSTRUCTOR], KLUNGKUNG),
    ("pendamping", "I Komang", "Arsana", [Role.MENTOR], KLUNGKUNG),
    ("pendamping2", "Ni Kadek", "Sri Wahyuni", [Role.MENTOR], KLUNGKUNG),
    ("pimpinan", "I Nyoman", "Widiana", [Role.VIEWER], KLUNGKUNG),
    ("ketua", "I Ketut", "Sudarsa", [Role.GROUP_REP], KLUNGKUNG),
    ("operator.gianyar", "Ni Made", "Astiti", [Role.OFFICER], GIANYAR),
]

ALL_CATEGORIES = list(TargetCategory.values)

# The letterhead and signatures of the Klungkung office's documents (demo contacts, not the real ones).
KLUNGKUNG_LETTERHEAD = {
    "address": "Jl. Gunung Semeru No. 1, Semarapura, Klungkung, Bali 80716",
    "phone": "(0366) 000 2018",
    "email": "disperinaker@demo.tunas.local",
    "website": "disperinaker.demo.tunas.local",
    "government_name": "Pemerintah Kabupaten Klungkung",
    "office_code": "DISPERINAKER",
    "head_title": "Kepala Dinas Perindustrian dan Tenaga Kerja Kabupaten Klungkung",
    "head_name": "I Made Sudiarta, S.E., M.M.",
    "head_nip": "196804121994031007",
    "document_number_pattern": "{seq}/BA-SELEKSI/{office_code}/{month_roman}/{year}",
}

# The team that verified the 2018 groups, in signing order; its record is dated the Friday before training.
TEAM_2018 = [
    TeamMemberData("I Wayan Sumerta, S.Sos.", "197503102000031004", TeamPosition.CHAIR),
    TeamMemberData("Ni Luh Sukerti, S.E.", "198207142006042012", TeamPosition.SECRETARY),
    TeamMemberData("I Gede Darmawan", "198811052011011003", TeamPosition.MEMBER),
    TeamMemberData("Ni Kadek Ayu Lestari", "", TeamPosition.MEMBER),
]
SELECTION_RECORD_2018 = dt.date(2018, 8, 31)


@transaction.atomic
def load_foundation() -> dict:
    role_groups_ensure()
    offices = {
        KLUNGKUNG: office_upsert(
            name=KLUNGKUNG,
            short_name="Disperinaker Klungkung",
            level=Office.Level.REGENCY,
            region_code="51.05",
            **KLUNGKUNG_LETTERHEAD,
        ),
        GIANYAR: office_upsert(
            name=GIANYAR,
            short_name="Disnaker Gianyar",
            level=Office.Level.REGENCY,
            region_code="51.04",
            address="Gianyar, Bali",
        ),
    }
    users = {}
    for username, first, last, roles, office_name in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username,
                first_name=first,
                last_name=last,
                email=f"{username}@demo.tunas.local",
                office=offices[office_name],
            )
            user.set_password(DEMO_PASSWORD)
            user.full_clean()
            user.save()
            user_set_roles(user=user, roles=[str(r) for r in roles])
        users[username] = user

    office = offices[KLUNGKUNG]
    programs = {
        "KLK-TKM-2018": _program(
            Program(
                code="KLK-TKM-2018",
                name="Pelatihan Penciptaan Wirausaha Baru Tenaga Kerja Mandiri melalui Pola Pendampingan",
                office=office,
                fiscal_year=2018,
                funding_source=FundingSource.TP,
                budget_total=160_000_000,
                group_size_min=20,
                group_size_max=20,
                aid_form=AidForm.GOODS,
                aid_per_group=25_000_000,
                min_age=18,
                allowed_categories=ALL_CATEGORIES,
                aid_lookback_months=12,
                registration_start=dt.date(2018, 7, 2),
                registration_end=dt.date(2018, 7, 31),
                verification_start=dt.date(2018, 8, 1),
                verification_end=dt.date(2018, 8, 17),
                training_start=dt.date(2018, 9, 4),
                training_end=dt.date(2018, 9, 6),
                aid_date=dt.date(2018, 9, 4),
                mentoring_until=dt.date(2019, 3, 31),
                evaluation_date=dt.date(2020, 9, 4),
                # Registered and verified through the services, then moved on to closed (loader.py).
                status=Stage.VERIFICATION,
            ),
            [
                ("Bantuan alat bantu produksi (4 kelompok)", 100_000_000),
                ("Honorarium instruktur", 7_200_000),
                ("Konsumsi pelatihan (80 peserta × 3 hari)", 14_400_000),
                ("Bahan dan alat tulis pelatihan", 8_000_000),
                ("Honorarium pendamping (TKS)", 24_000_000),
                ("Monitoring dan evaluasi", 6_400_000),
            ],
        ),
        "KLK-TKM-2026": _program(
            Program(
                code="KLK-TKM-2026",
                name="Pelatihan Penciptaan Wirausaha Baru melalui Pola Pendampingan Tahun 2026",
                office=office,
                fiscal_year=2026,
                funding_source=FundingSource.APBN_BANTUAN,
                budget_total=60_000_000,
                group_size_min=5,
                group_size_max=10,
                aid_form=AidForm.MONEY,
                aid_per_group=10_000_000,
                min_age=18,
                allowed_categories=ALL_CATEGORIES,
                aid_lookback_months=12,
                registration_start=dt.date(2026, 11, 2),
                registration_end=dt.date(2026, 12, 18),
                verification_start=dt.date(2027, 1, 4),
                verification_end=dt.date(2027, 1, 15),
                training_start=dt.date(2027, 2, 8),
                training_end=dt.date(2027, 2, 10),
                aid_date=dt.date(2027, 2, 10),
                mentoring_until=dt.date(2027, 8, 31),
                evaluation_date=dt.date(2029, 2, 10),
                status=Stage.REGISTRATION,
            ),
            [
                ("Bantuan uang usaha (4 kelompok)", 40_000_000),
                ("Pelatihan dan pembekalan", 12_000_000),
                ("Pendampingan dan monitoring", 8_000_000),
            ],
        ),
    }
    _selection_record_2018(programs["KLK-TKM-2018"], by=users["admin"])
    return {"offices": offices, "users": users, "programs": programs}


def _selection_record_2018(program: Program, *, by: User) -> None:
    """The 2018 programme's verification team, and the number its selection record was issued under."""
    if not verification_team_list(program=program):
        verification_team_save(program=program, members=TEAM_2018)
    document_number_issue(
        program=program, kind=DocumentKind.SELECTION_RECORD, day=SELECTION_RECORD_2018, by=by
    )


def _program(program: Program, lines: list[tuple[str, int]]) -> Program:
    existing = Program.objects.filter(code=program.code).first()
    if existing is not None:
        return existing
    return program_save(program=program, budget_lines=lines, expected_version=None)
