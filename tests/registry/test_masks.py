"""A masked NIK cannot be rebuilt from everything else a viewer sees and exports (UU 27/2022).

The hidden digits of a NIK are its region (which a village tells) and the birth date (+40 for women). A
viewer who sees the last four digits, the sex, the village and the exact birth date rebuilds the whole
number; with the age alone hundreds of numbers stay possible.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.conftest import login
from tunas.core.formatting import date_long
from tunas.registry.eligibility import age_on

from .helpers import english, group_with_members

pytestmark = pytest.mark.django_db


def _candidates(*, district: str, sex: str, age: int, on: dt.date, last4: str) -> set[str]:
    """Every NIK consistent with a district, a sex, an age on a day and the last four digits."""
    found = set()
    day = on - dt.timedelta(days=366 * (age + 1))
    while day <= on:
        if age_on(day, on) == age:
            dd = day.day + (40 if sex == "F" else 0)
            found.add(f"{district.replace('.', '')}{dd:02d}{day:%m%y}{last4}")
        day += dt.timedelta(days=1)
    return found


def test_no_nik_can_be_rebuilt_from_what_a_viewer_sees_and_exports(viewer, program):
    group, members = group_with_members(program, 6)
    client = english(login(viewer))
    seen = [client.get(reverse("registry:member_detail", args=[m.pk])).content.decode() for m in members]
    seen.append(client.get(reverse("registry:member_list")).content.decode())
    seen.append(client.get(reverse("registry:group_detail", args=[group.pk])).content.decode())
    export = client.get(reverse("registry:member_export"))
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    header, cells = rows[0], rows[1:]
    everything = "\n".join(seen) + "\n".join(" ".join(str(c) for c in row) for row in cells)
    for m in members:
        person = m.person
        assert person.nik not in everything
        # What a viewer can read: the last four digits, the sex, the district of the village, the age.
        row = dict(
            zip(
                header,
                next(r for r in cells if str(r[header.index("Full name")]) == person.full_name),
                strict=True,
            )
        )
        assert "Date of birth" not in row
        on = m.program.registration_end or dt.date.today()
        possible = _candidates(
            district=m.village_id[:8], sex=person.sex, age=row["Age"], on=on, last4=person.nik[-4:]
        )
        assert person.nik in possible
        assert len(possible) > 300, "the age must leave hundreds of possible numbers"
        written = (
            f"{person.birth_date:%d-%m-%Y}",
            f"{person.birth_date:%Y-%m-%d}",
            date_long(person.birth_date, "en"),
            date_long(person.birth_date, "id"),
        )
        for day_text in written:
            assert day_text not in everything


def test_a_viewer_cannot_sort_by_nik_nor_search_part_of_one(viewer, program):
    group, members = group_with_members(program, 3)
    client = login(viewer)
    url = reverse("registry:member_list")
    assert list(client.get(url, {"q": members[0].person.nik[:10]}).context["page"]) == []
    by_nik = [m.pk for m in client.get(url, {"sort": "nik"}).context["page"]]
    by_name = [m.pk for m in client.get(url, {"sort": "name"}).context["page"]]
    assert by_nik == by_name
