from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from tunas.core.choices import TargetCategory
from tunas.core.forms import BootstrapFormMixin, DateInput, RupiahField, VersionedFormMixin

from .models import FundingSource, Program, Stage


class ProgramForm(BootstrapFormMixin, VersionedFormMixin, forms.ModelForm):
    budget_total = RupiahField(label=_("Total budget (Rp)"))
    aid_per_group = RupiahField(label=_("Aid per group (Rp)"))
    allowed_categories = forms.MultipleChoiceField(
        label=_("Allowed target categories"),
        choices=TargetCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Leave all unticked to allow every category."),
    )

    class Meta:
        model = Program
        fields = [
            "code",
            "name",
            "fiscal_year",
            "funding_source",
            "budget_total",
            "group_size_min",
            "group_size_max",
            "aid_form",
            "aid_per_group",
            "min_age",
            "max_age",
            "allowed_categories",
            "aid_lookback_months",
            "domicile_in_jurisdiction",
            *Program.STAGE_DATE_FIELDS,
        ]
        widgets = {name: DateInput() for name in Program.STAGE_DATE_FIELDS}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            self.fields["code"].disabled = True


class BudgetLineForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("Budget line"), max_length=200, required=False)
    planned = RupiahField(label=_("Planned (Rp)"), required=False)

    def clean(self):
        data = super().clean() or {}
        if data.get("name") and data.get("planned") is None:
            self.add_error("planned", _("Enter the planned amount for this line."))
        if data.get("planned") and not data.get("name"):
            self.add_error("name", _("Name this budget line."))
        return data


BudgetLineFormSet = formset_factory(BudgetLineForm, extra=2, max_num=50)


class StageStepBackForm(BootstrapFormMixin, forms.Form):
    """An administrator's step back one stage: the reason is kept in the programme's history."""

    reason = forms.CharField(
        label=_("Reason for stepping back"),
        max_length=100,
        help_text=_("Kept in the programme's history of changes, with your name and the time."),
    )


class ProgramFilterForm(BootstrapFormMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    year = forms.IntegerField(label=_("Fiscal year"), required=False)
    status = forms.ChoiceField(
        label=_("Stage"), choices=[("", _("All stages"))] + Stage.choices, required=False
    )
    funding = forms.ChoiceField(
        label=_("Funding source"), choices=[("", _("All sources"))] + FundingSource.choices, required=False
    )
