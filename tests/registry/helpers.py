"""Registry test helpers: a person's registration data, and groups filled through the real services."""

from __future__ import annotations

import datetime as dt
import itertools

from tests.factories import GroupFactory, make_nik
from tunas.registry.services import PersonData, member_register

SEMARAPURA_KAJA = "51.05.03.1008"
SEMARAPURA_KANGIN = "51.05.03.1011"
PIKAT = "51.05.04.2010"
BATUBULAN_GIANYAR = "51.04.01.2001"

_names = itertools.count(1)
_serials = itertools.count(5000)


def person_data(**overrides) -> PersonData:
    """A valid registration: an unemployed man of 41 from Semarapura Kaja, unless told otherwise."""
    birth = overrides.pop("birth_date", dt.date(1985, 3, 12))
    sex = overrides.pop("sex", "M")
    district = overrides.pop("district", "51.05.03")
    nik = overrides.pop("nik", None) or make_nik(
        district=district, birth=birth, sex=sex, serial=next(_serials)
    )
    values = {
        "nik": nik,
        "full_name": f"I Made Contoh {next(_names)}",
        "sex": sex,
        "birth_date": birth,
        "village_id": SEMARAPURA_KAJA,
        "categories": ["penganggur"],
        "consent_data": True,
    }
    values.update(overrides)
    return PersonData(**values)


def group_with_members(program, n: int, *, by=None, **group_fields):
    """A group of ``program`` with ``n`` members registered through ``member_register``."""
    group = GroupFactory(program=program, **group_fields)
    members = [member_register(group=group, data=person_data(), by=by) for _ in range(n)]
    return group, members


def form_data(data: PersonData | None = None, **overrides) -> dict:
    """The POST body of the member form for ``data``."""
    data = data or person_data()
    body = {
        "nik": data.nik,
        "kk": data.kk,
        "full_name": data.full_name,
        "sex": data.sex,
        "birth_place": data.birth_place,
        "birth_date": data.birth_date.isoformat(),
        "village": data.village_id,
        "hamlet_name": "",
        "street": data.street,
        "phone": data.phone,
        "education": data.education,
        "disability": data.disability,
        "categories": list(data.categories),
        "employment_before": data.employment_before,
        "income_before": "" if data.income_before is None else str(data.income_before),
        "consent_data": "on" if data.consent_data else "",
        "role": "anggota",
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def english(client):
    """The client as a user who chose English with the language switcher (the pages default to Indonesian)."""
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client
