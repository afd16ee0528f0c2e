"""Writes of the training app: instructors, trainings and their timetable, attendance, sheets, completion,
certificates and costs. Views and the demo call these."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from tunas.accounts.models import Office
from tunas.accounts.roles import Role
from tunas.core import uploads
from tunas.core.concurrency import save_versioned
from tunas.core.errors import message_for
from tunas.programs.models import DocumentCounter
from tunas.programs.numbering import month_roman
from tunas.registry.models import GroupStatus, Membership
from tunas.registry.rules import SELECTED_GROUP_STATUSES
from tunas.registry.services import group_progress_to, history_reason

from . import selectors
from .errors import CODE_ALPHABET, CODE_LENGTH
from .models import (
    LESSON_HOUR_MINUTES,
    Attendance,
    AttendanceSheet,
    AttendanceStatus,
    Certificate,
    CertificateStatus,
    CostKind,
    Instructor,
    Session,
    Training,
    TrainingCost,
    TrainingSettings,
)

# The timetable a new training copies: lessons from 08:00, a break after the fourth lesson hour, 8 JP a day.
DAY_START = dt.time(8, 0)
HOURS_PER_DAY = 8
BREAK_AFTER_HOURS = 4
BREAK_MINUTES = 60
# Groups that may be trained: any that is neither rejected nor dissolved (a forming group can be planned).
TRAINABLE_EXCLUDED = (GroupStatus.REJECTED, GroupStatus.DISSOLVED)


def _error(code: str, field: str | None = None, message: str | None = None) -> ValidationError:
    text = message or message_for(code)
    if field:
        return ValidationError({field: ValidationError(text, code=code)})
    return ValidationError(text, code=code)


def _audit(instance, by, reason: str) -> None:
    """Who and why, for the history row the next save writes (outside a request too: imports, the demo)."""
    instance._change_reason = history_reason(reason)
    if getattr(by, "pk", None):
        instance._history_user = by


def _require_manager(by, program=None) -> None:
    """``by`` (None: the system itself, the demo) must be an officer of the programme's office or above it."""
    if by is None:
        return
    allowed = (
        selectors.may_manage_program(by, program)
        if program is not None
        else selectors.may_manage_training(by)
    )
    if not allowed:
        raise PermissionDenied


def _refuse_if_completed(training: Training) -> None:
    if training.completed_at is not None:
        raise _error("training_completed")


# Settings ---------------------------------------------------------------------------------------------------


@transaction.atomic
def training_settings_save(
    *, program, curriculum: list[dict], completion_threshold: int, by=None
) -> TrainingSettings:
    """Saves a programme's curriculum template and completion rule (new trainings copy the template)."""
    _require_manager(by, program)
    cleaned = []
    for item in curriculum:
        topic = str(item.get("topic", "")).strip()
        hours = int(item.get("hours") or 0)
        if not topic:
            continue
        if hours < 1 or hours > 40:
            raise _error("value_invalid", "curriculum", _("Each topic needs 1 to 40 lesson hours."))
        cleaned.append({"topic": topic, "hours": hours})
    found = TrainingSettings.objects.filter(program=program).first() or TrainingSettings(program=program)
    found.curriculum = cleaned
    found.completion_threshold = completion_threshold
    found.full_clean()
    found.save()
    return found


# Instructors ------------------------------------------------------------------------------------------------


@transaction.atomic
def instructor_save(*, instructor: Instructor, expected_version: int | None, by=None) -> Instructor:
    """Creates or updates an office's instructor; a linked account must be that office's instructor."""
    office = instructor.office
    if by is not None and not (selectors.may_manage_training(by) and selectors.in_jurisdiction(by, office)):
        raise PermissionDenied
    instructor.full_clean()
    user = instructor.user
    if user is not None and (user.office_id != instructor.office_id or not user.has_role(Role.INSTRUCTOR)):
        raise _error(
            "value_invalid", "user", _("Link an account of the same office that holds the instructor role.")
        )
    prefix = instructor.office.region_code
    if instructor.village_id and prefix and not instructor.village_id.startswith(prefix + "."):
        raise _error("domicile_outside", "village")
    save_versioned(instructor, expected_version=expected_version)
    return instructor


# Trainings --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrainingData:
    title: str
    village_id: str
    start_date: dt.date
    end_date: dt.date
    hamlet_id: int | None = None
    place: str = ""


def _check_groups(program, groups: list, training: Training | None) -> None:
    if not groups:
        raise _error("required", "groups", _("Choose at least one group."))
    for g in groups:
        if g.program_id != program.pk:
            raise _error("value_invalid", "groups", _("Every group must belong to this programme."))
        if g.status in TRAINABLE_EXCLUDED:
            raise _error("value_invalid", "groups", _("A rejected or dissolved group cannot be trained."))
    from tunas.registry.models import Group

    taken_qs = Group.objects.filter(pk__in=[g.pk for g in groups], trainings__program=program)
    if training is not None and training.pk:
        taken_qs = taken_qs.exclude(trainings=training)
    taken = list(taken_qs.values_list("name", flat=True).distinct())
    if taken:
        raise _error(
            "group_in_training",
            "groups",
            message_for("group_in_training") + " " + ", ".join(sorted(set(taken))),
        )


def _fill(training: Training, data: TrainingData) -> None:
    training.title = data.title.strip()
    training.village_id = data.village_id
    training.hamlet_id = data.hamlet_id
    training.place = data.place.strip()
    training.start_date = data.start_date
    training.end_date = data.end_date


def _check_training(training: Training) -> None:
    if training.start_date and training.end_date and training.end_date < training.start_date:
        raise _error("date_order", "end_date")
    training.full_clean(exclude=["groups"])
    prefix = training.program.office.region_code
    if prefix and not training.village_id.startswith(prefix + "."):
        raise _error("domicile_outside", "village")
    if training.hamlet is not None and training.hamlet.village_id != training.village_id:
        raise _error("value_invalid", "hamlet", _("The hamlet does not belong to the chosen village."))


def curriculum_timetable(*, curriculum: list[dict], days: list[dt.date]) -> list[dict]:
    """The template laid out over the training's days: 8 lesson hours a day from 08:00 with a break after
    the fourth; a topic longer than what is left of a day goes on the next; what does not fit stays on the
    last day. Pure: returns session data."""
    rows: list[dict] = []
    if not days:
        return rows
    day_index, used = 0, 0

    def clock(hours_used: int) -> dt.time:
        minutes = hours_used * LESSON_HOUR_MINUTES + (BREAK_MINUTES if hours_used >= BREAK_AFTER_HOURS else 0)
        base = dt.datetime.combine(days[0], DAY_START) + dt.timedelta(minutes=minutes)
        return base.time()

    for item in curriculum:
        left = int(item["hours"])
        while left > 0:
            last_day = day_index == len(days) - 1
            room = HOURS_PER_DAY - used
            if room <= 0 and not last_day:
                day_index, used = day_index + 1, 0
                continue
            if room <= 0:
                room = left
            # A session never spans the break.
            if used < BREAK_AFTER_HOURS:
                room = min(room, BREAK_AFTER_HOURS - used)
            hours = min(left, room)
            start = clock(used)
            end_minutes = (used + hours) * LESSON_HOUR_MINUTES + (
                BREAK_MINUTES if used >= BREAK_AFTER_HOURS else 0
            )
            end = (dt.datetime.combine(days[0], DAY_START) + dt.timedelta(minutes=end_minutes)).time()
            if end <= start:  # past midnight: the last day is full; leave the rest for the officer
                return rows
            rows.append(
                {"date": days[day_index], "start": start, "end": end, "topic": item["topic"], "hours": hours}
            )
            used += hours
            left -= hours
    return rows


@transaction.atomic
def training_create(*, program, groups: Iterable, data: TrainingData, by=None) -> Training:
    """Creates a training of groups of the programme; its timetable copies the programme's curriculum."""
    _require_manager(by, program)
    groups = list(groups)
    training = Training(program=program)
    _fill(training, data)
    _check_training(training)
    _check_groups(program, groups, None)
    _audit(training, by, _("Training planned"))
    training.save()
    training.groups.set(groups)
    curriculum = selectors.training_settings_of(program=program).curriculum
    Session.objects.bulk_create(
        Session(
            training=training,
            date=row["date"],
            start=row["start"],
            end=row["end"],
            topic=row["topic"],
            lesson_hours=row["hours"],
        )
        for row in curriculum_timetable(curriculum=curriculum, days=training.days)
    )
    return training


@transaction.atomic
def training_update(
    *, training: Training, groups: Iterable, data: TrainingData, expected_version: int, by=None
) -> Training:
    """Changes a training's title, place, days or groups; sessions must stay inside the days."""
    _require_manager(by, training.program)
    _refuse_if_completed(training)
    groups = list(groups)
    _fill(training, data)
    _check_training(training)
    _check_groups(training.program, groups, training)
    outside = training.sessions.exclude(date__range=(training.start_date, training.end_date))
    if outside.exists():
        raise _error(
            "session_outside_training",
            "end_date",
            _("Some sessions lie outside these days: move or delete them first."),
        )
    save_versioned(training, expected_version=expected_version)
    training.groups.set(groups)
    return training


# Sessions ---------------------------------------------------------------------------------------------------


def lesson_hours_between(start: dt.time, end: dt.time) -> int:
    """Whole lesson hours (45 minutes) between two times of a day."""
    minutes = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
    return max(minutes // LESSON_HOUR_MINUTES, 0)


@transaction.atomic
def session_save(*, session: Session, by=None) -> Session:
    """Saves a session of a training's timetable: inside the training's days, ending after it starts, and
    neither the participants nor the instructor in two places at once."""
    training = (
        Training.objects.select_for_update().select_related("program__office").get(pk=session.training_id)
    )
    _require_manager(by, training.program)
    _refuse_if_completed(training)
    if session.start and session.end and session.end <= session.start:
        raise _error("session_time_order", "end")
    if session.date and not (training.start_date <= session.date <= training.end_date):
        raise _error("session_outside_training", "date")
    if not session.lesson_hours and session.start and session.end:
        session.lesson_hours = max(lesson_hours_between(session.start, session.end), 1)
    session.full_clean()
    overlapping = Session.objects.filter(date=session.date, start__lt=session.end, end__gt=session.start)
    if session.pk:
        overlapping = overlapping.exclude(pk=session.pk)
    if overlapping.filter(training=training).exists():
        raise _error("session_overlap", "start")
    if session.instructor_id:
        busy = overlapping.filter(instructor_id=session.instructor_id).select_related("training").first()
        if busy is not None:
            raise _error(
                "instructor_busy",
                "instructor",
                message_for("instructor_busy")
                + " "
                + _("%(training)s, %(start)s–%(end)s.")
                % {
                    "training": busy.training.title,
                    "start": f"{busy.start:%H:%M}",
                    "end": f"{busy.end:%H:%M}",
                },
            )
        if session.instructor is not None and session.instructor.office_id != training.program.office_id:
            raise _error("value_invalid", "instructor", _("Choose an instructor of the programme's office."))
    if session.pk and hasattr(session, "honorarium"):
        raise _error("honorarium_recorded")
    _audit(session, by, _("Timetable changed"))
    session.save()
    return session


@transaction.atomic
def session_delete(*, session: Session, by=None) -> None:
    """Removes a session that has no attendance and no honorarium yet."""
    _require_manager(by, session.training.program)
    _refuse_if_completed(session.training)
    if session.attendance.exists():
        raise _error("attendance_recorded")
    if TrainingCost.objects.filter(session=session).exists():
        raise _error("honorarium_recorded")
    session.delete()


# Attendance -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mark:
    status: str
    reason: str = ""


def is_late(session: Session, *, today: dt.date | None = None) -> bool:
    """Marks entered after the session's day are late edits: they need a reason for the audit trail."""
    return session.date < (today or selectors.today())


@transaction.atomic
def attendance_record(
    *, session: Session, marks: Mapping[int, Mark], by, change_reason: str = "", today: dt.date | None = None
) -> list[Attendance]:
    """Records the attendance of the given participants (membership id → mark) at one session.

    Only the session's instructor or an officer may; every participant must belong to the training's groups;
    an excused absence needs its reason; a mark entered after the session's day needs the reason for the late
    edit, kept with who made it in the history.
    """
    session = Session.objects.select_related("training__program", "instructor").get(pk=session.pk)
    if by is not None and not selectors.may_mark(by, session):
        raise PermissionDenied
    _refuse_if_completed(session.training)
    allowed = set(selectors.participants(training=session.training).values_list("pk", flat=True))
    strangers = [m for m in marks if m not in allowed]
    if strangers:
        raise _error("attendance_not_member")
    change_reason = (change_reason or "").strip()
    late = is_late(session, today=today)
    if late and not change_reason:
        raise _error("attendance_late_reason", "change_reason")
    existing = {a.membership_id: a for a in Attendance.objects.select_for_update().filter(session=session)}
    now = timezone.now()
    saved = []
    for membership_id, mark in marks.items():
        if mark.status not in AttendanceStatus.values:
            raise _error("value_invalid")
        reason = (mark.reason or "").strip()[:200]
        if mark.status == AttendanceStatus.EXCUSED and not reason:
            raise _error("attendance_excuse_reason")
        if mark.status == AttendanceStatus.PRESENT:
            reason = ""
        row = existing.get(membership_id)
        if row is not None and row.status == mark.status and row.reason == reason:
            continue
        if row is None:
            row = Attendance(session=session, membership_id=membership_id)
        row.status, row.reason = mark.status, reason
        row.marked_by = by if getattr(by, "pk", None) else None
        row.marked_at = now
        _audit(row, by, change_reason or _("Attendance marked"))
        row.save()
        saved.append(row)
    return saved


def attendance_all_present(*, session: Session, by, change_reason: str = "", today=None) -> list[Attendance]:
    """Marks every participant present at the session with one tap (the exceptions follow)."""
    everyone = selectors.participants(training=session.training).values_list("pk", flat=True)
    return attendance_record(
        session=session,
        marks={pk: Mark(AttendanceStatus.PRESENT) for pk in everyone},
        by=by,
        change_reason=change_reason,
        today=today,
    )


# Attendance sheets ------------------------------------------------------------------------------------------

SHEET_PATTERN = "{seq}/DH-PELATIHAN/{office_code}/{month_roman}/{year}"


def _next_office_number(office: Office, year: int) -> int:
    """The office's next running document number of the year (the row locked while it is drawn)."""
    counter, _created = DocumentCounter.objects.select_for_update().get_or_create(office=office, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


@transaction.atomic
def attendance_sheet_issue(*, training: Training, date: dt.date, by=None) -> AttendanceSheet:
    """The day's attendance sheet with its number, issued once from the office's running number."""
    if date not in training.days:
        raise _error("session_outside_training", "date")
    sheet, _created = AttendanceSheet.objects.select_for_update().get_or_create(training=training, date=date)
    if not sheet.number:
        office = training.program.office
        seq = _next_office_number(office, date.year)
        sheet.number = SHEET_PATTERN.format(
            seq=f"{seq:03d}", office_code=office.document_code, month_roman=month_roman(date), year=date.year
        )
        _audit(sheet, by, _("Attendance sheet numbered"))
        sheet.save()
    return sheet


SHEET_KINDS = ("pdf", "jpeg", "png", "webp")
SHEET_MAX_BYTES = 10 * 1024 * 1024
# A photographed page needs no more; a bigger canvas in a small file is a decompression bomb.
SHEET_MAX_PIXELS = 50_000_000
SHEET_CODES = uploads.Codes(
    too_large="attendance_sheet_size", not_image="attendance_sheet_type", not_document="attendance_sheet_type"
)


def _sheet_checked(photo) -> uploads.CleanFile:
    """The sheet as it is kept, read by its content: a whole PDF as it is, or the photo upright and without
    EXIF (the phone's GPS position), in its own format and size so the signatures stay legible."""
    try:
        return uploads.clean_document(
            photo,
            max_bytes=SHEET_MAX_BYTES,
            max_pixels=SHEET_MAX_PIXELS,
            kinds=SHEET_KINDS,
            keep_format=True,
            quality=90,
            codes=SHEET_CODES,
        )
    except ValidationError as exc:
        raise ValidationError({"photo": exc}) from exc


@transaction.atomic
def attendance_sheet_attach(*, training: Training, date: dt.date, photo, by) -> AttendanceSheet:
    """Attaches the photographed signed sheet of a training day (a photo or a PDF, at most 10 MB)."""
    _require_manager(by, training.program)
    content = _sheet_checked(photo)
    sheet = attendance_sheet_issue(training=training, date=date, by=by)
    old = sheet.photo.name if sheet.photo else ""
    sheet.photo.save(content.name, content, save=False)
    sheet.uploaded_by = by
    sheet.uploaded_at = timezone.now()
    _audit(sheet, by, _("Signed sheet replaced") if old else _("Signed sheet attached"))
    sheet.save()
    return sheet


# Completion -------------------------------------------------------------------------------------------------


@transaction.atomic
def training_complete(*, training: Training, by) -> list[selectors.CompletionRow]:
    """Decides who completed, once every session's attendance is in, and moves the groups on to trained."""
    _require_manager(by, training.program)
    given = training
    training = Training.objects.select_for_update().select_related("program__office").get(pk=training.pk)
    _refuse_if_completed(training)
    if not training.sessions.exists():
        raise _error("training_no_sessions")
    if selectors.unmarked_sessions(training=training):
        raise _error("training_not_held")
    rows = selectors.completion_rows(training=training)
    training.completed_at = timezone.now()
    training.completed_by = by if getattr(by, "pk", None) else None
    _audit(training, by, _("Completion decided"))
    training.save()
    given.completed_at, given.completed_by = training.completed_at, training.completed_by
    for group in training.groups.all():
        # A group still forming (a training planned early) stays where it is until it is selected.
        if group.status in SELECTED_GROUP_STATUSES:
            group_progress_to(group=group, status=GroupStatus.TRAINED, by=by)
    return rows


# Certificates -----------------------------------------------------------------------------------------------

CERTIFICATE_PATTERN = "{seq}/SERT-PELATIHAN/{office_code}/{month_roman}/{year}"


def new_code() -> str:
    """A verification code: 12 characters from an alphabet without look-alikes (no 0/O, 1/I/L)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _issue_one(
    training: Training, row: selectors.CompletionRow, *, day: dt.date, seq: int, by
) -> Certificate:
    office = training.program.office
    for _attempt in range(5):
        code = new_code()
        if not Certificate.objects.filter(code=code).exists():
            break
    hours = sum(s.lesson_hours for s in training.sessions.all())
    cert = Certificate(
        training=training,
        membership=row.membership,
        office=office,
        code=code,
        year=day.year,
        sequence=seq,
        number=CERTIFICATE_PATTERN.format(
            seq=f"{seq:03d}", office_code=office.document_code, month_roman=month_roman(day), year=day.year
        ),
        name=row.membership.person.full_name,
        lesson_hours=hours,
        issued_on=day,
        issued_by=by if getattr(by, "pk", None) else None,
    )
    _audit(cert, by, _("Certificate issued"))
    cert.save()
    return cert


def _next_certificate_sequence(office: Office, year: int) -> int:
    Office.objects.select_for_update().filter(pk=office.pk).first()
    last = Certificate.objects.filter(office=office, year=year).aggregate(m=Max("sequence"))["m"] or 0
    return last + 1


@transaction.atomic
def certificate_issue(
    *, training: Training, membership: Membership, by, day: dt.date | None = None
) -> Certificate:
    """Issues one participant's certificate: only after completion is decided, only for someone who
    completed, and once per person and training."""
    _require_manager(by, training.program)
    training = Training.objects.select_related("program__office").get(pk=training.pk)
    if training.completed_at is None:
        raise _error("training_not_completed")
    if Certificate.objects.filter(training=training, membership=membership).exists():
        raise _error("certificate_duplicate")
    row = next(
        (r for r in selectors.completion_rows(training=training) if r.membership.pk == membership.pk), None
    )
    if row is None:
        raise _error("attendance_not_member")
    if not row.completed:
        raise _error("certificate_not_completed")
    day = day or training.end_date
    seq = _next_certificate_sequence(training.program.office, day.year)
    try:
        with transaction.atomic():
            return _issue_one(training, row, day=day, seq=seq, by=by)
    except IntegrityError as exc:
        raise _error("certificate_duplicate") from exc


@transaction.atomic
def certificates_issue(*, training: Training, by, day: dt.date | None = None) -> list[Certificate]:
    """Issues the certificates of everyone who completed and has none yet (numbers in name order)."""
    _require_manager(by, training.program)
    training = Training.objects.select_related("program__office").get(pk=training.pk)
    if training.completed_at is None:
        raise _error("training_not_completed")
    day = day or training.end_date
    rows = [r for r in selectors.completion_rows(training=training) if r.completed and r.certificate is None]
    if not rows:
        return []
    seq = _next_certificate_sequence(training.program.office, day.year)
    issued = []
    for i, row in enumerate(rows):
        issued.append(_issue_one(training, row, day=day, seq=seq + i, by=by))
    return issued


@transaction.atomic
def certificate_revoke(
    *, certificate: Certificate, reason: str, by, day: dt.date | None = None
) -> Certificate:
    """Revokes a certificate with its reason; the history keeps what it was, the public page says revoked."""
    _require_manager(by, certificate.training.program)
    reason = (reason or "").strip()
    if not reason:
        raise _error("required", "reason", _("Give the reason for revoking the certificate."))
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.status == CertificateStatus.REVOKED:
        return certificate
    certificate.status = CertificateStatus.REVOKED
    certificate.revoked_on = day or selectors.today()
    certificate.revoke_reason = reason[:200]
    _audit(certificate, by, reason)
    certificate.save()
    return certificate


def certificate_check(*, code: str) -> Certificate | None:
    """The certificate a public check asks for, counting the check; None for an unknown or malformed code."""
    code = (code or "").strip().upper()
    if len(code) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
        return None
    found = Certificate.objects.filter(code=code).select_related("training__program__office").first()
    if found is None:
        return None
    Certificate.objects.filter(pk=found.pk).update(
        check_count=F("check_count") + 1, last_checked_at=timezone.now()
    )
    found.refresh_from_db(fields=["check_count", "last_checked_at"])
    return found


# Costs ------------------------------------------------------------------------------------------------------


def _ledger():
    # The programme's ledger (tunas.programs.ledger), imported when a cost is kept.
    from tunas.programs import ledger

    return ledger


def _check_line(training: Training, budget_line) -> None:
    if budget_line.program_id != training.program_id:
        raise _error("value_invalid", "budget_line", _("Choose a budget line of the training's programme."))


@transaction.atomic
def honoraria_record(*, training: Training, budget_line, spent_on: dt.date, by) -> list[TrainingCost]:
    """Records the honorarium of every held session not paid yet: its lesson hours × the instructor's rate,
    as spending on the budget line (refused as a whole when the line's plan would be exceeded)."""
    _require_manager(by, training.program)
    _check_line(training, budget_line)
    recorded = []
    for session in selectors.sessions_without_honorarium(training=training):
        instructor = session.instructor
        if instructor is None:  # the selector leaves such sessions out
            continue
        amount = session.lesson_hours * instructor.rate_per_hour
        description = _("Honorarium of %(name)s: %(topic)s, %(hours)s JP × %(rate)s") % {
            "name": instructor.name,
            "topic": session.topic,
            "hours": session.lesson_hours,
            "rate": f"Rp{instructor.rate_per_hour:,}".replace(",", "."),
        }
        cost = TrainingCost(
            training=training,
            kind=CostKind.HONORARIUM,
            session=session,
            budget_line=budget_line,
            spent_on=spent_on,
            amount=amount,
            description=description[:300],
            recorded_by=by if getattr(by, "pk", None) else None,
        )
        cost.full_clean()
        cost.save()
        spending = _ledger().spending_record(
            program=training.program,
            budget_line=budget_line,
            spent_on=spent_on,
            amount=amount,
            description=cost.description,
            paid_for=instructor.name,
            source=cost.source,
            by=by,
        )
        cost.spending_id = spending.pk
        cost.save(update_fields=["spending_id"])
        cost.warnings = list(getattr(spending, "warnings", []))  # type: ignore[attr-defined]
        recorded.append(cost)
    return recorded


@transaction.atomic
def cost_record(
    *,
    training: Training,
    budget_line,
    spent_on: dt.date,
    amount: int,
    description: str,
    paid_for: str = "",
    receipt=None,
    by,
) -> TrainingCost:
    """Records another cost of a training (meals, materials, the venue) as spending on a budget line."""
    _require_manager(by, training.program)
    _check_line(training, budget_line)
    cost = TrainingCost(
        training=training,
        kind=CostKind.COST,
        budget_line=budget_line,
        spent_on=spent_on,
        amount=amount,
        description=(description or "").strip(),
        recorded_by=by if getattr(by, "pk", None) else None,
    )
    cost.full_clean()
    cost.save()
    spending = _ledger().spending_record(
        program=training.program,
        budget_line=budget_line,
        spent_on=spent_on,
        amount=amount,
        description=cost.description,
        paid_for=paid_for,
        source=cost.source,
        receipt=receipt,
        by=by,
    )
    cost.spending_id = spending.pk
    cost.save(update_fields=["spending_id"])
    cost.warnings = list(getattr(spending, "warnings", []))  # type: ignore[attr-defined]
    return cost
