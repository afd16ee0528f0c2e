"""A first screen for every role: what is theirs, or who will give it; headline numbers for viewers."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import _user, login
from tests.factories import GroupFactory, MembershipFactory, PersonFactory, ProgramFactory
from tunas.accounts.roles import Role
from tunas.registry.headlines import headlines_visible
from tunas.registry.models import GroupStatus, Verification

pytestmark = pytest.mark.django_db


def home(user, language: str = "en") -> tuple[str, dict]:
    client: Client = login(user)
    client.cookies["tunas_language"] = language
    response = client.get(reverse("core:home"))
    assert response.status_code == 200
    return response.content.decode(), response.context


def panels(context) -> list[str]:
    return [card["key"] for card in context["panels"]]


@pytest.fixture
def group_rep(klungkung):
    return _user(klungkung, Role.GROUP_REP, username="ketua")


# Mentors, instructors and group chairs --------------------------------------------------------------------


def test_a_mentor_is_told_no_group_is_assigned_yet_and_who_assigns_it(mentor):
    html, context = home(mentor)
    assert panels(context) == ["mentor_groups"]
    assert "My groups" in html
    assert "No group is assigned to you yet." in html
    assert "The programme officer of Disperinaker Klungkung assigns mentors to groups." in html
    assert "Nothing waits for you now." not in html


def test_an_instructor_is_told_no_session_of_theirs_is_today(instructor):
    html, context = home(instructor)
    assert panels(context) == ["sessions_today"]
    assert "No session of yours today." in html


def test_a_group_chair_is_told_no_group_is_linked_yet(group_rep):
    html, context = home(group_rep)
    assert panels(context) == ["group_rep_group"]
    assert "No group is linked to your account yet." in html
    assert "The programme officer of Disperinaker Klungkung links group chairs to their groups." in html


def test_without_an_office_the_sentence_names_your_office(klungkung):
    mentor = _user(None, Role.MENTOR, username="pendamping.lepas")
    html, _context = home(mentor)
    assert "The programme officer of your office assigns mentors to groups." in html


def test_someone_with_two_roles_sees_both_cards(klungkung):
    user = _user(klungkung, Role.MENTOR, Role.INSTRUCTOR, username="serba.bisa")
    _html, context = home(user)
    assert panels(context) == ["sessions_today", "mentor_groups"]


def test_staff_roles_see_no_mentor_instructor_or_chair_card(admin_user, officer, verifier, viewer):
    for user in [admin_user, officer, verifier, viewer]:
        _html, context = home(user)
        assert not {"mentor_groups", "sessions_today", "group_rep_group"} & set(panels(context)), user


def test_the_role_sentences_are_in_indonesian_by_default(mentor):
    html, _context = home(mentor, "id")
    assert '<html lang="id">' in html
    assert "No group is assigned to you yet." not in html


# Headline numbers ----------------------------------------------------------------------------------------


def _world(klungkung, gianyar):
    """Klungkung: two programmes, three active groups and a dissolved one; Gianyar: one of its own."""
    first = ProgramFactory(office=klungkung, code="KLK-A-2018", fiscal_year=2018)
    second = ProgramFactory(office=klungkung, code="KLK-B-2026")
    a, b = GroupFactory(program=first), GroupFactory(program=first)
    c = GroupFactory(program=second, status=GroupStatus.FORMING)
    dissolved = GroupFactory(program=first, status=GroupStatus.DISSOLVED)
    women = [PersonFactory(sex="F") for _ in range(3)]
    men = [PersonFactory(sex="M") for _ in range(2)]
    for person in women[:2]:
        MembershipFactory(group=a, person=person, verification=Verification.APPROVED)
    MembershipFactory(group=b, person=women[2], verification=Verification.REJECTED)
    MembershipFactory(group=b, person=men[0], verification=Verification.APPROVED)
    MembershipFactory(group=c, person=men[1])
    # The same woman again in the 2026 programme: a registration in each programme, counted in each.
    MembershipFactory(group=c, person=women[0])
    MembershipFactory(group=dissolved, person=PersonFactory(sex="F"))
    MembershipFactory(group=GroupFactory(program=ProgramFactory(office=gianyar)), person=PersonFactory())


def test_the_headlines_count_programmes_groups_registrations_by_sex_and_verified(viewer, klungkung, gianyar):
    _world(klungkung, gianyar)
    h = headlines_visible(user=viewer)
    assert (h.programmes, h.groups) == (2, 3)
    # women[0] in both programmes, women[1]; women[2] rejected; men[0], men[1]; the dissolved group's member
    # not counted.
    assert (h.people, h.women, h.men, h.verified) == (5, 3, 2, 3)
    assert h.verified_share == 60.0


def test_the_headlines_are_empty_for_a_role_without_the_jurisdiction(mentor, klungkung, gianyar):
    _world(klungkung, gianyar)
    h = headlines_visible(user=mentor)
    assert (h.programmes, h.groups, h.people, h.verified) == (0, 0, 0, 0)
    assert h.verified_share is None


def test_a_viewer_sees_the_headline_numbers_on_the_home_page(viewer, klungkung, gianyar):
    _world(klungkung, gianyar)
    html, context = home(viewer)
    assert "headlines" in panels(context)
    assert "Headline numbers" in html
    assert "3 women · 2 men" in html
    assert "60.0% of those registered" in html


def test_the_numbers_are_written_the_indonesian_way(viewer, klungkung, monkeypatch):
    from tunas.registry import headlines

    big = headlines.Headlines(
        programmes=12, groups=12_500, people=125_000, women=70_000, men=55_000, verified=1
    )
    monkeypatch.setattr(headlines, "headlines_visible", lambda *, user: big)
    html, _context = home(viewer, "id")
    assert ">12.500<" in html
    assert ">125.000<" in html
    assert "70.000" in html and "55.000" in html
    assert "0,0%" in html


def test_officers_and_administrators_see_the_headlines_below_their_work(admin_user, officer):
    for user in [admin_user, officer]:
        _html, context = home(user)
        assert "headlines" in panels(context)


def test_verifiers_mentors_and_chairs_do_not_see_the_headlines(verifier, mentor, instructor):
    for user in [verifier, mentor, instructor]:
        _html, context = home(user)
        assert "headlines" not in panels(context)


def test_the_headlines_of_another_regency_show_nothing_of_klungkung(outsider, klungkung, gianyar):
    _world(klungkung, gianyar)
    h = headlines_visible(user=outsider)
    assert (h.programmes, h.groups, h.people) == (1, 1, 1)


def test_the_viewers_home_asks_the_same_few_queries_for_3_groups_as_for_30(viewer, klungkung):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    program = ProgramFactory(office=klungkung)

    def add_groups(n: int) -> None:
        for _ in range(n):
            group = GroupFactory(program=program)
            MembershipFactory(group=group, person=PersonFactory(sex="F"), verification=Verification.APPROVED)
            MembershipFactory(group=group, person=PersonFactory(sex="M"))

    def home_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert login(viewer).get(reverse("core:home")).status_code == 200
        return len(queries)

    add_groups(3)
    few = home_queries()
    add_groups(27)
    # Session, user, roles, programmes by stage, the headlines from the kept summaries, each app's cards.
    assert home_queries() == few <= 35


def test_the_headlines_take_two_queries(viewer, klungkung, django_assert_num_queries):
    program = ProgramFactory(office=klungkung)
    for _ in range(5):
        MembershipFactory(group=GroupFactory(program=program))
    viewer.roles  # noqa: B018 - the roles are read once per request, not by the selector
    with django_assert_num_queries(2):
        headlines_visible(user=viewer)
