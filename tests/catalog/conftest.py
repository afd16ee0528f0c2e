"""The catalogue's fixtures: public media in the test's folder, tasks run at once, a fresh cache."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _catalog_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def group_rep(klungkung):
    return UserFactory(username="ketua", office=klungkung, roles=["group_rep"])
