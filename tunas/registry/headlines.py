"""Headline numbers for the home page until the dashboards come: programmes, groups and people.

Two queries whatever the size of the jurisdiction (a regency's handful of groups or the ministry's hundred
thousand): one count of programmes, one sum of the programmes' kept registry summaries. Nothing personal
leaves this module, only counts.
"""

from __future__ import annotations

from dataclasses import dataclass

from tunas.programs.selectors import program_list_visible

from .selectors import summaries_visible


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
    """Counts inside the user's jurisdiction: programmes; active groups; the registrations in them (a person
    in two programmes counts in each), women and men; and those verified. Read from the programmes' kept
    summaries (registry.counts): two queries whatever the size."""
    programmes = program_list_visible(user=user).count()
    totals = summaries_visible(user=user)
    return Headlines(
        programmes=programmes,
        groups=totals["groups"],
        people=totals["members"],
        women=totals["women"],
        men=totals["men"],
        verified=totals["approved"],
    )
