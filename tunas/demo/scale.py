"""A synthetic national registry for measuring the lists at size: ``manage.py seed_scale --people N``.

Everything is written into the real tables, so the pages read it as they read an office's data: an office for
the nation, for every province and for every regency, one officer each (three of them with fixed names for the
benchmark), programmes over ten fiscal years in every stage, business groups of 10–20 people of one district,
memberships whose verification fits the stage, and people whose NIK agrees with their sex, birth date and
district. People are spread over the provinces by population and inside a province by number of villages.
About one in six later registrations is a returning participant of the same office, two or more years after
their first programme (so the aid look-back and "one programme at a time" rules hold).

Fast on purpose: rows are generated as tuples and written with ``COPY`` on PostgreSQL (the big tables' indexes
and constraints are dropped during the load and rebuilt after it, which is several times faster than keeping
them up to date row by row) and ``executemany`` elsewhere. No model instances, no signals, no history rows:
the registry's pages do not read history, and the seeded records have no past to show.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import cast

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group as RoleGroup
from django.core.management import call_command, get_commands
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from tunas.accounts.models import Office, User
from tunas.accounts.roles import Role as UserRole
from tunas.accounts.services import role_groups_ensure
from tunas.core.choices import TargetCategory
from tunas.programs.models import AidForm, FundingSource, Program, Stage
from tunas.regions.models import Hamlet, Province, Regency, Village
from tunas.registry.models import (
    BusinessType,
    Disability,
    Education,
    Employment,
    Group,
    GroupStatus,
    Membership,
    Person,
    Role,
    Verification,
    name_key,
)

from .foundation import DEMO_PASSWORD

SEED = 2026
# Every seeded office has an e-mail address at this domain: that is how --fresh knows what it seeded.
EMAIL_DOMAIN = "skala.tunas.local"
USERNAMES = {"regency": "skala.kabupaten", "province": "skala.provinsi", "national": "skala.nasional"}
# Shares of the people registered by province and national programmes (the rest by regencies).
PROVINCE_SHARE = 0.06
NATIONAL_SHARE = 0.03
PEOPLE_PER_PROGRAMME = 60
RETURNING_SHARE = 0.18
FLUSH_ROWS = 50_000

# Population by province, millions (census 2020; the Papua provinces of 2022 split by their regencies).
PROVINCE_POPULATION = {
    "11": 5.3, "12": 14.8, "13": 5.5, "14": 6.4, "15": 3.5, "16": 8.5, "17": 2.0, "18": 9.0, "19": 1.5,
    "21": 2.1, "31": 10.6, "32": 48.3, "33": 36.5, "34": 3.7, "35": 40.7, "36": 11.9, "51": 4.3, "52": 5.3,
    "53": 5.3, "61": 5.4, "62": 2.7, "63": 4.1, "64": 3.8, "65": 0.7, "71": 2.6, "72": 3.0, "73": 9.1,
    "74": 2.6, "75": 1.2, "76": 1.4, "81": 1.8, "82": 1.3, "91": 1.0, "92": 0.6, "93": 0.5, "94": 1.3,
    "95": 1.4, "96": 0.6,
}  # fmt: skip

# fmt: off
MALE = ["Agus", "Budi", "Joko", "Eko", "Ahmad", "Muhammad", "Andi", "Dedi", "Hendra", "Rudi", "Slamet",
    "Bambang", "Yusuf", "Rizky", "Fajar", "Teguh", "Wahyu", "Hasan", "Irfan", "Asep", "Dimas", "Arif"]
FEMALE = ["Siti", "Sri", "Dewi", "Rina", "Nur", "Yuni", "Wati", "Ani", "Fitri", "Ratna", "Indah", "Endang",
    "Yanti", "Putri", "Nurul", "Ayu", "Tuti", "Lina", "Desi", "Maya", "Rini", "Eni"]
MIDDLE = ["", "", "", "Adi", "Dwi", "Tri", "Nur", "Eka", "Sri", "Budi", "Indra", "Puji", "Rahma", "Setyo"]
LAST = ["Saputra", "Susanto", "Hidayat", "Setiawan", "Kurniawan", "Wijaya", "Pratama", "Nasution",
    "Siregar", "Harahap", "Lubis", "Rahman", "Hakim", "Santoso", "Gunawan", "Purnomo", "Hasibuan",
    "Sembiring", "Tanjung", "Wibowo", "Maulana", "Permana", "Nugroho", "Rahayu", "Handayani", "Wulandari",
    "Kusuma", "Lestari", "Suryani", "Anggraini", "Susanti", "Sari", "Hutapea", "Daeng"]
BALI_MALE = ["I Wayan", "I Made", "I Nyoman", "I Ketut", "I Gede", "I Putu", "I Komang", "I Kadek"]
BALI_FEMALE = ["Ni Wayan", "Ni Made", "Ni Nyoman", "Ni Ketut", "Ni Luh", "Ni Putu", "Ni Komang",
    "Ni Kadek"]
BALI_LAST = ["Sudarma", "Suartini", "Arsana", "Widiastuti", "Mertayasa", "Sukerti", "Adnyana", "Yuliani",
    "Wirawan", "Artini", "Suputra", "Sedana", "Budiasa", "Darmawan", "Sumerta", "Astawa"]
GROUP_WORDS = ["Maju Jaya", "Sumber Rejeki", "Karya Mandiri", "Sejahtera", "Tunas Harapan", "Berkah",
    "Mekar Sari", "Sari Rasa", "Makmur", "Sinar Baru", "Bina Usaha", "Mitra Usaha", "Sekar Arum"]
HAMLETS = ["Kaja", "Kelod", "Tengah"]
STREETS = ["Merdeka", "Sudirman", "Diponegoro", "Kartini", "Pahlawan", "Melati", "Mawar", "Raya", "Pasar"]
# fmt: on

STAGE_BY_AGE = {  # years before this one -> (stage, weight)
    0: [(Stage.REGISTRATION, 3), (Stage.VERIFICATION, 3), (Stage.TRAINING, 2), (Stage.AID, 2)],
    1: [(Stage.MENTORING, 5), (Stage.EVALUATION, 3), (Stage.CLOSED, 2)],
    2: [(Stage.EVALUATION, 1), (Stage.CLOSED, 4)],
}
GROUP_STATUS_BY_STAGE: dict[str, list[tuple[str, int]]] = {
    Stage.REGISTRATION: [(GroupStatus.FORMING, 1)],
    Stage.VERIFICATION: [(GroupStatus.FORMING, 50), (GroupStatus.VERIFIED, 45), (GroupStatus.REJECTED, 5)],
    Stage.TRAINING: [(GroupStatus.VERIFIED, 40), (GroupStatus.TRAINED, 55), (GroupStatus.REJECTED, 5)],
    Stage.AID: [(GroupStatus.TRAINED, 30), (GroupStatus.EQUIPPED, 65), (GroupStatus.REJECTED, 5)],
    Stage.MENTORING: [
        (GroupStatus.EQUIPPED, 20), (GroupStatus.MENTORED, 75), (GroupStatus.REJECTED, 3),
        (GroupStatus.DISSOLVED, 2),
    ],
    Stage.EVALUATION: [
        (GroupStatus.MENTORED, 40), (GroupStatus.GRADUATED, 55), (GroupStatus.REJECTED, 3),
        (GroupStatus.DISSOLVED, 2),
    ],
    Stage.CLOSED: [(GroupStatus.GRADUATED, 92), (GroupStatus.REJECTED, 4), (GroupStatus.DISSOLVED, 4)],
}  # fmt: skip
REJECTION_REASONS = [
    "Berstatus ASN menurut data kepegawaian.",
    "Tidak hadir saat verifikasi lapangan.",
    "Berdomisili di luar wilayah kerja.",
    "Menerima bantuan sejenis tahun lalu.",
]
ELIGIBLE_WORK = [Employment.NONE, Employment.INFORMAL, Employment.SELF, Employment.FAMILY]
EDUCATION = [Education.SD, Education.SMP, Education.SMP, Education.SMA, Education.SMA, Education.SMA,
             Education.DIPLOMA, Education.S1, Education.NONE]  # fmt: skip
DISABILITIES = [d for d in Disability.values if d]
WORK_CATEGORIES = [
    TargetCategory.UNEMPLOYED,
    TargetCategory.UNDEREMPLOYED,
    TargetCategory.POOR_HOUSEHOLD,
    TargetCategory.LAID_OFF,
    TargetCategory.RETURNED_MIGRANT,
]


class ScaleError(Exception):
    """What stops the seeder before it writes anything (no regions, data already seeded)."""


@dataclass
class SeedReport:
    people: int = 0
    memberships: int = 0
    groups: int = 0
    programmes: int = 0
    offices: int = 0
    users: int = 0
    hamlets: int = 0
    seconds: float = 0.0
    regency: str = ""
    province: str = ""
    phases: dict[str, float] = field(default_factory=dict)
    counts_rebuilt: bool = False


@dataclass
class Unit:
    """An office and the villages whose people its programmes register."""

    office: Office
    key: str  # in programme codes: 3201, P32, NAS
    villages: list[str]  # village codes
    weight: float
    people: int = 0
    officer_id: int = 0
    programmes: list[Program] = field(default_factory=list)


# Writing rows -----------------------------------------------------------------------------------------------


class Table:
    """Rows of one model's table, given as tuples of ``columns``; the other columns get their defaults.

    Ids are handed out here (from the table's current maximum), so that rows can point at each other before
    any is written; the sequences are moved past them at the end.
    """

    def __init__(self, model: type[models.Model], columns: Sequence[str]):
        self.model = model
        self.table = model._meta.db_table
        fields = {f.attname: f for f in model._meta.concrete_fields if not getattr(f, "generated", False)}
        unknown = set(columns) - set(fields)
        if unknown:
            raise ValueError(f"{self.table} has no columns {sorted(unknown)}")
        self.rest = [f for name, f in fields.items() if name not in columns]
        self.columns = [fields[c].column for c in columns] + [f.column for f in self.rest]
        self.extra = tuple(_default(f) for f in self.rest)
        self.rows: list[tuple] = []
        self.next_id = (model._default_manager.aggregate(m=Max("pk"))["m"] or 0) + 1
        self.written = 0
        pg = connection.vendor == "postgresql"
        self._convert = None if pg else _sqlite_converters([fields[c] for c in columns] + self.rest)

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id - 1

    def add(self, row: tuple) -> None:
        self.rows.append(row)
        if len(self.rows) >= FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        qn = connection.ops.quote_name
        columns = ", ".join(qn(c) for c in self.columns)
        extra = self.extra
        with connection.cursor() as cursor:
            if self._convert is None:
                with cursor.cursor.copy(f"COPY {qn(self.table)} ({columns}) FROM STDIN") as copy:
                    write = copy.write_row
                    for row in self.rows:
                        write(row + extra)
            else:
                convert = self._convert
                marks = ", ".join(["%s"] * len(self.columns))
                cursor.executemany(
                    f"INSERT INTO {qn(self.table)} ({columns}) VALUES ({marks})",  # noqa: S608
                    [convert(row + extra) for row in self.rows],
                )
        self.written += len(self.rows)
        self.rows = []


def _default(f: models.Field):
    if f.has_default():
        value = f.get_default()
    elif f.null:
        value = None
    elif getattr(f, "db_default", models.NOT_PROVIDED) is not models.NOT_PROVIDED:
        value = f.db_default.value if hasattr(f.db_default, "value") else f.db_default
    elif isinstance(f, models.CharField | models.TextField):
        value = ""
    else:
        raise ValueError(f"{f.model._meta.db_table}.{f.column} needs a value and has no default")
    if isinstance(f, models.JSONField):
        return json.dumps(value)
    return value


def _sqlite_converters(fields: list[models.Field]) -> Callable[[tuple], tuple]:
    """Dates and times as the SQLite backend stores them; everything else goes to the driver as it is."""
    adapters: list[tuple[int, Callable]] = []
    for i, f in enumerate(fields):
        if isinstance(f, models.DateTimeField):
            adapters.append((i, connection.ops.adapt_datetimefield_value))
        elif isinstance(f, models.DateField):
            adapters.append((i, lambda value: value.isoformat() if value else value))
    if not adapters:
        return lambda row: row

    def convert(row: tuple) -> tuple:
        values = list(row)
        for i, adapt in adapters:
            values[i] = adapt(values[i])
        return tuple(values)

    return convert


class BulkLoad:
    """On PostgreSQL, the big tables' secondary indexes, unique and foreign-key constraints are dropped for
    the load and made again after it: one sorted build and one anti-join per constraint instead of millions
    of index updates and trigger calls. Elsewhere it does nothing."""

    def __init__(self, tables: Iterable[str]):
        self.tables = list(tables)
        self.indexes: list[str] = []
        self.constraints: list[tuple[str, str, str, str]] = []  # table, name, kind, definition

    def __enter__(self) -> BulkLoad:
        if connection.vendor != "postgresql":
            return self
        with connection.cursor() as cursor:
            # The checks of rows written so far (offices, users, programmes) run now: a table with checks
            # still pending cannot be altered.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(
                """SELECT c.conrelid::regclass::text, c.conname, c.contype, pg_get_constraintdef(c.oid)
                     FROM pg_constraint c
                    WHERE c.conrelid = ANY(%s::regclass[]) AND c.contype IN ('u', 'f')""",
                [self.tables],
            )
            self.constraints = [tuple(row) for row in cursor.fetchall()]
            cursor.execute(
                """SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
                     FROM pg_index i
                    WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary
                      AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)""",
                [self.tables],
            )
            found = cursor.fetchall()
            self.indexes = [definition for _name, definition in found]
            for table, name, _kind, _definition in self.constraints:
                cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            for name, _definition in found:
                cursor.execute(f"DROP INDEX {name}")
        return self

    def __exit__(self, *exc) -> None:
        if exc[0] is not None or connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            for definition in self.indexes:
                cursor.execute(definition)
            for kind in ("u", "f"):
                for table, name, k, definition in self.constraints:
                    if k == kind:
                        cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


# The plan: offices, users, programmes -----------------------------------------------------------------------


def _apportion(total: int, weights: Sequence[float], unit: int = 1) -> list[int]:
    """``total`` split in proportion to ``weights`` in multiples of ``unit`` (largest remainders first); what
    is left below one unit goes to the heaviest weight."""
    units = total // unit
    whole = sum(weights) or 1.0
    exact = [units * w / whole for w in weights]
    shares = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: exact[i] - shares[i], reverse=True)
    for i in order[: units - sum(shares)]:
        shares[i] += 1
    result = [s * unit for s in shares]
    if weights:
        result[max(range(len(weights)), key=lambda i: weights[i])] += total - units * unit
    return result


def _offices() -> tuple[list[Unit], Unit, Unit]:
    """The national office, one per province and one per regency, with the villages each one serves."""
    villages_by_regency: dict[str, list[str]] = {}
    for code in Village.objects.order_by("code").values_list("code", flat=True).iterator(chunk_size=20_000):
        villages_by_regency.setdefault(code[:5], []).append(code)
    provinces = {p.code: p for p in Province.objects.all()}
    regencies = list(Regency.objects.order_by("code"))
    villages_of_province: dict[str, int] = {}
    for r in regencies:
        villages_of_province[r.province_id] = villages_of_province.get(r.province_id, 0) + len(
            villages_by_regency.get(r.code, [])
        )

    units: list[Unit] = []
    regency_share = 1 - PROVINCE_SHARE - NATIONAL_SHARE
    for r in regencies:
        villages = villages_by_regency.get(r.code, [])
        if not villages:
            continue
        population = PROVINCE_POPULATION.get(r.province_id, 1.0)
        weight = regency_share * population * len(villages) / villages_of_province[r.province_id]
        bare = r.name.removeprefix("Kabupaten ").removeprefix("Kota ")
        office = Office(
            name=f"Dinas Tenaga Kerja {r.name}",
            short_name=f"Disnaker {'Kota ' if r.kind == Regency.Kind.CITY else ''}{bare}",
            level=Office.Level.REGENCY,
            region_code=r.code,
            government_name=f"Pemerintah {r.name}",
            office_code="DISNAKER",
            email=f"disnaker.{r.code.replace('.', '')}@{EMAIL_DOMAIN}",
        )
        units.append(Unit(office, r.code.replace(".", ""), villages, weight))
    for code, province in sorted(provinces.items()):
        villages = [
            v for r in regencies if r.province_id == code for v in villages_by_regency.get(r.code, [])
        ]
        if not villages:
            continue
        office = Office(
            name=f"Dinas Tenaga Kerja dan Transmigrasi Provinsi {province.name}",
            short_name=f"Disnakertrans {province.name}",
            level=Office.Level.PROVINCE,
            region_code=code,
            government_name=f"Pemerintah Provinsi {province.name}",
            office_code="DISNAKERTRANS",
            email=f"disnakertrans.{code}@{EMAIL_DOMAIN}",
        )
        units.append(Unit(office, f"P{code}", villages, PROVINCE_SHARE * PROVINCE_POPULATION.get(code, 1.0)))
    national = Unit(
        Office(
            name="Kementerian Ketenagakerjaan Republik Indonesia",
            short_name="Kemnaker",
            level=Office.Level.NATIONAL,
            region_code="",
            government_name="Kementerian Ketenagakerjaan",
            office_code="KEMNAKER",
            email=f"kemnaker@{EMAIL_DOMAIN}",
        ),
        "NAS",
        [v for vs in villages_by_regency.values() for v in vs],
        NATIONAL_SHARE * sum(PROVINCE_POPULATION.values()),
    )
    units.append(national)
    # The benchmark's regency is the one with most people; its province is the benchmark's province.
    regency = max((u for u in units if u.office.level == Office.Level.REGENCY), key=lambda u: u.weight)
    home = next(u for u in units if u.office.region_code == regency.office.region_code[:2])
    return units, regency, home


def _users(units: list[Unit], named: dict[str, Unit]) -> int:
    """One officer per office (also a verifier, as in small offices), three of them with the benchmark's
    names; all with the demo password."""
    role_groups_ensure()
    password = make_password(DEMO_PASSWORD)
    names = {id(unit): username for username, unit in ((USERNAMES[k], u) for k, u in named.items())}
    users = [
        User(
            username=names.get(id(u), f"petugas.{u.key.lower()}"),
            first_name="Petugas",
            last_name=u.office.short_name,
            email=f"petugas.{u.key.lower()}@{EMAIL_DOMAIN}",
            password=password,
            office=u.office,
        )
        for u in units
    ]
    User.objects.bulk_create(users)
    if any(user.pk is None for user in users):  # a backend that does not return ids
        by_name = dict(
            User.objects.filter(office__email__endswith=EMAIL_DOMAIN).values_list("username", "pk")
        )
        for user in users:
            user.pk = by_name[user.username]
    roles = list(RoleGroup.objects.filter(name__in=[UserRole.OFFICER, UserRole.VERIFIER]))
    through = User.groups.through
    through.objects.bulk_create([through(user_id=user.pk, group_id=g.pk) for user in users for g in roles])
    for unit, user in zip(units, users, strict=True):
        unit.officer_id = user.pk
    return len(users)


def _stage(rng: random.Random, age: int) -> str:
    choices = STAGE_BY_AGE.get(age, [(Stage.CLOSED, 1)])
    return rng.choices([s for s, _w in choices], [w for _s, w in choices])[0]


def _programmes(rng: random.Random, units: list[Unit], this_year: int) -> int:
    """Up to ten programmes per office, one a fiscal year over the last ten, each in the stage its year
    makes likely; a few offices already plan next year's."""
    funding: dict[str, list[str]] = {
        Office.Level.REGENCY: [FundingSource.APBD_KAB, FundingSource.TP],
        Office.Level.PROVINCE: [FundingSource.APBD_PROV, FundingSource.DEKON],
        Office.Level.NATIONAL: [FundingSource.APBN_BANTUAN],
    }
    programmes: list[tuple[Unit, Program]] = []
    years = list(range(this_year - 9, this_year + 1))
    for unit in units:
        if not unit.people:
            continue
        count = max(1, min(10, unit.people // PEOPLE_PER_PROGRAMME))
        if count == 1:
            chosen = [rng.choice(years)]
        else:
            # An office with few programmes still has an old, closed one.
            first = rng.choice(years[:5])
            chosen = sorted([first, *rng.sample([y for y in years if y != first], count - 1)])
        if count >= 3 and rng.random() < 0.3:
            chosen = [*chosen, this_year + 1]
        for year in chosen:
            status = Stage.PLANNING if year > this_year else _stage(rng, this_year - year)
            aid_per_group = rng.choice([15, 20, 25, 30]) * 1_000_000
            programmes.append(
                (
                    unit,
                    Program(
                        code=f"SK-{unit.key}-{year}",
                        name=f"Penumbuhan Wirausaha Baru {unit.office.short_name} {year}",
                        office=unit.office,
                        fiscal_year=year,
                        funding_source=rng.choice(funding[unit.office.level]),
                        budget_total=aid_per_group * (unit.people // count // 12 + 1) * 13 // 10,
                        group_size_min=10,
                        group_size_max=20,
                        aid_form=rng.choice([AidForm.GOODS, AidForm.GOODS, AidForm.MONEY]),
                        aid_per_group=aid_per_group,
                        min_age=18,
                        status=status,
                        registration_start=dt.date(year, 3, 1),
                        registration_end=dt.date(year, 3, 31),
                        verification_start=dt.date(year, 4, 1),
                        verification_end=dt.date(year, 4, 30),
                        training_start=dt.date(year, 6, 2),
                        training_end=dt.date(year, 6, 13),
                        aid_date=dt.date(year, 7, 15),
                        mentoring_until=dt.date(year, 12, 15),
                        evaluation_date=dt.date(year, 12, 20),
                    ),
                )
            )
    Program.objects.bulk_create([p for _unit, p in programmes], batch_size=2000)
    if any(p.pk is None for _unit, p in programmes):
        by_code = dict(Program.objects.filter(code__startswith="SK-").values_list("code", "pk"))
        for _unit, p in programmes:
            p.pk = by_code[p.code]
    for unit, p in programmes:
        unit.programmes.append(p)
    return len(programmes)


# People, groups and memberships -----------------------------------------------------------------------------


class Registry:
    """Generates and writes the people, hamlets, groups and memberships of every office's programmes."""

    def __init__(self, rng: random.Random, now: dt.datetime):
        self.rng = rng
        self.now = now
        self.people = Table(
            Person,
            ["id", "created_at", "updated_at", "version", "nik", "full_name", "name_key", "sex",
             "birth_place", "birth_date", "owner_office_id", "created_by_id"],
        )  # fmt: skip
        self.groups = Table(
            Group,
            ["id", "created_at", "updated_at", "version", "program_id", "name", "business_type",
             "business_description", "village_id", "hamlet_id", "status", "verification_note",
             "verified_by_id", "verified_at"],
        )  # fmt: skip
        self.members = Table(
            Membership,
            ["id", "created_at", "updated_at", "version", "program_id", "group_id", "person_id", "role", "kk",
             "village_id", "hamlet_id", "street", "phone", "education", "disability", "categories",
             "employment_before", "income_before", "consent_data", "consent_public", "verification",
             "verification_reason", "verified_by_id", "verified_at", "warnings", "warnings_resolved_by_id",
             "holds_place", "office_id", "person_name", "group_name"],
        )  # fmt: skip
        self.hamlet_table = Table(Hamlet, ["id", "village_id", "name", "kind", "created_at", "created_by_id"])
        self.hamlets: dict[str, list[int]] = {}
        for pk, village in Hamlet.objects.values_list("pk", "village_id"):
            self.hamlets.setdefault(village, []).append(pk)
        self.nik_serials: dict[str, int] = {}
        self.existing_niks = set(Person.objects.values_list("nik", flat=True))
        self.village_names = dict(Village.objects.values_list("code", "name").iterator(chunk_size=20_000))
        self.district_villages: dict[str, list[str]] = {}
        for code in self.village_names:
            self.district_villages.setdefault(code[:8], []).append(code)
        self.all_districts = sorted(self.district_villages)
        self.regency_names = dict(Regency.objects.values_list("code", "name"))
        self.categories_json: dict[tuple, str] = {}
        warning = {"code": "possible_duplicate", "message": _duplicate_message()}
        self.warning_json = json.dumps([warning])
        self.empty_json = "[]"

    def hamlets_of(self, village: str, officer: int) -> list[int]:
        found = self.hamlets.get(village)
        if found is None:
            found = self.hamlets[village] = []
            for name in HAMLETS:
                pk = self.hamlet_table.new_id()
                self.hamlet_table.add((pk, village, name, Hamlet.Kind.DUSUN, self.now, officer))
                found.append(pk)
        return found

    def nik(self, district: str, birth: dt.date, sex: str) -> str:
        day = birth.day + 40 if sex == "F" else birth.day
        prefix = f"{district.replace('.', '')}{day:02d}{birth.month:02d}{birth.year % 100:02d}"
        serial = self.nik_serials.get(prefix, 0)
        while True:
            serial += 1
            nik = f"{prefix}{serial:04d}"
            if nik not in self.existing_niks:
                break
        if serial > 9999:
            raise ScaleError(
                _("More than 9,999 people born on one day in district %(code)s.") % {"code": district}
            )
        self.nik_serials[prefix] = serial
        return nik

    def categories(self, sex: str, age: int) -> str:
        rng = self.rng
        chosen = {rng.choice(WORK_CATEGORIES)}
        if rng.random() < 0.3:
            chosen.add(rng.choice(WORK_CATEGORIES))
        if age <= 30 and rng.random() < 0.4:
            chosen.add(TargetCategory.YOUTH)
        if sex == "F" and rng.random() < 0.15:
            chosen.add(TargetCategory.WOMAN_HEADED)
        key = tuple(sorted(chosen))
        text = self.categories_json.get(key)
        if text is None:
            text = self.categories_json[key] = json.dumps(list(key))
        return text

    def unit(self, unit: Unit) -> None:
        """Every programme of one office, oldest first: new people, and returning ones from two or more
        years before."""
        rng = self.rng
        running = [p for p in unit.programmes if p.status != Stage.PLANNING]
        budgets = _apportion(unit.people, [1.0] * len(running))
        # People free to join again, by the first fiscal year they may: (id, village, birth, sex, name).
        waiting: dict[int, list[tuple[int, str, dt.date, str, str]]] = {}
        pool: list[tuple[int, str, dt.date, str, str]] = []
        for programme, budget in zip(running, budgets, strict=True):
            for year in sorted(y for y in waiting if y <= programme.fiscal_year):
                pool.extend(waiting.pop(year))
            rng.shuffle(pool)
            joined = self.programme(unit, programme, budget, pool)
            waiting.setdefault(programme.fiscal_year + 2, []).extend(joined)

    def programme(self, unit: Unit, programme: Program, budget: int, pool: list) -> list:
        """The programme's groups: ``budget`` new people, plus returning ones taken from ``pool``."""
        rng = self.rng
        stage = programme.status
        statuses = GROUP_STATUS_BY_STAGE[stage]
        status_names = [s for s, _w in statuses]
        status_weights = [w for _s, w in statuses]
        decided = stage != Stage.REGISTRATION
        year = programme.fiscal_year
        created = timezone.make_aware(dt.datetime(year, 3, 10, 9, 0))
        decided_at = timezone.make_aware(dt.datetime(year, 4, 20, 10, 0))
        names: set[str] = set()
        returners_by_district: dict[str, list] = {}
        for entry in pool:
            returners_by_district.setdefault(entry[1][:8], []).append(entry)
        pool.clear()
        districts = sorted({v[:8] for v in unit.villages})
        joined: list = []
        while budget > 0:
            if budget <= 20:
                plan = [(budget, 0)]
            elif budget < 30:
                plan = [(budget // 2, 0), (budget - budget // 2, 0)]
            else:
                size = rng.randint(10, 13)
                rejected = 1 if decided and rng.random() < 0.1 else 0
                plan = [(size + rejected, rejected)]
            for new_and_rejected, rejected in plan:
                # A group of one district; returning people of that district first.
                district = rng.choice(districts)
                waiting = returners_by_district.get(district) or []
                room = 20 - (new_and_rejected - rejected)
                take = min(len(waiting), room, rng.choice([0, 0, 1, 2, 3, 4]) if budget > 20 else room // 3)
                returning = [waiting.pop() for _ in range(take)]
                new = new_and_rejected - len(returning) if budget > 20 else new_and_rejected
                new = min(new, budget)
                budget -= new
                status = rng.choices(status_names, status_weights)[0]
                joined.extend(
                    self.group(
                        unit,
                        programme,
                        district,
                        status,
                        new,
                        returning,
                        rejected,
                        created,
                        decided_at,
                        names,
                    )
                )
        return joined

    def group(
        self,
        unit: Unit,
        programme: Program,
        district: str,
        status: str,
        new: int,
        returning: list,
        rejected: int,
        created: dt.datetime,
        decided_at: dt.datetime,
        names: set[str],
    ) -> list:
        rng = self.rng
        villages = self.district_villages[district]
        village = rng.choice(villages)
        hamlets = self.hamlets_of(village, unit.officer_id)
        group_id = self.groups.new_id()
        word = rng.choice(GROUP_WORDS)
        name = f"KUB {word} {self.village_names[village].title()}"
        if name.lower() in names:
            name = f"{name} {len(names) + 1}"
        names.add(name.lower())
        business = rng.choice(BusinessType.values)
        verified = status not in (GroupStatus.FORMING,)
        officer = unit.officer_id
        self.groups.add(
            (
                group_id, created, decided_at if verified else created, 1, programme.pk, name, business,
                "", village, rng.choice(hamlets), status, "", officer if verified else None,
                decided_at if verified else None,
            )
        )  # fmt: skip
        group_open = status not in (GroupStatus.REJECTED, GroupStatus.DISSOLVED)
        closing = programme.registration_end or dt.date(programme.fiscal_year, 3, 31)
        regency_name = self.regency_names.get(village[:5], "")
        members: list[tuple[int, str, dt.date, str, str]] = []
        for _position in range(new):
            sex = "F" if rng.random() < 0.55 else "M"
            birth = closing - dt.timedelta(days=rng.randrange(18 * 366, 55 * 365))
            home = village if rng.random() < 0.7 else rng.choice(villages)
            # Most people hold an ID issued where they live; some moved from another district.
            issued = home[:8] if rng.random() < 0.9 else rng.choice(self.all_districts)
            person_id = self.people.new_id()
            full_name = self._name(sex, home)
            self.people.add(
                (
                    person_id, created, created, 1, self.nik(issued, birth, sex), full_name,
                    name_key(full_name),
                    sex, regency_name.removeprefix("Kabupaten ").removeprefix("Kota "), birth, unit.office.pk,
                    officer,
                )
            )  # fmt: skip
            members.append((person_id, home, birth, sex, full_name))
        everyone = [*members, *returning]
        rejected_ids = {m[0] for m in members[len(members) - rejected :]} if rejected else set()
        for position, (person_id, home, birth, sex, full_name) in enumerate(everyone):
            role = (Role.CHAIR, Role.SECRETARY, Role.TREASURER)[position] if position < 3 else Role.MEMBER
            if person_id in rejected_ids or status == GroupStatus.REJECTED:
                verification, reason = Verification.REJECTED, rng.choice(REJECTION_REASONS)
            elif status == GroupStatus.FORMING:
                pending = programme.status == Stage.REGISTRATION or rng.random() < 0.5
                verification, reason = (Verification.PENDING if pending else Verification.APPROVED), ""
            else:
                verification, reason = Verification.APPROVED, ""
            decided = verification != Verification.PENDING
            holds = group_open and verification != Verification.REJECTED
            age = closing.year - birth.year
            warnings = (
                self.warning_json
                if verification == Verification.PENDING and rng.random() < 0.02
                else self.empty_json
            )
            self.members.add(
                (
                    self.members.new_id(), created, decided_at if decided else created, 1, programme.pk,
                    group_id, person_id, role,
                    f"{home[:8].replace('.', '')}{rng.randrange(10**10):010d}" if rng.random() < 0.5 else "",
                    home, rng.choice(self.hamlets_of(home, officer)),
                    f"Jl. {rng.choice(STREETS)} No. {rng.randrange(1, 200)}" if rng.random() < 0.7 else "",
                    f"+6281{person_id * 7919 % 10**9:09d}" if rng.random() < 0.8 else "",
                    rng.choice(EDUCATION), rng.choice(DISABILITIES) if rng.random() < 0.02 else "",
                    self.categories(sex, age), rng.choice(ELIGIBLE_WORK),
                    rng.randrange(0, 50) * 50_000 if rng.random() < 0.8 else None, True, rng.random() < 0.4,
                    verification, reason, officer if decided else None, decided_at if decided else None,
                    warnings, None, holds, unit.office.pk, full_name, name,
                )
            )  # fmt: skip
        # Who may come back in a later programme: approved members of groups that went on.
        return [m for m in everyone if group_open and m[0] not in rejected_ids]

    def _name(self, sex: str, home: str) -> str:
        rng = self.rng
        # Bali's people, and its transmigrants elsewhere, have Balinese names.
        if home.startswith("51.") or rng.random() < 0.01:
            first = rng.choice(BALI_FEMALE if sex == "F" else BALI_MALE)
            return f"{first} {rng.choice(MIDDLE[3:])} {rng.choice(BALI_LAST)}"
        first = rng.choice(FEMALE if sex == "F" else MALE)
        middle = rng.choice(MIDDLE)
        return f"{first} {middle} {rng.choice(LAST)}" if middle else f"{first} {rng.choice(LAST)}"

    def flush(self) -> None:
        for table in (self.hamlet_table, self.people, self.groups, self.members):
            table.flush()


def _duplicate_message() -> str:
    from django.utils import translation

    from tunas.core.errors import message_for

    with translation.override("id"):
        return str(message_for("possible_duplicate"))


# Wiping and the command's entry point -----------------------------------------------------------------------


class _Quiet:
    """Where the output of the commands the seeder calls goes: it prints its own summary."""

    def write(self, text: str) -> None:
        pass

    def flush(self) -> None:
        pass


def seeded_offices():
    return Office.objects.filter(email__endswith="@" + EMAIL_DOMAIN)


def wipe(log: Callable[[str], None] = print) -> None:
    """Removes what an earlier run seeded: its offices and everything of their programmes and people."""
    offices = seeded_offices()
    if not offices.exists():
        return
    programmes = Program.objects.filter(office__in=offices)
    people = Person.objects.filter(owner_office__in=offices)
    alone = not Program.objects.exclude(office__in=offices).exists() and not (
        Person.objects.exclude(owner_office__in=offices).exists()
    )
    with transaction.atomic():
        if alone and connection.vendor == "postgresql":
            # Nothing else is in these tables: emptying them is instant, and takes what points at them.
            tables = [m._meta.db_table for m in (Membership, Group, Program, Person)]
            tables += [m.history.model._meta.db_table for m in (Membership, Group, Program, Person)]  # type: ignore[attr-defined]
            with connection.cursor() as cursor:
                cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
        else:
            for model, qs in (
                (Membership, Membership.objects.filter(program__in=programmes)),
                (Group, Group.objects.filter(program__in=programmes)),
                (Program, programmes),
                (Person, people),
            ):
                _raw_delete_with_dependents(model, qs)
        users = User.objects.filter(office__in=offices)
        # The hamlets the seeder added, unless someone has used them since.
        hamlets = Hamlet.objects.filter(created_by__in=users, groups__isnull=True, registrations__isnull=True)
        _raw_delete_with_dependents(Hamlet, Hamlet.objects.filter(pk__in=hamlets.values("pk")))
        User.groups.through.objects.filter(user__in=users).delete()
        _raw_delete_with_dependents(User, users)
        _raw_delete_with_dependents(Office, offices)
    log("  " + _("Earlier seeded data removed."))


def _raw_delete_with_dependents(model: type[models.Model], qs: models.QuerySet) -> None:
    """Deletes ``qs`` without loading it: the rows of other tables that cascade from it go too, and the
    references that are set to null on delete are cleared (tables not yet migrated are skipped)."""
    existing = set(connection.introspection.table_names())
    for rel in model._meta.related_objects:
        related_model = cast(type[models.Model], rel.related_model)
        if rel.many_to_many or related_model._meta.db_table not in existing:
            continue
        related = related_model._base_manager.filter(**{f"{rel.field.name}__in": qs.values("pk")})
        if rel.on_delete is models.CASCADE:
            related._raw_delete(related.db)
        elif rel.on_delete is models.SET_NULL:
            related.update(**{rel.field.name: None})
    qs._raw_delete(qs.db)


def seed_scale(
    *, people: int, fresh: bool = False, seed: int = SEED, log: Callable[[str], None] = print
) -> SeedReport:
    """Seeds ``people`` people nationally (see the module's docstring); returns what it made."""
    if people < 10:
        raise ScaleError(_("Seed at least 10 people: a group has ten members."))
    if not Village.objects.exists():
        raise ScaleError(_("No regions are loaded: run manage.py load_regions first."))
    started = time.perf_counter()
    report = SeedReport()
    mark = started

    def phase(name: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        report.phases[name] = now - mark
        mark = now

    if fresh:
        wipe(log)
        phase("wipe")
    elif seeded_offices().exists():
        raise ScaleError(_("Seeded data is already there: add --fresh to replace it."))
    rng = random.Random(seed)
    now = timezone.now()
    this_year = timezone.localdate().year
    with transaction.atomic():
        units, regency, province = _offices()
        national = units[-1]
        for unit, share in zip(units, _apportion(people, [u.weight for u in units], unit=10), strict=True):
            unit.people = share
        Office.objects.bulk_create([u.office for u in units])
        if any(u.office.pk is None for u in units):
            by_email = dict(seeded_offices().values_list("email", "pk"))
            for u in units:
                u.office.pk = by_email[u.office.email]
        report.offices = len(units)
        report.users = _users(units, {"regency": regency, "province": province, "national": national})
        report.programmes = _programmes(rng, units, this_year)
        report.regency, report.province = regency.office.region_code, province.office.region_code
        phase("offices, users, programmes")
        log(
            "  "
            + _("%(offices)s offices, %(programmes)s programmes; writing %(people)s people …")
            % {"offices": len(units), "programmes": report.programmes, "people": people}
        )
        registry = Registry(rng, now)
        tables = [
            t.table for t in (registry.people, registry.groups, registry.members, registry.hamlet_table)
        ]
        with BulkLoad(tables):
            for unit in units:
                registry.unit(unit)
            registry.flush()
            phase("people, groups, memberships")
        phase("indexes and constraints")
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [Person, Group, Membership, Hamlet]):
                cursor.execute(sql)
    report.people = registry.people.written
    report.groups = registry.groups.written
    report.memberships = registry.members.written
    report.hamlets = registry.hamlet_table.written
    if "rebuild_counts" in get_commands():
        # The per-programme and per-group counts the lists read (the registry's own command, when it has one).
        call_command("rebuild_counts", stdout=_Quiet())
        report.counts_rebuilt = True
        phase("rebuild_counts")
    if connection.vendor == "postgresql":
        # VACUUM cannot run inside a transaction (a test's): there ANALYZE alone gives the planner figures.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
        phase("vacuum analyze")
    report.seconds = time.perf_counter() - started
    return report
