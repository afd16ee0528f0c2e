import pytest
from django.urls import reverse
from tests.conftest import login
pytestmark = pytest.mark.django_db

def test_year(officer, program):
    r = login(officer).get(reverse("programs:list"), {"year": "99999999999999999999"})
    assert r.status_code == 200
    r = login(officer).get(reverse("programs:list"), {"year": "-5", "q": "\x00"})
    assert r.status_code == 200
