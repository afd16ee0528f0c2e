"""The migration that parts identity from registration keeps every registration's declared data."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("registry", "0001_initial")]
AFTER = [("registry", "0002_identity_and_registration")]


@pytest.mark.django_db(transaction=True)
def test_each_registration_takes_the_declared_data_and_the_first_office_owns_the_identity(bali_regions):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Office = old.get_model("accounts", "Office")
    Program = old.get_model("programs", "Program")
    Group = old.get_model("registry", "Group")
    Person = old.get_model("registry", "Person")
    Membership = old.get_model("registry", "Membership")
    klungkung = Office.objects.create(name="Klungkung", level="regency", region_code="51.05")
    gianyar = Office.objects.create(name="Gianyar", level="regency", region_code="51.04")

    def programme(office, code, year):
        return Program.objects.create(
            code=code, name=code, office=office, fiscal_year=year, funding_source="tp", budget_total=1
        )

    first = programme(klungkung, "KLK-2018", 2018)
    later = programme(gianyar, "GIA-2026", 2026)
    person = Person.objects.create(
        nik="5105031705800001",
        full_name="I Wayan Lama",
        name_key="i wayan lama",
        sex="M",
        birth_date=dt.date(1980, 5, 17),
        village_id="51.05.03.1008",
        kk="5105030101100001",
        phone="+6281234567890",
        street="Banjar Besang",
        categories=["penganggur"],
        income_before=500_000,
        consent_data=True,
    )
    for program in (later, first):
        group = Group.objects.create(
            program=program, name="G", business_type="kerajinan", village_id="51.05.03.1008"
        )
        Membership.objects.create(program=program, group=group, person=person)

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    registrations = list(new.get_model("registry", "Membership").objects.order_by("program__fiscal_year"))
    assert [
        (m.village_id, m.kk, m.phone, m.street, m.categories, m.income_before, m.consent_data)
        for m in registrations
    ] == [
        (
            "51.05.03.1008",
            "5105030101100001",
            "+6281234567890",
            "Banjar Besang",
            ["penganggur"],
            500_000,
            True,
        )
    ] * 2
    migrated = new.get_model("registry", "Person").objects.get(nik="5105031705800001")
    assert migrated.owner_office_id == klungkung.pk

    MigrationExecutor(connection).migrate(executor.loader.graph.leaf_nodes())
