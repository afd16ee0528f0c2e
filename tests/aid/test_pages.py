"""The aid pages: who may open and change them, what they show, and a constant number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import code_shown, login
from tunas.aid import selectors, services
from tunas.aid.models import Allocation, Handover, HandoverPhoto, Purchase

from .factories import BOUGHT_DAY, HANDOVER_DAY, selected_group
from .images import jpeg_bytes, pdf_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def allocation(goods_program, line, group, officer):
    purchase = services.purchase_record(
        program=goods_program,
        budget_line=line,
        name="Pisau ukir",
        unit="set",
        quantity=5,
        unit_price=300_000,
        supplier="UD Contoh",
        purchased_on=BOUGHT_DAY,
        by=officer,
    )
    return services.allocation_save(purchase=purchase, group=group, quantity=5, by=officer)


def handover_post(group, allocation, **overrides) -> dict:
    members = selectors.approved_members(group=group)
    body = {
        "handed_on": HANDOVER_DAY.isoformat(),
        "place": "Balai Banjar Besang",
        "official_name": "I Made Sudiarta",
        "official_nip": "196804121994031007",
        "official_position": "Kepala Dinas",
        "receiver": members[0].pk,
        "witnesses": [members[1].pk, members[2].pk],
        f"qty_{allocation.pk}": "5",
        f"serials_{allocation.pk}": "S-1\nS-2",
    }
    body.update(overrides)
    return body


def test_an_officer_records_a_purchase_typed_the_way_people_type_rupiah(goods_program, line, officer):
    response = login(officer).post(
        reverse("aid:purchase_create", args=[goods_program.code]),
        {
            "budget_line": line.pk,
            "name": "Dandang",
            "unit": "unit",
            "quantity": "6",
            "unit_price": "Rp 1.500.000",
            "supplier": "UD Dapur",
            "purchased_on": "2026-11-02",
        },
    )
    purchase = Purchase.objects.get()
    assert response.status_code == 302 and purchase.total == 9_000_000


def test_a_purchase_over_the_line_shows_the_refusal_with_its_code(goods_program, line, officer):
    response = login(officer).post(
        reverse("aid:purchase_create", args=[goods_program.code]),
        {
            "budget_line": line.pk,
            "name": "Mesin",
            "unit": "unit",
            "quantity": "100",
            "unit_price": "1.000.000",
            "supplier": "UD",
            "purchased_on": "2026-11-02",
        },
    )
    assert response.status_code == 200 and code_shown("budget_exceeded") in response.content.decode()
    assert not Purchase.objects.exists()


def test_a_viewer_reads_the_aid_tab_but_cannot_record_a_purchase(goods_program, viewer):
    client = login(viewer)
    assert client.get(reverse("programs:detail", args=[goods_program.code]) + "?tab=aid").status_code == 200
    assert client.get(reverse("aid:purchase_create", args=[goods_program.code])).status_code == 403


def test_a_mentor_and_an_instructor_see_no_aid_page(goods_program, group, mentor, instructor):
    for user in (mentor, instructor):
        assert login(user).get(reverse("aid:group_aid", args=[group.pk])).status_code == 403


def test_an_outsider_neither_sees_nor_changes_any_aid_record(
    goods_program, group, allocation, outsider, officer
):
    login(officer).post(reverse("aid:handover_create", args=[group.pk]), handover_post(group, allocation))
    handover = Handover.objects.get()
    client = login(outsider)
    for name, pk in [
        ("aid:group_aid", group.pk),
        ("aid:purchase_detail", allocation.purchase_id),
        ("aid:handover_detail", handover.pk),
        ("aid:handover_pdf", handover.pk),
        ("aid:handover_edit", handover.pk),
    ]:
        assert client.get(reverse(name, args=[pk])).status_code == 404, name
    client.post(
        reverse("aid:purchase_detail", args=[allocation.purchase_id]), {"group": group.pk, "quantity": 1}
    )
    client.post(reverse("aid:allocation_delete", args=[allocation.pk]))
    client.post(
        reverse("aid:handover_sign", args=[handover.pk]), {"scan": SimpleUploadedFile("s.pdf", pdf_bytes())}
    )
    allocation.refresh_from_db()
    handover.refresh_from_db()
    assert allocation.quantity == 5 and not handover.is_signed


def test_an_officer_records_a_handover_with_a_photo_and_uploads_the_signed_scan(group, allocation, officer):
    client = login(officer)
    response = client.post(reverse("aid:handover_create", args=[group.pk]), handover_post(group, allocation))
    handover = Handover.objects.get()
    assert response.status_code == 302 and handover.items.get().serials == ["S-1", "S-2"]
    client.post(
        reverse("aid:handover_photo_add", args=[handover.pk]),
        {"image": SimpleUploadedFile("f.jpg", jpeg_bytes(gps=True)), "caption": "Penyerahan"},
    )
    photo = HandoverPhoto.objects.get()
    served = client.get(reverse("aid:photo_file", args=[photo.pk]))
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    client.post(
        reverse("aid:handover_sign", args=[handover.pk]),
        {"scan": SimpleUploadedFile("s.pdf", pdf_bytes()), "version": handover.version},
    )
    handover.refresh_from_db()
    assert handover.is_signed
    page = client.get(reverse("aid:handover_detail", args=[handover.pk])).content.decode()
    assert reverse("aid:handover_edit", args=[handover.pk]) not in page


def test_a_photo_that_is_not_an_image_is_refused_with_its_code(group, allocation, officer):
    client = login(officer)
    client.post(reverse("aid:handover_create", args=[group.pk]), handover_post(group, allocation))
    handover = Handover.objects.get()
    response = client.post(
        reverse("aid:handover_photo_add", args=[handover.pk]),
        {"image": SimpleUploadedFile("f.jpg", b"<html>not a photo</html>")},
        follow=True,
    )
    assert code_shown("upload_not_image") in response.content.decode()
    assert not HandoverPhoto.objects.exists()


def test_handing_over_more_than_allocated_is_refused_on_the_form(group, allocation, officer):
    response = login(officer).post(
        reverse("aid:handover_create", args=[group.pk]),
        handover_post(group, allocation, **{f"qty_{allocation.pk}": "6"}),
    )
    assert response.status_code == 200 and not Handover.objects.exists()


def test_a_handover_before_the_purchase_is_refused_beside_the_date(group, allocation, officer):
    response = login(officer).post(
        reverse("aid:handover_create", args=[group.pk]),
        handover_post(group, allocation, handed_on="2026-11-01"),
    )
    page = response.content.decode()
    assert response.status_code == 200 and code_shown("handover_before_purchase") in page


def _groups(program, n, officer, line):
    purchase = services.purchase_record(
        program=program,
        budget_line=line,
        name=f"Alat {n}",
        unit="unit",
        quantity=n,
        unit_price=10_000,
        supplier="UD",
        purchased_on=BOUGHT_DAY,
        by=officer,
    )
    for i in range(n):
        group = selected_group(program, name=f"Kelompok Q{n}-{i}", members=3)
        services.allocation_save(purchase=purchase, group=group, quantity=1, by=officer)
        members = selectors.approved_members(group=group)
        services.handover_save(
            group=group,
            handed_on=HANDOVER_DAY,
            place="Balai",
            official_name="Kadis",
            official_position="Kadis",
            receiver=members[0],
            witnesses=members[1:2],
            items=[services.ItemData(Allocation.objects.get(group=group), 1)],
            by=officer,
        )


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_aid_tab_and_the_unsigned_list_take_as_many_queries_for_30_groups_as_for_3(
    goods_program, line, officer, klungkung
):
    from .factories import aid_program

    small = goods_program
    large = aid_program(klungkung, code="KLK-BESAR-2026")
    _groups(small, 3, officer, line)
    _groups(large, 30, officer, large.budget_lines.get())
    client = login(officer)
    tab = lambda p: reverse("programs:detail", args=[p.code]) + "?tab=aid"  # noqa: E731
    assert _queries(client, tab(small)) == _queries(client, tab(large))
    assert _queries(client, reverse("aid:handovers_unsigned")) <= 12


def test_the_group_aid_page_lists_the_asset_register_in_bounded_queries(
    group, allocation, officer, django_assert_max_num_queries
):
    client = login(officer)
    client.post(reverse("aid:handover_create", args=[group.pk]), handover_post(group, allocation))
    handover = Handover.objects.get()
    services.handover_sign(
        handover=handover,
        scan=SimpleUploadedFile("s.pdf", pdf_bytes()),
        expected_version=handover.version,
        by=officer,
    )
    with django_assert_max_num_queries(14):
        page = client.get(reverse("aid:group_aid", args=[group.pk])).content.decode()
    assert "S-1" in page and "S-2" in page


def test_the_aid_tab_says_what_to_do_first_when_nothing_is_bought(goods_program, officer):
    page = (
        login(officer)
        .get(reverse("programs:detail", args=[goods_program.code]) + "?tab=aid")
        .content.decode()
    )
    assert reverse("aid:purchase_create", args=[goods_program.code]) in page


def test_an_administrator_sets_the_offices_handover_number_pattern(admin_user, officer):
    response = login(admin_user).post(
        reverse("aid:settings"), {"handover_number_pattern": "{seq}/BAST-BANTUAN/{office_code}/{year}"}
    )
    assert response.status_code == 302
    assert services.handover_number_pattern(admin_user.office) == "{seq}/BAST-BANTUAN/{office_code}/{year}"
    assert login(officer).get(reverse("aid:settings")).status_code == 403


def test_a_condition_check_with_a_photo_is_recorded_on_the_asset_page(group, allocation, officer):
    client = login(officer)
    client.post(reverse("aid:handover_create", args=[group.pk]), handover_post(group, allocation))
    handover = Handover.objects.get()
    services.handover_sign(
        handover=handover,
        scan=SimpleUploadedFile("s.pdf", pdf_bytes()),
        expected_version=handover.version,
        by=officer,
    )
    asset = group.aid_assets.get(serial="S-1")
    response = client.post(
        reverse("aid:asset_detail", args=[asset.pk]),
        {
            "checked_on": "2026-11-25",
            "condition": "damaged",
            "note": "Mata pisau tumpul",
            "photo": SimpleUploadedFile("c.jpg", jpeg_bytes()),
        },
    )
    asset.refresh_from_db()
    assert response.status_code == 302 and asset.condition == "damaged"
    assert asset.checks.get().photo
    assert dt.date(2026, 11, 25) == asset.checked_on
