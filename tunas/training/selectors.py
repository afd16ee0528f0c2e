"""Reads of instructors, trainings, sessions, attendance and certificates, scoped to the user.

Staff who read their jurisdiction see its trainings; an instructor sees only the sessions they teach.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from tunas.accounts.roles import Role
from tunas.core.scoping import office_q
from tunas.registry.models import GroupStatus, Membership, Verification

from .models import (
    DEFAULT_COMPLETION_THRESHOLD,
    Attendance,
    AttendanceSheet,
    AttendanceStatus,
    Certificate,
    Instructor,
    Session,
    Training,
    TrainingCost,
    TrainingSettings,
    default_curriculum,
)


def may_read_training(user) -> bool:
    """Staff of the jurisdiction (admin, officer, verifier, viewer) read its trainings."""
    return bool(user and user.is_authenticated and user.reads_jurisdiction)


def may_manage_training(user) -> bool:
    """Officers and administrators plan trainings, mark any attendance and issue certificates."""
    return bool(user and user.is_authenticated and user.manages_programmes)


def in_jurisdiction(user, office) -> bool:
    """Whether an office lies inside the user's jurisdiction (the same rule as scoping.office_q)."""
    prefix = getattr(user, "jurisdiction", None)
    if prefix is None:
        return False
    code = office.region_code
    return prefix == "" or code == prefix or code.startswith(prefix + ".")


def may_manage_program(user, program) -> bool:
    """An officer or administrator whose jurisdiction holds the programme's office."""
    return may_manage_training(user) and in_jurisdiction(user, program.office)


def is_instructor(user) -> bool:
    return bool(user and user.is_authenticated and user.has_role(Role.INSTRUCTOR))


def today() -> dt.date:
    return timezone.localdate()


# Settings ---------------------------------------------------------------------------------------------------


def training_settings_of(*, program) -> TrainingSettings:
    """The programme's training settings; the defaults (unsaved) while it has none."""
    found = TrainingSettings.objects.filter(program=program).first()
    if found is not None:
        return found
    return TrainingSettings(
        program=program, curriculum=default_curriculum(), completion_threshold=DEFAULT_COMPLETION_THRESHOLD
    )


# Instructors ------------------------------------------------------------------------------------------------


def instructor_list_visible(*, user, q: str = "") -> QuerySet[Instructor]:
    """Instructors of offices in the user's jurisdiction, with what they taught counted: one query."""
    if not may_read_training(user):
        return Instructor.objects.none()
    qs = Instructor.objects.filter(office_q(user)).select_related("village", "office", "user")
    if q := q.strip():
        qs = qs.filter(Q(name__icontains=q) | Q(expertise__icontains=q) | Q(business__icontains=q))
    return qs.annotate(
        session_count=Count("sessions", distinct=True), hours_taught=Sum("sessions__lesson_hours")
    )


def instructor_get_visible(*, user, pk: int) -> Instructor:
    if not may_read_training(user):
        raise Instructor.DoesNotExist
    return Instructor.objects.filter(office_q(user)).select_related("village", "office", "user").get(pk=pk)


def instructor_sessions(*, instructor) -> QuerySet[Session]:
    """What an instructor taught, newest first, with the training and programme: one query."""
    return (
        Session.objects.filter(instructor=instructor)
        .select_related("training__program")
        .order_by("-date", "-start")
    )


def instructors_for_office(*, office) -> QuerySet[Instructor]:
    return Instructor.objects.filter(office=office).order_by("name")


# Trainings --------------------------------------------------------------------------------------------------


def training_list_visible(*, user, program=None) -> QuerySet[Training]:
    """Trainings inside the user's jurisdiction with their session and certificate counts: one query."""
    if not may_read_training(user):
        return Training.objects.none()
    qs = Training.objects.filter(office_q(user, "program__office")).select_related(
        "program", "village", "hamlet"
    )
    if program is not None:
        qs = qs.filter(program=program)
    return qs.annotate(
        session_count=Count("sessions", distinct=True),
        certificate_count=Count("certificates", distinct=True),
    ).prefetch_related("groups")


def training_get_visible(*, user, pk: int) -> Training:
    """One training, or Training.DoesNotExist outside what the user may read."""
    if not may_read_training(user):
        raise Training.DoesNotExist
    return (
        Training.objects.filter(office_q(user, "program__office"))
        .select_related("program__office", "village__district", "hamlet")
        .get(pk=pk)
    )


def training_sessions(*, training) -> list[Session]:
    return list(training.sessions.select_related("instructor").order_by("date", "start", "pk"))


def participants(*, training) -> QuerySet[Membership]:
    """Who takes part: members of the training's groups whose registration holds its place (not rejected)."""
    return (
        Membership.objects.filter(group__trainings=training, holds_place=True)
        .exclude(verification=Verification.REJECTED)
        .exclude(group__status__in=[GroupStatus.REJECTED, GroupStatus.DISSOLVED])
        .select_related("person", "group")
        .order_by("group__name", "person__full_name")
    )


# Sessions an instructor (or an officer) may mark -----------------------------------------------------------


def session_get_for_marking(*, user, pk: int) -> Session:
    """A session the user may mark (an officer's in the area, an instructor's own), else DoesNotExist."""
    qs = Session.objects.select_related("training__program__office", "instructor")
    if may_manage_training(user):
        return qs.filter(office_q(user, "training__program__office")).get(pk=pk)
    if is_instructor(user):
        return qs.get(pk=pk, instructor__user=user)
    raise Session.DoesNotExist


def may_mark(user, session: Session) -> bool:
    """Officers mark any session of their jurisdiction; an instructor only the sessions they teach."""
    if may_manage_program(user, session.training.program):
        return True
    instructor = session.instructor
    return bool(instructor is not None and instructor.user_id is not None and instructor.user_id == user.pk)


def my_sessions(*, user, day: dt.date | None = None) -> QuerySet[Session]:
    """The sessions an instructor account teaches (on ``day`` when given), with their training: one query."""
    if not is_instructor(user):
        return Session.objects.none()
    qs = Session.objects.filter(instructor__user=user).select_related(
        "training__program", "training__village"
    )
    if day is not None:
        qs = qs.filter(date=day)
    return qs.annotate(marked=Count("attendance")).order_by("date", "start")


def session_marks(*, session) -> dict[int, Attendance]:
    return {a.membership_id: a for a in session.attendance.all()}


# Attendance and completion ----------------------------------------------------------------------------------


@dataclass
class DayCount:
    date: dt.date
    sessions: int = 0
    marked_sessions: int = 0
    present: int = 0
    absent: int = 0
    excused: int = 0
    number: str = ""
    has_photo: bool = False


def attendance_by_day(*, training, memberships=None) -> list[DayCount]:
    """Per day of the training: its sessions, and how many participants were present, absent or excused.

    A participant counts as present on a day when present at one of its sessions at least, else excused
    when excused at one, else absent. Three queries whatever the size.
    """
    days = {d: DayCount(date=d) for d in training.days}
    sessions = list(training.sessions.annotate(marks=Count("attendance")).values("pk", "date", "marks"))
    for s in sessions:
        day = days.setdefault(s["date"], DayCount(date=s["date"]))
        day.sessions += 1
        day.marked_sessions += 1 if s["marks"] else 0
    marks = Attendance.objects.filter(session__training=training)
    if memberships is not None:
        marks = marks.filter(membership__in=memberships)
    status_of: dict[tuple[dt.date, int], set[str]] = defaultdict(set)
    for date, member, status in marks.values_list("session__date", "membership_id", "status"):
        status_of[(date, member)].add(status)
    for (date, _member), statuses in status_of.items():
        day = days.setdefault(date, DayCount(date=date))
        if AttendanceStatus.PRESENT in statuses:
            day.present += 1
        elif AttendanceStatus.EXCUSED in statuses:
            day.excused += 1
        else:
            day.absent += 1
    for sheet in AttendanceSheet.objects.filter(training=training):
        if sheet.date in days:
            days[sheet.date].number = sheet.number
            days[sheet.date].has_photo = bool(sheet.photo)
    return [days[d] for d in sorted(days)]


@dataclass
class CompletionRow:
    membership: Membership
    present: int
    total: int
    completed: bool
    certificate: Certificate | None = None

    @property
    def share(self) -> float:
        return self.present / self.total if self.total else 0.0


def completion_rows(*, training, threshold: int | None = None) -> list[CompletionRow]:
    """Each participant's sessions attended out of the training's sessions, and whether that completes it
    under the programme's rule (present at ``threshold`` % of the sessions or more). Four queries."""
    if threshold is None:
        threshold = training_settings_of(program=training.program).completion_threshold
    total = training.sessions.count()
    present = dict(
        Attendance.objects.filter(session__training=training, status=AttendanceStatus.PRESENT)
        .values("membership_id")
        .annotate(n=Count("pk"))
        .values_list("membership_id", "n")
    )
    certificates = {c.membership_id: c for c in Certificate.objects.filter(training=training)}
    rows = []
    for m in participants(training=training):
        n = present.get(m.pk, 0)
        rows.append(
            CompletionRow(
                membership=m,
                present=n,
                total=total,
                completed=bool(total) and n * 100 >= threshold * total,
                certificate=certificates.get(m.pk),
            )
        )
    return rows


def unmarked_sessions(*, training) -> int:
    return training.sessions.annotate(marks=Count("attendance")).filter(marks=0).count()


# Certificates -----------------------------------------------------------------------------------------------


def certificate_list(*, training) -> QuerySet[Certificate]:
    return (
        Certificate.objects.filter(training=training).select_related("membership__group").order_by("sequence")
    )


def certificate_get_visible(*, user, pk: int) -> Certificate:
    if not may_read_training(user):
        raise Certificate.DoesNotExist
    return (
        Certificate.objects.filter(office_q(user, "training__program__office"))
        .select_related("training__program__office", "membership__group")
        .get(pk=pk)
    )


def certificates_visible(*, user, program=None) -> QuerySet[Certificate]:
    if not may_read_training(user):
        return Certificate.objects.none()
    qs = Certificate.objects.filter(office_q(user, "training__program__office")).select_related(
        "training__program", "membership__group"
    )
    if program is not None:
        qs = qs.filter(training__program=program)
    return qs.order_by("training__program__code", "training__start_date", "sequence")


# Costs ------------------------------------------------------------------------------------------------------


def training_costs(*, training) -> QuerySet[TrainingCost]:
    return training.costs.select_related("budget_line", "session__instructor").order_by("spent_on", "pk")


def sessions_without_honorarium(*, training) -> QuerySet[Session]:
    """Sessions held (attendance marked) by an instructor with a rate, whose honorarium is not recorded."""
    return (
        training.sessions.filter(
            instructor__isnull=False, instructor__rate_per_hour__gt=0, honorarium__isnull=True
        )
        .annotate(marks=Count("attendance"))
        .filter(marks__gt=0)
        .select_related("instructor")
    )


# The home page ----------------------------------------------------------------------------------------------


def sheets_to_upload(*, user) -> list[tuple[Training, dt.date]]:
    """Training days already held (a session marked) in the user's jurisdiction whose signed sheet is not
    attached yet: three queries."""
    if not may_manage_training(user):
        return []
    held = (
        Session.objects.filter(office_q(user, "training__program__office"), date__lte=today())
        .annotate(marks=Count("attendance"))
        .filter(marks__gt=0)
        .values_list("training_id", "date")
        .distinct()
    )
    held_days = set(held)
    if not held_days:
        return []
    with_photo = set(
        AttendanceSheet.objects.filter(training_id__in={t for t, _d in held_days})
        .exclude(photo="")
        .values_list("training_id", "date")
    )
    missing = sorted(held_days - with_photo, key=lambda item: (item[1], item[0]))
    trainings = Training.objects.select_related("program").in_bulk({t for t, _d in missing})
    return [(trainings[t], d) for t, d in missing if t in trainings]


def sessions_prefetch() -> Prefetch:
    return Prefetch(
        "sessions", queryset=Session.objects.select_related("instructor").order_by("date", "start")
    )
