"""The programme page asks before a stage change and says what it changes; an administrator steps back."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import login
from tests.factories import GroupFactory, MembershipFactory, ProgramFactory, UserFactory
from tunas.accounts.roles import Role
from tunas.programs.models import BudgetLine, Program, Stage

from .helpers import english

pytestmark = pytest.mark.django_db


def page(client: Client, program: Program) -> str:
    response = client.get(reverse("programs:detail", args=[program.code]))
    assert response.status_code == 200
    return response.content.decode()


def _details(html: str, element_id: str) -> str:
    match = re.search(rf'<details[^>]*id="{element_id}".*?</details>', html, re.S)
    assert match, f"no <details id={element_id}>"
    return match.group(0)


def _ready_planning(klungkung) -> Program:
    program = ProgramFactory(office=klungkung, status=Stage.PLANNING, registration_end=dt.date(2026, 11, 30))
    BudgetLine.objects.create(program=program, name="Pelatihan", planned=5_000_000)
    return program


# The confirmation before moving on --------------------------------------------------------------------------


def test_moving_on_opens_a_confirmation_that_says_what_changes(officer, klungkung):
    program = ProgramFactory(office=klungkung, status=Stage.REGISTRATION, group_size_min=1)
    MembershipFactory(group=GroupFactory(program=program))
    html = page(english(login(officer)), program)
    block = _details(html, "stage-advance")
    assert '<summary class="btn btn-primary">Move to the next stage</summary>' in block
    assert "Move the programme to “Verification”?" in block
    assert "Registration closes and verification begins: the verifiers decide on every member." in block
    # The move itself is the confirm button inside, posting the version the page showed.
    assert f'action="{reverse("programs:advance", args=[program.code])}"' in block
    assert f'name="version" value="{program.version}"' in block
    assert "Yes, move to “Verification”" in block
    assert "<script" not in block and "onclick" not in block


def test_the_confirmation_of_planning_says_registration_opens(officer, klungkung):
    html = page(english(login(officer)), _ready_planning(klungkung))
    assert "Registration opens: groups propose themselves" in _details(html, "stage-advance")


def test_while_something_is_missing_the_button_stays_disabled_and_no_confirmation_opens(officer, klungkung):
    program = ProgramFactory(office=klungkung, status=Stage.PLANNING, registration_start=None)
    html = page(english(login(officer)), program)
    assert 'id="stage-advance"' not in html
    assert re.search(r"<button[^>]*disabled[^>]*>Move to the next stage</button>", html)
    assert "Add at least one budget line." in html


def test_a_viewer_sees_what_is_missing_but_no_stage_buttons(viewer, klungkung):
    html = page(english(login(viewer)), _ready_planning(klungkung))
    assert "Everything needed for the next stage is in place." in html
    assert "Move to the next stage" not in html
    assert 'id="stage-back"' not in html


def test_a_closed_programme_offers_no_move_on(admin_user, klungkung):
    program = ProgramFactory(office=klungkung, status=Stage.CLOSED)
    html = page(english(login(admin_user)), program)
    assert 'id="stage-advance"' not in html
    assert "Step back to “Evaluation”" in _details(html, "stage-back")


def test_the_confirmed_move_says_the_new_stage(officer, klungkung):
    program = _ready_planning(klungkung)
    response = english(login(officer)).post(
        reverse("programs:advance", args=[program.code]), {"version": 1}, follow=True
    )
    assert "The programme moved to the stage “Registration”." in response.content.decode()


# An administrator's step back -------------------------------------------------------------------------------


def test_an_administrator_sees_the_step_back_with_what_it_changes_and_a_reason_field(admin_user, klungkung):
    program = ProgramFactory(office=klungkung, status=Stage.VERIFICATION)
    block = _details(page(english(login(admin_user)), program), "stage-back")
    assert "Step back to “Registration”" in block
    assert "Registration reopens: groups and members may register again; verification waits." in block
    assert f'action="{reverse("programs:step_back", args=[program.code])}"' in block
    assert re.search(r'<input type="text" name="reason"[^>]*maxlength="100"[^>]*required', block)
    assert "Reason for stepping back" in block
    assert "<script" not in block and "onclick" not in block


@pytest.mark.parametrize("who", ["officer", "verifier", "viewer"])
def test_only_an_administrator_sees_the_step_back(request, klungkung, who):
    program = ProgramFactory(office=klungkung, status=Stage.VERIFICATION)
    html = page(login(request.getfixturevalue(who)), program)
    assert 'id="stage-back"' not in html
    assert reverse("programs:step_back", args=[program.code]) not in html


def test_planning_offers_no_step_back(admin_user, klungkung):
    html = page(login(admin_user), _ready_planning(klungkung))
    assert 'id="stage-back"' not in html


def test_an_administrator_steps_back_with_a_reason(admin_user, klungkung):
    program = ProgramFactory(office=klungkung, status=Stage.TRAINING)
    response = english(login(admin_user)).post(
        reverse("programs:step_back", args=[program.code]),
        {"version": 1, "reason": "Satu anggota belum diverifikasi"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("programs:detail", args=[program.code])
    html = response.content.decode()
    assert "The programme went back to the stage “Verification”. The reason is kept in its history." in html
    program.refresh_from_db()
    assert (program.status, program.version) == (Stage.VERIFICATION, 2)
    last = program.history.latest()
    assert (last.history_change_reason, last.history_user) == ("Satu anggota belum diverifikasi", admin_user)


@pytest.mark.parametrize("reason", ["", "    "])
def test_a_step_back_without_a_reason_says_so_and_changes_nothing(admin_user, klungkung, reason):
    program = ProgramFactory(office=klungkung, status=Stage.TRAINING)
    response = english(login(admin_user)).post(
        reverse("programs:step_back", args=[program.code]), {"version": 1, "reason": reason}, follow=True
    )
    assert "This field is required. Fill it in." in response.content.decode()
    program.refresh_from_db()
    assert (program.status, program.version) == (Stage.TRAINING, 1)


def test_a_step_back_from_a_stale_page_is_refused(admin_user, klungkung):
    program = ProgramFactory(office=klungkung, status=Stage.TRAINING)
    Program.objects.filter(pk=program.pk).update(version=3)
    login(admin_user).post(
        reverse("programs:step_back", args=[program.code]), {"version": 1, "reason": "Salah tekan"}
    )
    program.refresh_from_db()
    assert (program.status, program.version) == (Stage.TRAINING, 3)


@pytest.mark.parametrize("who", ["officer", "verifier", "viewer", "mentor"])
def test_a_non_administrator_is_refused_a_step_back(request, klungkung, who):
    program = ProgramFactory(office=klungkung, status=Stage.TRAINING)
    response = login(request.getfixturevalue(who)).post(
        reverse("programs:step_back", args=[program.code]), {"version": 1, "reason": "Coba"}
    )
    assert response.status_code == 403
    program.refresh_from_db()
    assert program.status == Stage.TRAINING


def test_an_administrator_of_another_regency_gets_not_found(gianyar, klungkung):
    program = ProgramFactory(office=klungkung, status=Stage.TRAINING)
    other_admin = UserFactory(username="admin.gianyar", office=gianyar, roles=[Role.ADMIN])
    response = login(other_admin).post(
        reverse("programs:step_back", args=[program.code]), {"version": 1, "reason": "Coba"}
    )
    assert response.status_code == 404
    program.refresh_from_db()
    assert program.status == Stage.TRAINING


def test_the_step_back_needs_a_post_and_a_signed_in_user(admin_user, klungkung):
    program = ProgramFactory(office=klungkung, status=Stage.TRAINING)
    url = reverse("programs:step_back", args=[program.code])
    assert login(admin_user).get(url).status_code == 405
    response = Client().post(url, {"version": 1, "reason": "Coba"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    program.refresh_from_db()
    assert program.status == Stage.TRAINING
