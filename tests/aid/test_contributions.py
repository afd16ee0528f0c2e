"""What the aid app adds to the programme and the home page: the check before mentoring, the dossier's aid
section, the home cards and the aid distribution report."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from tests.conftest import login
from tunas.aid import selectors, services
from tunas.programs.dossier import program_dossier
from tunas.programs.lifecycle import missing_for_next_stage
from tunas.registry.models import GroupStatus

from .factories import BOUGHT_DAY, HANDOVER_DAY, selected_group
from .images import pdf_bytes

pytestmark = pytest.mark.django_db


def record(program, line, group, by, *, sign=False, quantity=2):
    purchase = services.purchase_record(
        program=program,
        budget_line=line,
        name=f"Kukusan {group.name}",
        unit="unit",
        quantity=quantity,
        unit_price=1_500_000,
        supplier="UD Dapur",
        purchased_on=BOUGHT_DAY,
        by=by,
    )
    allocation = services.allocation_save(purchase=purchase, group=group, quantity=quantity, by=by)
    members = selectors.approved_members(group=group)
    handover = services.handover_save(
        group=group,
        handed_on=HANDOVER_DAY,
        place="Balai",
        official_name="Kadis",
        official_position="Kadis",
        receiver=members[0],
        witnesses=members[1:3],
        items=[services.ItemData(allocation, quantity, ["K-1"])],
        by=by,
    )
    if sign:
        handover = services.handover_sign(
            handover=handover,
            scan=SimpleUploadedFile("s.pdf", pdf_bytes()),
            expected_version=handover.version,
            by=by,
        )
    return handover


def test_the_programme_cannot_leave_the_aid_stage_before_every_selected_group_has_a_signed_handover(
    goods_program, line, group, officer
):
    other = selected_group(goods_program, name="Jajan Sengguan")
    selected_group(goods_program, name="Masih Dibentuk", status=GroupStatus.FORMING)
    record(goods_program, line, group, officer, sign=True)
    handover = record(goods_program, line, other, officer)
    missing = " ".join(missing_for_next_stage(goods_program))
    assert "Jajan Sengguan" in missing and "Lontar Besang" not in missing and "Masih Dibentuk" not in missing
    services.handover_sign(
        handover=handover,
        scan=SimpleUploadedFile("s.pdf", pdf_bytes()),
        expected_version=handover.version,
        by=officer,
    )
    assert not any("handover" in m or "serah" in m for m in missing_for_next_stage(goods_program))


def test_the_dossier_gives_each_group_its_handovers_with_items_and_total(goods_program, line, group, officer):
    handover = record(goods_program, line, group, officer, quantity=3)
    section = program_dossier(goods_program)["aid"]
    entry = next(g for g in section["groups"] if g["name"] == group.name)
    assert entry["handovers"] == [
        {
            "number": handover.number,
            "date": "2026-11-10",
            "place": "Balai",
            "receiver": handover.parties["receiver"]["name"],
            "witnesses": [w["name"] for w in handover.parties["witnesses"]],
            "signed": False,
            "items": [
                {
                    "name": f"Kukusan {group.name}",
                    "quantity": 3,
                    "unit": "unit",
                    "unit_price": 1_500_000,
                    "serial": "K-1",
                }
            ],
            "total": 4_500_000,
        }
    ]
    assert entry["transfers"] == [] and entry["accountability"] == []


def test_the_home_page_counts_the_handovers_waiting_for_their_signed_scan(
    goods_program, line, group, officer, outsider
):
    record(goods_program, line, group, officer)
    assert selectors.handovers_to_sign(user=officer).count() == 1
    assert selectors.handovers_to_sign(user=outsider).count() == 0
    page = login(officer).get(reverse("core:home")).content.decode()
    assert reverse("aid:handovers_unsigned") in page


def test_the_aid_distribution_report_lists_each_item_and_its_total_for_the_users_area(
    goods_program, line, group, officer, outsider
):
    handover = record(goods_program, line, group, officer, quantity=2)
    response = login(officer).get(reverse("reports:download", args=["aid_distribution", "xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert (
        rows[1][1] == group.name
        and rows[1][5] == 2
        and rows[1][8] == 3_000_000
        and rows[1][11] == handover.number
    )
    other = login(outsider).get(reverse("reports:download", args=["aid_distribution", "xlsx"]))
    assert len(list(load_workbook(io.BytesIO(other.content)).active.iter_rows())) == 1
