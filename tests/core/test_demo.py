"""load_demo: the Klungkung 2018 programme of the news report and a 2026 one, loaded any number of times."""

from __future__ import annotations

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from tunas.accounts.models import Office, User
from tunas.demo.loader import DEMO_PASSWORD
from tunas.programs.models import Program

pytestmark = pytest.mark.django_db

KLUNGKUNG = "Dinas Perindustrian dan Tenaga Kerja Kabupaten Klungkung"
DEMO_USERNAMES = ["admin", "operator", "verifikator", "instruktur", "pendamping", "pimpinan", "ketua"]


def load_demo() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    """Rows of every Tunas table, so a second load that adds anything anywhere is caught."""
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in {"accounts", "programs", "registry", "regions", "auth"}
    }


def test_loading_the_demo_twice_changes_nothing_the_second_time():
    load_demo()
    first = row_counts()
    assert first["programs.Program"] == 2
    load_demo()
    assert row_counts() == first


# One load serves the checks below: a load costs seconds (real Argon2 hashes, a hundred members).


def test_the_demo_holds_the_klungkung_office_one_user_per_role_and_a_gianyar_office():
    output = load_demo()
    klungkung = Office.objects.get(name=KLUNGKUNG)
    assert (klungkung.level, klungkung.region_code) == ("regency", "51.05")
    expected_roles = {
        "admin": {"admin", "officer"},
        "operator": {"officer"},
        "verifikator": {"verifier"},
        "instruktur": {"instructor"},
        "pendamping": {"mentor"},
        "pimpinan": {"viewer"},
        "ketua": {"group_rep"},
    }
    for username, roles in expected_roles.items():
        user = User.objects.get(username=username)
        assert user.office == klungkung
        assert user.roles == roles, username
        assert user.password.startswith("argon2")
        assert username in output
    gianyar_operator = User.objects.get(username="operator.gianyar")
    assert (gianyar_operator.office.level, gianyar_operator.office.region_code) == ("regency", "51.04")
    assert gianyar_operator.roles == {"officer"}

    response = Client().post(reverse("accounts:login"), {"username": "operator", "password": DEMO_PASSWORD})
    assert response.status_code == 302

    # The second office is there to show scoping: it sees none of Klungkung's programmes.
    client = Client()
    client.force_login(gianyar_operator)
    assert client.get(reverse("programs:list")).context["page"].total.value == 0
    assert client.get(reverse("programs:detail", args=["KLK-TKM-2018"])).status_code == 404

    report = Program.objects.get(code="KLK-TKM-2018")
    assert report.office == klungkung
    assert report.fiscal_year == 2018
    assert report.funding_source == "tp"
    assert report.group_size_max == 20
    assert report.aid_form == "goods"
    assert report.status == "closed"
    assert (report.training_start.isoformat(), report.training_end.isoformat()) == (
        "2018-09-04",
        "2018-09-06",
    )
    assert report.budget_planned <= report.budget_total

    current = Program.objects.get(code="KLK-TKM-2026")
    assert current.office == klungkung
    assert current.fiscal_year == 2026
    assert current.group_size_max == 10
    assert current.aid_form == "money"
    assert current.aid_per_group == 10_000_000
    assert current.status == "registration"
    assert current.budget_planned <= current.budget_total
