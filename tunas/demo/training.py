"""Demo training records for the 2018 programme, made through the training app's services.

Each 2018 group was trained 4–6 September 2018 in its own banjar or dusun by instructors from its own village
with an established business in the same trade (fictional people). A few participants missed sessions; those
present at 80 % of them received certificates. The 2026 programme gets its training planned.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

from tunas.accounts.models import User
from tunas.programs.models import Program
from tunas.registry.models import Group
from tunas.training import selectors, services
from tunas.training.models import AttendanceStatus, Instructor, Training

# group name → (place, [(instructor, expertise, business, since, rate per JP)])
INSTRUCTORS_2018 = {
    "Kerajinan Lontar Besang": (
        "Balai Banjar Besang",
        [
            (
                "I Wayan Suardika",
                "Anyaman dan ukiran lontar",
                "Perajin kotak dan hiasan lontar",
                2004,
                70_000,
            ),
            ("Ni Made Sriani", "Pemasaran kerajinan", "Toko kerajinan lontar di Semarapura", 2010, 70_000),
        ],
    ),
    "Jajan Bali Sengguan": (
        "Balai Banjar Sengguan",
        [
            ("Ni Ketut Wartini", "Jajan Bali untuk upacara", "Usaha jajan Bali pesanan", 2006, 70_000),
            ("I Made Suweca", "Pembukuan usaha kecil", "Warung dan katering jajan", 2011, 70_000),
        ],
    ),
    "Keripik Ceker Pasekan": (
        "Balai Dusun Pasekan",
        [
            ("Ni Nyoman Suarni", "Olahan ceker dan kulit ayam", "Usaha keripik ceker rumahan", 2012, 70_000),
            ("I Komang Artana", "Kemasan dan pemasaran", "Distributor camilan di Dawan", 2009, 70_000),
        ],
    ),
    "Ngilur Bhuwana Sente": (
        "Balai Dusun Sente",
        [
            ("I Nyoman Regeg", "Pengolahan serat ijuk", "Perajin tali dan sapu ijuk", 1998, 70_000),
            ("I Ketut Sukarta", "Manajemen usaha kelompok", "Usaha tali ijuk dan atap ijuk", 2005, 70_000),
        ],
    ),
}
DAYS_2018 = (dt.date(2018, 9, 4), dt.date(2018, 9, 6))
LATE_REASON = "Disalin dari daftar hadir kertas yang ditandatangani"
HONORARIUM_LINE = "Honorarium instruktur"


@transaction.atomic
def load_training(program: Program, result: dict) -> None:
    """Records the 2018 programme's training work (idempotent): instructors, one training per group in its
    own hamlet, attendance with a few absences, completion, certificates and the honoraria."""
    officer = User.objects.filter(username="operator").first()
    office = program.office
    instructor_user = User.objects.filter(username="instruktur", office=office).first()
    for group in Group.objects.filter(program=program).select_related("village", "hamlet").order_by("name"):
        spec = INSTRUCTORS_2018.get(group.name)
        if spec is None:
            continue
        place, people = spec
        teachers = [_instructor(office, group, *p) for p in people]
        training = Training.objects.filter(program=program, groups=group).first()
        if training is None:
            training = services.training_create(
                program=program,
                groups=[group],
                data=services.TrainingData(
                    title=f"Pelatihan Wirausaha Baru Kelompok {group.name}",
                    village_id=group.village_id,
                    hamlet_id=group.hamlet_id,
                    place=place,
                    start_date=DAYS_2018[0],
                    end_date=DAYS_2018[1],
                ),
                by=officer,
            )
            _assign(training, teachers, officer)
        _attend(training, group.name, officer)
        if training.completed_at is None:
            services.training_complete(training=training, by=officer)
        services.certificates_issue(training=training, by=officer)
        _honoraria(program, training, officer)
    # The demo instructor account teaches the lontar group's product sessions.
    if instructor_user is not None:
        first = Instructor.objects.filter(
            office=office, name=INSTRUCTORS_2018["Kerajinan Lontar Besang"][1][0][0]
        ).first()
        if first is not None and first.user_id is None and not hasattr(instructor_user, "instructor_profile"):
            first.user = instructor_user
            services.instructor_save(instructor=first, expected_version=first.version, by=officer)
    _plan_2026(result, officer)


def _instructor(office, group: Group, name, expertise, business, since, rate) -> Instructor:
    found = Instructor.objects.filter(office=office, name=name).first()
    if found is not None:
        return found
    return services.instructor_save(
        instructor=Instructor(
            office=office,
            name=name,
            village_id=group.village_id,
            expertise=expertise,
            business=business,
            business_since=since,
            rate_per_hour=rate,
        ),
        expected_version=None,
    )


def _assign(training: Training, teachers: list[Instructor], officer) -> None:
    """The trade's own entrepreneur teaches the product and strategy topics, the other the rest."""
    for session in training.sessions.order_by("date", "start"):
        product = "produk" in session.topic.lower() or "strategi" in session.topic.lower()
        session.instructor = teachers[0] if product or len(teachers) == 1 else teachers[1]
        services.session_save(session=session, by=officer)


def _attend(training: Training, seed: str, officer) -> None:
    """Everyone present, except a few: one sick for a whole day, some missing a session or two."""
    rng = random.Random(f"attendance/{seed}")
    people = list(selectors.participants(training=training))
    if not people:
        return
    sick = rng.choice(people)
    sick_day = training.days[1]
    occasional = rng.sample(people, k=min(3, len(people)))
    sessions = list(training.sessions.order_by("date", "start"))
    for session in sessions:
        if session.attendance.exists():
            continue
        marks = {m.pk: services.Mark(AttendanceStatus.PRESENT) for m in people}
        if session.date == sick_day:
            marks[sick.pk] = services.Mark(AttendanceStatus.EXCUSED, "Sakit, surat keterangan dari keluarga")
        for m in occasional:
            if rng.random() < 0.15:
                marks[m.pk] = services.Mark(AttendanceStatus.ABSENT)
        services.attendance_record(session=session, marks=marks, by=officer, change_reason=LATE_REASON)


def _honoraria(program: Program, training: Training, officer) -> None:
    line = program.budget_lines.filter(name=HONORARIUM_LINE).first()
    if line is None or officer is None:
        return
    try:
        from tunas.programs import ledger  # noqa: F401 - the honoraria need the programme ledger
    except ImportError:
        return
    services.honoraria_record(training=training, budget_line=line, spent_on=training.end_date, by=officer)


def _plan_2026(result: dict, officer) -> None:
    """The 2026 programme's training, planned for its groups once they exist."""
    program = (result.get("programs") or {}).get("KLK-TKM-2026")
    if program is None or Training.objects.filter(program=program).exists():
        return
    groups = [
        g
        for g in Group.objects.filter(program=program).order_by("name")
        if g.status not in services.TRAINABLE_EXCLUDED
    ]
    if not groups or not (program.training_start and program.training_end):
        return
    first = groups[0]
    services.training_create(
        program=program,
        groups=groups,
        data=services.TrainingData(
            title="Pelatihan Wirausaha Baru 2026",
            village_id=first.village_id,
            hamlet_id=first.hamlet_id,
            place="Balai pertemuan desa",
            start_date=program.training_start,
            end_date=program.training_end,
        ),
        by=officer,
    )
