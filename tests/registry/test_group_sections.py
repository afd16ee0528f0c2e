"""Apps above the registry add sections to the group page through ``group_sections``, never by editing it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import login
from tests.factories import GroupFactory
from tunas.registry.extensions import GroupSection, group_sections

pytestmark = pytest.mark.django_db


def _context(request, group):
    return {"greeting": f"Products of {group.name}"}


@pytest.fixture(autouse=True)
def _test_templates(settings):
    from pathlib import Path

    settings.TEMPLATES = [
        {
            **settings.TEMPLATES[0],
            "DIRS": [*settings.TEMPLATES[0]["DIRS"], Path(__file__).parent / "templates"],
        }
    ]


def test_a_registered_section_is_drawn_on_the_group_page_for_whom_it_is_visible(officer, viewer, program):
    group = GroupFactory(program=program, name="Lontar Besang")
    shown = GroupSection(
        key="test_products",
        label="Test products",
        order=50,
        template="_test_section.html",
        context=_context,
        visible_to=lambda user: user.manages_programmes,
    )
    skipped = GroupSection(
        key="test_nothing",
        label="Nothing",
        order=60,
        template="_test_section.html",
        context=lambda request, group: None,
    )
    with group_sections.register_temporarily(shown, skipped):
        page = login(officer).get(reverse("registry:group_detail", args=[group.pk])).content.decode()
        hidden = login(viewer).get(reverse("registry:group_detail", args=[group.pk])).content.decode()
    assert "Products of Lontar Besang" in page and 'id="section-test_products"' in page
    assert 'id="section-test_nothing"' not in page
    assert "Products of Lontar Besang" not in hidden


def test_the_group_page_shows_its_trainings_and_its_aid_to_the_office(officer, program):
    from tests.registry.helpers import english

    group = GroupFactory(program=program, name="Lontar Besang")
    page = english(login(officer)).get(reverse("registry:group_detail", args=[group.pk])).content.decode()
    assert 'id="section-trainings"' in page and "No training planned for this group yet." in page
    assert 'id="section-aid"' in page and reverse("aid:group_aid", args=[group.pk]) in page
