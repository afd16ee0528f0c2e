"""The demo's mentoring: two mentors with two 2018 groups each, visits and monthly reports from October 2018
to September 2020, each group on its own path, loaded twice without a second row."""

from __future__ import annotations

import datetime as dt

import pytest

from tunas.demo.loader import load
from tunas.mentoring.models import Assignment, ProgressReport, Visit
from tunas.programs.models import Stage

pytestmark = pytest.mark.django_db


def test_the_demo_mentoring_tells_four_paths_and_loads_once():
    result = load()
    assert result["programs"]["KLK-TKM-2018"].status == Stage.CLOSED
    mentors = {a.mentor.username: [] for a in Assignment.objects.select_related("mentor")}
    for a in Assignment.objects.select_related("mentor", "group"):
        mentors[a.mentor.username].append(a.group.name)
    assert sorted(len(groups) for groups in mentors.values()) == [2, 2]
    assert "pendamping" in mentors

    def path(name):
        return list(ProgressReport.objects.filter(group__name=name, is_current=True).order_by("month"))

    lontar = path("Kerajinan Lontar Besang")
    assert lontar[0].month == dt.date(2018, 10, 1) and lontar[-1].month == dt.date(2020, 9, 1)
    assert lontar[-1].turnover > lontar[0].turnover and lontar[-1].hired_paid > lontar[0].hired_paid
    steady = path("Jajan Bali Sengguan")
    assert {r.status for r in steady} == {"active"} and abs(
        steady[-1].turnover - steady[0].turnover
    ) < 1_000_000
    chips = path("Keripik Ceker Pasekan")
    assert any(r.status == "paused" and r.month.year == 2020 for r in chips) and chips[-1].status == "active"
    rope = path("Ngilur Bhuwana Sente")
    assert rope[-1].status == "closed" and rope[-1].status_reason
    # Rupiah at 2018 village scale: a few million a month, never a negative profit.
    assert all(0 <= r.turnover <= 20_000_000 and r.profit >= 0 for r in ProgressReport.objects.all())

    counts = (Visit.objects.count(), ProgressReport.objects.count(), Assignment.objects.count())
    load()
    assert (Visit.objects.count(), ProgressReport.objects.count(), Assignment.objects.count()) == counts
