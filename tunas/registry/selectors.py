"""Reads of groups, members and people, always scoped to the user's jurisdiction (and a mentor's groups)."""

from __future__ import annotations

from django.db import connection
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from tunas.accounts.roles import ROLES_READING_JURISDICTION
from tunas.core.nik import normalize_nik
from tunas.core.scoping import office_q
from tunas.programs.models import Program

from . import rules
from .models import Group, GroupStatus, Membership, Person, Role, Verification

# A mentor reads only assigned groups, and until the mentoring records exist that is none.
JURISDICTION_READERS = tuple(ROLES_READING_JURISDICTION)

# Group stages reached after verification: the group passed selection.
SELECTED_STATUSES = (
    GroupStatus.VERIFIED,
    GroupStatus.TRAINED,
    GroupStatus.EQUIPPED,
    GroupStatus.MENTORED,
    GroupStatus.GRADUATED,
)

# Chair first, then secretary, treasurer and members, as offices list a group.
ROLE_ORDER = Case(
    *[When(role=role, then=Value(i)) for i, role in enumerate(Role.values)],
    default=Value(len(Role.values)),
    output_field=IntegerField(),
)


def registry_scope_q(user) -> Q:
    """Rows (groups or memberships, both carry ``program``) the user may read; nothing for other roles."""
    if user is None or not user.is_authenticated or not user.has_role(*JURISDICTION_READERS):
        return Q(pk__in=[])
    return office_q(user, "program__office")


def may_read_registry(user) -> bool:
    """Whether the user's roles open the registry pages at all (the rows are scoped separately)."""
    return bool(user and user.is_authenticated and user.has_role(*JURISDICTION_READERS))


def group_list_visible(*, user, program=None, filters: dict | None = None) -> QuerySet[Group]:
    """Groups inside the user's jurisdiction with member counts, in one query whatever their number."""
    filters = filters or {}
    qs = Group.objects.filter(registry_scope_q(user)).select_related("program", "village__district", "hamlet")
    if program is not None:
        qs = qs.filter(program=program)
    elif program_code := filters.get("program"):
        qs = qs.filter(program__code=getattr(program_code, "code", program_code))
    if q := (filters.get("q") or "").strip():
        qs = qs.filter(Q(name__icontains=q) | Q(village__name__icontains=q) | Q(hamlet__name__icontains=q))
    if status := filters.get("status"):
        qs = qs.filter(status=status)
    if business_type := filters.get("business_type"):
        qs = qs.filter(business_type=business_type)
    if district := filters.get("district"):
        qs = qs.filter(village__district_id=district)
    return qs.annotate(
        member_count=Count(
            "memberships", filter=~Q(memberships__verification=Verification.REJECTED), distinct=True
        ),
        pending_count=Count(
            "memberships", filter=Q(memberships__verification=Verification.PENDING), distinct=True
        ),
        approved_count=Count(
            "memberships", filter=Q(memberships__verification=Verification.APPROVED), distinct=True
        ),
    )


def group_get_visible(*, user, pk: int) -> Group:
    """One group by id, or Group.DoesNotExist when it lies outside what the user may read."""
    return (
        Group.objects.filter(registry_scope_q(user))
        .select_related("program__office", "village__district__regency", "hamlet", "verified_by")
        .get(pk=pk)
    )


def group_members(*, group) -> QuerySet[Membership]:
    """A group's members, chair first, with what their rows show: one query."""
    return (
        Membership.objects.filter(group=group)
        .select_related("person", "village", "hamlet", "verified_by", "warnings_resolved_by")
        .order_by(ROLE_ORDER, "person__full_name")
    )


def _category_q(category: str) -> Q:
    # PostgreSQL can ask jsonb whether the list holds the key; SQLite cannot, so it looks for the quoted key
    # in the stored JSON text (quotes keep "penganggur" from matching "setengah_penganggur").
    if connection.features.supports_json_field_contains:
        return Q(categories__contains=[category])
    return Q(categories__icontains=f'"{category}"')


def open_warnings_q(prefix: str = "") -> Q:
    """Memberships with possible-duplicate warnings no officer has resolved yet (rejected ones are done)."""
    return (
        ~Q(**{f"{prefix}warnings": []})
        & Q(**{f"{prefix}warnings_resolved_by__isnull": True})
        & ~Q(**{f"{prefix}verification": Verification.REJECTED})
    )


def membership_list_visible(
    *, user, program=None, group=None, filters: dict | None = None
) -> QuerySet[Membership]:
    """Members inside the user's jurisdiction, searchable by name or NIK; one query whatever their number.

    Only roles that see full NIKs may search by part of a NIK; others must type the whole number.
    """
    filters = filters or {}
    qs = Membership.objects.filter(registry_scope_q(user)).select_related(
        "person", "village__district", "group", "program"
    )
    if program is not None:
        qs = qs.filter(program=program)
    elif program_code := filters.get("program"):
        qs = qs.filter(program__code=getattr(program_code, "code", program_code))
    if group is not None:
        qs = qs.filter(group=group)
    if q := " ".join((filters.get("q") or "").split()):
        digits = normalize_nik(q)
        if digits.isdigit():
            if len(digits) == 16:
                qs = qs.filter(person__nik=digits)
            elif user.sees_full_nik:
                qs = qs.filter(person__nik__contains=digits)
            else:
                qs = qs.none()
        else:
            qs = qs.filter(Q(person__name_key__contains=q.lower()) | Q(person__full_name__icontains=q))
    if verification := filters.get("verification"):
        qs = qs.filter(verification=verification)
    if category := filters.get("category"):
        qs = qs.filter(_category_q(category))
    if sex := filters.get("sex"):
        qs = qs.filter(person__sex=sex)
    if filters.get("warnings") == "open":
        qs = qs.filter(open_warnings_q())
    return qs


def membership_get_visible(*, user, pk: int) -> Membership:
    """One membership by id, or Membership.DoesNotExist when it lies outside what the user may read."""
    return (
        Membership.objects.filter(registry_scope_q(user))
        .select_related(
            "person",
            "village__district__regency",
            "hamlet",
            "group__village",
            "program__office",
            "verified_by",
            "warnings_resolved_by",
        )
        .get(pk=pk)
    )


def _foreign_text(m: Membership) -> str:
    program = m.program
    return rules.foreign_registration(
        office=str(program.office), year=program.fiscal_year, stage=str(program.get_status_display())
    )


def person_history(*, user, person) -> list[tuple[Membership | None, str]]:
    """Every programme a person took part in: in full where the user may read it, else one sentence.

    Another office's registrations show only its office, year and stage (DESIGN.md): never the group,
    the role or the decision. Two queries.
    """
    visible = set(
        Membership.objects.filter(registry_scope_q(user), person=person).values_list("pk", flat=True)
    )
    rows = (
        Membership.objects.filter(person=person)
        .select_related("program__office", "group")
        .order_by("-program__fiscal_year", "program__code")
    )
    return [(m, "") if m.pk in visible else (None, _foreign_text(m)) for m in rows]


def possible_duplicates(
    *, user, person, phone: str = ""
) -> list[tuple[Person | None, Membership | None, str]]:
    """Other NIKs with the same normalised name and birth date, or the same phone, as the user may see them.

    A person the user may read comes with their latest visible registration; anyone else only as the
    sentence "registered in a programme of <office>, <year>, <stage>". Three queries.
    """
    match = Q(name_key=person.name_key, birth_date=person.birth_date)
    if phone:
        match |= Q(memberships__phone=phone)
    others = list(Person.objects.filter(match).exclude(pk=person.pk).distinct().order_by("full_name"))
    reachable = visible_memberships_of(user=user, people=others)
    latest: dict[int, Membership] = {}
    for m in (
        Membership.objects.filter(person__in=[p for p in others if p.pk not in reachable])
        .select_related("program__office")
        .order_by("person_id", "-program__fiscal_year", "-pk")
    ):
        latest.setdefault(m.person_id, m)
    result: list[tuple[Person | None, Membership | None, str]] = []
    for p in others:
        if p.pk in reachable:
            result.append((p, reachable[p.pk], ""))
        elif p.pk in latest:
            result.append((None, None, _foreign_text(latest[p.pk])))
        else:
            result.append((None, None, str(_("a person with the same name and birth date in no programme"))))
    return result


def visible_memberships_of(*, user, people) -> dict[int, Membership]:
    """For each person, one membership the user may open (the latest), in one query."""
    found: dict[int, Membership] = {}
    rows = (
        Membership.objects.filter(registry_scope_q(user), person__in=people)
        .select_related("program")
        .order_by("person_id", "-program__fiscal_year", "-pk")
    )
    for m in rows:
        found.setdefault(m.person_id, m)
    return found


def programs_for_filter(*, user) -> QuerySet[Program]:
    """Programmes the user may read, newest first, for the filter selects."""
    return (
        Program.objects.filter(office_q(user))
        .only("code", "name", "fiscal_year")
        .order_by("-fiscal_year", "code")
    )


def verification_queue_groups(*, user, program=None) -> QuerySet[Group]:
    """Forming groups with members, for verifiers: those with members still waiting first; one query."""
    qs = group_list_visible(user=user, program=program).filter(status=GroupStatus.FORMING)
    # member_count and pending_count are annotated by group_list_visible (the type checker cannot see them).
    return qs.filter(member_count__gt=0).order_by(  # type: ignore[misc]
        Case(When(pending_count__gt=0, then=Value(0)), default=Value(1)), "program__code", "name"
    )


def pending_members_of(*, groups) -> dict[int, list[Membership]]:
    """The members still waiting for a decision in these groups, chair first: one query."""
    by_group: dict[int, list[Membership]] = {g.pk: [] for g in groups}
    rows = (
        Membership.objects.filter(group__in=list(by_group), verification=Verification.PENDING)
        .select_related("person", "village")
        .order_by("group_id", ROLE_ORDER, "person__full_name")
    )
    for m in rows:
        by_group[m.group_id].append(m)
    return by_group


def pending_member_count(*, user) -> int:
    """Members of forming or verified groups still waiting for a verifier's decision."""
    return (
        Membership.objects.filter(registry_scope_q(user), verification=Verification.PENDING)
        .filter(group__status__in=[GroupStatus.FORMING, GroupStatus.VERIFIED])
        .count()
    )


def groups_awaiting_verification_count(*, user) -> int:
    """Forming groups that have members: they wait for the verification team."""
    return (
        Group.objects.filter(registry_scope_q(user), status=GroupStatus.FORMING, memberships__isnull=False)
        .distinct()
        .count()
    )


def open_warning_count(*, user) -> int:
    """Members whose possible-duplicate warnings still wait for an officer."""
    return Membership.objects.filter(registry_scope_q(user)).filter(open_warnings_q()).count()


def selection_record(*, program) -> dict:
    """The groups that passed selection and their verified members, for the selection-result record.

    Two queries for the rows, one for the counts, whatever the size of the programme.
    """
    groups = list(
        Group.objects.filter(program=program, status__in=SELECTED_STATUSES)
        .select_related("village__district", "hamlet", "verified_by")
        .order_by("name")
    )
    members: dict[int, list[Membership]] = {g.pk: [] for g in groups}
    verifiers: dict[int, object] = {}
    for g in groups:
        if g.verified_by_id:
            verifiers[g.verified_by_id] = g.verified_by
    rows = (
        Membership.objects.filter(group__in=list(members), verification=Verification.APPROVED)
        .select_related("person", "village", "hamlet", "verified_by")
        .order_by("group_id", ROLE_ORDER, "person__full_name")
    )
    for m in rows:
        members[m.group_id].append(m)
        if m.verified_by_id:
            verifiers.setdefault(m.verified_by_id, m.verified_by)
    counts = Membership.objects.filter(program=program).aggregate(
        approved=Count("pk", filter=Q(verification=Verification.APPROVED)),
        rejected=Count("pk", filter=Q(verification=Verification.REJECTED)),
        pending=Count("pk", filter=Q(verification=Verification.PENDING)),
    )
    return {
        "groups": [{"group": g, "members": members[g.pk]} for g in groups],
        "verifiers": sorted(verifiers.values(), key=lambda u: (u.get_full_name() or u.username).lower()),
        "counts": counts,
        "member_total": sum(len(v) for v in members.values()),
    }


def program_group_counts(*, program) -> dict[str, int]:
    """Counts that decide whether a programme may leave registration or verification: two queries."""
    active = ~Q(memberships__verification=Verification.REJECTED)
    sizes = (
        Group.objects.filter(program=program)
        .exclude(status__in=[GroupStatus.DISSOLVED, GroupStatus.REJECTED])
        .annotate(n=Count("memberships", filter=active))
    )
    groups = list(sizes.values_list("status", "n"))
    return {
        "groups": len(groups),
        "undersized": sum(1 for _status, n in groups if n < program.group_size_min),
        "verified_groups": sum(1 for status, _n in groups if status in SELECTED_STATUSES),
        "pending_members": Membership.objects.filter(
            program=program, verification=Verification.PENDING
        ).count(),
    }
