"""The budget ledger's forms: a spending entry, cancelling one, and an administrator's plan revision."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tunas.core.errors import message_for
from tunas.core.forms import BootstrapFormMixin, DateInput, RupiahField

from . import ledger
from .models import BudgetLine, Program

RECEIPT_ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


class LineChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: BudgetLine) -> str:
        return obj.name


def _line_field(program: Program, lines: list[BudgetLine] | None) -> LineChoiceField:
    field = LineChoiceField(
        label=_("Budget line"),
        queryset=BudgetLine.objects.filter(program=program),
        empty_label=_("Choose a budget line"),
    )
    if lines is not None:
        # The lines the page already read: the select draws from them without another query.
        field.choices = [("", field.empty_label), *[(line.pk, line.name) for line in lines]]
    return field


class SpendingForm(BootstrapFormMixin, forms.Form):
    spent_on = forms.DateField(label=_("Date"), widget=DateInput())
    amount = RupiahField(
        label=_("Amount"), min_value=1, help_text=_("Whole Rupiah, as on the receipt, e.g. 1.250.000.")
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=300,
        help_text=_("What was bought or paid, as the receipt says."),
    )
    paid_for = forms.CharField(
        label=_("Paid for"),
        max_length=300,
        required=False,
        help_text=_("Who or what it was for, e.g. the group that received the equipment."),
    )
    receipt = forms.FileField(
        label=_("Receipt scan"),
        required=False,
        help_text=_("PDF, JPEG or PNG, at most %(size)s MB. Only this office can open it."),
        widget=forms.ClearableFileInput(attrs={"accept": RECEIPT_ACCEPT}),
    )

    def __init__(self, *args, program: Program, lines: list[BudgetLine] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {"budget_line": _line_field(program, lines), **self.fields}
        self.fields["budget_line"].widget.attrs["class"] = "form-select"
        receipt = self.fields["receipt"]
        receipt.help_text = str(receipt.help_text) % {"size": ledger.receipt_max_bytes() // (1024 * 1024)}

    def clean_receipt(self):
        upload = self.cleaned_data.get("receipt")
        if upload and upload.size > ledger.receipt_max_bytes():
            # Refused before it is read.
            raise forms.ValidationError(message_for("receipt_size"), code="receipt_size")
        return upload


class SpendingCancelForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason for cancelling"),
        max_length=ledger.REASON_MAX,
        help_text=_("Say what was wrong, e.g. “entered twice” or “wrong amount”; the entry stays listed."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class BudgetRevisionForm(BootstrapFormMixin, forms.Form):
    new_planned = RupiahField(label=_("New plan"), help_text=_("Whole Rupiah, e.g. 12.500.000."))
    reason = forms.CharField(
        label=_("Reason"),
        max_length=ledger.REASON_MAX,
        help_text=_("The decision behind the change, e.g. the budget revision letter and its date."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, program: Program, lines: list[BudgetLine] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {"budget_line": _line_field(program, lines), **self.fields}
        self.fields["budget_line"].widget.attrs["class"] = "form-select"
