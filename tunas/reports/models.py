"""Background exports: a report too big to answer in the request, written by a task into a private file.

The file holds personal data, so it lives in a storage of its own outside MEDIA_ROOT (never served at a URL;
only the view that checks who asked reads it) and is deleted after ``EXPORT_RETENTION_HOURS`` by
``manage.py purge_exports``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from tunas.core.models import TimeStamped


def private_media_root() -> Path:
    """Where private files live: ``PRIVATE_MEDIA_ROOT``, by default ``var/private`` (not under MEDIA_ROOT)."""
    return Path(getattr(settings, "PRIVATE_MEDIA_ROOT", Path(settings.BASE_DIR) / "var" / "private"))


class PrivateStorage(FileSystemStorage):
    """Files that only a view with a permission check hands out: under ``private_media_root()``, no URL."""

    @cached_property
    def base_location(self) -> str:
        return str(private_media_root())

    def _clear_cached_properties(self, setting: Any, **kwargs: Any) -> None:
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "PRIVATE_MEDIA_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)

    def url(self, name: str | None) -> str:
        raise ValueError("Private files have no URL; a view checks who asks and sends them.")


_private_storage = PrivateStorage()


def private_storage() -> PrivateStorage:
    """The storage of private files (a callable, so migrations do not record a path)."""
    return _private_storage


def export_upload_to(instance: ExportJob, filename: str) -> str:
    return f"exports/{timezone.now():%Y/%m}/{instance.pk}-{filename}"


class ExportJob(TimeStamped):
    """One export asked for in the background: which report, format and filters, its progress, its file."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Writing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    report_code = models.CharField(max_length=50)
    format = models.CharField(max_length=8)
    # The request's query string as sent: the worker validates it again with report.filters(user, QueryDict),
    # so a model instance in the filters (a programme) is read back within the user's scope at run time.
    query = models.TextField(blank=True)
    # The language the user asked in: the titles and labels of the file are written in it.
    language = models.CharField(max_length=10, blank=True)
    filename = models.CharField(max_length=255)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    file = models.FileField(storage=private_storage, upload_to=export_upload_to, max_length=255, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.report_code}.{self.format} #{self.pk}"

    @property
    def progress_percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return min(100, int(100 * self.rows_done / self.rows_total)) if self.rows_total else 0

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
