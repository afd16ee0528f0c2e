"""Money, counts, percentages and dates as Indonesian offices write them, and as English readers expect."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from tunas.core import formatting

MONTHS_ID = [
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
]  # fmt: skip
MONTHS_EN = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]  # fmt: skip


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1_250_000, "Rp 1.250.000"),
        (0, "Rp 0"),
        (999, "Rp 999"),
        (1_000, "Rp 1.000"),
        (10_000_000, "Rp 10.000.000"),
        (160_000_000_000, "Rp 160.000.000.000"),
        (-5_000, "-Rp 5.000"),
        (Decimal("1250000.00"), "Rp 1.250.000"),
        (Decimal("1249999.50"), "Rp 1.250.000"),
        ("1250000", "Rp 1.250.000"),
        (None, "—"),
        ("", "—"),
        ("not a number", "not a number"),
    ],
)
def test_rupiah_is_written_with_dots_between_thousands_in_both_languages(value, expected):
    assert formatting.rupiah(value) == expected
    with translation.override("en"):
        assert formatting.rupiah(value) == expected


@pytest.mark.parametrize(
    ("value", "indonesian", "english"),
    [
        (12_500, "12.500", "12,500"),
        (0, "0", "0"),
        (999, "999", "999"),
        (1_000_000, "1.000.000", "1,000,000"),
        (-12_500, "-12.500", "-12,500"),
        (2.5, "3", "3"),
        (None, "—", "—"),
    ],
)
def test_counts_group_thousands_with_the_languages_separator(value, indonesian, english):
    assert formatting.number(value, "id") == indonesian
    assert formatting.number(value, "en") == english


@pytest.mark.parametrize(
    ("value", "indonesian", "english"),
    [
        (12.5, "12,5%", "12.5%"),
        (12.25, "12,3%", "12.3%"),
        (0.05, "0,1%", "0.1%"),
        (100, "100,0%", "100.0%"),
        (Decimal("33.333"), "33,3%", "33.3%"),
        (66.66, "66,7%", "66.7%"),
        (-0.04, "0,0%", "0.0%"),
        (None, "—", "—"),
    ],
)
def test_percentages_have_one_decimal_rounded_half_up(value, indonesian, english):
    assert formatting.percent(value, "id") == indonesian
    assert formatting.percent(value, "en") == english


@pytest.mark.parametrize("month", range(1, 13))
def test_dates_use_the_month_names_of_the_language(month):
    day = dt.date(2018, month, 4)
    assert formatting.date_long(day, "id") == f"4 {MONTHS_ID[month - 1]} 2018"
    assert formatting.date_long(day, "en") == f"4 {MONTHS_EN[month - 1]} 2018"


def test_dates_follow_the_active_language_when_none_is_given():
    day = dt.date(2018, 8, 17)
    with translation.override("id"):
        assert formatting.date_long(day) == "17 Agustus 2018"
    with translation.override("en"):
        assert formatting.date_long(day) == "17 August 2018"


def test_aware_datetimes_are_shown_in_wita():
    # 01:30 UTC is 09:30 in Bali (UTC+8), the time the training opened.
    moment = dt.datetime(2018, 9, 4, 1, 30, tzinfo=dt.UTC)
    assert formatting.date_long(moment, "id") == "4 September 2018"
    assert formatting.datetime_long(moment, "id") == "4 September 2018 09.30"
    assert formatting.datetime_long(moment, "en") == "4 September 2018 09:30"


def test_an_evening_in_utc_is_already_the_next_day_in_wita():
    moment = dt.datetime(2018, 9, 3, 17, 0, tzinfo=dt.UTC)
    assert formatting.date_long(moment, "id") == "4 September 2018"


@pytest.mark.parametrize(
    ("duration", "expected"),
    [
        (dt.timedelta(minutes=15), 15),
        (dt.timedelta(minutes=14, seconds=30), 15),
        (dt.timedelta(seconds=1), 1),
        (dt.timedelta(0), 0),
        (dt.timedelta(hours=1), 60),
        (None, 0),
    ],
)
def test_waiting_times_are_whole_minutes_rounded_up(duration, expected):
    assert formatting.minutes(duration) == expected


def test_missing_dates_show_a_dash():
    assert formatting.date_long(None) == "—"
    assert formatting.datetime_long(None) == "—"


@pytest.mark.parametrize(
    ("template", "context", "indonesian", "english"),
    [
        ("{{ v|rupiah }}", {"v": 1_250_000}, "Rp 1.250.000", "Rp 1.250.000"),
        ("{{ v|angka }}", {"v": 12_500}, "12.500", "12,500"),
        ("{{ v|persen }}", {"v": 12.5}, "12,5%", "12.5%"),
        ("{{ v|tanggal }}", {"v": dt.date(2018, 9, 4)}, "4 September 2018", "4 September 2018"),
        ("{{ v|tanggal }}", {"v": dt.date(2018, 12, 1)}, "1 Desember 2018", "1 December 2018"),
        ("{{ v|nik_masked }}", {"v": "5105031705800001"}, "••••••••••••0001", "••••••••••••0001"),
        ("{{ v|rupiah }}", {"v": "abc"}, "abc", "abc"),
    ],
)
def test_template_filters_format_in_the_active_language(template, context, indonesian, english):
    # The filters are builtins (settings.TEMPLATES), so templates use them without {% load %}.
    with translation.override("id"):
        assert Template(template).render(Context(context)) == indonesian
    with translation.override("en"):
        assert Template(template).render(Context(context)) == english


@pytest.mark.parametrize(
    ("stored", "shown"),
    [("+6281238451120", "0812-3845-1120"), ("+62812345678", "0812-3456-78"), ("", ""), (None, "")],
)
def test_phones_are_shown_as_people_dial_them(stored, shown):
    from tunas.core.formatting import phone

    assert phone(stored) == shown
