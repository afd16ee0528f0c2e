"""The aid app's stable error codes and the sentence a user reads for each (DESIGN.md)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tunas.core.errors import register_messages

MESSAGES = {
    "aid_closed": _("The programme is closed: its aid records can no longer change."),
    "upload_too_large": _(
        "The file is too large: at most %(mb)s MB. Take a smaller photo or scan and try again."
    ),
    "upload_not_image": _("The file is not a photo. Upload a JPEG, PNG or WebP image."),
    "upload_not_scan": _("The file is neither a PDF nor a photo. Upload the scan as a PDF, JPEG or PNG."),
    "image_too_large": _(
        "The image has too many pixels. Take the photo at a lower resolution and try again."
    ),
    "aid_quantity_invalid": _("Enter a quantity of at least 1."),
    "quantity_over_purchase": _(
        "More units are allocated than were bought. Lower the quantity or record another purchase."
    ),
    "quantity_over_allocation": _(
        "More units are handed over than were allocated to the group. Lower the quantity or allocate more."
    ),
    "quantity_below_handed": _(
        "More units have already been handed over to the group than this. Enter at least that many."
    ),
    "aid_over_group_amount": _("The group would receive more than the programme's aid per group."),
    "aid_group_not_selected": _(
        "Only a group that passed the selection receives aid. Choose a selected group."
    ),
    "group_foreign": _("This group belongs to another programme. Choose one of this programme's groups."),
    "handover_before_purchase": _(
        "The handover is dated before an item on it was bought. Check the date of the handover or of the "
        "purchase."
    ),
    "handover_outside_year": _(
        "The handover falls outside the programme's fiscal year. Check the date, or give the reason."
    ),
    "handover_signed": _("The handover record is signed and locked: it can no longer change."),
    "handover_empty": _("Add at least one item to the handover."),
    "receiver_not_member": _(
        "The receiving representative must be a verified member of the group. Choose one from its list."
    ),
    "witness_not_member": _("Witnesses must be verified members of the group, other than the receiver."),
    "witness_required": _("Choose at least one witness from the group's members."),
    "serials_too_many": _(
        "There are more serial numbers than units. Give one serial number per unit at most."
    ),
    "serials_repeated": _("A serial number appears twice. Each unit has its own serial number."),
    "number_pattern_invalid": _(
        "Use {seq} once or more, and only the placeholders listed below, each as written."
    ),
    "cash_not_money": _("This programme gives its aid as goods, not money. Record purchases instead."),
    "account_number_invalid": _("The account number must be 5 to 20 digits. Copy it from the bank book."),
    "aid_date_future": _("The date lies in the future. Enter the day it happened."),
    "date_before_transfer": _("The date is before the money was transferred. Check the date."),
    "date_before_receipt": _("The check is dated before the item was received. Check the date."),
    "condition_required": _("Choose the item's condition, or leave its note empty too."),
    "asset_foreign": _("An item checked is not one of this group's. Reload the form and check again."),
    "report_over_transfer": _(
        "The purchases would add up to more than the money transferred. Check the amounts."
    ),
    "returned_over_balance": _("The amount returned is more than the remaining balance. Check the amount."),
    "report_incomplete": _("The report is not complete yet:"),
    "report_submitted": _("The accountability report is submitted and locked: it can no longer change."),
}

register_messages(MESSAGES)
