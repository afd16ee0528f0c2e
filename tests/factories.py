"""factory_boy factories and a NIK maker for tests."""

from __future__ import annotations

import datetime as dt
import itertools

import factory

from tunas.accounts.models import Office, User
from tunas.accounts.services import user_set_roles
from tunas.programs.models import AidForm, FundingSource, Program, Stage
from tunas.registry import counts
from tunas.registry.models import BusinessType, Group, Membership, Person, name_key

_serials = itertools.count(1)


def make_nik(
    *,
    district: str = "51.05.03",
    birth: dt.date = dt.date(1980, 5, 17),
    sex: str = "M",
    serial: int | None = None,
) -> str:
    """A structurally valid NIK for the district, birth date and sex (40 added to the day for women)."""
    day = birth.day + (40 if sex == "F" else 0)
    serial = serial if serial is not None else next(_serials) % 10000 or 1
    return f"{district.replace('.', '')}{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}"


class OfficeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Office
        django_get_or_create = ("name",)

    name = "Dinas Perindustrian dan Tenaga Kerja Kabupaten Klungkung"
    short_name = "Disperinaker Klungkung"
    level = Office.Level.REGENCY
    region_code = "51.05"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    office = factory.SubFactory(OfficeFactory)
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create:
            self.save()
            if extracted:
                user_set_roles(user=self, roles=list(extracted))


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program

    code = factory.Sequence(lambda n: f"TST-{n:04d}")
    name = factory.Sequence(lambda n: f"Programme {n}")
    office = factory.SubFactory(OfficeFactory)
    fiscal_year = 2026
    funding_source = FundingSource.APBN_BANTUAN
    budget_total = 100_000_000
    group_size_min = 1
    group_size_max = 20
    aid_form = AidForm.GOODS
    aid_per_group = 10_000_000
    status = Stage.REGISTRATION
    registration_start = dt.date(2026, 11, 1)
    aid_date = dt.date(2027, 2, 1)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    full_name = factory.Sequence(lambda n: f"I Wayan Test {n}")
    name_key = factory.LazyAttribute(lambda p: name_key(p.full_name))
    sex = "M"
    birth_date = dt.date(1980, 5, 17)
    nik = factory.LazyAttribute(lambda p: make_nik(birth=p.birth_date, sex=p.sex))


class _KeepsCounts:
    """Rows made by a factory bypass the services, so they recount as the services do (registry.counts)."""

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        obj = super()._create(model_class, *args, **kwargs)  # type: ignore[misc]
        counts.refresh(groups=[obj.pk if model_class is Group else obj.group_id])
        return obj


class GroupFactory(_KeepsCounts, factory.django.DjangoModelFactory):
    class Meta:
        model = Group

    program = factory.SubFactory(ProgramFactory)
    name = factory.Sequence(lambda n: f"Kelompok {n}")
    business_type = BusinessType.CRAFTS
    village_id = "51.05.03.1008"


class MembershipFactory(_KeepsCounts, factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    group = factory.SubFactory(GroupFactory)
    program = factory.LazyAttribute(lambda m: m.group.program)
    person = factory.SubFactory(PersonFactory)
    village_id = "51.05.03.1008"
    categories = ["penganggur"]
    consent_data = True
