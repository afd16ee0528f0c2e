"""Demo groups and members: the four groups of the 2018 report and two groups forming in 2026.

Names are fictional Balinese names (birth-order name plus a given name); NIKs are built to agree with each
person's sex, birth date and district, as real ones do. Everyone goes through the same registration and
verification services an office uses.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from tunas.accounts.models import User
from tunas.regions.models import Village
from tunas.regions.services import hamlet_get_or_create
from tunas.registry.models import (
    BusinessType,
    Disability,
    Education,
    Employment,
    Group,
    GroupStatus,
    Membership,
    Role,
    Verification,
)
from tunas.registry.services import PersonData, group_save, group_verify, member_register, member_verify

BIRTH_ORDER = {
    "M": ["I Wayan", "I Putu", "I Gede", "I Made", "I Kadek", "I Nyoman", "I Komang", "I Ketut"],
    "F": ["Ni Wayan", "Ni Putu", "Ni Luh", "Ni Made", "Ni Kadek", "Ni Nyoman", "Ni Komang", "Ni Ketut"],
}
GIVEN = {
    "M": [
        "Sudarma",
        "Artawan",
        "Suastika",
        "Wirawan",
        "Budiarsa",
        "Suarjana",
        "Mudita",
        "Sukadana",
        "Arimbawa",
        "Darmayasa",
        "Swastika",
        "Widiarta",
        "Sumerta",
        "Parwata",
        "Yasa",
        "Kariasa",
        "Santika",
        "Merta",
        "Gunawan",
        "Sedana",
        "Ardana",
        "Sutama",
        "Adnyana",
        "Suweca",
        "Mertayasa",
    ],
    "F": [
        "Sukasih",
        "Suartini",
        "Rusmini",
        "Ariani",
        "Sulastri",
        "Wartini",
        "Suciati",
        "Mariani",
        "Sudiasih",
        "Kartini",
        "Wiratni",
        "Rai Sumerti",
        "Yuliani",
        "Darmini",
        "Sriasih",
        "Murniasih",
        "Ratnadi",
        "Suarni",
        "Astini",
        "Widiantari",
        "Sukerni",
        "Purnami",
        "Anggreni",
        "Kusumawati",
        "Candrawati",
    ],
}


@dataclass(frozen=True)
class DemoGroup:
    program: str
    name: str
    business_type: str
    description: str
    village: str
    hamlet: str | None
    size: int
    women_share: float
    verified: bool


GROUPS = [
    DemoGroup(
        "KLK-TKM-2018",
        "Kerajinan Lontar Besang",
        BusinessType.CRAFTS,
        "Kerajinan anyaman dan ukiran daun lontar",
        "51.05.03.1008",
        "Banjar Besang",
        20,
        0.5,
        True,
    ),
    DemoGroup(
        "KLK-TKM-2018",
        "Jajan Bali Sengguan",
        BusinessType.FOOD,
        "Jajanan tradisional Bali untuk upacara dan oleh-oleh",
        "51.05.03.1011",
        "Banjar Sengguan",
        20,
        0.85,
        True,
    ),
    DemoGroup(
        "KLK-TKM-2018",
        "Keripik Ceker Pasekan",
        BusinessType.FOOD,
        "Keripik ceker ayam",
        "51.05.04.2011",
        "Dusun Pasekan",
        20,
        0.7,
        True,
    ),
    DemoGroup(
        "KLK-TKM-2018",
        "Ngilur Bhuwana Sente",
        BusinessType.CRAFTS,
        "Tali ijuk dari serat pohon aren",
        "51.05.04.2010",
        "Dusun Sente",
        20,
        0.2,
        True,
    ),
    DemoGroup(
        "KLK-TKM-2026",
        "Lukis Wayang Kamasan",
        BusinessType.CRAFTS,
        "Lukisan wayang gaya Kamasan",
        "51.05.03.2007",
        "Banjar Sangging",
        5,
        0.4,
        False,
    ),
    DemoGroup(
        "KLK-TKM-2026",
        "Tenun Cepuk Tanglad",
        BusinessType.CRAFTS,
        "Kain tenun cepuk khas Nusa Penida",
        "51.05.01.2006",
        None,
        8,
        0.9,
        False,
    ),
]


def _people(spec: DemoGroup, index: int, reference: dt.date) -> list[tuple[PersonData, str]]:
    """Deterministic members for one group: the same names and numbers on every machine."""
    rng = random.Random(f"{spec.program}/{spec.name}")
    district = spec.village[:8].replace(".", "")
    people: list[tuple[PersonData, str]] = []
    used_names: set[str] = set()
    for n in range(spec.size):
        sex = "F" if rng.random() < spec.women_share else "M"
        while True:
            name = f"{rng.choice(BIRTH_ORDER[sex])} {rng.choice(GIVEN[sex])}"
            if name not in used_names:
                used_names.add(name)
                break
        # A mix of the target categories: some elderly, retirees, people with disabilities, youth.
        kind = n % 10
        if kind == 0:
            age, categories, disability = rng.randint(60, 68), ["lansia", "keluarga_miskin"], ""
        elif kind == 1:
            age, categories, disability = rng.randint(56, 62), ["purna_tugas"], ""
        elif kind == 2:
            age, categories, disability = (
                rng.randint(25, 50),
                ["disabilitas", "penganggur"],
                rng.choice([Disability.PHYSICAL, Disability.HEARING, Disability.VISUAL]),
            )
        elif kind == 3:
            age, categories, disability = rng.randint(19, 29), ["pemuda", "penganggur"], ""
        elif kind == 4 and sex == "F":
            age, categories, disability = (
                rng.randint(30, 55),
                ["perempuan_kepala_keluarga", "keluarga_miskin"],
                "",
            )
        elif kind in (5, 6):
            age, categories, disability = rng.randint(25, 55), ["setengah_penganggur"], ""
        else:
            age, categories, disability = rng.randint(20, 55), ["penganggur"], ""
        birth = reference - dt.timedelta(days=age * 365 + rng.randint(20, 300))
        day = birth.day + (40 if sex == "F" else 0)
        serial = 100 * (index + 1) + n + 1
        nik = f"{district}{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}"
        # A family card number has the NIK's shape: region, issue date, serial.
        kk_date = f"{rng.randint(10, 28):02d}{rng.randint(1, 12):02d}{rng.randint(5, 18):02d}"
        kk = f"{district}{kk_date}{rng.randint(1, 9999):04d}"
        role = [Role.CHAIR, Role.SECRETARY, Role.TREASURER][n] if n < 3 else Role.MEMBER
        people.append(
            (
                PersonData(
                    nik=nik,
                    kk=kk,
                    full_name=name,
                    sex=sex,
                    birth_date=birth,
                    birth_place="Klungkung",
                    village_id=spec.village,
                    street="",
                    phone=f"+62812{rng.randint(30000000, 39999999)}",
                    education=rng.choice([Education.SD, Education.SMP, Education.SMA, Education.SMA]),
                    disability=disability,
                    categories=categories,
                    employment_before=Employment.RETIRED
                    if "purna_tugas" in categories
                    else rng.choice([Employment.NONE, Employment.INFORMAL, Employment.FAMILY]),
                    income_before=rng.choice([0, 300_000, 500_000, 750_000, 1_000_000, 1_250_000]),
                    consent_data=True,
                    consent_public=n % 3 != 2,
                ),
                role,
            )
        )
    return people


@transaction.atomic
def load_registry(programs: dict) -> dict:
    operator = User.objects.filter(username="operator").first()
    verifier = User.objects.filter(username="verifikator").first()
    groups = {}
    for index, spec in enumerate(GROUPS):
        program = programs[spec.program]
        group = Group.objects.filter(program=program, name=spec.name).first()
        if group is not None:
            groups[spec.name] = group
            continue
        village = Village.objects.get(code=spec.village)
        hamlet = (
            hamlet_get_or_create(village=village, text=spec.hamlet, by=operator)[0] if spec.hamlet else None
        )
        group = group_save(
            group=Group(
                program=program,
                name=spec.name,
                business_type=spec.business_type,
                business_description=spec.description,
                village=village,
                hamlet=hamlet,
            ),
            expected_version=None,
            by=operator,
        )
        reference = program.registration_start or dt.date.today()
        for data, role in _people(spec, index, reference):
            data.hamlet_id = hamlet.pk if hamlet else None
            membership = member_register(group=group, data=data, role=role, by=operator)
            if spec.verified:
                member_verify(membership=membership, approve=True, reason="", by=verifier)
        if spec.verified:
            group_verify(group=group, approve=True, reason="", by=verifier)
            when = timezone.make_aware(dt.datetime.combine(program.verification_end, dt.time(10, 0)))
            Group.objects.filter(pk=group.pk).update(verified_at=when, status=GroupStatus.VERIFIED)
            Membership.objects.filter(group=group, verification=Verification.APPROVED).update(
                verified_at=when
            )
        groups[spec.name] = group
    return {"groups": groups}
