"""Optimistic locking: an edit saved over someone else's newer edit is refused, never silently lost."""

from __future__ import annotations

from django.db import models, transaction

from .errors import ConflictError


def save_versioned(instance: models.Model, *, expected_version: int | None) -> None:
    """Saves ``instance`` only if its row still has ``expected_version``, and bumps the version.

    The check and the bump are one conditional UPDATE, so two people saving the same version cannot both
    win on any database: the second UPDATE waits for the first to commit, then matches no row.
    ``expected_version=None`` is for new rows.
    """
    if instance.pk is None or expected_version is None:
        instance.save()
        return
    with transaction.atomic():
        claimed = (
            type(instance)
            ._default_manager.filter(pk=instance.pk, version=expected_version)
            .update(version=expected_version + 1)
        )
        if claimed != 1:
            raise ConflictError()
        instance.version = expected_version + 1  # type: ignore[attr-defined]
        instance.save()
