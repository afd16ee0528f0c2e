"""The training app's stable error codes and the sentence a user reads for each (DESIGN.md)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tunas.core.errors import register_messages

# Verification codes: no look-alike characters (no 0/O, 1/I/L), 12 of them (31^12 ≈ 7.9 × 10^17 codes).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12

MESSAGES = {
    "session_time_order": _("The end time must be after the start time."),
    "session_outside_training": _("The date lies outside the training's days. Choose one of its days."),
    "session_overlap": _("Another session of this training takes place at that time. Choose another time."),
    "instructor_busy": _("The instructor teaches another session at that time:"),
    "group_in_training": _("These groups are already in another training of the programme:"),
    "training_completed": _(
        "The completion of this training is decided: its timetable and attendance are closed."
    ),
    "training_not_held": _(
        "Some sessions have no attendance yet. Mark every session before deciding completion."
    ),
    "training_no_sessions": _("The training has no sessions. Add its timetable first."),
    "training_not_completed": _("Decide the training's completion before issuing certificates."),
    "attendance_not_member": _("This person is not a participant of the training's groups."),
    "attendance_excuse_reason": _("An excused absence needs its reason."),
    "attendance_late_reason": _(
        "The session's day has passed: give the reason for this late change; it is kept in the audit trail."
    ),
    "attendance_recorded": _("The session already has attendance and cannot be deleted."),
    "honorarium_recorded": _("The session's honorarium is already recorded: it can no longer change."),
    "certificate_not_completed": _(
        "This participant did not complete the training (too few sessions attended): no certificate."
    ),
    "certificate_duplicate": _("This participant already has a certificate for this training."),
    "attendance_sheet_type": _("Upload a photo (JPG, PNG, WebP) or a PDF of the signed sheet."),
    "attendance_sheet_size": _("The file is larger than 10 MB. Take the photo at a lower resolution."),
}

register_messages(MESSAGES)
