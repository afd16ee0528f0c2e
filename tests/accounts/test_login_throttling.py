"""Login throttling behind a reverse proxy: the lockout follows the client, not the proxy's address.

Behind a proxy every request comes from the proxy (REMOTE_ADDR); the client is the address the trusted
proxy added to X-Forwarded-For, the right-most one (the PROXY_COUNT-th from the right with several proxies).
Anything left of it was written by the client and proves nothing.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

PROXY = "127.0.0.1"
CLIENT_A = "203.0.113.7"
CLIENT_B = "198.51.100.23"


@pytest.fixture
def behind_proxy(settings):
    settings.AXES_ENABLED = True
    settings.BEHIND_PROXY = True
    settings.PROXY_COUNT = 1
    return settings


def sign_in(username: str, password: str, *, forwarded_for: str | None, remote_addr: str = PROXY):
    headers = {"REMOTE_ADDR": remote_addr}
    if forwarded_for is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return Client().post(reverse("accounts:login"), {"username": username, "password": password}, **headers)


def test_five_wrong_passwords_from_one_client_lock_that_client_only(behind_proxy, officer):
    for _ in range(4):
        assert sign_in(officer.username, "wrong-password", forwarded_for=CLIENT_A).status_code == 200
    assert sign_in(officer.username, "wrong-password", forwarded_for=CLIENT_A).status_code == 429
    assert sign_in(officer.username, PASSWORD, forwarded_for=CLIENT_A).status_code == 429
    # Another client through the same proxy still signs in.
    assert sign_in(officer.username, PASSWORD, forwarded_for=CLIENT_B).status_code == 302


def test_a_forged_x_forwarded_for_does_not_lift_a_lockout(behind_proxy, officer):
    # The client writes whatever it likes left of the address our proxy appends.
    for n in range(5):
        sign_in(officer.username, "wrong-password", forwarded_for=f"10.9.9.{n}, {CLIENT_A}")
    assert sign_in(officer.username, PASSWORD, forwarded_for=f"192.0.2.99, {CLIENT_A}").status_code == 429
    assert sign_in(officer.username, PASSWORD, forwarded_for=CLIENT_A).status_code == 429


def test_with_two_proxies_the_client_is_the_second_address_from_the_right(behind_proxy, officer):
    behind_proxy.PROXY_COUNT = 2
    load_balancer = "10.0.0.2"
    for _ in range(5):
        sign_in(officer.username, "wrong-password", forwarded_for=f"{CLIENT_A}, {load_balancer}")
    assert (
        sign_in(officer.username, PASSWORD, forwarded_for=f"{CLIENT_A}, {load_balancer}").status_code == 429
    )
    assert (
        sign_in(officer.username, PASSWORD, forwarded_for=f"{CLIENT_B}, {load_balancer}").status_code == 302
    )


def test_without_a_proxy_x_forwarded_for_is_ignored(settings, officer):
    # Served directly, the header is the client's own words: a new one per attempt must not dodge the lock.
    settings.AXES_ENABLED = True
    settings.BEHIND_PROXY = False
    for n in range(5):
        sign_in(officer.username, "wrong-password", forwarded_for=f"10.9.9.{n}", remote_addr=CLIENT_A)
    assert (
        sign_in(officer.username, PASSWORD, forwarded_for=CLIENT_B, remote_addr=CLIENT_A).status_code == 429
    )
    assert sign_in(officer.username, PASSWORD, forwarded_for=None, remote_addr=CLIENT_B).status_code == 302


@pytest.mark.parametrize(
    "forwarded_for",
    [
        pytest.param(None, id="no header"),
        pytest.param("", id="an empty header"),
        pytest.param("not-an-address", id="not an address"),
    ],
)
def test_a_missing_or_malformed_header_falls_back_to_the_proxy_address(behind_proxy, officer, forwarded_for):
    for _ in range(5):
        sign_in(officer.username, "wrong-password", forwarded_for=forwarded_for)
    assert sign_in(officer.username, PASSWORD, forwarded_for=forwarded_for).status_code == 429
    assert sign_in(officer.username, PASSWORD, forwarded_for=CLIENT_B).status_code == 302


@pytest.mark.parametrize(
    ("client_a", "client_b"),
    [
        pytest.param(f"{CLIENT_A}:50123", f"{CLIENT_B}:50123", id="IPv4 with a port"),
        pytest.param("2001:db8::7", "2001:db8::23", id="IPv6"),
        pytest.param("[2001:db8::7]:50123", "[2001:db8::23]:50123", id="IPv6 with a port"),
    ],
)
def test_addresses_written_with_a_port_or_in_ipv6_are_read(behind_proxy, officer, client_a, client_b):
    for _ in range(5):
        sign_in(officer.username, "wrong-password", forwarded_for=client_a)
    assert sign_in(officer.username, PASSWORD, forwarded_for=client_a).status_code == 429
    assert sign_in(officer.username, PASSWORD, forwarded_for=client_b).status_code == 302
