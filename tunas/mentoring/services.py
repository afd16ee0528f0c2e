"""Writes of the mentoring app: assignments, visits, follow-ups and monthly progress reports.

Visits and reports arrive from phones, perhaps several times (a resend after a lost answer, a replay of the
offline queue). Each carries the UUID the phone gave it: the first arrival stores it with the body's hash;
the same UUID with the same body answers the stored record again (``created=False``); the same UUID with
another body is a ``RecordConflict`` holding both versions. Nothing is overwritten: a correction is a new
record that ``replaces`` the current one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from tunas.accounts.roles import Role
from tunas.core.errors import message_for
from tunas.programs.models import Program, Stage
from tunas.registry.extensions import VisitCheck, visit_checks
from tunas.registry.models import Group, Membership, Verification
from tunas.registry.selectors import SELECTED_STATUSES
from tunas.registry.services import history_reason

from . import counts as kept_counts
from . import photos as photo_files
from .models import (
    Activity,
    Assignment,
    BusinessStatus,
    Channel,
    EquipmentCondition,
    FollowUp,
    MemberFigure,
    MemberStatus,
    MentoringSettings,
    ProgressReport,
    Visit,
    VisitPhoto,
)


class RecordConflict(Exception):
    """The UUID is already stored with another body: both versions, for the mentor to choose."""

    def __init__(self, stored: dict, sent: dict) -> None:
        super().__init__("record_conflict")
        self.stored = stored
        self.sent = sent


@dataclass(frozen=True)
class Received:
    record: Visit | ProgressReport
    created: bool


def _error(field: str, code: str, **params: Any) -> ValidationError:
    text = message_for(code)
    if params:
        text = text % params
    return ValidationError({field: ValidationError(text, code=code)})


def body_hash(body: dict) -> str:
    """The hash of the body as sent, independent of key order and spacing."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _kept_body(body: dict) -> dict:
    """The body as stored for showing a conflict: photos counted, not kept twice."""
    kept = dict(body)
    if "photos" in kept:
        kept["photos"] = len(kept["photos"] or [])
    return kept


def today() -> dt.date:
    return timezone.localdate()


# Settings and assignments -----------------------------------------------------------------------------------


def settings_for(program: Program) -> MentoringSettings:
    """The programme's mentoring settings, the defaults (2 groups, 40 people) when none are saved."""
    found = MentoringSettings.objects.filter(program=program).first()
    return found or MentoringSettings(program=program)


@transaction.atomic
def settings_save(
    *, program: Program, max_groups: int, max_people: int, by: Any, email_reminders: bool = False
) -> MentoringSettings:
    """Saves how many groups and people one mentor of the programme follows at most, and whether mentors
    are reminded by e-mail."""
    found = MentoringSettings.objects.select_for_update().filter(program=program).first()
    found = found or MentoringSettings(program=program)
    found.max_groups = max_groups
    found.max_people = max_people
    found.email_reminders = email_reminders
    found.full_clean()
    found.save()
    return found


def _people(group: Group) -> int:
    return group.approved_count or group.member_count


@transaction.atomic
def assignment_create(*, group: Group, mentor: Any, starts_on: dt.date, by: Any) -> Assignment:
    """A mentor of the office follows a selected group, within the programme's capacity per mentor."""
    program = group.program
    if program.status == Stage.CLOSED:
        raise _error("group", "mentoring_closed")
    if not (mentor.has_role(Role.MENTOR) and mentor.office_id == program.office_id):
        raise _error("mentor", "mentor_not_mentor")
    if group.program_id != program.pk or group.status not in SELECTED_STATUSES:
        raise _error("group", "mentored_group_not_selected")
    # Locks the mentor's current assignments, so two officers cannot both fill the last place.
    current = list(
        Assignment.objects.select_for_update()
        .filter(mentor=mentor, program=program, ended_on__isnull=True)
        .select_related("group")
    )
    if Assignment.objects.filter(group=group, ended_on__isnull=True).exists():
        raise _error("group", "group_has_mentor")
    limits = settings_for(program)
    groups = len(current) + 1
    people = sum(_people(a.group) for a in current) + _people(group)
    if groups > limits.max_groups or people > limits.max_people:
        raise _error("mentor", "mentor_over_capacity", groups=limits.max_groups, people=limits.max_people)
    assignment = Assignment(program=program, group=group, mentor=mentor, starts_on=starts_on, assigned_by=by)
    assignment.full_clean()
    assignment._change_reason = history_reason(f"assigned by {by}")  # type: ignore[attr-defined]
    assignment.save()
    return assignment


@transaction.atomic
def assignment_end(*, assignment: Assignment, ended_on: dt.date, by: Any) -> Assignment:
    """Ends an assignment (kept as history): the mentor no longer reads or writes for the group."""
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.ended_on is None:
        assignment.ended_on = max(ended_on, assignment.starts_on)
        assignment.full_clean()
        assignment._change_reason = history_reason(f"ended by {by}")  # type: ignore[attr-defined]
        assignment.save()
    return assignment


def _assigned_group(body: dict, by: Any) -> Group:
    try:
        group_id = int(body.get("group") or 0)
    except (TypeError, ValueError):
        raise _error("group", "group_not_assigned") from None
    assignment = (
        Assignment.objects.filter(group_id=group_id, mentor=by, ended_on__isnull=True)
        .select_related("group__program")
        .first()
    )
    if assignment is None:
        raise _error("group", "group_not_assigned")
    if assignment.group.program.status == Stage.CLOSED:
        raise _error("group", "mentoring_closed")
    return assignment.group


def _date(value: Any, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise _error(field, "date_invalid") from None


def _amount(body: dict, field: str, errors: dict, *, required: bool = False) -> int:
    value = body.get(field)
    if value in (None, ""):
        if required:
            errors[field] = [ValidationError(message_for("required"), code="required")]
        return 0
    try:
        number = int(str(value).replace(".", "").replace(" ", ""))
    except ValueError:
        errors[field] = [ValidationError(message_for("location_invalid"), code="location_invalid")]
        return 0
    if number < 0:
        errors[field] = [ValidationError(message_for("amount_negative"), code="amount_negative")]
    return number


def _text(body: dict, field: str, limit: int) -> str:
    return str(body.get(field) or "").strip()[:limit]


def _training_start(program: Program) -> dt.date | None:
    return program.training_start or program.training_end


def _stored_answer(model: type[Visit] | type[ProgressReport], record_id: uuid.UUID, digest: str, body: dict):
    stored = model.objects.filter(pk=record_id).first()
    if stored is None:
        return None
    if stored.body_hash == digest:
        return Received(stored, created=False)
    raise RecordConflict(stored=stored.body, sent=_kept_body(body))


def _replaced(model, body: dict, group: Group, **same: Any):
    """The current version a correction replaces, locked; a stale one is refused."""
    replaces = body.get("replaces")
    if not replaces:
        return None
    try:
        old = model.objects.select_for_update().get(pk=uuid.UUID(str(replaces)), group=group, **same)
    except (ValueError, model.DoesNotExist):
        raise _error("__all__", "record_stale") from None
    if not old.is_current:
        raise _error("__all__", "record_stale")
    return old


def _receive(model, record_id: uuid.UUID, body: dict, by: Any, build) -> Received:
    digest = body_hash(body)
    answer = _stored_answer(model, record_id, digest, body)
    if answer is not None:
        return answer
    try:
        with transaction.atomic():
            record = build(record_id, body, by, digest)
            return Received(record, created=True)
    except (IntegrityError, ValidationError):
        # The same UUID arrived twice at once and the other request stored it first: at the database (the
        # key) or while this one was being checked (its uniqueness checks). Either way, answer as a resend.
        answer = _stored_answer(model, record_id, digest, body)
        if answer is None:
            raise
        return answer


# Visits ---------------------------------------------------------------------------------------------------


def visit_receive(*, record_id: uuid.UUID, body: dict, by: Any) -> Received:
    """Stores a visit sent from a phone exactly once (by its UUID); a resend answers the same visit."""
    return _receive(Visit, record_id, body, by, _visit_build)


def _visit_build(record_id: uuid.UUID, body: dict, by: Any, digest: str) -> Visit:
    group = _assigned_group(body, by)
    errors: dict[str, list[ValidationError]] = {}
    visited_on = _date(body.get("visited_on"), "visited_on")
    if visited_on > today():
        errors["visited_on"] = [ValidationError(message_for("record_date_future"), code="record_date_future")]
    start = _training_start(group.program)
    if start and visited_on < start:
        errors["visited_on"] = [
            ValidationError(message_for("record_before_training"), code="record_before_training")
        ]
    activities = [a for a in body.get("activities") or [] if a in Activity.values]
    if not activities:
        errors["activities"] = [ValidationError(message_for("activity_required"), code="activity_required")]
    follow_ups = []
    for i, item in enumerate(body.get("follow_ups") or []):
        if not isinstance(item, dict) or not str(item.get("action") or "").strip():
            continue
        try:
            due = dt.date.fromisoformat(str(item.get("due_on")))
        except ValueError:
            errors[f"follow_ups.{i}.due_on"] = [
                ValidationError(message_for("date_invalid"), code="date_invalid")
            ]
            continue
        responsible = str(item.get("responsible") or "").strip()[:150]
        if not responsible:
            errors[f"follow_ups.{i}.responsible"] = [
                ValidationError(message_for("required"), code="required")
            ]
            continue
        follow_ups.append(
            FollowUp(action=str(item["action"]).strip()[:300], due_on=due, responsible=responsible)
        )
    raw_photos = body.get("photos") or []
    if len(raw_photos) > photo_files.MAX_PHOTOS:
        errors["photos"] = [
            ValidationError(
                message_for("photos_too_many") % {"n": photo_files.MAX_PHOTOS}, code="photos_too_many"
            )
        ]
    checks = _visit_checks_clean(group, body.get("checks"), visited_on, errors)
    latitude = _coordinate(body.get("latitude"), "latitude", 90, errors)
    longitude = _coordinate(body.get("longitude"), "longitude", 180, errors)
    if latitude is None or longitude is None:
        latitude = longitude = None
    visit = Visit(
        id=record_id,
        group=group,
        mentor=by,
        body=_kept_body(body),
        body_hash=digest,
        visited_on=visited_on,
        met=_text(body, "met", 300),
        activities=activities,
        findings=_text(body, "findings", 5000),
        latitude=latitude,
        longitude=longitude,
    )
    try:
        visit.full_clean(exclude=["replaces", "group", "mentor"])
    except ValidationError as exc:
        for field, messages in exc.error_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    cleaned = [photo_files.clean_photo(photo_files.decode_data_url(p)) for p in raw_photos]
    old = _replaced(Visit, body, group)
    if old is not None:
        Visit.objects.filter(pk=old.pk).update(is_current=False)
        visit.replaces = old
    visit.save(force_insert=True)
    for follow_up in follow_ups:
        follow_up.visit = visit
        follow_up.full_clean()
    FollowUp.objects.bulk_create(follow_ups)
    for check, items in checks:
        check.record(group, items, visited_on, by, visit.pk)
    for content, width, height in cleaned:
        photo = VisitPhoto(visit=visit, width=width, height=height)
        photo.image.save(content.name, content, save=False)  # a new uuid name, private storage
        photo.save()
    return visit


def _coordinate(value: Any, field: str, limit: int, errors: dict) -> Decimal | None:
    """A position from the phone to six decimals (about 10 cm); None when the mentor did not share it."""
    if value in ("", None):
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError):
        number = None
    if number is None or not number.is_finite() or abs(number) > limit:
        errors[field] = [ValidationError(message_for("location_invalid"), code="location_invalid")]
        return None
    return number


def _visit_checks_clean(group: Group, sent: Any, on: dt.date, errors: dict) -> list[tuple[VisitCheck, Any]]:
    """What other apps check during a visit (the aid equipment's condition), each part cleaned by its app;
    their refusals join the visit's, keyed beside the item they concern."""
    sent = sent if isinstance(sent, dict) else {}
    cleaned = []
    for check in visit_checks:
        try:
            cleaned.append((check, check.clean(group, sent.get(check.key), on)))
        except ValidationError as exc:
            exc.update_error_dict(errors)
    return cleaned


@transaction.atomic
def follow_up_done(*, follow_up: FollowUp, by: Any, done_on: dt.date | None = None) -> FollowUp:
    """Marks an agreed follow-up done: it no longer shows as open or overdue."""
    follow_up = (
        FollowUp.objects.select_for_update().select_related("visit__group__program").get(pk=follow_up.pk)
    )
    if follow_up.visit.group.program.status == Stage.CLOSED:
        raise _error("__all__", "mentoring_closed")
    if follow_up.done_on is None:
        follow_up.done_on = done_on or today()
        follow_up.done_by = by
        follow_up.save(update_fields=["done_on", "done_by"])
    return follow_up


# Monthly progress reports ---------------------------------------------------------------------------------


def month_of(value: Any) -> dt.date:
    """``"2018-10"`` (or a date) as the first day of that month."""
    text = str(value or "")
    try:
        year, month = text[:7].split("-")
        return dt.date(int(year), int(month), 1)
    except ValueError:
        raise _error("month", "date_invalid") from None


def report_receive(*, record_id: uuid.UUID, body: dict, by: Any) -> Received:
    """Stores a monthly report sent from a phone exactly once; a correction is a new version."""
    return _receive(ProgressReport, record_id, body, by, _report_build)


def _report_build(record_id: uuid.UUID, body: dict, by: Any, digest: str) -> ProgressReport:
    group = _assigned_group(body, by)
    month = month_of(body.get("month"))
    errors: dict[str, list[ValidationError]] = {}
    now = today()
    if month > now.replace(day=1):
        errors["month"] = [ValidationError(message_for("report_future"), code="report_future")]
    start = _training_start(group.program)
    if start and month < start.replace(day=1):
        errors["month"] = [
            ValidationError(message_for("report_before_training"), code="report_before_training")
        ]
    turnover = _amount(body, "turnover", errors, required=True)
    costs = _amount(body, "costs", errors)
    capital = _amount(body, "capital_received", errors)
    try:
        profit = int(str(body.get("profit") if body.get("profit") not in (None, "") else turnover - costs))
    except ValueError:
        errors["profit"] = [ValidationError(message_for("value_invalid"), code="value_invalid")]
        profit = 0
    if "turnover" not in errors and "profit" not in errors and profit > turnover - costs:
        errors["profit"] = [ValidationError(message_for("profit_over_turnover"), code="profit_over_turnover")]
    status = str(body.get("status") or "")
    reason = _text(body, "status_reason", 300)
    if status in (BusinessStatus.PAUSED, BusinessStatus.CLOSED) and not reason:
        errors["status_reason"] = [ValidationError(message_for("reason_required"), code="reason_required")]
    counts = {}
    for field in ("working_members", "hired_paid", "hired_unpaid"):
        try:
            counts[field] = max(0, int(body.get(field) or 0))
        except (TypeError, ValueError):
            errors[field] = [ValidationError(message_for("location_invalid"), code="location_invalid")]
            counts[field] = 0
    figures = _member_figures(body, group, errors)
    report = ProgressReport(
        id=record_id,
        group=group,
        mentor=by,
        body=_kept_body(body),
        body_hash=digest,
        month=month,
        status=status,
        status_reason=reason,
        turnover=turnover,
        costs=costs,
        profit=profit,
        products_sold=_text(body, "products_sold", 300),
        channels=[c for c in body.get("channels") or [] if c in Channel.values],
        capital_received=capital,
        nib_obtained=bool(body.get("nib_obtained")),
        equipment_condition=str(body.get("equipment_condition") or "")
        if body.get("equipment_condition") in EquipmentCondition.values
        else "",
        notes=_text(body, "notes", 5000),
        **counts,
    )
    try:
        report.full_clean(exclude=["replaces", "group", "mentor", *errors])
    except ValidationError as exc:
        for field, messages in exc.error_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    old = _replaced(ProgressReport, body, group, month=month)
    current = (
        ProgressReport.objects.select_for_update().filter(group=group, month=month, is_current=True).first()
    )
    if old is None and current is not None:
        raise _error("month", "report_exists")
    if old is not None:
        ProgressReport.objects.filter(pk=old.pk).update(is_current=False)
        report.replaces = old
        report.version = old.version + 1
    report.save(force_insert=True)
    for figure in figures:
        figure.report = report
    MemberFigure.objects.bulk_create(figures)
    # The officer's home card reads how many groups reported for the month (a correction recounts too).
    kept_counts.refresh(program_id=group.program_id, months=[month])
    return report


def _member_figures(body: dict, group: Group, errors: dict) -> list[MemberFigure]:
    """The optional per-member lines: a verified member of the group, a status, an income of 0 or more."""
    lines = [m for m in body.get("members") or [] if isinstance(m, dict) and m.get("status")]
    if not lines:
        return []
    allowed = set(
        Membership.objects.filter(group=group, verification=Verification.APPROVED).values_list(
            "pk", flat=True
        )
    )
    figures: dict[int, MemberFigure] = {}
    for line in lines:
        try:
            membership_id = int(line.get("membership") or 0)
            income = line.get("income")
            income = None if income in (None, "") else int(str(income).replace(".", ""))
        except (TypeError, ValueError):
            errors["members"] = [ValidationError(message_for("value_invalid"), code="value_invalid")]
            continue
        if membership_id not in allowed or line["status"] not in MemberStatus.values:
            errors["members"] = [ValidationError(message_for("value_invalid"), code="value_invalid")]
            continue
        if income is not None and income < 0:
            errors["members"] = [ValidationError(message_for("amount_negative"), code="amount_negative")]
            continue
        figures[membership_id] = MemberFigure(
            membership_id=membership_id, status=line["status"], income=income
        )
    return list(figures.values())
