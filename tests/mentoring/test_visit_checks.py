"""The aid equipment's condition is checked during a mentor's visit: sent with the visit, stored once."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from django.urls import reverse
from django.utils import translation

from tests.conftest import login
from tests.factories import UserFactory
from tunas.accounts.roles import Role
from tunas.aid.models import Allocation, Asset, AssetCheck, Condition, Handover, HandoverItem, Purchase
from tunas.core.errors import message_for
from tunas.mentoring.models import Visit
from tunas.programs.models import BudgetLine

from .factories import assign, selected_group, visit_body

pytestmark = pytest.mark.django_db


def assets_of(group, *names, received_on=dt.date(2026, 2, 10)):
    """The group's asset register as a signed handover leaves it (rows written directly: the handover's
    own rules are tested in the aid app)."""
    program = group.program
    line = BudgetLine.objects.create(program=program, name="Peralatan", planned=10_000_000)
    purchase = Purchase.objects.create(
        program=program,
        budget_line=line,
        name="Peralatan",
        unit="unit",
        quantity=len(names),
        unit_price=100_000,
        supplier="Toko Sinar",
        purchased_on=received_on,
    )
    allocation = Allocation.objects.create(purchase=purchase, group=group, quantity=len(names))
    handover = Handover.objects.create(
        program=program,
        group=group,
        handed_on=received_on,
        place="Balai desa",
        official_name="I Wayan Sudarma",
        official_position="Kepala Bidang",
        receiver=group.memberships.first(),
        office=program.office,
        year=received_on.year,
        sequence=Handover.objects.count() + 1,
        number=f"{Handover.objects.count() + 1}/BAST/2026",
    )
    found = []
    for name in names:
        item = HandoverItem.objects.create(
            handover=handover, allocation=allocation, quantity=1, name=name, unit="unit", unit_price=100_000
        )
        found.append(
            Asset.objects.create(group=group, handover_item=item, name=name, received_on=received_on)
        )
    return found


def send(client, pk, body):
    return client.post(
        reverse("mentoring:api_visit", args=[pk]), json.dumps(body), content_type="application/json"
    )


def checks(*items):
    return {
        "aid_assets": [
            {"id": asset.pk, "condition": condition, "note": note} for asset, condition, note in items
        ]
    }


def test_the_visit_form_offers_each_item_of_the_group_and_no_other_groups(mentor, mgroup, mprogram):
    press, oven = assets_of(mgroup, "Mesin press", "Oven")
    other = selected_group(mprogram, name="Jajan Tojan")
    (foreign,) = assets_of(other, "Kompor")
    page = login(mentor).get(reverse("mentoring:visit_form", args=[mgroup.pk])).content.decode()
    assert f'data-check-row data-check="aid_assets" data-id="{press.pk}"' in page
    assert f'data-id="{oven.pk}"' in page
    assert "Kompor" not in page and f'data-id="{foreign.pk}"' not in page


def test_a_group_without_items_shows_no_equipment_part(mentor, mgroup):
    page = login(mentor).get(reverse("mentoring:visit_form", args=[mgroup.pk])).content.decode()
    assert "data-check-row" not in page


def test_conditions_sent_with_a_visit_are_recorded_on_the_register_with_the_visit(mentor, mgroup):
    press, oven = assets_of(mgroup, "Mesin press", "Oven")
    pk = uuid.uuid4()
    response = send(
        login(mentor),
        pk,
        visit_body(mgroup, checks=checks((press, "damaged", "Tuas patah"), (oven, "", ""))),
    )
    assert response.status_code == 201, response.content
    (check,) = AssetCheck.objects.all()
    assert (check.asset, check.condition, check.note, check.visit_id, check.checked_by) == (
        press,
        Condition.DAMAGED,
        "Tuas patah",
        pk,
        mentor,
    )
    press.refresh_from_db()
    oven.refresh_from_db()
    assert press.condition == Condition.DAMAGED and press.checked_on == dt.date(2026, 3, 10)
    assert oven.checked_on is None  # left on "not checked"
    page = login(mentor).get(reverse("mentoring:visit_detail", args=[pk])).content.decode()
    assert "Mesin press" in page and "Tuas patah" in page and "Oven" not in page


def test_a_resent_visit_records_its_checks_once(mentor, mgroup):
    (press,) = assets_of(mgroup, "Mesin press")
    client = login(mentor)
    pk = uuid.uuid4()
    body = visit_body(mgroup, checks=checks((press, "good", "")))
    assert send(client, pk, body).status_code == 201
    assert send(client, pk, body).status_code == 200
    assert AssetCheck.objects.count() == 1 and Visit.objects.count() == 1


def test_an_item_of_another_group_refuses_the_whole_visit(mentor, mgroup, mprogram):
    other = selected_group(mprogram, name="Jajan Tojan")
    (foreign,) = assets_of(other, "Kompor")
    response = send(login(mentor), uuid.uuid4(), visit_body(mgroup, checks=checks((foreign, "lost", ""))))
    assert response.status_code == 400
    assert response.json()["fields"]["checks.aid_assets"][0]["code"] == "asset_foreign"
    assert not Visit.objects.exists() and not AssetCheck.objects.exists()
    foreign.refresh_from_db()
    assert foreign.condition == Condition.GOOD


def test_a_note_without_a_condition_is_refused_beside_that_item_with_the_visits_own_errors(mentor, mgroup):
    press, oven = assets_of(mgroup, "Mesin press", "Oven")
    body = visit_body(mgroup, activities=[], checks=checks((press, "", "Berkarat"), (oven, "good", "")))
    with translation.override("en"):
        response = send(login(mentor), uuid.uuid4(), body)
    assert response.status_code == 400
    fields = response.json()["fields"]
    assert fields[f"checks.aid_assets.{press.pk}"][0]["code"] == "condition_required"
    with translation.override("id"):  # the phone's answers come in the office's language
        assert fields[f"checks.aid_assets.{press.pk}"][0]["message"] == str(message_for("condition_required"))
    assert "activities" in fields and f"checks.aid_assets.{oven.pk}" not in fields
    assert not AssetCheck.objects.exists()


def test_a_visit_dated_before_an_item_arrived_cannot_check_it(mentor, mgroup):
    (press,) = assets_of(mgroup, "Mesin press", received_on=dt.date(2026, 3, 20))
    response = send(login(mentor), uuid.uuid4(), visit_body(mgroup, checks=checks((press, "good", ""))))
    assert response.status_code == 400
    assert response.json()["fields"][f"checks.aid_assets.{press.pk}"][0]["code"] == "date_before_receipt"


def test_an_unknown_condition_is_refused_and_a_malformed_list_too(mentor, mgroup):
    (press,) = assets_of(mgroup, "Mesin press")
    client = login(mentor)
    bad = send(client, uuid.uuid4(), visit_body(mgroup, checks=checks((press, "shiny", ""))))
    assert bad.json()["fields"][f"checks.aid_assets.{press.pk}"][0]["code"] == "condition_required"
    malformed = send(client, uuid.uuid4(), visit_body(mgroup, checks={"aid_assets": "all good"}))
    assert malformed.status_code == 400 and "checks.aid_assets" in malformed.json()["fields"]
    assert not AssetCheck.objects.exists()


def test_a_mentor_of_another_group_cannot_check_its_items(mentor, mprogram, officer):
    group = selected_group(mprogram, name="Jajan Tojan")
    other_mentor = UserFactory(office=mentor.office, roles=[str(Role.MENTOR)], username="pendamping.lain")
    assign(group, other_mentor, officer)
    (press,) = assets_of(group, "Mesin press")
    response = send(login(mentor), uuid.uuid4(), visit_body(group, checks=checks((press, "lost", ""))))
    assert response.status_code in (400, 403)
    assert not AssetCheck.objects.exists()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_phone_checks_the_equipment_offline_and_the_register_has_it_once_back_online(
    page_factory, bali_regions
):
    import re

    from playwright.sync_api import expect

    from tests.browser.conftest import PASSWORD, PHONE, screenshot, sign_in
    from tests.factories import OfficeFactory

    from .factories import mentoring_program
    from .test_browser import wait_for

    office = OfficeFactory()
    officer = UserFactory(username="operator", office=office, roles=["officer"], password=PASSWORD)
    mentor = UserFactory(username="pendamping", office=office, roles=["mentor"], password=PASSWORD)
    group = selected_group(mentoring_program(office))
    assign(group, mentor, officer)
    press, oven = assets_of(group, "Mesin press", "Oven")

    page = page_factory(PHONE)
    sign_in(page, "pendamping")
    form_url = f"{page.base}/pendampingan/kelompok/{group.pk}/kunjungan/baru/"
    page.goto(form_url)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_load_state("networkidle")
    page.context.set_offline(True)
    page.fill("#v-date", "2026-03-10")
    page.fill("#v-met", "Ketua")
    page.check("#v-act-production")
    page.select_option(f"#vc-aid_assets-{press.pk}", "damaged")
    page.fill(f"#vn-aid_assets-{press.pk}", "Tuas patah")
    screenshot(page, "mentoring-visit-equipment-phone")
    page.click("#visit-form button[type=submit]")
    count = page.locator("[data-outbox-count]").first
    expect(count).to_have_text(re.compile(r": 1\s*$"))
    assert not AssetCheck.objects.exists()

    page.context.set_offline(False)
    expect(count).to_have_text(re.compile(r": 0\s*$"))
    assert wait_for(lambda: AssetCheck.objects.count() == 1)
    check = AssetCheck.objects.get()
    assert (check.asset_id, check.condition, check.note) == (press.pk, "damaged", "Tuas patah")
    assert Asset.objects.get(pk=oven.pk).checked_on is None
