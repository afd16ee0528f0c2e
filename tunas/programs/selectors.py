"""Reads of programmes, always scoped to the user's jurisdiction."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from tunas.core.scoping import office_q

from .models import Program


def program_list_visible(*, user, filters: dict | None = None) -> QuerySet[Program]:
    """Programmes of offices inside the user's jurisdiction, filtered; one query whatever the count."""
    filters = filters or {}
    if not user.reads_jurisdiction:
        return Program.objects.none()
    qs = Program.objects.filter(office_q(user)).select_related("office")
    if q := (filters.get("q") or "").strip():
        qs = qs.filter(Q(code__icontains=q) | Q(name__icontains=q))
    if year := filters.get("year"):
        qs = qs.filter(fiscal_year=year)
    if status := filters.get("status"):
        qs = qs.filter(status=status)
    if funding := filters.get("funding"):
        qs = qs.filter(funding_source=funding)
    return qs


def with_group_counts(programs: list[Program]) -> list[Program]:
    """Each programme of a page, given its number of groups: one query for the page, never a count of
    every programme in the jurisdiction."""
    counts = dict(
        Program.objects.filter(pk__in=[p.pk for p in programs])
        .annotate(n=Count("groups"))
        .values_list("pk", "n")
    )
    for program in programs:
        program.group_count = counts.get(program.pk, 0)  # type: ignore[attr-defined]
    return programs


def program_get_visible(*, user, code: str) -> Program:
    """One programme by code, or Program.DoesNotExist when it is outside the user's jurisdiction."""
    if not user.reads_jurisdiction:
        raise Program.DoesNotExist
    return Program.objects.filter(office_q(user)).select_related("office").get(code=code)


def program_years_visible(*, user) -> list[int]:
    return list(
        Program.objects.filter(office_q(user))
        .order_by("-fiscal_year")
        .values_list("fiscal_year", flat=True)
        .distinct()
    )
