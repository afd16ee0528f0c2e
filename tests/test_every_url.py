"""Every URL, for every role and for an outsider from another regency: nobody sees or changes what is not
theirs, no page a restricted role sees shows a full NIK, a KK, an exact birth date or another office's
people, and no request ends in a server error."""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.conftest import login
from tests.factories import GroupFactory, ProgramFactory, UserFactory
from tunas.core.formatting import date_long
from tunas.registry import services
from tunas.registry.models import ImportJob, Membership

from .registry.helpers import BATUBULAN_GIANYAR, person_data
from .registry.test_import import participant, write_xlsx

pytestmark = pytest.mark.django_db

# Pages anyone may open without signing in.
PUBLIC = {
    "healthz",
    "set_language",
    "accounts:login",
    "accounts:logout",
    "accounts:password_reset",
    "accounts:password_reset_sent",
    "accounts:password_reset_confirm",
    "accounts:password_reset_done",
}


def _app_url_modules():
    """Each app's tests may add ``every_url.py``: ``PUBLIC`` (names open to anyone) and
    ``extend(world) -> {url name: kwargs}`` (creating what its URLs point at)."""
    import tests

    for info in pkgutil.iter_modules(tests.__path__):
        if info.ispkg:
            try:
                yield importlib.import_module(f"tests.{info.name}.every_url")
            except ModuleNotFoundError:
                continue


APP_URL_MODULES = list(_app_url_modules())
for _module in APP_URL_MODULES:
    PUBLIC |= set(getattr(_module, "PUBLIC", set()))

ROLES = ["admin_user", "officer", "verifier", "mentor", "viewer", "instructor", "group_rep"]
RESTRICTED = {"mentor", "viewer", "instructor", "group_rep"}


def url_names() -> list[str]:
    def walk(patterns, namespace=None):
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace == "admin":
                    continue
                yield from walk(p.url_patterns, p.namespace or namespace)
            elif isinstance(p, URLPattern) and p.name:
                yield f"{namespace}:{p.name}" if namespace else p.name

    return sorted(set(walk(get_resolver().url_patterns)))


@pytest.fixture
def world(program, officer, verifier, gianyar, tmp_path):
    group = GroupFactory(program=program, name="Lontar Besang")
    data = person_data(kk="5105030101100001", phone="+6281234567890", street="Jl. Rahasia 7")
    member = services.member_register(group=group, data=data, by=officer)
    sheet = write_xlsx(tmp_path / "peserta.xlsx", [participant(Kelompok="Lontar Besang")])
    upload = SimpleUploadedFile("peserta.xlsx", sheet.read_bytes())
    login(officer).post(reverse("registry:import_upload", args=[program.code]), {"file": upload})
    job = ImportJob.objects.get(program=program)  # checked inline: a small file waits for no worker
    other_program = ProgramFactory(office=gianyar, code="GIA-TKM-2026", aid_date=None)
    other = services.member_register(
        group=GroupFactory(program=other_program, village_id=BATUBULAN_GIANYAR, name="Ukir Gianyar"),
        data=person_data(
            full_name="Ni Wayan Gianyar Rahasia", village_id=BATUBULAN_GIANYAR, district="51.04.01"
        ),
    )
    kwargs = {
        "pk": {"group": group.pk, "member": member.pk, "job": job.pk, "user": officer.pk},
        "code": program.code,
        "village": "51.05.03.1008",
    }
    world = {
        "program": program,
        "group": group,
        "member": member,
        "job": job,
        "other": other,
        "kwargs": kwargs,
        "officer": officer,
        "gianyar_program": other_program,
    }
    world["by_name"] = {}
    # Texts of the Gianyar office's records (app modules add theirs) that no Klungkung page may show.
    world["foreign_texts"] = []
    for module in APP_URL_MODULES:
        world["by_name"].update(module.extend(world))
    return world


def url_for(name: str, world) -> str | None:
    k = world["kwargs"]
    by_name = {
        "accounts:password_reset_confirm": {"uidb64": "MQ", "token": "set-password"},
        "accounts:user_edit": {"pk": k["pk"]["user"]},
        "accounts:user_first_password": {"pk": k["pk"]["user"]},
        "regions:village": {"code": k["village"]},
        "regions:hamlet_add": {"code": k["village"]},
        "programs:detail": {"code": k["code"]},
        "programs:edit": {"code": k["code"]},
        "programs:advance": {"code": k["code"]},
        "programs:team": {"code": k["code"]},
        "programs:step_back": {"code": k["code"]},
        "programs:in_stage": {"stage": "registration"},
        "registry:group_create": {"code": k["code"]},
        "registry:selection_record_pdf": {"code": k["code"]},
        "registry:import_upload": {"code": k["code"]},
        "registry:import_template": {"code": k["code"]},
        "reports:download": {"code": "participants", "fmt": "xlsx"},
    }
    group_pages = {"group_detail", "group_edit", "member_add", "group_verify", "group_trail"}
    member_pages = {
        "member_detail",
        "member_edit",
        "member_remove",
        "member_verify",
        "member_warnings_resolve",
    }
    member_pages.add("member_trail")
    short = name.split(":")[-1]
    by_name.update(world["by_name"])
    if name in by_name:
        return reverse(name, kwargs=by_name[name])
    if name.startswith("registry:") and short in group_pages:
        return reverse(name, kwargs={"pk": k["pk"]["group"]})
    if name.startswith("registry:") and short in member_pages:
        return reverse(name, kwargs={"pk": k["pk"]["member"]})
    if name.startswith("registry:import_"):
        return reverse(name, kwargs={"code": k["code"], "pk": k["pk"]["job"]})
    if name.startswith("reports:export_"):
        return None  # an export job belongs to the user who asked for it: tests/reports cover it
    try:
        return reverse(name)
    except Exception:  # noqa: BLE001 - a URL with arguments this table does not know
        return "unknown"


def test_every_url_is_known_to_this_test(world):
    unknown = [name for name in url_names() if url_for(name, world) == "unknown"]
    assert unknown == [], "add these URLs to url_for"


def _secrets(world) -> list[str]:
    member = world["member"]
    person = member.person
    birth = person.birth_date
    return [
        person.nik,
        member.kk,
        member.phone,
        member.street,
        f"{birth:%d-%m-%Y}",
        f"{birth:%Y-%m-%d}",
        date_long(birth, "id"),
        date_long(birth, "en"),
    ]


def _gianyar_people(world) -> list[str]:
    other = world["other"]
    return [other.person.full_name, other.person.nik, "Ukir Gianyar", *world["foreign_texts"]]


@pytest.fixture
def instructor(klungkung):
    return UserFactory(username="instruktur", office=klungkung, roles=["instructor"])


@pytest.fixture
def group_rep(klungkung):
    return UserFactory(username="ketua", office=klungkung, roles=["group_rep"])


@pytest.mark.parametrize("role", ROLES)
def test_every_page_for_every_role_answers_without_error_and_hides_what_the_role_may_not_see(
    role, request, world
):
    client = login(request.getfixturevalue(role))
    for name in url_names():
        url = url_for(name, world)
        if url is None or name in {"accounts:logout", "set_language"}:
            continue
        response = client.get(url)
        assert response.status_code < 500, (name, response.status_code)
        if response.status_code != 200 or response.get("Content-Type", "").startswith(
            ("application/pdf", "application/vnd")
        ):
            continue
        page = response.content.decode() if not response.streaming else ""
        for text in _gianyar_people(world):
            assert text not in page, (name, "another office's people")
        if role in RESTRICTED:
            for secret in _secrets(world):
                assert secret not in page, (name, secret)


def test_an_anonymous_visitor_is_sent_to_sign_in_on_every_page_but_the_public_ones(world):
    client = Client()
    for name in url_names():
        url = url_for(name, world)
        if url is None or name in PUBLIC:
            continue
        response = client.get(url)
        assert response.status_code in (302, 405), (name, response.status_code)
        if response.status_code == 302:
            assert response["Location"].startswith(reverse("accounts:login")), name


def test_an_outsider_from_another_regency_sees_nothing_of_klungkung_on_any_url(gianyar, world):
    outsider = UserFactory(username="admin.gianyar", office=gianyar, roles=["admin", "officer", "verifier"])
    client = login(outsider)
    member = world["member"]
    for name in url_names():
        url = url_for(name, world)
        if url is None or name in {"accounts:logout", "set_language"}:
            continue
        response = client.get(url)
        assert response.status_code < 500, (name, response.status_code)
        object_url = any(str(v) in url for v in (world["program"].code, world["group"].pk, member.pk))
        if object_url and name not in {"accounts:user_edit"}:
            assert response.status_code in (403, 404, 405), (name, response.status_code)
        if response.status_code == 200 and not response.streaming:
            body = response.content
            assert member.person.nik.encode() not in body, name
            assert member.person.full_name.encode() not in body, name


def test_an_outsider_changes_nothing_by_posting_to_any_url(gianyar, world):
    outsider = UserFactory(username="admin.gianyar", office=gianyar, roles=["admin", "officer", "verifier"])
    client = login(outsider)
    member = world["member"]
    before = (member.person.full_name, member.verification, member.version, world["program"].status)
    posted = {
        "decision": "approve",
        "version": member.version,
        "full_name": "Diubah Dinas Lain",
        "name": "Diubah",
        "reason": "x",
    }
    for name in url_names():
        url = url_for(name, world)
        if url is None or name in {"accounts:logout", "set_language", "accounts:login"} | PUBLIC:
            continue
        response = client.post(url, posted)
        assert response.status_code < 500, (name, response.status_code)
    member = Membership.objects.select_related("person", "program").get(pk=member.pk)
    assert (member.person.full_name, member.verification, member.version, member.program.status) == before
    assert dt.date.today()  # the world is unchanged, whatever the date
