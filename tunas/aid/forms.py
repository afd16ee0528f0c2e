"""Forms of the aid pages. They read what was typed; the services decide what is allowed."""

from __future__ import annotations

from django import forms
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from tunas.core.forms import BootstrapFormMixin, DateInput, RupiahField, VersionedFormMixin
from tunas.programs.models import BudgetLine
from tunas.registry.forms import CodedErrorsMixin
from tunas.registry.models import Group, Membership

from . import files
from .models import AccountabilityReport, Condition

IMAGE_ACCEPT = "image/jpeg,image/png,image/webp,image/heic"
SCAN_ACCEPT = "application/pdf,image/jpeg,image/png"


# The size limit in the reader's language, read when the form is drawn.
_size_hint = lazy(files.size_hint, str)


class _Form(CodedErrorsMixin, BootstrapFormMixin, forms.Form):
    pass


def _image_field(label, required=False) -> forms.FileField:
    return forms.FileField(
        label=label,
        required=required,
        help_text=format_lazy("{} {}", _("A JPEG, PNG or WebP photo."), _size_hint()),
        widget=forms.ClearableFileInput(attrs={"accept": IMAGE_ACCEPT}),
    )


def _scan_field(label, required=False) -> forms.FileField:
    return forms.FileField(
        label=label,
        required=required,
        help_text=format_lazy("{} {}", _("A PDF, or a JPEG or PNG photo of the paper."), _size_hint()),
        widget=forms.ClearableFileInput(attrs={"accept": SCAN_ACCEPT}),
    )


class PurchaseForm(_Form):
    budget_line = forms.ModelChoiceField(queryset=BudgetLine.objects.none(), label=_("Budget line"))
    name = forms.CharField(label=_("Item"), max_length=200)
    specification = forms.CharField(
        label=_("Specification"), max_length=400, required=False, help_text=_("Brand, type, size, capacity.")
    )
    unit = forms.CharField(
        label=_("Unit"), max_length=30, help_text=_("As counted: unit, set, piece, pack …")
    )
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1)
    unit_price = RupiahField(label=_("Unit price"), min_value=1)
    supplier = forms.CharField(label=_("Supplier"), max_length=200)
    purchased_on = forms.DateField(label=_("Purchase date"), widget=DateInput())
    receipt = forms.FileField(
        label=_("Receipt scan"),
        required=False,
        help_text=_("A PDF, JPEG or PNG of the receipt or invoice."),
        widget=forms.ClearableFileInput(attrs={"accept": SCAN_ACCEPT}),
    )

    def __init__(self, *args, program, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["budget_line"].queryset = program.budget_lines.all()  # type: ignore[attr-defined]


class AllocationForm(_Form):
    group = forms.ModelChoiceField(queryset=Group.objects.none(), label=_("Group"))
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1)

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups  # type: ignore[attr-defined]


class HandoverForm(VersionedFormMixin, _Form):
    handed_on = forms.DateField(label=_("Handover date"), widget=DateInput())
    place = forms.CharField(
        label=_("Place"), max_length=200, help_text=_("Where the goods were handed over.")
    )
    date_reason = forms.CharField(
        label=_("Reason for the date"),
        max_length=300,
        required=False,
        help_text=_("Needed only when the handover falls outside the programme's fiscal year."),
    )
    official_name = forms.CharField(
        label=_("Official handing over"), max_length=200, help_text=_("With titles, as it is signed.")
    )
    official_nip = forms.RegexField(
        label=_("NIP of the official"),
        regex=r"^[0-9 ]{0,22}$",
        required=False,
        help_text=_("18 digits; leave empty for an official who is not a civil servant."),
    )
    official_position = forms.CharField(label=_("Position of the official"), max_length=200)
    receiver = forms.ModelChoiceField(queryset=Membership.objects.none(), label=_("Receiving representative"))
    witnesses = forms.ModelMultipleChoiceField(
        queryset=Membership.objects.none(),
        label=_("Witnesses"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Members of the group who saw the handover."),
    )

    def __init__(self, *args, members, allocations, **kwargs):
        super().__init__(*args, **kwargs)
        queryset = Membership.objects.filter(pk__in=[m.pk for m in members]).select_related("person")
        label = {m.pk: f"{m.person.full_name} ({m.get_role_display()})" for m in members}
        for name in ("receiver", "witnesses"):
            field = self.fields[name]
            field.queryset = queryset  # type: ignore[attr-defined]
            field.label_from_instance = lambda m: label.get(m.pk, str(m))  # type: ignore[attr-defined]
        self.allocations = allocations
        for a in allocations:
            self.fields[f"qty_{a.pk}"] = forms.IntegerField(
                label=_("Quantity of %(item)s") % {"item": a.purchase.name},  # drawn per request
                min_value=0,
                max_value=max(a.left, 0),
                required=False,
                # Added after BootstrapFormMixin styled the declared fields: styled here.
                widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric"}),
            )
            self.fields[f"serials_{a.pk}"] = forms.CharField(
                label=_("Serial numbers of %(item)s") % {"item": a.purchase.name},
                required=False,
                widget=forms.Textarea(
                    attrs={"rows": 1, "class": "form-control", "aria-describedby": f"id_serials_{a.pk}-help"}
                ),
                help_text=_("One per line or separated by commas, where the items have them."),
            )

    def item_rows(self):
        return [(a, self[f"qty_{a.pk}"], self[f"serials_{a.pk}"]) for a in self.allocations]


class PhotoForm(_Form):
    image = _image_field(_("Photo"), required=True)
    caption = forms.CharField(label=_("Caption"), max_length=200, required=False)


class SignForm(VersionedFormMixin, _Form):
    scan = _scan_field(_("Signed record (scan)"), required=True)


class AssetCheckForm(_Form):
    checked_on = forms.DateField(label=_("Checked on"), widget=DateInput())
    condition = forms.ChoiceField(label=_("Condition"), choices=Condition.choices)
    note = forms.CharField(
        label=_("Note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    photo = _image_field(_("Photo"))


class TransferForm(_Form):
    group = forms.ModelChoiceField(queryset=Group.objects.none(), label=_("Group"))
    budget_line = forms.ModelChoiceField(queryset=BudgetLine.objects.none(), label=_("Budget line"))
    bank = forms.CharField(label=_("Bank"), max_length=100)
    account_holder = forms.CharField(label=_("Account holder"), max_length=200)
    account_number = forms.CharField(label=_("Account number"), max_length=30)
    amount = RupiahField(label=_("Amount"), min_value=1)
    transferred_on = forms.DateField(label=_("Transfer date"), widget=DateInput())
    proof = _scan_field(_("Proof of transfer"))

    def __init__(self, *args, program, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups  # type: ignore[attr-defined]
        self.fields["budget_line"].queryset = program.budget_lines.all()  # type: ignore[attr-defined]


class ReportForm(VersionedFormMixin, _Form):
    due_on = forms.DateField(label=_("Due date"), widget=DateInput())
    returned_amount = RupiahField(label=_("Remaining balance returned"), required=False)
    returned_on = forms.DateField(label=_("Returned on"), widget=DateInput(), required=False)
    return_proof = _scan_field(_("Proof of return"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        labels = {f.name: f.verbose_name for f in AccountabilityReport._meta.fields}
        for name in AccountabilityReport.CHAPTERS:
            self.fields[name] = forms.CharField(
                label=str(labels[name]).capitalize(),
                required=False,
                widget=forms.Textarea(attrs={"rows": 4}),
            )


class ReportPurchaseForm(_Form):
    bought_on = forms.DateField(label=_("Date"), widget=DateInput())
    description = forms.CharField(label=_("What was bought"), max_length=300)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, initial=1)
    amount = RupiahField(label=_("Amount"), min_value=1)
    receipt = _scan_field(_("Receipt"))
    photo = _image_field(_("Photo"))


class AidSettingsForm(_Form):
    handover_number_pattern = forms.CharField(
        label=_("Handover record number pattern"),
        max_length=200,
        help_text=_(
            "{seq}: the office's running number for the year, three digits (027); {office_code}: the office "
            "code; {month_roman}: the month in Roman numerals (IX); {year}: the year (2018); {program}: the "
            "programme code."
        ),
    )
