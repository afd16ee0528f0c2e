"""Data of the import benchmark: a regency with 100,000 registered people, and a 10,000-row participant file.

Everything is drawn from one seeded random generator, so SQLite and PostgreSQL get the same people and the
same file. About 8 % of the rows are bad, spread evenly over the problems the import reports; the good rows
use every format the import accepts, and one in ten is a person already registered by another programme.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import models, transaction
from openpyxl import Workbook

from tunas.accounts.models import Office, User
from tunas.core.formatting import MONTHS_ID
from tunas.programs.models import AidForm, FundingSource, Program, Stage
from tunas.regions.models import District, Hamlet, Village
from tunas.regions.services import regions_load
from tunas.registry.importing import HEADERS, full_sqlite_batches
from tunas.registry.models import BusinessType, Group, Membership, Person, Verification, name_key

SEED = 2026
PROGRAM = "BENCH-2026"
REGENCY = "51.05"
FILE_GROUPS = 500
BAD_SHARE = 0.08
FIRST_MALE = ["I Wayan", "I Made", "I Nyoman", "I Ketut", "I Gede", "I Putu", "I Komang", "I Kadek"]
FIRST_FEMALE = ["Ni Wayan", "Ni Made", "Ni Nyoman", "Ni Ketut", "Ni Luh", "Ni Putu", "Ni Komang", "Ni Kadek"]
MIDDLE = [
    "Agus",
    "Budi",
    "Dewa",
    "Eka",
    "Gusti",
    "Indra",
    "Juli",
    "Krisna",
    "Lanang",
    "Mas",
    "Nanda",
    "Oka",
    "Pande",
    "Rai",
    "Sari",
    "Tirta",
    "Udayana",
    "Wira",
    "Yoga",
    "Arya",
]
LAST = [
    "Sudarma",
    "Suartini",
    "Arsana",
    "Widiastuti",
    "Mertayasa",
    "Sukerti",
    "Adnyana",
    "Yuliani",
    "Wirawan",
    "Artini",
    "Suputra",
    "Sedana",
    "Kariasih",
    "Budiasa",
    "Darmawan",
    "Sumerta",
    "Puspita",
    "Santika",
    "Wiradana",
    "Astawa",
    "Suastika",
    "Parwati",
    "Antara",
    "Sujana",
    "Wartini",
]
HAMLETS = ["Kaja", "Kelod", "Kangin", "Kauh", "Tengah"]
CATEGORY_WORDS = [
    "Penganggur",
    "penganggur",
    "Setengah penganggur",
    "Keluarga miskin",
    "keluarga_miskin",
    "Lansia",
    "Korban PHK",
    "Purna PMI",
    "Pemuda",
    "Perempuan kepala keluarga",
]
BAD_KINDS = [
    "required", "nik_format", "nik_province", "nik_date", "nik_serial", "nik_as_number", "nik_sex_mismatch",
    "nik_birthdate_mismatch", "date_invalid", "phone_invalid", "village_unknown", "domicile_outside",
    "value_invalid", "group_unknown", "duplicate_in_file", "recent_aid", "duplicate_in_program",
    "age_out_of_range",
]  # fmt: skip


class People:
    """Makes distinct, structurally valid people (NIK agreeing with sex and birth date)."""

    def __init__(self, rng: random.Random, districts: list[str]):
        self.rng = rng
        self.districts = districts
        self.niks: set[str] = set()
        self.count = 0

    def make(self, *, birth: dt.date | None = None) -> dict:
        rng = self.rng
        sex = rng.choice("MF")
        birth = birth or dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(16_000))
        while True:
            self.count += 1
            district = rng.choice(self.districts).replace(".", "")
            day = birth.day + (40 if sex == "F" else 0)
            serial = self.count % 9999 + 1
            nik = f"{district}{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}"
            if nik not in self.niks:
                self.niks.add(nik)
                break
        first = rng.choice(FIRST_MALE if sex == "M" else FIRST_FEMALE)
        name = f"{first} {rng.choice(MIDDLE)} {rng.choice(LAST)}"
        return {"nik": nik, "sex": sex, "birth": birth, "name": name}


def fast_insert(model, rows: list[dict]) -> None:
    """Seeds rows with executemany: the seed is not measured, and Django's bulk_create would take minutes."""
    from django.db import connections
    from django.utils import timezone

    connection = connections[model._default_manager.db]
    now = timezone.now()
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    defaults = {
        f.attname: now
        if getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False)
        else f.get_default()
        for f in fields
    }
    qn = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
        qn(model._meta.db_table), ", ".join(qn(f.column) for f in fields), ", ".join(["%s"] * len(fields))
    )
    # Text, numbers and keys go to the driver as they are; dates and JSON need the backend's conversion.
    converted = [f for f in fields if isinstance(f, models.DateField | models.JSONField)]
    for f in converted:
        defaults[f.attname] = f.get_db_prep_save(defaults[f.attname], connection)
    prepared = []
    for row in rows:
        values = {**defaults, **row}
        for f in converted:
            if f.attname in row:
                values[f.attname] = f.get_db_prep_save(row[f.attname], connection)
        prepared.append([values[f.attname] for f in fields])
    with connection.cursor() as cursor:
        cursor.executemany(sql, prepared)


def seed(*, people: int, log=print) -> None:
    """Bali's regions, the office, earlier programmes with their members, and the programme to import into."""
    rng = random.Random(SEED)
    regions_load(within="51")
    office = Office.objects.create(
        name="Dinas Perindustrian dan Tenaga Kerja Kabupaten Klungkung",
        short_name="Disperinaker Klungkung",
        level=Office.Level.REGENCY,
        region_code=REGENCY,
    )
    User.objects.create_user(username="bench", password=None, office=office)
    villages = list(
        Village.objects.filter(code__startswith=REGENCY + ".").order_by("code").values_list("code", flat=True)
    )
    districts = list(
        District.objects.filter(code__startswith="51.").order_by("code").values_list("code", flat=True)
    )
    Hamlet.objects.bulk_create(
        [Hamlet(village_id=v, name=h, kind="banjar") for v in villages for h in HAMLETS]
    )
    hamlets: dict[str, list[int]] = {}
    for pk, village_id in Hamlet.objects.values_list("pk", "village_id").order_by("pk"):
        hamlets.setdefault(village_id, []).append(pk)
    earlier = [_programme(office, f"KLK-TKM-{y}", y, dt.date(y, 9, 4)) for y in (2019, 2020, 2021, 2022)]
    recent = _programme(office, "KLK-TKM-2026A", 2026, dt.date(2026, 6, 1), status=Stage.MENTORING)
    target = _programme(office, PROGRAM, 2026, dt.date(2027, 2, 1), status=Stage.REGISTRATION)
    target.registration_start = dt.date(2026, 11, 1)
    target.save()

    log(f"  seeding {people:,} people …")
    with full_sqlite_batches(), transaction.atomic():
        _seed_people(rng, People(rng, districts), people, villages, hamlets)
        person_ids = list(Person.objects.order_by("pk").values_list("pk", flat=True))
        # 80 % were members of earlier programmes, 2 % of one that handed out aid this year, 100 are already
        # registered in the programme being imported into; the rest never took part.
        plan = [
            (p, person_ids[i * len(person_ids) // 5 : (i + 1) * len(person_ids) // 5])
            for i, p in enumerate(earlier)
        ]
        plan.append((recent, person_ids[int(len(person_ids) * 0.80) : int(len(person_ids) * 0.82)]))
        plan.append((target, person_ids[int(len(person_ids) * 0.82) : int(len(person_ids) * 0.82) + 100]))
        for prog, members in plan:
            _seed_members(rng, prog, members, villages, pending=prog == target)
        Group.objects.bulk_create(
            [
                Group(
                    program=target,
                    name=f"Kelompok Usaha {n:03d}",
                    business_type=rng.choice(BusinessType.values),
                    village_id=rng.choice(villages),
                )
                for n in range(FILE_GROUPS)
            ]
        )


def _programme(office: Office, code: str, year: int, aid: dt.date | None, status=Stage.CLOSED) -> Program:
    return Program.objects.create(
        code=code,
        name=f"Pelatihan Wirausaha Baru {year}",
        office=office,
        fiscal_year=year,
        funding_source=FundingSource.TP,
        group_size_min=1,
        group_size_max=20,
        aid_form=AidForm.GOODS,
        aid_per_group=20_000_000,
        status=status,
        registration_start=dt.date(year, 3, 1),
        aid_date=aid,
    )


def _seed_people(
    rng: random.Random, maker: People, people: int, villages: list[str], hamlets: dict[str, list[int]]
) -> None:
    batch: list[dict] = []
    for i in range(people):
        p = maker.make()
        village = rng.choice(villages)
        batch.append(
            {
                "nik": p["nik"],
                "full_name": p["name"],
                "name_key": name_key(p["name"]),
                "sex": p["sex"],
                "birth_date": p["birth"],
                "village_id": village,
                "hamlet_id": rng.choice(hamlets[village]),
                "phone": f"+62813{(i * 7919) % 100_000_000:08d}",
                "categories": ["penganggur"],
                "consent_data": True,
            }
        )
        if len(batch) == 5000:
            fast_insert(Person, batch)
            batch = []
    fast_insert(Person, batch)


def _seed_members(
    rng: random.Random, prog: Program, members: list[int], villages: list[str], *, pending: bool
) -> None:
    """Groups of twenty for the people of one programme, approved (or, in the target, still pending)."""
    groups = Group.objects.bulk_create(
        [
            Group(
                program=prog,
                name=f"Kelompok {prog.code} {n:04d}",
                business_type=BusinessType.CRAFTS,
                village_id=rng.choice(villages),
            )
            for n in range((len(members) + 19) // 20)
        ]
    )
    fast_insert(
        Membership,
        [
            {
                "program_id": prog.pk,
                "group_id": groups[i // 20].pk,
                "person_id": pk,
                "verification": Verification.PENDING if pending else Verification.APPROVED,
            }
            for i, pk in enumerate(members)
        ],
    )


def _as_person(source: dict) -> dict:
    return {
        "nik": source["nik"],
        "sex": source["sex"],
        "birth": source["birth_date"],
        "name": source["full_name"],
    }


class _Pools:
    """The registered people the file's rows reuse: returning participants, recent aid, this programme."""

    def __init__(self) -> None:
        earlier = self.pool(
            memberships__program__code__startswith="KLK-TKM-20",
            memberships__program__aid_date__year__lt=2025,
        )
        self.returning = [p for i, p in enumerate(earlier) if i % 60 == 0]
        self.recent = self.pool(memberships__program__code="KLK-TKM-2026A")
        self.in_program = self.pool(memberships__program__code=PROGRAM)

    @staticmethod
    def pool(**filters) -> list[Any]:
        return list(
            Person.objects.filter(**filters).order_by("pk").values("nik", "sex", "birth_date", "full_name")
        )


def write_file(path, *, rows: int) -> None:
    """The participant file: good rows in every accepted format, bad rows in every reported way."""
    rng = random.Random(SEED + 1)
    target = Program.objects.get(code=PROGRAM)
    groups = list(
        target.groups.filter(name__startswith="Kelompok Usaha")
        .order_by("name")
        .values_list("name", flat=True)
    )
    villages = list(
        Village.objects.filter(code__startswith=REGENCY + ".").order_by("code").values_list("code", "name")
    )
    districts = list(
        District.objects.filter(code__startswith=REGENCY + ".")
        .order_by("code")
        .values_list("code", flat=True)
    )
    maker = People(rng, districts)
    maker.niks = {p["nik"] for p in Person.objects.values("nik")}
    pools = _Pools()
    # A normal workbook, as Excel saves one: write-only mode leaves out the sheet's dimension and trailing
    # empty cells, which django-import-export's reader cannot take.
    wb = Workbook()
    ws = wb.active
    ws.title = "Peserta"
    ws.append(list(HEADERS))
    good_niks: list[str] = []
    bad_turn = 0
    for i in range(rows):
        # The last rows all go to the first group, which overflows: group_full.
        group = groups[0] if i >= rows - 30 else groups[i % FILE_GROUPS]
        bad = rng.random() < BAD_SHARE
        kind = BAD_KINDS[bad_turn % len(BAD_KINDS)] if bad else ""
        bad_turn += bad
        person = _person_of_row(rng, maker, pools, kind, bad=bad, turn=bad_turn)
        if kind == "duplicate_in_file" and good_niks:
            person = _with_earlier_nik(person, rng.choice(good_niks))
        values = _row_values(rng, i, person, group, villages)
        _spoil(values, kind, person, rng)
        if not bad:
            good_niks.append(person["nik"])
        ws.append([values[h] for h in HEADERS])
    wb.save(path)


def _person_of_row(
    rng: random.Random, maker: People, pools: _Pools, kind: str, *, bad: bool, turn: int
) -> dict:
    if kind == "recent_aid":
        return _as_person(pools.recent[turn % len(pools.recent)])
    if kind == "duplicate_in_program":
        return _as_person(pools.in_program[turn % len(pools.in_program)])
    if kind == "age_out_of_range":
        return maker.make(birth=dt.date(2012, 4, 9))
    if not bad and pools.returning and rng.random() < 0.10:
        return _as_person(pools.returning.pop())
    return maker.make()


def _with_earlier_nik(person: dict, earlier_nik: str) -> dict:
    """The person under the NIK of an earlier row, with the sex and birth date that NIK holds."""
    person = {**person, "nik": earlier_nik}
    person["sex"] = "F" if int(earlier_nik[6:8]) > 40 else "M"
    day = int(earlier_nik[6:8]) % 40
    year = int(earlier_nik[10:12])
    person["birth"] = dt.date(1900 + year if year > 26 else 2000 + year, int(earlier_nik[8:10]), day)
    return person


def _row_values(rng: random.Random, i: int, person: dict, group: str, villages: list) -> dict:
    """One row as an office writes it: every accepted spelling, by chance."""
    village_code, village_name = rng.choice(villages)
    return {
        "NIK": _nik_text(rng, person["nik"]),
        "No KK": f"5105{rng.randrange(10**12):012d}" if rng.random() < 0.5 else None,
        "Nama": person["name"],
        "Jenis Kelamin": _sex_text(rng, person["sex"]),
        "Tempat Lahir": rng.choice(["Klungkung", "Semarapura", "Dawan", "Nusa Penida", None]),
        "Tanggal Lahir": _date_value(rng, person["birth"]),
        "Alamat": f"Jalan {rng.choice(LAST)} No. {rng.randrange(1, 200)}" if rng.random() < 0.7 else None,
        "Kode Desa": _village_text(rng, village_code, village_name),
        "Banjar/Dusun": _hamlet_text(rng, village_name),
        "No HP": _phone_text(rng) if rng.random() < 0.7 else None,
        "Kategori": _categories(rng),
        "Disabilitas": rng.choice([None] * 18 + ["fisik", "Sensory: hearing"]),
        "Pendidikan": rng.choice([None, "SD", "SMP", "SMA", "smk", "D3", "S1", "Bachelor (S1)"]),
        "Kelompok": group,
        "Peran": {0: "Ketua", 1: "sekretaris", 2: "BENDAHARA"}.get(
            i // FILE_GROUPS, rng.choice([None, "Anggota"])
        ),
    }


def _nik_text(rng: random.Random, nik: str) -> str:
    form = rng.random()
    if form < 0.10:
        return f"{nik[:6]} {nik[6:12]} {nik[12:]}"
    if form < 0.15:
        return f"{nik[:2]}.{nik[2:4]}.{nik[4:6]}.{nik[6:12]}.{nik[12:]}"
    return nik


def _sex_text(rng: random.Random, sex: str) -> str:
    words = {"M": ["L", "L", "L", "l", "Laki-laki", "M"], "F": ["P", "P", "P", "p", "Perempuan", "F"]}[sex]
    return rng.choice(words)


def _date_value(rng: random.Random, birth: dt.date):
    form = rng.random()
    if form < 0.40:
        return birth
    if form < 0.70:
        return birth.strftime("%d-%m-%Y")
    if form < 0.80:
        return birth.strftime("%d/%m/%Y")
    if form < 0.85:
        return birth.isoformat()
    if form < 0.95:
        return f"{birth.day} {MONTHS_ID[birth.month - 1]} {birth.year}"
    return f"{birth.day} {birth.strftime('%b')} {birth.year}"


def _village_text(rng: random.Random, code: str, name: str) -> str:
    form = rng.random()
    if form < 0.40:
        return code
    if form < 0.80:
        return code.replace(".", "")
    if form < 0.95:
        return name
    return f"{code} {name}"


def _hamlet_text(rng: random.Random, village_name: str) -> str | None:
    form = rng.random()
    if form < 0.15:
        return None
    if form < 0.97:
        return f"{rng.choice(['Banjar', 'Br.', 'Dusun', ''])} {rng.choice(HAMLETS)}".strip()
    return f"Banjar Anyar {village_name[:12]}"


def _phone_text(rng: random.Random) -> str:
    digits = f"812{rng.randrange(10**8):08d}"
    form = rng.random()
    if form < 0.5:
        return f"0{digits[:3]} {digits[3:7]} {digits[7:]}"
    if form < 0.75:
        return "62" + digits
    return f"+62 {digits[:3]}-{digits[3:7]}-{digits[7:]}"


def _categories(rng: random.Random) -> str:
    chosen = rng.sample(CATEGORY_WORDS, rng.choice([1, 1, 2]))
    return rng.choice([", ", ";", "; "]).join(chosen)


def _spoil(values: dict, kind: str, person: dict, rng: random.Random) -> None:
    nik = person["nik"]
    birth = person["birth"]
    if kind == "required":
        values["Nama"] = None
    elif kind == "nik_format":
        values["NIK"] = nik[:15]
    elif kind == "nik_province":
        values["NIK"] = "99" + nik[2:]
    elif kind == "nik_date":
        values["NIK"] = nik[:8] + "13" + nik[10:]
    elif kind == "nik_serial":
        values["NIK"] = nik[:12] + "0000"
    elif kind == "nik_as_number":
        values["NIK"] = int(nik)
    elif kind == "nik_sex_mismatch":
        values["Jenis Kelamin"] = "P" if person["sex"] == "M" else "L"
    elif kind == "nik_birthdate_mismatch":
        values["Tanggal Lahir"] = (birth + dt.timedelta(days=400)).strftime("%d-%m-%Y")
    elif kind == "date_invalid":
        values["Tanggal Lahir"] = f"30-02-{birth.year}"
    elif kind == "phone_invalid":
        values["No HP"] = "12345"
    elif kind == "village_unknown":
        values["Kode Desa"] = "5105039999"
    elif kind == "domicile_outside":
        values["Kode Desa"] = "51.04.01.2001"
        values["Banjar/Dusun"] = None
    elif kind == "value_invalid":
        values["Kategori"] = "Pengusaha besar"
    elif kind == "group_unknown":
        values["Kelompok"] = "Kelompok Yang Tidak Ada"
