"""403, 404 and 500 in the site's layout, translated, with a way back; never Django's debug pages.

Run with DEBUG off, as production serves them: with DEBUG on Django shows its technical pages instead.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import Client, RequestFactory
from django.urls import include, path, reverse
from django.views import defaults

from tests.conftest import login
from tests.factories import ProgramFactory

pytestmark = pytest.mark.django_db


def _forbidden(request):
    raise PermissionDenied("not for you")


def _missing(request):
    raise Http404("Program KLK-SECRET-2026 does not exist")


def _broken(request):
    raise RuntimeError("the view broke")


# The project's URLs plus three that fail on purpose.
urlpatterns = [
    path("uji/403/", _forbidden),
    path("uji/404/", _missing),
    path("uji/500/", _broken),
    path("", include("config.urls")),
]


@pytest.fixture
def production(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = __name__
    return settings


def client_for(user=None, language: str = "id") -> Client:
    client = login(user) if user is not None else Client()
    client.raise_request_exception = False
    client.cookies["tunas_language"] = language
    return client


def test_an_unknown_address_shows_our_404_page_in_the_layout(production, officer):
    response = client_for(officer).get("/tidak-ada/")
    assert response.status_code == 404
    html = response.content.decode()
    assert '<html lang="id">' in html
    assert "Halaman tidak ditemukan" in html
    assert 'class="navbar' in html  # the site's navigation
    assert f'href="{reverse("core:home")}"' in html
    assert "Using the URLconf" not in html  # Django's debug page


def test_the_404_page_is_english_on_request(production, officer):
    html = client_for(officer, "en").get("/tidak-ada/").content.decode()
    assert '<html lang="en">' in html
    assert "Page not found" in html
    assert "Go to the home page" in html


def test_the_404_page_tells_nothing_of_what_was_asked(production, officer):
    html = client_for(officer, "en").get("/uji/404/").content.decode()
    assert "KLK-SECRET-2026" not in html


def test_another_offices_programme_reads_as_a_plain_404(production, outsider, klungkung):
    program = ProgramFactory(office=klungkung, code="KLK-RHS-2026")
    response = client_for(outsider, "en").get(reverse("programs:detail", args=[program.code]))
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert "KLK-RHS-2026" not in html.split("<main", 1)[1]


def test_an_anonymous_visitor_gets_the_404_page_too(production):
    response = client_for(None, "en").get("/tidak-ada/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_the_way_back_goes_to_the_previous_page_when_it_is_ours(production, officer):
    client = client_for(officer, "en")
    ours = "http://testserver/program/?year=2026"
    html = client.get("/tidak-ada/", HTTP_REFERER=ours).content.decode()
    assert "Back to the previous page" in html
    assert 'href="http://testserver/program/?year=2026"' in html


@pytest.mark.parametrize(
    "referer",
    [
        "https://evil.example/",
        "http://testserver.evil.example/",
        "javascript:alert(1)",
        "http://testserver/tidak-ada/",  # this very page: "back" would go nowhere
    ],
)
def test_no_way_back_to_another_site_or_to_the_page_itself(production, officer, referer):
    html = client_for(officer, "en").get("/tidak-ada/", HTTP_REFERER=referer).content.decode()
    assert "Back to the previous page" not in html
    assert "evil.example" not in html
    assert "javascript:" not in html


def test_a_forbidden_page_shows_our_403_page(production, officer):
    response = client_for(officer, "en").get("/uji/403/", HTTP_REFERER="http://testserver/program/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "Access denied" in html
    assert "ask the administrator of your office" in html
    assert "not for you" not in html
    assert "Back to the previous page" in html
    assert 'class="navbar' in html


def test_a_real_permission_refusal_uses_it(production, officer):
    # The user administration is for administrators only.
    response = client_for(officer).get(reverse("accounts:user_list"))
    assert response.status_code == 403
    assert "Akses ditolak" in response.content.decode()


def test_a_server_error_shows_our_plain_500_page(production, officer):
    response = client_for(officer, "en").get("/uji/500/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong" in html
    assert 'href="/"' in html
    assert "the view broke" not in html
    assert "Traceback" not in html


def test_the_500_page_is_translated(production):
    html = client_for(None, "id").get("/uji/500/").content.decode()
    assert '<html lang="id">' in html
    assert "Terjadi kesalahan" in html


def test_the_500_page_needs_neither_the_database_nor_the_user(production, django_assert_num_queries):
    request = RequestFactory().get("/")  # no session, no user: the 500 page must not ask for them
    with django_assert_num_queries(0):
        response = defaults.server_error(request)
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode() or "Terjadi" in response.content.decode()
