"""Goods and handovers through the services: what is bought is a spending entry, what is allocated stays
within what was bought, what is handed over within what was allocated, and a signed record is locked."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import GroupFactory
from tunas.aid import selectors, services
from tunas.aid.models import Asset, Handover, HandoverItem
from tunas.core.errors import ConflictError
from tunas.programs.models import BudgetLine, Spending
from tunas.registry.models import GroupStatus

from .factories import BOUGHT_DAY, HANDOVER_DAY, aid_program, selected_group
from .images import jpeg_bytes, pdf_bytes

pytestmark = pytest.mark.django_db


def codes(exc: ValidationError) -> set[str]:
    if hasattr(exc, "error_dict"):
        return {e.code for errors in exc.error_dict.values() for e in errors}
    return {e.code for e in exc.error_list}


def fields(exc: ValidationError) -> set[str]:
    return set(exc.error_dict) if hasattr(exc, "error_dict") else set()


def buy(program, line, by, *, quantity=10, price=350_000, name="Pisau pengutik lontar", day=BOUGHT_DAY):
    return services.purchase_record(
        program=program,
        budget_line=line,
        name=name,
        unit="buah",
        quantity=quantity,
        unit_price=price,
        supplier="UD Sinar",
        purchased_on=day,
        by=by,
    )


def hand_over(group, items, by, **overrides):
    members = selectors.approved_members(group=group)
    values = {
        "group": group,
        "handed_on": HANDOVER_DAY,
        "place": "Balai Banjar Besang",
        "official_name": "I Made Sudiarta, S.E., M.M.",
        "official_nip": "196804121994031007",
        "official_position": "Kepala Dinas",
        "receiver": members[0],
        "witnesses": members[1:3],
        "items": items,
        "by": by,
    }
    values.update(overrides)
    return services.handover_save(**values)


def test_a_purchase_is_one_spending_entry_on_its_line_for_quantity_times_price(goods_program, line, officer):
    purchase = buy(goods_program, line, officer, quantity=10, price=350_000)
    spending = Spending.objects.get()
    assert (spending.amount, spending.budget_line, spending.source) == (
        3_500_000,
        line,
        f"aid.purchase:{purchase.pk}",
    )
    assert purchase.spending == spending


def test_a_purchase_past_the_lines_plan_is_refused_and_leaves_nothing(goods_program, line, officer):
    with pytest.raises(ValidationError) as exc:
        buy(goods_program, line, officer, quantity=200, price=350_000)
    assert "budget_exceeded" in codes(exc.value)
    assert not goods_program.aid_purchases.exists() and not Spending.objects.exists()


def test_a_purchase_on_another_programmes_line_is_refused_beside_the_line(goods_program, klungkung, officer):
    other = aid_program(klungkung, code="KLK-LAIN-2026")
    with pytest.raises(ValidationError) as exc:
        buy(goods_program, other.budget_lines.get(), officer)
    assert fields(exc.value) == {"budget_line"} and codes(exc.value) == {"budget_line_foreign"}


@pytest.mark.parametrize(
    ("quantity", "price", "field"), [(0, 1000, "quantity"), (1, 0, "unit_price"), (-2, 5, "quantity")]
)
def test_a_zero_or_negative_quantity_or_price_is_refused_beside_its_field(
    goods_program, line, officer, quantity, price, field
):
    with pytest.raises(ValidationError) as exc:
        buy(goods_program, line, officer, quantity=quantity, price=price)
    assert fields(exc.value) == {field}


def test_an_officer_of_another_regency_cannot_record_a_purchase(goods_program, line, outsider):
    with pytest.raises(PermissionDenied):
        buy(goods_program, line, outsider)


def test_allocating_more_units_than_were_bought_is_refused_with_what_is_left(
    goods_program, line, group, officer
):
    purchase = buy(goods_program, line, officer, quantity=10)
    other = selected_group(goods_program, name="Jajan Sengguan")
    services.allocation_save(purchase=purchase, group=other, quantity=7, by=officer)
    with pytest.raises(ValidationError) as exc:
        services.allocation_save(purchase=purchase, group=group, quantity=4, by=officer)
    assert codes(exc.value) == {"quantity_over_purchase"}
    assert "3" in str(exc.value)


def test_allocating_to_a_group_that_did_not_pass_selection_is_refused(goods_program, line, officer):
    purchase = buy(goods_program, line, officer)
    forming = GroupFactory(program=goods_program, status=GroupStatus.FORMING)
    with pytest.raises(ValidationError) as exc:
        services.allocation_save(purchase=purchase, group=forming, quantity=1, by=officer)
    assert codes(exc.value) == {"aid_group_not_selected"}


def test_an_allocation_past_the_aid_per_group_is_kept_with_a_warning_giving_the_sum(
    goods_program, line, group, officer
):
    purchase = buy(goods_program, line, officer, quantity=30, price=400_000)  # 12.000.000 > 10.000.000
    allocation = services.allocation_save(purchase=purchase, group=group, quantity=30, by=officer)
    assert allocation.pk
    assert len(allocation.warnings) == 1
    assert "Rp 12.000.000" in allocation.warnings[0] and "Rp 10.000.000" in allocation.warnings[0]


def test_an_allocation_within_the_aid_per_group_has_no_warning(goods_program, line, group, officer):
    purchase = buy(goods_program, line, officer, quantity=25, price=400_000)
    assert services.allocation_save(purchase=purchase, group=group, quantity=25, by=officer).warnings == []


def test_a_handover_takes_its_number_from_the_offices_pattern_and_keeps_the_items_prices(
    goods_program, line, group, officer
):
    purchase = buy(goods_program, line, officer, quantity=10)
    allocation = services.allocation_save(purchase=purchase, group=group, quantity=10, by=officer)
    handover = hand_over(group, [services.ItemData(allocation, 6, ["A1", "A2"])], officer)
    assert handover.number == "001/BAST/DISPERINAKER/XI/2026"
    item = handover.items.get()
    assert (item.name, item.quantity, item.unit_price, item.serials) == (
        "Pisau pengutik lontar",
        6,
        350_000,
        ["A1", "A2"],
    )


def test_an_offices_own_pattern_numbers_its_handovers_after_its_other_documents(
    goods_program, line, group, officer, admin_user
):
    services.aid_settings_save(
        office=goods_program.office,
        handover_number_pattern="{seq}/BAST/{office_code}/{month_roman}/{year}",
        by=admin_user,
    )
    goods_program.office.office_code = "DISPERINAKER"
    goods_program.office.save()
    from tunas.programs.models import DocumentCounter

    DocumentCounter.objects.create(office=goods_program.office, year=2026, last=26)
    allocation = services.allocation_save(
        purchase=buy(goods_program, line, officer), group=group, quantity=1, by=officer
    )
    handover = hand_over(group, [services.ItemData(allocation, 1)], officer)
    assert handover.number == "027/BAST/DISPERINAKER/XI/2026"


def test_a_pattern_without_a_running_number_is_refused(goods_program, admin_user):
    with pytest.raises(ValidationError) as exc:
        services.aid_settings_save(
            office=goods_program.office, handover_number_pattern="BAST/{year}", by=admin_user
        )
    assert codes(exc.value) == {"number_pattern_invalid"}


def test_handing_over_more_than_was_allocated_is_refused(goods_program, line, group, officer):
    allocation = services.allocation_save(
        purchase=buy(goods_program, line, officer), group=group, quantity=4, by=officer
    )
    hand_over(group, [services.ItemData(allocation, 3)], officer)
    with pytest.raises(ValidationError) as exc:
        hand_over(group, [services.ItemData(allocation, 2)], officer)
    assert codes(exc.value) == {"quantity_over_allocation"}
    assert Handover.objects.count() == 1


def test_a_handover_dated_before_the_purchase_is_refused_beside_the_date(goods_program, line, group, officer):
    allocation = services.allocation_save(
        purchase=buy(goods_program, line, officer, day=dt.date(2026, 11, 20)),
        group=group,
        quantity=1,
        by=officer,
    )
    with pytest.raises(ValidationError) as exc:
        hand_over(group, [services.ItemData(allocation, 1)], officer, handed_on=dt.date(2026, 11, 19))
    assert fields(exc.value) == {"handed_on"} and codes(exc.value) == {"handover_before_purchase"}


def test_a_handover_outside_the_fiscal_year_needs_a_reason(goods_program, line, group, officer):
    allocation = services.allocation_save(
        purchase=buy(goods_program, line, officer, day=dt.date(2025, 12, 1)),
        group=group,
        quantity=1,
        by=officer,
    )
    items = [services.ItemData(allocation, 1)]
    with pytest.raises(ValidationError) as exc:
        hand_over(group, items, officer, handed_on=dt.date(2025, 12, 20))
    assert fields(exc.value) == {"date_reason"} and codes(exc.value) == {"handover_outside_year"}
    handover = hand_over(
        group,
        items,
        officer,
        handed_on=dt.date(2025, 12, 20),
        date_reason="Barang tiba lebih awal dari jadwal",
    )
    assert handover.date_reason


def test_the_receiver_and_witnesses_must_be_verified_members_of_the_group(
    goods_program, line, group, officer
):
    allocation = services.allocation_save(
        purchase=buy(goods_program, line, officer), group=group, quantity=1, by=officer
    )
    stranger = selectors.approved_members(group=selected_group(goods_program, name="Lain"))[0]
    members = selectors.approved_members(group=group)
    with pytest.raises(ValidationError) as exc:
        hand_over(group, [services.ItemData(allocation, 1)], officer, receiver=stranger)
    assert codes(exc.value) == {"receiver_not_member"}
    with pytest.raises(ValidationError) as exc:
        hand_over(group, [services.ItemData(allocation, 1)], officer, witnesses=[members[0]])
    assert codes(exc.value) == {"witness_not_member"}
    with pytest.raises(ValidationError) as exc:
        hand_over(group, [services.ItemData(allocation, 1)], officer, witnesses=[])
    assert codes(exc.value) == {"witness_required"}


def test_more_serial_numbers_than_units_are_refused(goods_program, line, group, officer):
    allocation = services.allocation_save(
        purchase=buy(goods_program, line, officer), group=group, quantity=2, by=officer
    )
    with pytest.raises(ValidationError) as exc:
        hand_over(group, [services.ItemData(allocation, 2, ["S1", "S2", "S3"])], officer)
    assert codes(exc.value) == {"serials_too_many"}


def test_two_officers_editing_the_same_handover_from_one_version_the_second_is_refused(
    goods_program, line, group, officer, admin_user
):
    allocation = services.allocation_save(
        purchase=buy(goods_program, line, officer), group=group, quantity=4, by=officer
    )
    handover = hand_over(group, [services.ItemData(allocation, 2)], officer)
    version = handover.version
    hand_over(group, [services.ItemData(allocation, 3)], officer, handover=handover, expected_version=version)
    with pytest.raises(ConflictError):
        hand_over(
            group, [services.ItemData(allocation, 4)], admin_user, handover=handover, expected_version=version
        )
    assert HandoverItem.objects.get().quantity == 3


def test_signing_locks_the_record_fills_the_asset_register_and_equips_the_group(
    goods_program, line, group, officer
):
    allocation = services.allocation_save(
        purchase=buy(goods_program, line, officer), group=group, quantity=3, by=officer
    )
    handover = hand_over(group, [services.ItemData(allocation, 3, ["S1", "S2"])], officer)
    scan = SimpleUploadedFile("ttd.pdf", pdf_bytes(), content_type="application/pdf")
    services.handover_sign(handover=handover, scan=scan, expected_version=handover.version, by=officer)
    group.refresh_from_db()
    assert group.status == GroupStatus.EQUIPPED
    assets = sorted((a.serial, a.quantity) for a in Asset.objects.filter(group=group))
    assert assets == [("", 1), ("S1", 1), ("S2", 1)]
    with pytest.raises(ValidationError) as exc:
        hand_over(group, [services.ItemData(allocation, 1)], officer, handover=handover)
    assert codes(exc.value) == {"handover_signed"}
    photo = SimpleUploadedFile("f.jpg", jpeg_bytes(), content_type="image/jpeg")
    with pytest.raises(ValidationError):
        services.handover_photo_add(handover=handover, upload=photo, by=officer)


def test_a_signed_record_keeps_the_receivers_name_when_the_person_is_renamed_later(
    goods_program, line, group, officer
):
    allocation = services.allocation_save(
        purchase=buy(goods_program, line, officer), group=group, quantity=1, by=officer
    )
    handover = hand_over(group, [services.ItemData(allocation, 1)], officer)
    receiver = handover.receiver.person
    name = receiver.full_name
    receiver.full_name = "Nama Baru Setelah Koreksi"
    receiver.save()
    handover.refresh_from_db()
    assert handover.parties["receiver"]["name"] == name


def test_a_condition_check_updates_the_register_and_keeps_the_history(goods_program, line, group, officer):
    allocation = services.allocation_save(
        purchase=buy(goods_program, line, officer), group=group, quantity=1, by=officer
    )
    handover = hand_over(group, [services.ItemData(allocation, 1, ["S1"])], officer)
    services.handover_sign(
        handover=handover,
        scan=SimpleUploadedFile("ttd.pdf", pdf_bytes()),
        expected_version=handover.version,
        by=officer,
    )
    asset = Asset.objects.get()
    services.asset_check_record(
        asset=asset, checked_on=dt.date(2026, 11, 20), condition="damaged", note="Gagang patah", by=officer
    )
    services.asset_check_record(asset=asset, checked_on=dt.date(2026, 11, 15), condition="good", by=officer)
    asset.refresh_from_db()
    assert (asset.condition, asset.checked_on) == ("damaged", dt.date(2026, 11, 20))
    assert asset.checks.count() == 2
    with pytest.raises(ValidationError) as exc:
        services.asset_check_record(
            asset=asset, checked_on=dt.date(2026, 11, 1), condition="good", by=officer
        )
    assert codes(exc.value) == {"date_before_receipt"}


def test_the_budget_lines_realisation_equals_the_sum_of_purchases(goods_program, line, officer):
    buy(goods_program, line, officer, quantity=3, price=1_234_567, name="A")
    buy(goods_program, line, officer, quantity=7, price=89_001, name="B")
    from tunas.programs.ledger import line_realisation

    realised = {r.name: r.spent for r in line_realisation(program=goods_program)}
    assert realised[line.name] == 3 * 1_234_567 + 7 * 89_001
    assert BudgetLine.objects.count() == 1
