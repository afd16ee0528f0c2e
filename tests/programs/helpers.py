"""Form data for the programme pages, as a browser would post it."""

from __future__ import annotations

from django.test import Client

from tunas.programs.models import Program

DATE_FIELDS = list(Program.STAGE_DATE_FIELDS)


def english(client: Client) -> Client:
    client.cookies["tunas_language"] = "en"
    return client


def lines_data(lines: list[tuple[str, str]], *, initial: int = 0, extra: int = 2) -> dict:
    rows = [*lines, *[("", "")] * extra]
    data = {
        "lines-TOTAL_FORMS": str(len(rows)),
        "lines-INITIAL_FORMS": str(initial),
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "50",
    }
    for i, (name, planned) in enumerate(rows):
        data[f"lines-{i}-name"] = name
        data[f"lines-{i}-planned"] = planned
    return data


def new_program_data(**changes) -> dict:
    data = {
        "code": "KLK-TKM-2027",
        "name": "Pelatihan Wirausaha Baru melalui Pola Pendampingan Tahun 2027",
        "fiscal_year": "2027",
        "funding_source": "apbd_kab",
        "budget_total": "Rp 50.000.000",
        "group_size_min": "5",
        "group_size_max": "10",
        "aid_form": "money",
        "aid_per_group": "Rp 10.000.000",
        "min_age": "18",
        "max_age": "",
        "allowed_categories": ["penganggur", "lansia"],
        "aid_lookback_months": "12",
        "domicile_in_jurisdiction": "on",
        **{name: "" for name in DATE_FIELDS},
        "registration_start": "2027-03-01",
        "registration_end": "2027-03-31",
        **lines_data([("Bantuan uang usaha (4 kelompok)", "Rp 40.000.000"), ("Pelatihan", "8.000.000")]),
    }
    data.update(changes)
    return data


def edit_data(program: Program, **changes) -> dict:
    """What the edit form posts back unchanged, with ``changes`` applied on top."""
    lines = [(line.name, str(line.planned)) for line in program.budget_lines.all()]
    data = {
        "version": str(program.version),
        "code": program.code,
        "name": program.name,
        "fiscal_year": str(program.fiscal_year),
        "funding_source": program.funding_source,
        "budget_total": str(program.budget_total),
        "group_size_min": str(program.group_size_min),
        "group_size_max": str(program.group_size_max),
        "aid_form": program.aid_form,
        "aid_per_group": str(program.aid_per_group),
        "min_age": str(program.min_age),
        "max_age": "" if program.max_age is None else str(program.max_age),
        "allowed_categories": list(program.allowed_categories),
        "aid_lookback_months": str(program.aid_lookback_months),
        **({"domicile_in_jurisdiction": "on"} if program.domicile_in_jurisdiction else {}),
        **{
            name: (getattr(program, name).isoformat() if getattr(program, name) else "")
            for name in DATE_FIELDS
        },
        **lines_data(lines, initial=len(lines)),
    }
    data.update(changes)
    return data
