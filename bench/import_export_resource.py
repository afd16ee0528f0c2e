"""The same participant import written the way django-import-export is meant to be used.

One ModelResource on Person (looked up by NIK), with widgets that read the same formats as Tunas, the same
NIK and eligibility rules, and the membership created beside each person. To compare the libraries' row
machinery rather than the rules, the eligibility context is read once for the whole file in ``before_import``
(as Tunas does) instead of once per row.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from import_export import fields, resources, widgets

from tunas.core.nik import normalize_nik, parse_nik
from tunas.regions.models import Hamlet, Village
from tunas.regions.selectors import district_exists, within_q
from tunas.regions.services import hamlet_get_or_create, split_hamlet_name
from tunas.registry.eligibility import Candidate, EligibilityContext, check_candidate
from tunas.registry.importing import (
    HEADER_OF,
    ROLE_WORDS,
    category_choices,
    cell_text,
    disability_choices,
    education_choices,
    parse_date,
    parse_sex,
    parse_village,
    word_key,
)
from tunas.registry.models import Membership, Person, Role, name_key
from tunas.registry.rules import normalize_phone


class TextWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        return cell_text(value)


class NikWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        return normalize_nik(cell_text(value))


class SexWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        sex = parse_sex(cell_text(value))
        if sex is None:
            raise ValueError("sex")
        return sex


class BirthDateWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        day = parse_date(value)
        if day is None:
            raise ValueError("date_invalid")
        return day


class PhoneWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            return ""
        phone = normalize_phone(text)
        if not phone:
            raise ValueError("phone_invalid")
        return phone


class ChoiceWidget(widgets.Widget):
    def __init__(self, choices, **kwargs):
        super().__init__(**kwargs)
        self.choices = choices

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            return ""
        found = self.choices.get(text)
        if found is None:
            raise ValueError("value_invalid")
        return found


class CategoriesWidget(widgets.Widget):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.choices = category_choices()

    def clean(self, value, row=None, **kwargs):
        found = []
        for part in cell_text(value).replace(";", ",").split(","):
            if part.strip():
                key = self.choices.get(part)
                if key is None:
                    raise ValueError("value_invalid")
                found.append(key)
        return found


class VillageWidget(widgets.Widget):
    def __init__(self, resource, **kwargs):
        super().__init__(**kwargs)
        self.resource = resource

    def clean(self, value, row=None, **kwargs):
        kind, text = parse_village(value)
        code = text if kind == "code" and text in self.resource.village_codes else None
        if kind == "name":
            codes = self.resource.codes_by_name.get(text, [])
            code = codes[0] if len(codes) == 1 else None
        if code is None:
            raise ValueError("village_unknown")
        return code


class HamletWidget(widgets.Widget):
    def __init__(self, resource, **kwargs):
        super().__init__(**kwargs)
        self.resource = resource

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        kind, village_text = parse_village(row.get(HEADER_OF["village"]))
        if not text or kind != "code" or village_text not in self.resource.village_codes:
            return None
        key = (village_text, word_key(split_hamlet_name(text)[1]))
        if key not in self.resource.hamlets:
            hamlet, _created = hamlet_get_or_create(village=Village(code=village_text), text=text)
            self.resource.hamlets[key] = hamlet.pk
        return self.resource.hamlets[key]


class ParticipantResource(resources.ModelResource):
    def __init__(self, program, by=None):
        self.program = program
        self.by = by
        self.pending: list[Membership] = []
        super().__init__()
        self.fields["village_id"].widget = VillageWidget(self)
        self.fields["hamlet_id"].widget = HamletWidget(self)

    nik = fields.Field(attribute="nik", column_name=HEADER_OF["nik"], widget=NikWidget())
    kk = fields.Field(attribute="kk", column_name=HEADER_OF["kk"], widget=NikWidget())
    full_name = fields.Field(attribute="full_name", column_name=HEADER_OF["full_name"], widget=TextWidget())
    sex = fields.Field(attribute="sex", column_name=HEADER_OF["sex"], widget=SexWidget())
    birth_place = fields.Field(
        attribute="birth_place", column_name=HEADER_OF["birth_place"], widget=TextWidget()
    )
    birth_date = fields.Field(
        attribute="birth_date", column_name=HEADER_OF["birth_date"], widget=BirthDateWidget()
    )
    street = fields.Field(attribute="street", column_name=HEADER_OF["street"], widget=TextWidget())
    village_id = fields.Field(attribute="village_id", column_name=HEADER_OF["village"])
    hamlet_id = fields.Field(attribute="hamlet_id", column_name=HEADER_OF["hamlet"])
    phone = fields.Field(attribute="phone", column_name=HEADER_OF["phone"], widget=PhoneWidget())
    categories = fields.Field(
        attribute="categories", column_name=HEADER_OF["categories"], widget=CategoriesWidget()
    )
    disability = fields.Field(
        attribute="disability", column_name=HEADER_OF["disability"], widget=ChoiceWidget(disability_choices())
    )
    education = fields.Field(
        attribute="education", column_name=HEADER_OF["education"], widget=ChoiceWidget(education_choices())
    )

    class Meta:
        model = Person
        import_id_fields = ("nik",)
        fields = (
            "nik",
            "kk",
            "full_name",
            "sex",
            "birth_place",
            "birth_date",
            "street",
            "village_id",
            "hamlet_id",
            "phone",
            "categories",
            "disability",
            "education",
        )

    def before_import(self, dataset, **kwargs):
        prefix = self.program.office.region_code
        self.village_codes = set(Village.objects.values_list("code", flat=True))
        self.codes_by_name: dict[str, list[str]] = {}
        for name, code in Village.objects.filter(within_q(prefix)).values_list("name", "code"):
            self.codes_by_name.setdefault(word_key(name), []).append(code)
        self.hamlets = {
            (v, word_key(n)): pk for v, n, pk in Hamlet.objects.values_list("village_id", "name", "pk")
        }
        self.groups = {word_key(n): pk for pk, n in self.program.groups.values_list("pk", "name")}
        self.roles = {word_key(k): v for k, v in ROLE_WORDS.items()}
        candidates = []
        for values in dataset.dict:
            nik = normalize_nik(cell_text(values.get(HEADER_OF["nik"])))
            candidates.append(
                Candidate(
                    nik=nik,
                    full_name=cell_text(values.get(HEADER_OF["full_name"])),
                    birth_date=parse_date(values.get(HEADER_OF["birth_date"])),
                    phone=normalize_phone(cell_text(values.get(HEADER_OF["phone"]))) or None,
                )
            )
        self.context = EligibilityContext(self.program, candidates)
        self.seen: set[str] = set()

    def import_instance(self, instance, row, **kwargs):
        errors: dict[str, Any] = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        raw_nik = row.get(HEADER_OF["nik"])
        if isinstance(raw_nik, int | float) or not instance.full_name:
            errors.setdefault("nik", ValidationError("nik_format"))
        result = parse_nik(
            instance.nik,
            sex=instance.sex or None,
            birth_date=instance.birth_date,
            district_exists=district_exists,
        )
        if result.errors:
            errors.setdefault("nik", ValidationError(", ".join(result.errors)))
        if instance.nik in self.seen:
            errors.setdefault("nik", ValidationError("duplicate_in_file"))
        group_id = self.groups.get(word_key(cell_text(row.get(HEADER_OF["group"]))))
        role = (
            self.roles.get(word_key(cell_text(row.get(HEADER_OF["role"]))), Role.MEMBER)
            if row.get(HEADER_OF["role"])
            else Role.MEMBER
        )
        if group_id is None:
            errors.setdefault("group", ValidationError("group_unknown"))
        candidate = Candidate(
            nik=instance.nik,
            full_name=instance.full_name,
            birth_date=instance.birth_date,
            village_code=instance.village_id,
            categories=list(instance.categories or []),
            phone=instance.phone or None,
            group_id=group_id,
        )
        found, warnings = check_candidate(candidate, self.context)
        for problem in found:
            errors.setdefault(problem.field or "nik", ValidationError(problem.code))
        if errors:
            raise ValidationError(errors)
        instance.name_key = name_key(instance.full_name)
        instance._membership = (group_id, role, [{"code": w.code, "message": w.message} for w in warnings])
        self.seen.add(instance.nik)
        assert group_id is not None, "a row without its group raised above"
        self.context.take_place(group_id)

    def after_save_instance(self, instance, row, **kwargs):
        group_id, role, warnings = instance._membership
        membership = Membership(
            program=self.program, group_id=group_id, person=instance, role=role, warnings=warnings
        )
        if self._meta.use_bulk:
            self.pending.append(membership)
        else:
            membership.save()

    def after_import(self, dataset, result, **kwargs):
        if self.pending:
            Membership.objects.bulk_create(self.pending, batch_size=self._meta.batch_size)
            self.pending = []


class BulkParticipantResource(ParticipantResource):
    class Meta(ParticipantResource.Meta):
        use_bulk = True
