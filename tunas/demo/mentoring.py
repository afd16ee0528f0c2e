"""Demo mentoring records for the 2018 programme, made through the mentoring app's services.

Two mentors follow two groups each from October 2018; each group has a visit and a monthly report for every
month from October 2018 to September 2020, on its own path: the lontar crafts grow and hire, the snacks
hold steady, the chicken-feet chips struggle and pause in 2020, the palm-fibre rope closes. Every record
has a fixed UUID (uuid5 of its group and month), so a second load resends the same records and the
services answer them as already stored.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import transaction

from tunas.accounts.models import User
from tunas.accounts.roles import Role
from tunas.accounts.services import user_set_roles
from tunas.mentoring import services
from tunas.mentoring.models import Assignment
from tunas.programs.models import Program
from tunas.registry.models import Group
from tunas.registry.selectors import SELECTED_STATUSES

from .foundation import DEMO_PASSWORD

NAMESPACE = uuid.UUID("7d1f3c2e-5a0b-4f6e-9c1d-2018a0b1c2d3")
SECOND_MENTOR = ("pendamping2", "Ni Kadek", "Sri Wahyuni")
START = dt.date(2018, 10, 1)
MONTHS = 24  # October 2018 to September 2020

# Per group (by its order of name): monthly turnover path, costs share, hired workers, status by month.
PATHS = {
    "Jajan Bali Sengguan": "steady",
    "Kerajinan Lontar Besang": "grows",
    "Keripik Ceker Pasekan": "struggles",
}
ACTIVITIES = ["production", "bookkeeping", "marketing", "capital", "accountability"]
FINDINGS = {
    "grows": "Pesanan dari toko oleh-oleh di Semarapura bertambah; perlu tenaga tambahan untuk menganyam.",
    "steady": "Penjualan jajan untuk upacara stabil; pembukuan sudah rutin diisi bendahara.",
    "struggles": "Harga ceker ayam naik dan pasokan tidak tetap; penjualan ke warung menurun.",
    "closes": "Permintaan tali ijuk turun; anggota lebih banyak bekerja di kebun.",
}


def _month(i: int) -> dt.date:
    year, month = divmod(START.month - 1 + i, 12)
    return dt.date(START.year + year, month + 1, 1)


def _mentor2(office) -> User:
    username, first, last = SECOND_MENTOR
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, first_name=first, last_name=last, email=f"{username}@demo.tunas.local")
        user.office = office
        user.set_password(DEMO_PASSWORD)
        user.full_clean()
        user.save()
        user_set_roles(user=user, roles=[str(Role.MENTOR)])
    return user


def _figures(path: str, i: int, members: int) -> dict:
    """A month's figures at 2018 village scale (Rupiah)."""
    month = _month(i)
    if path == "grows":
        turnover = 6_000_000 + i * 450_000
        hired = min(4, i // 5)
        status, reason = "active", ""
    elif path == "steady":
        turnover = 4_500_000 + (300_000 if month.month in (3, 4, 10, 12) else 0)  # festival months
        hired = 0
        status, reason = "active", ""
    elif path == "struggles":
        paused = dt.date(2020, 4, 1) <= month <= dt.date(2020, 7, 1)
        turnover = 0 if paused else max(1_200_000, 3_800_000 - i * 120_000)
        hired = 0
        status, reason = (
            ("paused", "Bahan baku mahal dan pasar sepi selama pembatasan kegiatan")
            if paused
            else ("active", "")
        )
    else:  # closes
        closed = month >= dt.date(2020, 2, 1)
        turnover = 0 if closed else max(800_000, 2_600_000 - i * 110_000)
        hired = 0
        status, reason = (
            ("closed", "Anggota beralih bekerja di kebun; usaha tali ijuk dihentikan")
            if closed
            else ("active", "")
        )
    costs = int(turnover * 0.6)
    working = (
        0 if status != "active" else (members if path in ("grows", "steady") else max(6, members - i // 2))
    )
    return {
        "status": status,
        "status_reason": reason,
        "turnover": turnover,
        "costs": costs,
        "profit": turnover - costs,
        "working_members": min(working, members),
        "hired_paid": hired,
        "hired_unpaid": 1 if path == "grows" and i > 12 else 0,
        "channels": {
            "grows": ["shop", "social", "whatsapp"],
            "steady": ["direct", "market"],
            "struggles": ["direct", "shop"],
            "closes": ["direct"],
        }[path],
        "capital_received": 5_000_000 if path == "grows" and i == 9 else 0,
        "nib_obtained": path in ("grows", "steady") and i >= 6,
        "equipment_condition": "good" if status == "active" else "unused",
        "products_sold": "",
        "notes": "",
    }


@transaction.atomic
def load_mentoring(program: Program, result: dict) -> None:
    """Records the 2018 programme's mentoring (idempotent)."""
    if program.code != "KLK-TKM-2018":
        return
    mentor1 = User.objects.filter(username="pendamping").first()
    officer = User.objects.filter(username="operator").first()
    if mentor1 is None:
        return
    mentor2 = _mentor2(program.office)
    groups = list(Group.objects.filter(program=program, status__in=SELECTED_STATUSES).order_by("name"))
    for index, group in enumerate(groups):
        mentor = mentor1 if index < 2 else mentor2
        if not Assignment.objects.filter(group=group, ended_on__isnull=True).exists():
            services.assignment_create(group=group, mentor=mentor, starts_on=START, by=officer)
        mentor = Assignment.objects.get(group=group, ended_on__isnull=True).mentor
        path = PATHS.get(group.name, "closes")
        members = group.approved_count or group.member_count
        for i in range(MONTHS):
            month = _month(i)
            if path == "closes" and month > dt.date(2020, 3, 1):
                break  # a closed business is no longer visited after its last report
            visited = month.replace(day=12 + index)
            services.visit_receive(
                record_id=uuid.uuid5(NAMESPACE, f"visit:{group.pk}:{month:%Y-%m}"),
                body={
                    "group": group.pk,
                    "visited_on": visited.isoformat(),
                    "met": "Ketua, bendahara dan beberapa anggota",
                    "activities": [ACTIVITIES[i % len(ACTIVITIES)], "production"],
                    "findings": FINDINGS[path],
                    "follow_ups": [
                        {
                            "action": "Melengkapi buku kas bulan ini",
                            "due_on": (visited + dt.timedelta(days=14)).isoformat(),
                            "responsible": "Bendahara kelompok",
                        }
                    ]
                    if i % 3 == 0
                    else [],
                },
                by=mentor,
            )
            report_month = month
            services.report_receive(
                record_id=uuid.uuid5(NAMESPACE, f"report:{group.pk}:{report_month:%Y-%m}"),
                body={"group": group.pk, "month": f"{report_month:%Y-%m}", **_figures(path, i, members)},
                by=mentor,
            )
    # Follow-ups agreed in the first year were done; the later ones stay open as the mentors left them.
    from tunas.mentoring.models import FollowUp

    for follow_up in FollowUp.objects.filter(
        visit__group__program=program, done_on__isnull=True, due_on__lt=dt.date(2019, 10, 1)
    ):
        services.follow_up_done(follow_up=follow_up, by=follow_up.visit.mentor, done_on=follow_up.due_on)
