"""The mentoring app's stable error codes and the sentence a user reads for each (DESIGN.md)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tunas.core.errors import register_messages

MESSAGES = {
    "location_invalid": _(
        "The phone's position could not be read. Untick “Record where I am” and save again, or try once more."
    ),
    "group_not_assigned": _(
        "This group is not assigned to you. Only its own mentor records its visits and reports."
    ),
    "mentor_not_mentor": _("Choose a user with the mentor role of the programme's office."),
    "mentor_over_capacity": _(
        "The mentor would follow more than %(groups)s groups or %(people)s people in this programme. "
        "Choose another mentor or raise the limit in the mentoring settings."
    ),
    "group_has_mentor": _("The group already has a mentor. End that assignment first."),
    "mentored_group_not_selected": _(
        "Only a group that passed the selection is mentored. Choose a selected group."
    ),
    "mentoring_closed": _("The programme is closed: its mentoring records can no longer change."),
    "record_date_future": _("The date lies in the future. Enter the day of the visit."),
    "record_before_training": _("The date is before the programme's training. Check the date."),
    "report_before_training": _(
        "The month is before the programme's training. Reports start with the month of the training."
    ),
    "report_future": _("The month has not begun yet. Report a month that has started."),
    "report_exists": _(
        "A report for this group and month already exists. Open it and correct it instead of writing a "
        "second one."
    ),
    "record_stale": _(
        "The version you corrected has been corrected meanwhile. Open the newest version and start again."
    ),
    "amount_negative": _("Enter an amount of 0 or more, in Rupiah."),
    "profit_over_turnover": _(
        "The profit cannot be more than the turnover minus the costs. Check the figures."
    ),
    "reason_required": _("Give the reason why the business is paused or closed."),
    "activity_required": _("Tick at least one activity."),
    "photo_invalid": _("A photo could not be read. Take it again as a JPEG or PNG."),
    "photos_too_many": _("At most %(n)s photos per visit."),
    "record_conflict": _(
        "A different version of this record was already received. Choose which version to keep."
    ),
    "signed_out": _("Your sign-in has expired. Sign in again: the records stay on this phone until sent."),
    "body_invalid": _("The record could not be read. Reload the page and fill it in again."),
}

register_messages(MESSAGES)
