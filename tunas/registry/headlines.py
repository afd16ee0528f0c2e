"""Headline numbers for the home page until the dashboards come: programmes, groups and people.

Two aggregate queries whatever the size of the jurisdiction (a regency's handful of groups or the
ministry's hundred thousand): one count of programmes, one pass over groups, their registrations and
people. Nothing personal leaves this module, only counts.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from tunas.core.choices import Sex
from tunas.programs.selectors import program_list_visible

from .models import Group, GroupStatus, Verification
from .selectors import registry_scope_q

# A dissolved or rejected group, and a rejected member, are not part of the programmes' numbers.
CLOSED_GROUPS = (GroupStatus.DISSOLVED, GroupStatus.REJECTED)


@dataclass(frozen=True)
class Headlines:
    programmes: int
    groups: int
    people: int
    women: int
    men: int
    verified: int

    @property
    def verified_share(self) -> float | None:
        """Verified people as a percentage of the people registered (None when nobody is registered)."""
        return 100 * self.verified / self.people if self.people else None


def headlines_visible(*, user) -> Headlines:
    """Counts inside the user's jurisdiction: programmes; active groups; the people registered in them
    (each person once, however many programmes they joined), women and men; and those verified."""
    programmes = program_list_visible(user=user).count()
    member = Q(memberships__isnull=False) & ~Q(memberships__verification=Verification.REJECTED)
    person = "memberships__person"
    counts = (
        Group.objects.filter(registry_scope_q(user))
        .exclude(status__in=CLOSED_GROUPS)
        .aggregate(
            groups=Count("pk", distinct=True),
            people=Count(person, distinct=True, filter=member),
            women=Count(person, distinct=True, filter=member & Q(memberships__person__sex=Sex.FEMALE)),
            men=Count(person, distinct=True, filter=member & Q(memberships__person__sex=Sex.MALE)),
            verified=Count(person, distinct=True, filter=Q(memberships__verification=Verification.APPROVED)),
        )
    )
    return Headlines(programmes=programmes, **{key: value or 0 for key, value in counts.items()})
