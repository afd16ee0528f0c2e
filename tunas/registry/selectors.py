"""Reads of groups, members and people, always scoped to the user's jurisdiction (and a mentor's groups)."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from tunas.core.scoping import office_q

from .models import Group, GroupStatus, Membership, Verification


def group_list_visible(*, user, program=None, filters: dict | None = None) -> QuerySet[Group]:
    """Groups inside the user's jurisdiction with member counts, in one query whatever their number."""
    filters = filters or {}
    qs = Group.objects.filter(office_q(user, "program__office")).select_related(
        "program", "village__district", "hamlet"
    )
    if program is not None:
        qs = qs.filter(program=program)
    if q := (filters.get("q") or "").strip():
        qs = qs.filter(Q(name__icontains=q) | Q(village__name__icontains=q) | Q(hamlet__name__icontains=q))
    if status := filters.get("status"):
        qs = qs.filter(status=status)
    if business_type := filters.get("business_type"):
        qs = qs.filter(business_type=business_type)
    if district := filters.get("district"):
        qs = qs.filter(village__district_id=district)
    return qs.annotate(
        member_count=Count("memberships", distinct=True),
        pending_count=Count(
            "memberships", filter=Q(memberships__verification=Verification.PENDING), distinct=True
        ),
    )


def program_group_counts(*, program) -> dict[str, int]:
    """Counts that decide whether a programme may leave registration or verification: three queries."""
    groups = Group.objects.filter(program=program).exclude(status=GroupStatus.DISSOLVED)
    sizes = groups.annotate(n=Count("memberships"))
    return {
        "groups": groups.count(),
        "undersized": sizes.filter(n__lt=program.group_size_min).count(),
        "verified_groups": groups.filter(status=GroupStatus.VERIFIED).count()
        + groups.filter(
            status__in=[GroupStatus.TRAINED, GroupStatus.EQUIPPED, GroupStatus.MENTORED, GroupStatus.GRADUATED]
        ).count(),
        "pending_members": Membership.objects.filter(program=program, verification=Verification.PENDING).count(),
    }
