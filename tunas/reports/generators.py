"""Report generators: one class per report, registered by the app that owns its data (django-oscar's way).

A generator says what it is (``code``, ``title``), who may have it (``is_available_to``), its ``columns`` for
that user (a role that may not see the NIK gets other columns) and its ``rows`` for the user's filters, read
through the app's scoped selectors. The shared renderers in ``tunas.reports.renderers`` turn them into
XLSX, CSV or PDF; the report list page shows each user the reports they may have.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from tunas.core.extensions import Label, Registry

from .renderers import Column

FORMATS = ("xlsx", "csv", "pdf")


class ReportGenerator:
    """Base class: subclasses set ``code``, ``title`` and ``description`` and implement the methods."""

    code: ClassVar[str]
    title: ClassVar[Label]
    description: ClassVar[Label] = ""
    order: ClassVar[int] = 100
    formats: ClassVar[tuple[str, ...]] = FORMATS

    @property
    def key(self) -> str:
        return self.code

    def is_available_to(self, user: Any) -> bool:
        raise NotImplementedError

    def filters(self, user: Any, data: Mapping[str, Any]) -> dict:
        """The filters a request asks for, validated for this user (unknown or foreign values dropped)."""
        return {}

    def columns(self, user: Any) -> list[Column]:
        raise NotImplementedError

    def rows(self, user: Any, filters: dict) -> Iterable[dict]:
        raise NotImplementedError

    def count(self, user: Any, filters: dict) -> int | None:
        """How many rows ``rows`` would give, cheaply (one COUNT query), or None if the report cannot tell.

        Above ``EXPORT_INLINE_MAX_ROWS`` an XLSX or CSV export is written in the background; a report that
        cannot count is always answered in the request.
        """
        return None

    def filename(self) -> str:
        return str(self.title)


reports: Registry[ReportGenerator] = Registry("reports")


def reports_for(user: Any) -> list[ReportGenerator]:
    """The reports this user may have, in order."""
    return [report for report in reports if report.is_available_to(user)]
