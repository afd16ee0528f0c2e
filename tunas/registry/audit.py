"""The audit trail as people read it: who changed what, when, from which value to which, NIK masked.

django-simple-history keeps a row per change of every audited model. These selectors read them for one
member, one group, or an administrator's whole jurisdiction, with each change's previous row found by a
subquery, so a page costs two queries per audited model whatever the number of changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from tunas.core.nik import mask_nik
from tunas.core.scoping import office_q
from tunas.programs.models import BudgetLine, Program

from .models import Group, Membership, Person

# Values that identify a person are masked on every audit page and export, whoever reads them.
MASKED_FIELDS = {"nik", "kk"}
PHONE_FIELDS = {"phone"}
# Bookkeeping columns that change with every save and say nothing to a reader.
SKIPPED_FIELDS = {"id", "created_at", "updated_at", "version", "name_key", "warnings"}
TYPES = {"+": _("created"), "~": _("changed"), "-": _("deleted")}
PAGE_SIZE = 50


@dataclass
class FieldChange:
    field: str
    label: str
    old: str
    new: str


@dataclass
class AuditEntry:
    when: dt.datetime
    who: Any
    kind: str
    action: str
    record: str
    reason: str
    changes: list[FieldChange] = field(default_factory=list)
    history_id: int = 0


def _shown(name: str, value: object, choices: dict[str, dict]) -> str:
    if value is None or value == "":
        return "—"
    if name in MASKED_FIELDS:
        return mask_nik(str(value))
    if name in PHONE_FIELDS:
        return "•" * max(len(str(value)) - 4, 0) + str(value)[-4:]
    if name in choices:
        return str(choices[name].get(value, value))
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "—"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return str(value)


def _tracked_fields(model: type[Model]) -> list[Any]:
    return [f for f in model._meta.concrete_fields if f.name not in SKIPPED_FIELDS]


def _diff(model: type[Model], row: Any, prev: Any | None) -> list[FieldChange]:
    fields = _tracked_fields(model)
    choices = {f.name: dict(f.choices) for f in fields if f.choices}
    changes = []
    for f in fields:
        attr = f.attname
        new = getattr(row, attr, None)
        old = getattr(prev, attr, None) if prev is not None else None
        if prev is not None and old == new:
            continue
        if prev is None and new in (None, "", [], False):
            continue
        label = str(f.verbose_name)
        changes.append(FieldChange(f.name, label, _shown(f.name, old, choices), _shown(f.name, new, choices)))
    return changes


def _with_previous(history: QuerySet) -> QuerySet:
    previous = history.model.objects.filter(
        id=OuterRef("id"), history_date__lt=OuterRef("history_date")
    ).order_by("-history_date", "-history_id")
    return history.annotate(prev_history_id=Subquery(previous.values("history_id")[:1]))


def entries(model: type[Model], history: QuerySet, *, describe) -> list[AuditEntry]:
    """Audit entries of ``history`` (a queryset of ``model``'s history rows), newest first: two queries."""
    rows = list(
        _with_previous(history).select_related("history_user").order_by("-history_date", "-history_id")
    )
    prev_ids = [r.prev_history_id for r in rows if r.prev_history_id]
    previous = {p.history_id: p for p in history.model.objects.filter(history_id__in=prev_ids)}
    result = []
    for row in rows:
        prev = previous.get(row.prev_history_id) if row.prev_history_id else None
        result.append(
            AuditEntry(
                when=row.history_date,
                who=row.history_user,
                kind=str(model._meta.verbose_name),
                action=str(TYPES.get(row.history_type, row.history_type)),
                record=describe(row),
                reason=row.history_change_reason or "",
                changes=_diff(model, row, prev),
                history_id=row.history_id,
            )
        )
    return result


def _person_label(row: Any) -> str:
    return f"{row.full_name} ({mask_nik(row.nik)})"


def _merge(*lists: Iterable[AuditEntry], limit: int | None = None) -> list[AuditEntry]:
    merged = sorted((e for entries_ in lists for e in entries_), key=lambda e: e.when, reverse=True)
    return merged[:limit] if limit else merged


def member_trail(*, membership: Membership) -> list[AuditEntry]:
    """Every change to a member's identity and to this registration, newest first: four queries."""
    person = membership.person
    return _merge(
        entries(Person, Person.history.filter(id=person.pk), describe=_person_label),
        entries(
            Membership,
            Membership.history.filter(id=membership.pk),
            describe=lambda row: str(_("Registration in %(code)s") % {"code": membership.program.code}),
        ),
    )


def group_trail(*, group: Group) -> list[AuditEntry]:
    """Every change to a group and to its members' registrations, newest first: four queries."""
    names = dict(Person.objects.filter(memberships__group=group).values_list("pk", "full_name"))
    return _merge(
        entries(Group, Group.history.filter(id=group.pk), describe=lambda row: row.name),
        entries(
            Membership,
            Membership.history.filter(group_id=group.pk),
            describe=lambda row: names.get(row.person_id, "—"),
        ),
    )


@dataclass(frozen=True)
class AuditSource:
    model: type[Model]
    scope: Any  # callable(user) -> Q over the history rows
    describe: Any


def _program_scope(prefix: str):
    return lambda user: office_q(user, f"{prefix}office") if prefix else office_q(user)


def _people_scope(user: Any) -> Q:
    visible = Membership.objects.filter(office_q(user, "program__office")).values("person_id")
    return Q(id__in=visible)


SOURCES: Sequence[AuditSource] = (
    AuditSource(Person, _people_scope, _person_label),
    AuditSource(Membership, _program_scope("program__"), lambda row: f"#{row.id}"),
    AuditSource(Group, _program_scope("program__"), lambda row: row.name),
    AuditSource(Program, _program_scope(""), lambda row: row.code),
    AuditSource(BudgetLine, _program_scope("program__"), lambda row: row.name),
)


def office_trail(
    *,
    user: Any,
    who: Any = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    before: dt.datetime | None = None,
    limit: int = PAGE_SIZE,
) -> list[AuditEntry]:
    """Changes in the user's jurisdiction, newest first, filtered by author and day; keyset by ``before``.

    Two queries per audited model, whatever the size of the trail.
    """
    lists = []
    for source in SOURCES:
        history = source.model.history.filter(source.scope(user))  # type: ignore[attr-defined]
        if who is not None:
            history = history.filter(history_user=who)
        if since is not None:
            history = history.filter(history_date__date__gte=since)
        if until is not None:
            history = history.filter(history_date__date__lte=until)
        if before is not None:
            history = history.filter(history_date__lt=before)
        page = history.order_by("-history_date", "-history_id")[:limit]
        ids = list(page.values_list("history_id", flat=True))
        lists.append(
            entries(
                source.model,
                source.model.history.filter(history_id__in=ids),  # type: ignore[attr-defined]
                describe=source.describe,
            )
        )
    return _merge(*lists, limit=limit)
