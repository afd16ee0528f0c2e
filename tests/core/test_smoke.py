import pytest
from django.urls import reverse

from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_home_lists_programmes_of_the_users_office(officer, program):
    response = login(officer).get(reverse("core:home"))
    assert response.status_code == 200
    assert program.code in response.content.decode()
