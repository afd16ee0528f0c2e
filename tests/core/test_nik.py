"""National ID (NIK) rules of DOMAIN.md: a table of known cases, properties, and the check_nik command."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import re
from importlib import resources
from io import StringIO

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tunas.core.nik import PROVINCE_CODES, mask_nik, normalize_nik, parse_nik

# A fixed "today" keeps the table stable: the two-digit year 26 is this century, 27 the last one.
TODAY = dt.date(2026, 6, 1)


def _lokal_codes(name: str) -> dict[str, str]:
    raw = resources.files("lokal").joinpath("data").joinpath(f"{name}.json.gz").read_bytes()
    return json.loads(gzip.decompress(raw))


_WILAYAH = _lokal_codes("wilayah")
DISTRICTS = sorted(code for code in _WILAYAH if code.count(".") == 2)
DISTRICT_SET = frozenset(DISTRICTS)


def known(code: str) -> bool:
    return code in DISTRICT_SET


def test_the_province_list_is_the_38_provinces_of_the_region_data():
    assert frozenset(code for code in _WILAYAH if "." not in code) == PROVINCE_CODES
    assert len(PROVINCE_CODES) == 38


# nik, expected errors, sex, birth date
VALID_AND_INVALID = [
    pytest.param("5105031705800001", [], "M", dt.date(1980, 5, 17), id="man born 17 May 1980"),
    pytest.param("5105035705800001", [], "F", dt.date(1980, 5, 17), id="woman: 40 added to the day"),
    pytest.param("5105030101000001", [], "M", dt.date(2000, 1, 1), id="first of January 2000"),
    pytest.param("5105032902000001", [], "M", dt.date(2000, 2, 29), id="29 February in a leap year"),
    pytest.param("5105036902960001", [], "F", dt.date(1996, 2, 29), id="woman born 29 February 1996"),
    pytest.param("5105032902010001", ["nik_date"], None, None, id="29 February in a non-leap year"),
    pytest.param("5105036902010001", ["nik_date"], None, None, id="woman, 29 February in a non-leap year"),
    pytest.param("5105033205800001", ["nik_date"], None, None, id="day 32"),
    pytest.param("5105034005800001", ["nik_date"], None, None, id="day 40"),
    pytest.param("5105034105800001", [], "F", dt.date(1980, 5, 1), id="day 41 is a woman born on the 1st"),
    pytest.param("5105037105800001", [], "F", dt.date(1980, 5, 31), id="day 71 is a woman born on the 31st"),
    pytest.param("5105037205800001", ["nik_date"], None, None, id="day 72"),
    pytest.param("5105030005800001", ["nik_date"], None, None, id="day 00"),
    pytest.param("5105033104800001", ["nik_date"], None, None, id="31 April"),
    pytest.param("5105037104800001", ["nik_date"], None, None, id="woman, 31 April"),
    pytest.param("5105031700800001", ["nik_date"], None, None, id="month 00"),
    pytest.param("5105031713800001", ["nik_date"], None, None, id="month 13"),
    pytest.param("5100031705800001", ["nik_format"], "M", dt.date(1980, 5, 17), id="regency 00"),
    pytest.param("5105001705800001", ["nik_format"], "M", dt.date(1980, 5, 17), id="district 00"),
    pytest.param(
        "2005031705800001", ["nik_province"], "M", dt.date(1980, 5, 17), id="province 20 does not exist"
    ),
    pytest.param("0005031705800001", ["nik_province"], "M", dt.date(1980, 5, 17), id="province 00"),
    pytest.param("9905031705800001", ["nik_province"], "M", dt.date(1980, 5, 17), id="province 99"),
    pytest.param("5105031705800000", ["nik_serial"], "M", dt.date(1980, 5, 17), id="serial 0000"),
    pytest.param("5105031705990001", [], "M", dt.date(1999, 5, 17), id="year 99 is 1999"),
    pytest.param("5105031705270001", [], "M", dt.date(1927, 5, 17), id="year above the current one is 1900s"),
    pytest.param("5105030106260001", [], "M", dt.date(2026, 6, 1), id="born today"),
    pytest.param("5105030206260001", ["nik_future"], None, None, id="born tomorrow"),
    pytest.param("5105031712260001", ["nik_future"], None, None, id="later this year"),
    pytest.param(
        "2000003213800000",
        ["nik_province", "nik_format", "nik_date", "nik_serial"],
        None,
        None,
        id="every part wrong at once",
    ),
]


@pytest.mark.parametrize(("nik", "errors", "sex", "birth_date"), VALID_AND_INVALID)
def test_nik_rules(nik, errors, sex, birth_date):
    result = parse_nik(nik, today=TODAY, district_exists=known)
    assert result.errors == errors
    assert result.valid is (not errors)
    assert result.sex == sex
    assert result.birth_date == birth_date


def test_a_valid_nik_names_its_district():
    result = parse_nik("5105031705800001", today=TODAY, district_exists=known)
    assert result.region == "51.05.03"
    assert result.warnings == []


@pytest.mark.parametrize("nik", ["2005031705800001", "5100031705800001", "5105001705800001"])
def test_no_region_is_given_for_an_impossible_prefix(nik):
    assert parse_nik(nik, today=TODAY).region is None


@pytest.mark.parametrize(
    ("nik", "detail"),
    [
        ("5100031705800001", "regency"),
        ("5105001705800001", "district"),
        ("510503170580001", "digits:15"),
        ("51050317058O0001", "letter"),
    ],
)
def test_format_errors_say_which_part_is_wrong(nik, detail):
    assert parse_nik(nik, today=TODAY).details["nik_format"] == detail


@pytest.mark.parametrize(("nik", "detail"), [("5105031713800001", "month"), ("5105033205800001", "day")])
def test_date_errors_say_whether_the_day_or_the_month_is_wrong(nik, detail):
    assert parse_nik(nik, today=TODAY).details["nik_date"] == detail


def test_an_unknown_district_is_a_warning_not_an_error():
    # 51.05.99 is not a district of Klungkung; old codes survive region splits, so the NIK stays valid.
    result = parse_nik("5105991705800001", today=TODAY, district_exists=known)
    assert result.valid
    assert result.errors == []
    assert result.warnings == ["nik_region_unknown"]
    assert result.region == "51.05.99"


@pytest.mark.parametrize(
    "typed",
    [
        "51.05.03 170580 0001",
        "5105-0317-0580-0001",
        "51 05 03 17 05 80 0001",
        " 5105031705800001 ",
        "51.05.03.170580.0001",
        "5105031705800001\t",
    ],
)
def test_spaces_dots_and_dashes_inside_a_nik_are_ignored(typed):
    result = parse_nik(typed, today=TODAY, district_exists=known)
    assert result.valid, result.errors
    assert result.nik == "5105031705800001"
    assert result.input == typed


@pytest.mark.parametrize(
    "typed",
    [
        pytest.param("510503170580001", id="15 digits"),
        pytest.param("51050317058000011", id="17 digits"),
        pytest.param("51050317058O0001", id="a letter O for a zero"),
        pytest.param("5105031705800001a", id="a trailing letter"),
        pytest.param("5105/0317/0580/0001", id="slashes"),
        pytest.param("", id="empty"),
        pytest.param(None, id="nothing"),
        pytest.param("５１０５０３１７０５８０００１", id="full-width digits"),
        pytest.param(5.105031705800001e15, id="a spreadsheet number"),
    ],
)
def test_anything_but_16_digits_is_a_format_error(typed):
    result = parse_nik(typed, today=TODAY)
    assert result.errors == ["nik_format"]
    assert not result.valid
    assert result.sex is None and result.birth_date is None and result.region is None


def test_a_nik_given_as_an_integer_is_read_as_its_digits():
    assert parse_nik(5105031705800001, today=TODAY).valid


def test_the_entered_sex_must_agree_with_the_nik():
    assert parse_nik("5105031705800001", sex="M", today=TODAY).valid
    result = parse_nik("5105031705800001", sex="F", today=TODAY)
    assert result.errors == ["nik_sex_mismatch"]
    result = parse_nik("5105035705800001", sex="M", today=TODAY)
    assert result.errors == ["nik_sex_mismatch"]


def test_the_entered_birth_date_must_agree_with_the_nik():
    assert parse_nik("5105031705800001", birth_date=dt.date(1980, 5, 17), today=TODAY).valid
    result = parse_nik("5105031705800001", birth_date=dt.date(1980, 5, 18), today=TODAY)
    assert result.errors == ["nik_birthdate_mismatch"]
    # Same day and month a century apart is still a different person's date.
    result = parse_nik("5105031705800001", birth_date=dt.date(2080, 5, 17), today=TODAY)
    assert result.errors == ["nik_birthdate_mismatch"]


def test_both_mismatches_are_reported_together():
    result = parse_nik("5105031705800001", sex="F", birth_date=dt.date(1981, 5, 17), today=TODAY)
    assert result.errors == ["nik_sex_mismatch", "nik_birthdate_mismatch"]


def test_without_a_given_today_the_current_date_decides_the_century_and_the_future():
    today = dt.date.today()
    yy = today.year % 100
    next_year = f"0101{(yy + 1) % 100:02d}"
    this_year = f"0101{yy:02d}"
    assert parse_nik(f"510503{this_year}0001").birth_date == dt.date(today.year, 1, 1)
    assert parse_nik(f"510503{next_year}0001").birth_date == dt.date(1900 + (yy + 1) % 100, 1, 1)


@pytest.mark.parametrize(
    ("nik", "masked"),
    [
        ("5105031705800001", "••••••••••••0001"),
        ("51.05.03 170580 0001", "••••••••••••0001"),
        ("", ""),
        (None, ""),
        ("1234", "••••"),
    ],
)
def test_masking_keeps_only_the_regency_and_the_serial(nik, masked):
    assert mask_nik(nik) == masked


# ---- Properties -------------------------------------------------------------------------------------------

# Two-digit years map to 19YY when above this year's two digits, so the representable span is the
# hundred years ending today.
REAL_TODAY = dt.date.today()
EARLIEST = dt.date(1900 + REAL_TODAY.year % 100 + 1, 1, 1)

birth_dates = st.dates(min_value=EARLIEST, max_value=REAL_TODAY)
sexes = st.sampled_from(["M", "F"])
serials = st.integers(min_value=1, max_value=9999)
districts = st.sampled_from(DISTRICTS)


def build_nik(district: str, birth: dt.date, sex: str, serial: int) -> str:
    day = birth.day + (40 if sex == "F" else 0)
    return f"{district.replace('.', '')}{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}"


@given(district=districts, birth=birth_dates, sex=sexes, serial=serials)
@settings(max_examples=300, deadline=None)
def test_every_nik_built_from_a_real_district_date_sex_and_serial_is_valid(district, birth, sex, serial):
    nik = build_nik(district, birth, sex, serial)
    result = parse_nik(nik, sex=sex, birth_date=birth, today=REAL_TODAY, district_exists=known)
    assert result.valid, (nik, result.errors)
    assert result.errors == [] and result.warnings == []
    assert result.sex == sex
    assert result.birth_date == birth
    assert result.region == district


@given(district=districts, birth=birth_dates, serial=serials)
@settings(deadline=None)
def test_adding_40_to_the_day_turns_a_man_into_a_woman_born_the_same_day(district, birth, serial):
    man = parse_nik(build_nik(district, birth, "M", serial), today=REAL_TODAY)
    digits = man.nik
    assert digits is not None
    woman = parse_nik(f"{digits[:6]}{int(digits[6:8]) + 40:02d}{digits[8:]}", today=REAL_TODAY)
    assert (man.sex, woman.sex) == ("M", "F")
    assert man.birth_date == woman.birth_date == birth


SEPARATORS = st.sampled_from([" ", ".", "-", "  ", " - "])


@given(district=districts, birth=birth_dates, sex=sexes, serial=serials, data=st.data())
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_separators_anywhere_do_not_change_the_result(district, birth, sex, serial, data):
    nik = build_nik(district, birth, sex, serial)
    cuts = sorted(data.draw(st.sets(st.integers(min_value=1, max_value=15), max_size=6)))
    typed, start = "", 0
    for cut in cuts:
        typed += nik[start:cut] + data.draw(SEPARATORS)
        start = cut
    typed += nik[start:]
    plain = parse_nik(nik, today=REAL_TODAY, district_exists=known)
    spaced = parse_nik(typed, today=REAL_TODAY, district_exists=known)
    assert (spaced.valid, spaced.errors, spaced.sex, spaced.birth_date, spaced.region) == (
        plain.valid,
        plain.errors,
        plain.sex,
        plain.birth_date,
        plain.region,
    )


def _not_16_digits(text: str) -> bool:
    return re.fullmatch(r"[0-9]{16}", normalize_nik(text)) is None


@given(text=st.text(max_size=40))
@settings(deadline=None)
def test_any_text_that_is_not_16_digits_after_removing_separators_is_a_format_error(text):
    assume(_not_16_digits(text))
    result = parse_nik(text, today=REAL_TODAY)
    assert result.errors == ["nik_format"]
    assert not result.valid


@given(text=st.text(alphabet="0123456789 .-", max_size=30))
@settings(deadline=None)
def test_digit_strings_of_the_wrong_length_are_format_errors(text):
    assume(len(normalize_nik(text)) != 16)
    assert parse_nik(text, today=REAL_TODAY).errors == ["nik_format"]


@given(digits=st.text(alphabet="0123456789", min_size=16, max_size=16))
@settings(deadline=None)
def test_any_16_digits_give_a_result_whose_validity_matches_its_errors(digits):
    result = parse_nik(digits, today=REAL_TODAY, district_exists=known)
    assert result.valid is (result.errors == [])
    assert "nik_format" not in result.errors or digits[2:4] == "00" or digits[4:6] == "00"
    if result.valid:
        assert result.birth_date is not None and result.birth_date <= REAL_TODAY
        assert result.sex == ("F" if int(digits[6:8]) > 40 else "M")
        assert mask_nik(digits) == "•" * 12 + digits[-4:]


# ---- The command ------------------------------------------------------------------------------------------

JSON_KEYS = ["input", "valid", "errors", "warnings", "sex", "birth_date", "region"]


def check_nik(*args: str) -> list[dict]:
    out = StringIO()
    call_command("check_nik", *args, "--json", stdout=out)
    lines = out.getvalue().splitlines()
    return [json.loads(line) for line in lines]


@pytest.mark.django_db
def test_check_nik_prints_one_json_object_per_nik_with_exactly_the_documented_keys():
    rows = check_nik("5105031705800001", "5105035705800001", "12345")
    assert len(rows) == 3
    for row in rows:
        assert list(row) == JSON_KEYS
        assert isinstance(row["valid"], bool)
        assert isinstance(row["errors"], list) and isinstance(row["warnings"], list)
        assert row["sex"] in ("M", "F", None)
        assert row["birth_date"] is None or re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["birth_date"])
        assert row["region"] is None or re.fullmatch(r"\d{2}\.\d{2}\.\d{2}", row["region"])
    assert rows[0] == {
        "input": "5105031705800001",
        "valid": True,
        "errors": [],
        "warnings": [],
        "sex": "M",
        "birth_date": "1980-05-17",
        "region": "51.05.03",
    }
    assert rows[1]["sex"] == "F" and rows[1]["birth_date"] == "1980-05-17"
    assert rows[2] == {
        "input": "12345",
        "valid": False,
        "errors": ["nik_format"],
        "warnings": [],
        "sex": None,
        "birth_date": None,
        "region": None,
    }


@pytest.mark.django_db
def test_check_nik_warns_about_a_district_missing_from_the_regions_table():
    (row,) = check_nik("5105991705800001")
    assert row["valid"] is True
    assert row["warnings"] == ["nik_region_unknown"]
    (row,) = check_nik("5105041705800001")  # Dawan, a real district
    assert row["warnings"] == []


@pytest.mark.django_db
def test_check_nik_keeps_what_was_typed_as_the_input():
    (row,) = check_nik("51.05.03 170580 0001")
    assert row["input"] == "51.05.03 170580 0001"
    assert row["valid"] is True


@pytest.mark.django_db
def test_check_nik_compares_a_given_sex_and_birth_date():
    (row,) = check_nik("5105031705800001", "--sex", "F", "--birth-date", "1980-05-18")
    assert row["errors"] == ["nik_sex_mismatch", "nik_birthdate_mismatch"]
    (row,) = check_nik("5105031705800001", "--sex", "M", "--birth-date", "1980-05-17")
    assert row["valid"] is True


@pytest.mark.django_db
def test_check_nik_without_json_names_each_problem_in_words():
    out = StringIO()
    call_command("check_nik", "5105031705800000", stdout=out)
    text = out.getvalue()
    assert "5105031705800000: ERROR" in text
    assert "nik_serial:" in text
