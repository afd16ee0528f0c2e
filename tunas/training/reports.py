"""The training app's reports: attendance recap per training and day, and certificates issued."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from tunas.reports.generators import ReportGenerator
from tunas.reports.renderers import Column

from . import selectors


def _program_filter(user: Any, data: Mapping[str, Any]) -> dict:
    code = (data.get("program") or "").strip()
    if code and selectors.training_list_visible(user=user).filter(program__code=code).exists():
        return {"program": code}
    return {}


class AttendanceRecapReport(ReportGenerator):
    code = "training_attendance"
    title = _("Training attendance")
    description = _("Per training and day: sessions held, participants present, absent and excused.")
    order = 40

    def is_available_to(self, user: Any) -> bool:
        return selectors.may_read_training(user)

    def filters(self, user: Any, data: Mapping[str, Any]) -> dict:
        return _program_filter(user, data)

    def columns(self, user: Any) -> list[Column]:
        return [
            Column("program", _("Programme"), width=16),
            Column("training", _("Training"), width=36),
            Column("date", _("Date"), kind="date"),
            Column("sessions", _("Sessions"), kind="int"),
            Column("marked", _("Sessions marked"), kind="int"),
            Column("participants", _("Participants"), kind="int"),
            Column("present", _("Present"), kind="int"),
            Column("absent", _("Absent"), kind="int"),
            Column("excused", _("Excused"), kind="int"),
            Column("rate", _("Attendance rate"), kind="percent"),
            Column("sheet", _("Signed sheet attached"), width=12),
        ]

    def rows(self, user: Any, filters: dict) -> Iterable[dict]:
        trainings = selectors.training_list_visible(user=user).order_by("program__code", "start_date", "pk")
        if filters.get("program"):
            trainings = trainings.filter(program__code=filters["program"])
        for training in trainings:
            total = selectors.participants(training=training).count()
            for day in selectors.attendance_by_day(training=training):
                yield {
                    "program": training.program.code,
                    "training": training.title,
                    "date": day.date,
                    "sessions": day.sessions,
                    "marked": day.marked_sessions,
                    "participants": total,
                    "present": day.present,
                    "absent": day.absent,
                    "excused": day.excused,
                    "rate": (day.present / total) if total and day.marked_sessions else None,
                    "sheet": str(_("yes")) if day.has_photo else str(_("no")),
                }

    def filename(self) -> str:
        return str(_("training-attendance"))


class CertificatesReport(ReportGenerator):
    code = "training_certificates"
    title = _("Certificates issued")
    description = _("Training certificates with their number, holder, training, hours and status.")
    order = 45

    def is_available_to(self, user: Any) -> bool:
        return selectors.may_read_training(user)

    def filters(self, user: Any, data: Mapping[str, Any]) -> dict:
        return _program_filter(user, data)

    def columns(self, user: Any) -> list[Column]:
        return [
            Column("number", _("Number"), width=36),
            Column("code", _("Verification code"), width=16),
            Column("name", _("Name as issued"), width=28),
            Column("group", _("Group"), width=24),
            Column("program", _("Programme"), width=16),
            Column("training", _("Training"), width=36),
            Column("hours", _("Lesson hours"), kind="int"),
            Column("issued", _("Issued on"), kind="date"),
            Column("status", _("Status"), width=10),
            Column("revoked", _("Revoked on"), kind="date"),
            Column("checks", _("Times checked"), kind="int"),
        ]

    def queryset(self, user: Any, filters: dict):
        qs = selectors.certificates_visible(user=user)
        if filters.get("program"):
            qs = qs.filter(training__program__code=filters["program"])
        return qs

    def rows(self, user: Any, filters: dict) -> Iterable[dict]:
        for c in self.queryset(user, filters).iterator(chunk_size=2000):
            yield {
                "number": c.number,
                "code": c.code,
                "name": c.name,
                "group": c.membership.group.name,
                "program": c.training.program.code,
                "training": c.training.title,
                "hours": c.lesson_hours,
                "issued": c.issued_on,
                "status": c.get_status_display(),
                "revoked": c.revoked_on,
                "checks": c.check_count,
            }

    def count(self, user: Any, filters: dict) -> int:
        return self.queryset(user, filters).count()

    def filename(self) -> str:
        return str(_("certificates"))
