"""Optimistic locking: an edit saved over someone else's newer edit is refused, never silently lost."""

from __future__ import annotations

from django.db import models, transaction

from .errors import ConflictError


def save_versioned(instance: models.Model, *, expected_version: int | None) -> None:
    """Saves ``instance`` only if its row still has ``expected_version``, and bumps the version.

    The row is locked while checked (PostgreSQL ``SELECT … FOR UPDATE``; SQLite serialises writers), so two
    people saving the same version cannot both win. ``expected_version=None`` is for new rows.
    """
    if instance.pk is None or expected_version is None:
        instance.save()
        return
    with transaction.atomic():
        current = (
            type(instance)
            ._default_manager.select_for_update()
            .filter(pk=instance.pk)
            .values_list("version", flat=True)
            .first()
        )
        if current != expected_version:
            raise ConflictError()
        instance.version = expected_version + 1  # type: ignore[attr-defined]
        instance.save()
