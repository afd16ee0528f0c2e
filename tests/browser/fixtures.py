"""The one Playwright and Chromium of a test run, and a page factory on the live server (tests/conftest.py
registers these for every test package)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .conftest import CHROMIUM, DESKTOP


@pytest.fixture(scope="session")
def chromium():
    if not Path(CHROMIUM).exists():
        if os.environ.get("TUNAS_REQUIRE_BROWSER") == "1":
            pytest.fail(f"Chromium not found at {CHROMIUM}; install Debian's chromium package.")
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page_factory(chromium, live_server):
    contexts = []

    def make(viewport=DESKTOP, language="id"):
        context = chromium.new_context(viewport=viewport, locale="id-ID" if language == "id" else "en-US")
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.base = live_server.url
        return page

    yield make
    for context in contexts:
        context.close()


def _serve_one_request_at_a_time_on_in_memory_sqlite() -> None:
    """The live server shares the test's one in-memory SQLite connection with its threads, so two requests
    at once (a page and its service worker sending together) would interleave on one transaction. On SQLite
    the server answers one request at a time, as Django's own test suite does; PostgreSQL keeps threads."""
    from django.conf import settings
    from django.core.servers.basehttp import WSGIServer
    from django.test.testcases import LiveServerThread

    if "sqlite" not in settings.DATABASES["default"]["ENGINE"]:
        return

    class SingleThreadedServer(WSGIServer):
        def __init__(self, *args, connections_override=None, **kwargs):
            super().__init__(*args, **kwargs)

    LiveServerThread.server_class = SingleThreadedServer


_serve_one_request_at_a_time_on_in_memory_sqlite()
