"""Registry forms: business groups, members, verification decisions and the list filters."""

from __future__ import annotations

from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tunas.core.choices import Sex, TargetCategory
from tunas.core.errors import MESSAGES, message_for
from tunas.core.formatting import date_long
from tunas.core.forms import BootstrapFormMixin, DateInput, RupiahField, VersionedFormMixin, _FormBase
from tunas.core.nik import length_detail, normalize_nik
from tunas.regions.forms import VillageField
from tunas.regions.models import District
from tunas.regions.selectors import within_q

from . import rules, selectors
from .models import BusinessType, Disability, Education, Employment, Group, GroupStatus, Role, Verification
from .services import PersonData, nik_problems

# Django's own error codes, said with the stable codes of DESIGN.md the import and the API report.
DJANGO_CODES = {"required": "required", "invalid_choice": "value_invalid"}


def coded_message(message: str, code: str) -> str:
    """The message a user reads, with the stable code an office can quote to its helpdesk shown small
    beside it (as the import preview shows it), not inside the sentence."""
    return format_html('{} <small class="error-code text-secondary">{}</small>', message, code)


def stable_code(error: ValidationError, field: forms.Field | None) -> str:
    code = error.code or "value_invalid"
    if code in MESSAGES or code == "possible_duplicate":
        return code
    if code == "invalid_choice" and isinstance(field, VillageField):
        return "village_unknown"
    if code == "invalid" and isinstance(field, forms.DateField):
        return "date_invalid"
    return DJANGO_CODES.get(code, "value_invalid")


class CodedErrorsMixin(_FormBase):
    """Every error a form shows carries its stable code beside the message, whatever raised it."""

    def add_error(self, field, error):
        if not isinstance(error, ValidationError):
            error = ValidationError(error)
        if hasattr(error, "error_dict"):
            error = ValidationError(
                {name: [self._coded(e, name) for e in errors] for name, errors in error.error_dict.items()}
            )
        else:
            error = ValidationError([self._coded(e, field) for e in error.error_list])
        super().add_error(field, error)

    def _coded(self, error: ValidationError, field_name: str | None) -> ValidationError:
        field = self.fields.get(field_name) if field_name else None
        code = stable_code(error, field)
        text = error.message % error.params if error.params else error.message
        if code == "required" and error.code == "required":
            text = message_for("required")
        return ValidationError(coded_message(str(text), code), code=code)

    def add_service_error(self, exc: ValidationError) -> None:
        """Puts a service's errors beside the fields they concern; the others above the form."""
        if hasattr(exc, "error_dict"):
            for name, errors in exc.error_dict.items():
                target = name if name in self.fields else None
                self.add_error(target, errors)
        else:
            self.add_error(None, exc)


HAMLET_HELP = _(
    "Choose one of the village's hamlets or type a new name; a new name is added to the village's list."
)


class GroupForm(CodedErrorsMixin, BootstrapFormMixin, VersionedFormMixin, forms.ModelForm):
    village = VillageField()
    hamlet_name = forms.CharField(
        label=_("Hamlet (banjar/dusun)"), max_length=100, required=False, help_text=HAMLET_HELP
    )

    class Meta:
        model = Group
        fields = ["name", "business_type", "business_description", "village"]
        labels = {
            "name": _("Group name"),
            "business_type": _("Business type"),
            "business_description": _("What the group makes or sells"),
        }
        help_texts = {"name": _("The name the group calls itself, e.g. Ngilur Bhuwana Sente.")}

    def __init__(self, *args, program, user, **kwargs):
        super().__init__(*args, **kwargs)
        # A group lives where its programme's office works, never wider than the user's own area.
        office_area = program.office.region_code
        cast(VillageField, self.fields["village"]).limit_to(
            office_area if office_area else user.jurisdiction or ""
        )
        self.fields["hamlet_name"].widget.attrs.update({"list": "hamlet-options", "autocomplete": "off"})
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            if self.instance.hamlet_id:
                self.fields["hamlet_name"].initial = self.instance.hamlet.name


class MemberForm(CodedErrorsMixin, BootstrapFormMixin, VersionedFormMixin, forms.Form):
    """A person's data and their role in the group; the services check every NIK and eligibility rule."""

    nik = forms.CharField(label=_("NIK"), max_length=30, help_text=_("The 16 digits on the ID card (KTP)."))
    kk = forms.CharField(
        label=_("Family card number (KK)"),
        max_length=30,
        required=False,
        help_text=_("The 16 digits on the family card (Kartu Keluarga)."),
    )
    full_name = forms.CharField(
        label=_("Full name"), max_length=150, help_text=_("As written on the ID card.")
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=[("", _("— choose —")), *Sex.choices])
    birth_place = forms.CharField(label=_("Place of birth"), max_length=100, required=False)
    birth_date = forms.DateField(label=_("Date of birth"), widget=DateInput())
    village = VillageField()
    hamlet_name = forms.CharField(
        label=_("Hamlet (banjar/dusun)"), max_length=100, required=False, help_text=HAMLET_HELP
    )
    street = forms.CharField(label=_("Street address"), max_length=200, required=False)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=30,
        required=False,
        help_text=_("A mobile or landline number: 08…, 62… or +62…"),
    )
    education = forms.ChoiceField(
        label=_("Education"), choices=[("", _("— choose —")), *Education.choices], required=False
    )
    disability = forms.ChoiceField(
        label=_("Disability (UU 8/2016)"), choices=Disability.choices, required=False
    )
    categories = forms.MultipleChoiceField(
        label=_("Target categories"),
        choices=TargetCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Tick every category that applies; at least one the programme allows."),
    )
    employment_before = forms.ChoiceField(
        label=_("Work before the programme"),
        choices=[("", _("— choose —")), *Employment.choices],
        required=False,
    )
    income_before = RupiahField(
        label=_("Monthly income before the programme (Rp)"),
        required=False,
        help_text=_("Leave empty if unknown; enter 0 for no income."),
    )
    consent_data = forms.BooleanField(
        label=_("The person agrees that their data is processed for this programme."),
        error_messages={"required": _("Registration needs the person's consent to process their data.")},
    )
    consent_public = forms.BooleanField(
        label=_("The person agrees to appear by name or photo on public pages (catalogue, group page)."),
        required=False,
    )
    role = forms.ChoiceField(label=_("Role in the group"), choices=Role.choices, initial=Role.MEMBER)
    change_reason = forms.CharField(
        label=_("Reason for the change"),
        max_length=100,
        required=False,
        help_text=_("The programme is past verification: the reason is kept in the history of changes."),
    )

    def __init__(self, *args, user, program, **kwargs):
        super().__init__(*args, **kwargs)
        if rules.registry_lock(program) != "admin":
            del self.fields["change_reason"]
        cast(VillageField, self.fields["village"]).limit_to(user.jurisdiction or "")
        self.fields["nik"].widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})
        self.fields["kk"].widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})
        self.fields["phone"].widget.attrs.update({"inputmode": "tel", "autocomplete": "off"})
        self.fields["hamlet_name"].widget.attrs.update({"list": "hamlet-options", "autocomplete": "off"})
        today = timezone.localdate()
        self.fields["birth_date"].help_text = gettext(
            "The age is counted on %(day)s, the registration closing day."
        ) % {"day": date_long(rules.age_reference_date(program, today=today))}
        self.fields["employment_before"].help_text = gettext(
            "Earlier aid is looked back %(months)s months from %(day)s. Civil servants (ASN/PNS), TNI, Polri "
            "and formal employees cannot take part."
        ) % {
            "months": program.aid_lookback_months,
            "day": date_long(rules.aid_reference_date(program, today=today)),
        }
        allowed = [str(label) for key, label in TargetCategory.choices if key in program.categories_allowed]
        self.fields["categories"].help_text = gettext(
            "Tick every category that applies. This programme accepts: %(list)s."
        ) % {"list": ", ".join(allowed)}

    @classmethod
    def initial_for(cls, membership) -> dict:
        person, m = membership.person, membership
        return {
            "nik": person.nik, "kk": m.kk, "full_name": person.full_name, "sex": person.sex,
            "birth_place": person.birth_place, "birth_date": person.birth_date, "village": m.village_id,
            "hamlet_name": m.hamlet.name if m.hamlet_id else "", "street": m.street,
            "phone": m.phone, "education": m.education, "disability": m.disability,
            "categories": list(m.categories), "employment_before": m.employment_before,
            "income_before": m.income_before, "consent_data": m.consent_data,
            "consent_public": m.consent_public, "role": m.role, "version": m.version,
        }  # fmt: skip

    def clean_nik(self) -> str:
        # The services check the structure with every NIK rule; here only the separators people type go.
        return normalize_nik(self.cleaned_data["nik"])

    def clean(self):
        data = super().clean() or {}
        # The NIK rules run here as well as in the service, so every problem shows in the first round.
        if data.get("nik"):
            probe = PersonData(
                nik=data["nik"],
                full_name="",
                sex=data.get("sex") or "",
                # The probe checks the NIK against sex and birth date only; a missing date skips that part.
                birth_date=data.get("birth_date"),  # type: ignore[arg-type]
                village_id="",
            )
            for problem in nik_problems(probe):
                if problem.field not in self.errors:
                    self.add_error(problem.field, ValidationError(problem.message, code=problem.code))
        return data

    def clean_kk(self) -> str:
        kk = rules.normalize_kk(self.cleaned_data.get("kk", ""))
        if kk and not rules.kk_is_valid(kk):
            raise ValidationError(message_for("kk_format", length_detail(kk)), code="kk_format")
        return kk

    def clean_phone(self) -> str:
        from lokal import normalize_phone

        raw = self.cleaned_data.get("phone", "").strip()
        if not raw:
            return ""
        phone = normalize_phone(raw)
        if not phone:
            raise ValidationError(message_for("phone_invalid"), code="phone_invalid")
        return phone

    def person_data(self) -> PersonData:
        d = self.cleaned_data
        return PersonData(
            nik=d["nik"],
            kk=d["kk"],
            full_name=" ".join(d["full_name"].split()),
            sex=d["sex"],
            birth_date=d["birth_date"],
            village_id=d["village"].code,
            birth_place=d["birth_place"].strip(),
            street=d["street"].strip(),
            phone=d["phone"],
            education=d["education"],
            disability=d["disability"],
            categories=list(d["categories"]),
            employment_before=d["employment_before"],
            income_before=d["income_before"],
            consent_data=d["consent_data"],
            consent_public=d["consent_public"],
        )


class DecisionForm(CodedErrorsMixin, forms.Form):
    """A verifier's decision on a member or a group; a rejection needs its reason."""

    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    reason = forms.CharField(label=_("Reason"), max_length=1000, required=False)
    # The record's version the decision was made on (members; groups ignore it).
    version = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)


def _with_all(label, choices) -> list:
    return [("", label), *choices]


def _search(placeholder) -> forms.CharField:
    return forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": placeholder}),
    )


class ProgramGroupsFilterForm(BootstrapFormMixin, forms.Form):
    """The programme page's groups tab: search and status."""

    q = _search(_("Search group, village or hamlet"))
    status = forms.ChoiceField(
        label=_("Status"), choices=_with_all(_("All statuses"), GroupStatus.choices), required=False
    )


class ProgramMembersFilterForm(BootstrapFormMixin, forms.Form):
    """The programme page's participants tab: search and verification."""

    q = _search(_("Search name or NIK"))
    verification = forms.ChoiceField(
        label=_("Verification"),
        choices=_with_all(_("Any verification"), Verification.choices),
        required=False,
    )


class GroupFilterForm(BootstrapFormMixin, forms.Form):
    q = _search(_("Search group, village or hamlet"))
    program = forms.ChoiceField(label=_("Programme"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=_with_all(_("All statuses"), GroupStatus.choices), required=False
    )
    business_type = forms.ChoiceField(
        label=_("Business type"),
        choices=_with_all(_("All business types"), BusinessType.choices),
        required=False,
    )
    district = forms.ChoiceField(label=_("District"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["program"]).choices = program_choices(
            user, self.data.get("program", "") if self.is_bound else ""
        )
        prefix = user.jurisdiction
        if prefix:
            districts = District.objects.filter(within_q(prefix)).order_by("name").values_list("code", "name")
            cast(forms.ChoiceField, self.fields["district"]).choices = _with_all(
                _("All districts"), list(districts)
            )
        else:
            # A national view would list 7,285 districts; it filters by programme instead.
            del self.fields["district"]


class MemberFilterForm(BootstrapFormMixin, forms.Form):
    q = _search(_("Search name or NIK"))
    program = forms.ChoiceField(label=_("Programme"), required=False)
    verification = forms.ChoiceField(
        label=_("Verification"),
        choices=_with_all(_("Any verification"), Verification.choices),
        required=False,
    )
    category = forms.ChoiceField(
        label=_("Target category"),
        choices=_with_all(_("All categories"), TargetCategory.choices),
        required=False,
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=_with_all(_("Both sexes"), Sex.choices), required=False)
    warnings = forms.ChoiceField(
        label=_("Warnings"),
        choices=[("", _("With or without warnings")), ("open", _("Unresolved duplicate warnings"))],
        required=False,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["program"]).choices = program_choices(
            user, self.data.get("program", "") if self.is_bound else ""
        )


# A ministry sees thousands of programmes: the filter offers the newest ones (and the one chosen, wherever it
# falls), so the list page does not grow with the number of programmes.
PROGRAM_CHOICES_MAX = 200


def program_choices(user, chosen: object = "") -> list:
    qs = selectors.programs_for_filter(user=user)
    programs = list(qs[:PROGRAM_CHOICES_MAX])
    if chosen and all(p.code != chosen for p in programs):
        programs += list(qs.filter(code=str(chosen)[:40]))
    return _with_all(_("All programmes"), [(p.code, f"{p.code} — {p.name}") for p in programs])
