"""Keyset pagination and bounded totals: every row once, in order, by seeking, never by OFFSET."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from tests.factories import GroupFactory
from tunas.core.pagination import bounded_total, decode_cursor, encode_cursor, keyset_page, list_page
from tunas.registry.models import Group

pytestmark = pytest.mark.django_db


@pytest.fixture
def groups(program):
    # Names repeat, so the key must break the ties.
    return [GroupFactory(program=program, name=f"Kelompok {i % 7:02d} {i:03d}") for i in range(53)]


def walk(qs, ordering, size):
    seen, cursor = [], None
    while True:
        page = keyset_page(qs, ordering=ordering, cursor=cursor, size=size)
        seen.extend(g.pk for g in page)
        if not page.has_next:
            return seen
        cursor = page.next_cursor


@pytest.mark.parametrize(
    "ordering", [("name",), ("-name",), ("business_type", "-name"), ("-member_count", "name")]
)
def test_following_next_visits_every_row_once_in_the_lists_order(groups, ordering):
    qs = Group.objects.all()
    expected = list(qs.order_by(*ordering, "pk").values_list("pk", flat=True))
    assert walk(qs, ordering, size=10) == expected


def test_previous_gives_back_the_page_before(groups):
    qs = Group.objects.all()
    first = keyset_page(qs, ordering=("name",), size=10)
    second = keyset_page(qs, ordering=("name",), cursor=first.next_cursor, size=10)
    back = keyset_page(qs, ordering=("name",), before=second.previous_cursor, size=10)
    assert [g.pk for g in back] == [g.pk for g in first]
    assert back.has_next and not back.has_previous and second.has_previous


def test_a_deep_page_is_a_seek_and_its_sql_has_no_offset(groups):
    qs = Group.objects.all()
    middle = list(qs.order_by("name", "pk"))[40]
    cursor = encode_cursor([middle.name, middle.pk])
    with CaptureQueriesContext(connection) as queries:
        page = keyset_page(qs, ordering=("name",), cursor=cursor, size=5)
    assert [g.pk for g in page] == list(qs.order_by("name", "pk").values_list("pk", flat=True))[41:46]
    # The page's keys on the narrow rows, then those rows whole: two queries, neither skipping rows.
    assert len(queries) == 2
    assert not any("OFFSET" in q["sql"].upper() for q in queries)


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "x",
        "!!!",
        "a" * 5000,
        encode_cursor(["only one value"]),
        encode_cursor([None, 1]),
        encode_cursor(["name", "not a number"]),
    ],
)
def test_a_cursor_that_cannot_be_read_gives_the_first_page_not_an_error(groups, cursor):
    page = keyset_page(Group.objects.all(), ordering=("name",), cursor=cursor, size=10)
    assert [g.pk for g in page] == list(Group.objects.order_by("name", "pk").values_list("pk", flat=True))[
        :10
    ]


def test_cursors_round_trip_dates_and_text_in_any_alphabet():
    import datetime as dt

    values = ["Ni Luh Sari ᬮᬸᬄ", dt.date(2018, 9, 4), 12]
    assert decode_cursor(encode_cursor(values), 3) == values


def test_a_jump_starts_the_list_at_the_first_name_from_those_letters(groups, program):
    GroupFactory(program=program, name="Mekar Sari")
    page = keyset_page(Group.objects.all(), ordering=("name",), jump="  me ", size=5)
    assert page.items[0].name == "Mekar Sari" and page.jumped == "Me" and page.has_previous


def test_the_total_is_exact_below_the_bound_and_says_more_than_above_it(groups):
    qs = Group.objects.all()
    with translation.override("en"):
        assert str(bounded_total(qs, exact_up_to=100)) == "53"
        assert bounded_total(qs, exact_up_to=100).exact
        if connection.vendor == "sqlite":
            assert str(bounded_total(qs, exact_up_to=20)) == "more than 20"
        else:
            assert str(bounded_total(qs, exact_up_to=20)).startswith("about ")


def test_the_total_reads_at_most_the_bound_plus_one_rows(groups):
    with CaptureQueriesContext(connection) as queries:
        bounded_total(Group.objects.all(), exact_up_to=20)
    assert "LIMIT 21" in queries[0]["sql"].upper()


def test_list_page_reads_after_before_and_jump_from_the_url(groups):
    request = RequestFactory().get("/", {"after": "garbage", "jump": ""})
    page = list_page(request, Group.objects.all(), ordering=("name",), size=10)
    assert len(page) == 10 and page.total.value == 53 and page.jumpable
