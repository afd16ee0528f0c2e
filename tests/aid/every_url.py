"""The aid app's URLs for tests/test_every_url.py: a purchase, an allocation, a signed and an unsigned
handover with a photo, an asset with a check, a cash transfer with its report and a purchase, in the world's
Klungkung programme; and a Gianyar handover whose receiver no Klungkung user may ever see."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile

from tunas.aid import selectors, services
from tunas.aid.models import Asset
from tunas.programs.models import AidForm, BudgetLine, Stage
from tunas.registry.models import GroupStatus

from .factories import selected_group
from .images import jpeg_bytes, pdf_bytes

PUBLIC: set[str] = set()


def _jpeg():
    return SimpleUploadedFile("foto.jpg", jpeg_bytes(), content_type="image/jpeg")


def _pdf():
    return SimpleUploadedFile("scan.pdf", pdf_bytes(), content_type="application/pdf")


def _equip(program, group, by, *, sign: bool):
    line = program.budget_lines.first() or BudgetLine.objects.create(
        program=program, name="Bantuan", planned=50_000_000
    )
    purchase = services.purchase_record(
        program=program,
        budget_line=line,
        name="Pisau ukir",
        unit="set",
        quantity=4,
        unit_price=250_000,
        supplier="UD Contoh",
        purchased_on=dt.date(2026, 11, 2),
        by=by,
    )
    allocation = services.allocation_save(purchase=purchase, group=group, quantity=4, by=by)
    members = selectors.approved_members(group=group)
    handover = services.handover_save(
        group=group,
        handed_on=dt.date(2026, 11, 10),
        place="Balai Banjar",
        official_name="Kepala Dinas",
        official_position="Kepala Dinas",
        receiver=members[0],
        witnesses=members[1:2],
        items=[services.ItemData(allocation, 2, ["S-1"])],
        by=by,
    )
    photo = services.handover_photo_add(handover=handover, upload=_jpeg(), caption="Serah terima", by=by)
    if sign:
        handover = services.handover_sign(
            handover=handover, scan=_pdf(), expected_version=handover.version, by=by
        )
    return purchase, allocation, handover, photo


def extend(world) -> dict[str, dict]:
    from tests.factories import UserFactory

    program = world["program"]
    officer = world["officer"]
    program.status = Stage.AID
    program.aid_form = AidForm.MONEY
    program.save()
    BudgetLine.objects.create(program=program, name="Bantuan", planned=50_000_000)
    group = selected_group(program, name="Alat Tulis Bantuan", status=GroupStatus.TRAINED)
    # Goods and money in one programme, so that every page has a record to show.
    program.aid_form = AidForm.GOODS
    program.save()
    purchase, allocation, handover, photo = _equip(program, group, officer, sign=True)
    other_group = selected_group(program, name="Belum Tanda Tangan", status=GroupStatus.TRAINED)
    _p, _a, unsigned, _photo = _equip(program, other_group, officer, sign=False)
    asset = Asset.objects.filter(group=group).first()
    check = services.asset_check_record(
        asset=asset,
        checked_on=dt.date(2026, 11, 20),
        condition="good",
        note="Baik",
        photo=_jpeg(),
        by=officer,
    )
    program.aid_form = AidForm.MONEY
    program.save()
    transfer = services.transfer_record(
        group=group,
        budget_line=program.budget_lines.first(),
        bank="BPD Bali",
        account_holder="Kelompok",
        account_number="0123456789",
        amount=1_000_000,
        transferred_on=dt.date(2026, 11, 3),
        proof=_pdf(),
        by=officer,
    )
    report = transfer.report
    bought = services.report_purchase_add(
        report=report,
        bought_on=dt.date(2026, 11, 4),
        description="Bahan",
        amount=400_000,
        receipt=_pdf(),
        photo=_jpeg(),
        by=officer,
    )
    services.report_save(
        report=report,
        chapters={},
        returned_amount=600_000,
        returned_on=dt.date(2026, 11, 25),
        return_proof=_pdf(),
        expected_version=report.version,
        by=officer,
    )
    program.aid_form = AidForm.GOODS
    program.save()

    # Gianyar's own handover: its receiver's name must never appear on a Klungkung page.
    gianyar_program = world["gianyar_program"]
    gianyar_program.status = Stage.AID
    gianyar_program.save()
    gianyar_officer = UserFactory(username="aid.gianyar", office=gianyar_program.office, roles=["officer"])
    gianyar_group = selected_group(
        gianyar_program, name="Ukir Bantuan Gianyar", village_id="51.04.01.2001", status=GroupStatus.TRAINED
    )
    _equip(gianyar_program, gianyar_group, gianyar_officer, sign=False)
    world["foreign_texts"].extend(m.person.full_name for m in selectors.approved_members(group=gianyar_group))

    code = {"code": program.code}
    return {
        "aid:purchase_create": code,
        "aid:transfer_create": code,
        "aid:purchase_detail": {"pk": purchase.pk},
        "aid:allocation_delete": {"pk": allocation.pk},
        "aid:group_aid": {"pk": group.pk},
        "aid:handover_create": {"pk": other_group.pk},
        "aid:handover_detail": {"pk": handover.pk},
        "aid:handover_edit": {"pk": unsigned.pk},
        "aid:handover_pdf": {"pk": handover.pk},
        "aid:handover_photo_add": {"pk": unsigned.pk},
        "aid:handover_sign": {"pk": unsigned.pk},
        "aid:handover_scan": {"pk": handover.pk},
        "aid:photo_file": {"pk": photo.pk},
        "aid:photo_delete": {"pk": _photo.pk},
        "aid:asset_detail": {"pk": asset.pk},
        "aid:check_photo": {"pk": check.pk},
        "aid:transfer_proof": {"pk": transfer.pk},
        "aid:report_detail": {"pk": report.pk},
        "aid:report_purchase_add": {"pk": report.pk},
        "aid:report_submit": {"pk": report.pk},
        "aid:report_pdf": {"pk": report.pk},
        "aid:report_return_proof": {"pk": report.pk},
        "aid:report_purchase_file": {"pk": bought.pk, "kind": "receipt"},
    }
