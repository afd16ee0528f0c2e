"""export_program: the programme dossier as JSON, personal numbers masked (the dossier leaves the office)."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.factories import GroupFactory, MembershipFactory, PersonFactory, make_nik
from tunas.programs.models import BudgetLine

pytestmark = pytest.mark.django_db

KNOWN_NIK = make_nik(district="51.05.03", sex="F", serial=4321)
KNOWN_KK = "5105030101180007"


def export(code: str) -> dict:
    out = StringIO()
    call_command("export_program", code, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_the_dossier_describes_the_programme_in_the_documented_shape(program):
    BudgetLine.objects.create(program=program, name="Bantuan alat", planned=60_000_000, position=0)
    BudgetLine.objects.create(program=program, name="Pelatihan", planned=20_000_000, position=1)
    data = export(program.code)
    assert set(data) >= {"program", "groups"}
    p = data["program"]
    assert set(p) >= {
        "code", "name", "fiscal_year", "funding_source", "office", "budget_total", "budget_lines",
        "group_size_min", "group_size_max", "aid_form", "aid_per_group", "status",
    }  # fmt: skip
    assert p["code"] == "KLK-TST-2026"
    assert p["fiscal_year"] == 2026
    assert p["funding_source"] == "apbn_bantuan"
    assert p["office"] == {
        "name": "Dinas Perindustrian dan Tenaga Kerja Kabupaten Klungkung",
        "region_code": "51.05",
    }
    assert p["budget_total"] == 100_000_000
    assert p["budget_lines"] == [
        {"name": "Bantuan alat", "planned": 60_000_000},
        {"name": "Pelatihan", "planned": 20_000_000},
    ]
    assert (p["group_size_min"], p["group_size_max"]) == (1, 20)
    assert (p["aid_form"], p["aid_per_group"]) == ("goods", 10_000_000)
    assert p["status"] == "registration"
    assert data["groups"] == []


def test_the_dossier_lists_groups_with_members_and_never_a_full_nik_or_kk(program):
    person = PersonFactory(nik=KNOWN_NIK, sex="F", full_name="Ni Luh Sukerti")
    group = GroupFactory(program=program, name="Kerajinan Lontar Besang")
    MembershipFactory(group=group, person=person, kk=KNOWN_KK)
    out = StringIO()
    call_command("export_program", program.code, "--json", stdout=out)
    text = out.getvalue()

    assert KNOWN_NIK not in text
    assert KNOWN_KK not in text
    data = json.loads(text)
    (exported,) = data["groups"]
    assert exported["name"] == "Kerajinan Lontar Besang"
    (member,) = exported["members"]
    assert member["name"] == "Ni Luh Sukerti"
    assert member["nik"] == "••••••••••••" + KNOWN_NIK[-4:]


def test_exporting_an_unknown_programme_fails_with_a_message():
    with pytest.raises(CommandError, match="NOPE-2026"):
        call_command("export_program", "NOPE-2026", "--json", stdout=StringIO())
