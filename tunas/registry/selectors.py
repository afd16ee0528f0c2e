"""Reads of groups, members and people, always scoped to the user's jurisdiction (and a mentor's groups)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Sum, Value, When
from django.utils.translation import gettext as _

from tunas.accounts.models import Office
from tunas.accounts.roles import ROLES_READING_JURISDICTION
from tunas.core.errors import Problem, message_for
from tunas.core.nik import normalize_nik, parse_nik
from tunas.core.scoping import jurisdiction_q, office_q
from tunas.core.search import supports_fuzzy, words_q
from tunas.programs.models import Program
from tunas.regions.selectors import district_exists

from . import rules
from .eligibility import Candidate, EligibilityContext, check_candidate
from .extensions import assigned_group_ids
from .models import Group, GroupStatus, Membership, Person, ProgramSummary, Role, Verification

# The roles that read the whole jurisdiction; a mentor reads only assigned groups (registry.extensions).
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


def registry_scope_q(user, group_field: str = "pk") -> Q:
    """Rows (groups, or memberships with ``group_field="group_id"``) the user may read: the jurisdiction's
    for its readers, the assigned groups for a mentor (registry.extensions.group_readers), else nothing."""
    if user is None or not user.is_authenticated:
        return Q(pk__in=[])
    if user.has_role(*JURISDICTION_READERS):
        return office_q(user, "program__office")
    assigned = Q(pk__in=[])
    for ids in assigned_group_ids(user):
        assigned |= Q(**{f"{group_field}__in": ids})
    return assigned


def membership_scope_q(user) -> Q:
    """Memberships the user may read: for the jurisdiction's readers, those of the offices inside it, by the
    office copied onto each membership (a regency's list is then one range of the index (office, name, id),
    not a join through programmes and offices sorted whole); a mentor's assigned groups'; else nothing."""
    if user is None or not user.is_authenticated or not user.has_role(*JURISDICTION_READERS):
        return registry_scope_q(user, "group_id")
    if user.jurisdiction == "":
        return Q()
    # A list of ids, not a subquery: "office_id IN (5)" is an equality the index seeks on; a subquery's
    # rows would have to be sorted after the join. The user object lives for one request.
    offices = getattr(user, "_registry_offices", None)
    if offices is None:
        offices = list(
            Office.objects.filter(jurisdiction_q(user, "region_code"))
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        user._registry_offices = offices
    return Q(office_id__in=offices)


# The member lists' sorts (views and exports): each reads one of Membership's indexes in order, on the
# membership's own copies of the person's and the group's names, so that a page is a seek and not a sort of
# the whole jurisdiction: by name, within a group by name, within a decision by order of registration.
MEMBER_SORTS = {
    "name": ["person_name"],
    "nik": ["person__nik"],
    "group": ["group_name", "group_id", "person_name"],
    "program": ["program__code", "group_name", "group_id", "person_name"],
    "verification": ["verification"],
}


def member_sorts_for(user) -> dict[str, list[str]]:
    """The member sorts a user may use: ordering by NIK would let a role that sees it masked bisect it."""
    if user.sees_full_nik:
        return MEMBER_SORTS
    return {key: fields for key, fields in MEMBER_SORTS.items() if key != "nik"}


def may_read_registry(user) -> bool:
    """Whether the user's roles open the registry pages at all (the rows are scoped separately): the
    jurisdiction's readers, and users holding group assignments (a mentor)."""
    if not (user and user.is_authenticated):
        return False
    return bool(user.has_role(*JURISDICTION_READERS) or any(ids.exists() for ids in assigned_group_ids(user)))


def group_list_visible(*, user, program=None, filters: dict | None = None) -> QuerySet[Group]:
    """Groups inside the user's jurisdiction with their kept member counts, in one query whatever their
    number."""
    filters = filters or {}
    qs = Group.objects.filter(registry_scope_q(user)).select_related("program", "village__district", "hamlet")
    if program is not None:
        qs = qs.filter(program=program)
    elif program_code := filters.get("program"):
        qs = qs.filter(program__code=getattr(program_code, "code", program_code))
    if q := (filters.get("q") or "").strip():
        qs = qs.filter(
            words_q("name", q, lowered=False)
            | words_q("village__name", q, lowered=False)
            | words_q("hamlet__name", q, lowered=False)
        )
    if status := filters.get("status"):
        qs = qs.filter(status=status)
    if business_type := filters.get("business_type"):
        qs = qs.filter(business_type=business_type)
    if district := filters.get("district"):
        qs = qs.filter(village__district_id=district)
    # member_count, pending_count and approved_count are kept on the group (registry.counts).
    return qs


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
    qs = Membership.objects.filter(membership_scope_q(user)).select_related(
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
            found = qs.filter(words_q("person__name_key", q))
            if supports_fuzzy() and not found.exists():
                found = qs.filter(words_q("person__name_key", q, fuzzy=True))
            qs = found
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
        Membership.objects.filter(membership_scope_q(user))
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
        Membership.objects.filter(membership_scope_q(user), person=person).values_list("pk", flat=True)
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
    sentence "registered in a programme of <office>, <year>, <stage>". Five queries at most, each an index
    lookup.
    """
    # Two index lookups, not one OR across the join (which reads every person).
    ids = set(
        Person.objects.filter(name_key=person.name_key, birth_date=person.birth_date).values_list(
            "pk", flat=True
        )
    )
    if phone:
        ids.update(Membership.objects.filter(phone=phone).values_list("person_id", flat=True))
    ids.discard(person.pk)
    others = list(Person.objects.filter(pk__in=sorted(ids)).order_by("full_name")) if ids else []
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
        Membership.objects.filter(membership_scope_q(user), person__in=people)
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


# The verification queue -------------------------------------------------------------------------------------

# What the queue shows of each group: every member, those waiting, those with a problem, those decided.
QUEUE_SHOW = ("", "waiting", "warnings", "decided")


def verification_queue_groups(*, user, program=None, show: str = "") -> QuerySet[Group]:
    """Forming groups with members, for verifiers: those with members still waiting first; one query.

    ``show`` keeps the groups with a member waiting ("waiting"), decided ("decided") or whose re-check finds
    a problem ("warnings", read first by ``queue_group_ids_needing_a_look``). Each group carries
    ``member_count``, ``pending_count``, ``approved_count`` and ``rejected_count``.
    """
    qs = (
        group_list_visible(user=user, program=program)
        .filter(status=GroupStatus.FORMING)
        .select_related("program__office")
        .filter(Q(member_count__gt=0) | Q(rejected_count__gt=0))
    )
    if show == "waiting":
        qs = qs.filter(pending_count__gt=0)
    elif show == "decided":
        qs = qs.filter(Q(approved_count__gt=0) | Q(rejected_count__gt=0))
    elif show == "warnings":
        qs = qs.filter(pk__in=sorted(queue_group_ids_needing_a_look(user=user, program=program)))
    return qs.order_by(*QUEUE_ORDER)


# The queue goes programme by programme, newest first (a verification team works on one programme), and in
# each shows the groups with the most members still waiting first: a page's groups share their programmes, so
# its re-check reads a few programmes, not ten.
QUEUE_ORDER = ("-program__fiscal_year", "program__code", "-pending_count", "name", "pk")


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


def queue_members_of(*, groups) -> dict[int, list[Membership]]:
    """Every member of these groups, decided or not, chair first, with what the queue shows: one query."""
    by_pk = {g.pk: g for g in groups}
    by_group: dict[int, list[Membership]] = {pk: [] for pk in by_pk}
    rows = (
        Membership.objects.filter(group__in=list(by_pk))
        .select_related("person", "village", "verified_by", "warnings_resolved_by")
        .order_by("group_id", ROLE_ORDER, "person_name")
    )
    for m in rows:
        # The rules and the re-check read the group and its programme: these ones, already loaded (a
        # programme and its office joined to each of a hundred rows were a third of the rows' width).
        group = by_pk[m.group_id]
        m.group, m.program = group, group.program
        by_group[m.group_id].append(m)
    return by_group


def queue_group_ids_needing_a_look(*, user, program=None) -> set[int]:
    """Forming groups with a member not rejected whose re-check finds an error or an open warning.

    The re-check needs the eligibility engine, so every such member of the queue is read (one query) and
    checked with one context per programme: a bounded number of queries, whatever the queue's size.
    """
    groups = Group.objects.filter(registry_scope_q(user), status=GroupStatus.FORMING)
    if program is not None:
        groups = groups.filter(program=program)
    members = list(
        Membership.objects.filter(group__in=groups)
        .exclude(verification=Verification.REJECTED)
        .select_related("person", "program__office")
    )
    checks = memberships_recheck(members)
    return {m.group_id for m in members if not checks[m.pk].clean}


@dataclass(frozen=True)
class Recheck:
    """A member's eligibility checked again today: errors, warnings still open, and warnings an officer
    already checked (different people with the same name or phone)."""

    errors: tuple[Problem, ...] = ()
    warnings: tuple[Problem, ...] = ()
    checked: tuple[Problem, ...] = ()

    @property
    def clean(self) -> bool:
        """No error and no open warning: nothing for a verifier to look at before approving."""
        return not self.errors and not self.warnings


def _candidate(m: Membership) -> Candidate:
    # What the member declared for this programme, as the member page re-checks it.
    person = m.person
    return Candidate(
        nik=person.nik,
        full_name=person.full_name,
        birth_date=person.birth_date,
        village_code=m.village_id,
        categories=list(m.categories),
        phone=m.phone or None,
        group_id=None,
        sex=person.sex,
        employment=m.employment_before,
    )


def memberships_recheck(memberships) -> dict[int, Recheck]:
    """Each membership's NIK and eligibility rules checked again today against everyone else.

    One ``EligibilityContext`` per programme for all its members: a few queries per programme, whatever
    the number of members. A person holds one registration per programme (a unique constraint), so the
    "already registered in this programme" found for a member is their own registration and is not counted.
    Warnings of the kinds an officer marked as checked stay visible as checked, not open.
    """
    by_program: dict[int, list[Membership]] = defaultdict(list)
    for m in memberships:
        by_program[m.program_id].append(m)
    result: dict[int, Recheck] = {}
    for members in by_program.values():
        candidates = {m.pk: _candidate(m) for m in members}
        context = EligibilityContext(members[0].program, candidates.values())
        context.in_program.difference_update(c.nik for c in candidates.values())
        for m in members:
            result[m.pk] = _recheck(m, candidates[m.pk], context)
    return result


def _recheck(m: Membership, candidate: Candidate, context: EligibilityContext) -> Recheck:
    person = m.person
    errors, found = check_candidate(candidate, context)
    nik = parse_nik(person.nik, sex=person.sex, birth_date=person.birth_date, district_exists=district_exists)
    errors = [
        *(Problem(code=c, message=message_for(c, nik.details.get(c)), field="nik") for c in nik.errors),
        *errors,
    ]
    stored = [str(w.get("code", "")) for w in (m.warnings or []) if isinstance(w, dict)]
    warnings: dict[str, Problem] = {}
    for code in [*nik.warnings, *stored]:
        warnings.setdefault(code, Problem(code=code, message=message_for(code), field="nik"))
    for problem in found:
        warnings.setdefault(problem.code, problem)
    resolved = set(stored) if m.warnings_resolved_by_id else set()
    return Recheck(
        errors=tuple(errors),
        warnings=tuple(w for code, w in warnings.items() if code not in resolved),
        checked=tuple(w for code, w in warnings.items() if code in resolved),
    )


@dataclass
class ApprovalPlan:
    """A group's waiting members split into those who may be approved together and those to look at."""

    approvable: list[Membership] = field(default_factory=list)
    needs_look: list[tuple[Membership, Recheck]] = field(default_factory=list)

    @property
    def waiting(self) -> int:
        return len(self.approvable) + len(self.needs_look)


def approval_plan(*, group, members=None) -> ApprovalPlan:
    """The group's waiting members whose re-check finds no error and no open warning, and the others.

    ``members`` are the group's waiting members when the caller has read (or locked) them already.
    """
    if members is None:
        members = list(
            Membership.objects.filter(group=group, verification=Verification.PENDING)
            .select_related("person", "program__office")
            .order_by(ROLE_ORDER, "person__full_name")
        )
    checks = memberships_recheck(members)
    plan = ApprovalPlan()
    for m in members:
        m.group = group
        if checks[m.pk].clean:
            plan.approvable.append(m)
        else:
            plan.needs_look.append((m, checks[m.pk]))
    return plan


def group_verification_counts(*, group) -> dict[str, int]:
    """How many of the group's members are approved, rejected and still waiting: one query."""
    return Membership.objects.filter(group=group).aggregate(
        approved=Count("pk", filter=Q(verification=Verification.APPROVED)),
        rejected=Count("pk", filter=Q(verification=Verification.REJECTED)),
        pending=Count("pk", filter=Q(verification=Verification.PENDING)),
    )


def queue_waiting_count(*, user, program_code: str = "") -> int:
    """Members of forming groups waiting for a decision, as the queue's heading counts them: one sum over the
    groups' kept counts."""
    qs = Group.objects.filter(registry_scope_q(user), status=GroupStatus.FORMING)
    if program_code:
        qs = qs.filter(program__code=program_code)
    return qs.aggregate(n=Sum("pending_count"))["n"] or 0


def late_members(*, user, program=None, limit: int = 50) -> list[Membership]:
    """Members who joined a group after it was verified and wait for a decision: one query."""
    qs = Membership.objects.filter(
        membership_scope_q(user),
        verification=Verification.PENDING,
        group__status=GroupStatus.VERIFIED,
    )
    if program is not None:
        qs = qs.filter(program=program)
    return list(
        qs.select_related("person", "village", "group", "program__office", "verified_by").order_by(
            "group__name", "person__full_name"
        )[:limit]
    )


def summaries_visible(*, user) -> dict[str, int]:
    """The registry summaries of every programme in the user's jurisdiction, added up: one query over the
    programmes (a few thousand nationally), never over their people."""
    if not user.has_role(*JURISDICTION_READERS):
        return dict.fromkeys(SUMMARY_FIELDS, 0)
    # The home page asks for several of these numbers; the user object lives for one request.
    cached = getattr(user, "_registry_summaries", None)
    if cached is None:
        totals = ProgramSummary.objects.filter(office_q(user, "program__office")).aggregate(
            **{name: Sum(name) for name in SUMMARY_FIELDS}
        )
        cached = {name: value or 0 for name, value in totals.items()}
        user._registry_summaries = cached
    return cached


def program_summary(*, program) -> ProgramSummary:
    """The programme's kept registry counts (all zero before its first group): one query."""
    return ProgramSummary.objects.filter(program=program).first() or ProgramSummary(program=program)


SUMMARY_FIELDS = (
    "groups",
    "groups_waiting",
    "groups_selected",
    "members",
    "women",
    "men",
    "pending_in_queue",
    "approved",
    "open_warnings",
)


def pending_member_count(*, user) -> int:
    """Members of forming or verified groups still waiting for a verifier's decision."""
    return summaries_visible(user=user)["pending_in_queue"]


def groups_awaiting_verification_count(*, user) -> int:
    """Forming groups that have members: they wait for the verification team."""
    return summaries_visible(user=user)["groups_waiting"]


def open_warning_count(*, user) -> int:
    """Members whose possible-duplicate warnings still wait for an officer."""
    return summaries_visible(user=user)["open_warnings"]


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
