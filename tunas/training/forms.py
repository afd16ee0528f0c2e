"""Forms of the training app: instructors, trainings, sessions, settings, sheets, costs and revoking."""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from tunas.core.forms import BootstrapFormMixin, DateInput, RupiahField, VersionedFormMixin
from tunas.programs.models import BudgetLine
from tunas.regions.forms import VillageField
from tunas.regions.models import Hamlet
from tunas.registry.forms import CodedErrorsMixin
from tunas.registry.models import Group

from .models import Instructor, Session, Training
from .services import TRAINABLE_EXCLUDED


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%H:%M")


class InstructorForm(CodedErrorsMixin, BootstrapFormMixin, VersionedFormMixin, forms.ModelForm):
    village = VillageField(required=False)
    rate_per_hour = RupiahField(
        label=_("Honorarium per lesson hour (Rp)"), help_text=_("One lesson hour (JP) is 45 minutes.")
    )

    class Meta:
        model = Instructor
        fields = [
            "name",
            "phone",
            "village",
            "expertise",
            "business",
            "business_since",
            "rate_per_hour",
            "user",
        ]

    def __init__(self, *args, office, **kwargs):
        super().__init__(*args, **kwargs)
        cast(VillageField, self.fields["village"]).limit_to(office.region_code)
        from tunas.accounts.models import User
        from tunas.accounts.roles import Role

        user_field = cast(forms.ModelChoiceField, self.fields["user"])
        user_field.queryset = User.objects.filter(office=office, groups__name=Role.INSTRUCTOR).order_by(
            "username"
        )
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version


class TrainingForm(CodedErrorsMixin, BootstrapFormMixin, VersionedFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    groups = forms.ModelMultipleChoiceField(
        label=_("Groups"), queryset=Group.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    village = VillageField(help_text=_("Where the training takes place: usually the group's own village."))
    hamlet = forms.ModelChoiceField(
        label=_("Hamlet (banjar/dusun)"), queryset=Hamlet.objects.none(), required=False
    )
    place = forms.CharField(
        label=_("Place"), max_length=200, required=False, help_text=_("e.g. Balai Banjar Besang")
    )
    start_date = forms.DateField(label=_("First day"), widget=DateInput())
    end_date = forms.DateField(label=_("Last day"), widget=DateInput())

    def __init__(self, *args, program, training: Training | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        groups = Group.objects.filter(program=program).exclude(status__in=TRAINABLE_EXCLUDED).order_by("name")
        cast(forms.ModelMultipleChoiceField, self.fields["groups"]).queryset = groups
        cast(VillageField, self.fields["village"]).limit_to(program.office.region_code)
        village_codes = set(groups.values_list("village_id", flat=True))
        if training is not None:
            village_codes.add(training.village_id)
        cast(forms.ModelChoiceField, self.fields["hamlet"]).queryset = Hamlet.objects.filter(
            village_id__in=village_codes
        ).select_related("village")
        self.fields["hamlet"].label_from_instance = lambda h: f"{h} — {h.village.name}"  # type: ignore[attr-defined]
        if training is not None and not self.is_bound:
            self.initial.update(
                {
                    "title": training.title,
                    "groups": list(training.groups.all()),
                    "village": training.village_id,
                    "hamlet": training.hamlet_id,
                    "place": training.place,
                    "start_date": training.start_date,
                    "end_date": training.end_date,
                    "version": training.version,
                }
            )
        elif not self.is_bound:
            self.initial.update({"start_date": program.training_start, "end_date": program.training_end})


class SessionForm(CodedErrorsMixin, BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Session
        fields = ["date", "start", "end", "topic", "instructor", "lesson_hours"]
        widgets = {"date": DateInput(), "start": TimeInput(), "end": TimeInput()}

    def __init__(self, *args, training: Training, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["instructor"]).queryset = Instructor.objects.filter(
            office=training.program.office
        ).order_by("name")
        self.fields["lesson_hours"].required = False
        self.fields["lesson_hours"].help_text = _(
            "Leave empty to count them from the times (45 minutes each)."
        )
        date_field = cast(forms.DateField, self.fields["date"])
        date_field.widget.attrs.update(
            {"min": training.start_date.isoformat(), "max": training.end_date.isoformat()}
        )


class SettingsForm(CodedErrorsMixin, BootstrapFormMixin, forms.Form):
    completion_threshold = forms.IntegerField(
        label=_("Attendance needed to complete (%)"),
        min_value=1,
        max_value=100,
        help_text=_("A participant present at this share of the sessions or more completes the training."),
    )
    curriculum = forms.CharField(
        label=_("Curriculum template"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("One topic a line, its lesson hours after a bar: Pembukuan sederhana | 3"),
    )

    def clean_curriculum(self) -> list[dict]:
        items = []
        for n, line in enumerate(self.cleaned_data["curriculum"].splitlines(), start=1):
            if not line.strip():
                continue
            topic, _bar, hours = line.rpartition("|")
            if not _bar:
                topic, hours = line, "1"
            try:
                value = int(hours.strip())
            except ValueError:
                raise forms.ValidationError(
                    _("Line %(n)s: write the lesson hours as a number after the bar."),
                    code="value_invalid",
                    params={"n": n},
                ) from None
            items.append({"topic": topic.strip(), "hours": value})
        if not items:
            raise forms.ValidationError(_("Write at least one topic."), code="required")
        return items


def curriculum_text(curriculum: list[dict]) -> str:
    return "\n".join(f"{item['topic']} | {item['hours']}" for item in curriculum)


class SheetUploadForm(CodedErrorsMixin, BootstrapFormMixin, forms.Form):
    photo = forms.FileField(
        label=_("Photo of the signed sheet"),
        help_text=_("A photo (JPG, PNG, WebP) or a PDF, at most 10 MB."),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/*,application/pdf", "capture": "environment"}
        ),
    )


class CostForm(CodedErrorsMixin, BootstrapFormMixin, forms.Form):
    budget_line = forms.ModelChoiceField(label=_("Budget line"), queryset=BudgetLine.objects.none())
    spent_on = forms.DateField(label=_("Date"), widget=DateInput())
    amount = RupiahField(label=_("Amount (Rp)"), min_value=1)
    description = forms.CharField(label=_("Description"), max_length=300)
    paid_for = forms.CharField(label=_("Paid to"), max_length=200, required=False)
    receipt = forms.FileField(label=_("Receipt"), required=False)

    def __init__(self, *args, training: Training, **kwargs):
        super().__init__(*args, **kwargs)
        cast(
            forms.ModelChoiceField, self.fields["budget_line"]
        ).queryset = training.program.budget_lines.all()
        if not self.is_bound:
            self.initial["spent_on"] = training.end_date


class HonorariaForm(CodedErrorsMixin, BootstrapFormMixin, forms.Form):
    budget_line = forms.ModelChoiceField(label=_("Budget line"), queryset=BudgetLine.objects.none())
    spent_on = forms.DateField(label=_("Date paid"), widget=DateInput())

    def __init__(self, *args, training: Training, **kwargs):
        super().__init__(*args, **kwargs)
        lines = training.program.budget_lines.all()
        cast(forms.ModelChoiceField, self.fields["budget_line"]).queryset = lines
        if not self.is_bound:
            self.initial["spent_on"] = training.end_date
            honorarium = next((line for line in lines if "honor" in line.name.lower()), None)
            if honorarium is not None:
                self.initial["budget_line"] = honorarium.pk


class RevokeForm(CodedErrorsMixin, BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=_("Reason for revoking"), max_length=200)
