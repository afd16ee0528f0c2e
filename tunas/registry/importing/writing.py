"""The bulk write of the valid rows: new hamlets, people (new or brought up to date), memberships, and their
django-simple-history rows, in batches within one transaction: all valid rows or none.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import F, Model
from django.utils import timezone

from tunas.regions.models import Hamlet

from .. import counts
from ..models import Membership, Person, Verification, name_key
from ..rules import DECLARED_FIELDS, OPEN_STATUSES
from .checks import Progress
from .lookups import NewHamlets, chunks, hamlet_ids, people_by_nik
from .rows import Row

if TYPE_CHECKING:
    from tunas.accounts.models import User
    from tunas.programs.models import Program

# The columns simple-history adds to a copy of the tracked fields, in the order write_history fills them.
HISTORY_FIELDS = ("history_date", "history_type", "history_user", "history_change_reason")
# What a known person's identity takes from a row, where the office owns it (the checks refused the rest).
UPDATABLE = ("full_name", "name_key", "sex", "birth_place", "birth_date")


@dataclass(frozen=True)
class Stamp:
    """Who wrote the rows, why and when: the same on every history row of one import."""

    by: User | None
    reason: str
    when: dt.datetime
    batch_size: int


def write_rows(
    rows: list[Row],
    *,
    program: Program,
    by: User | None,
    new_hamlets: NewHamlets,
    reason: str,
    batch_size: int,
    progress: Progress | None = None,
) -> int:
    """Creates people (or updates those already known by NIK) and memberships, with their history, in one
    transaction: all valid rows or none. Returns the number of memberships created."""
    created = 0
    with full_sqlite_batches(), transaction.atomic():
        _create_hamlets(rows, new_hamlets, by)
        for chunk in chunks(rows, batch_size):
            stamp = Stamp(by=by, reason=reason, when=timezone.now(), batch_size=batch_size)
            created += _write_chunk(list(chunk), program, stamp)
            if progress:
                progress(created, len(rows), "saving")
        counts.refresh_program_groups(program.pk)
    return created


def _create_hamlets(rows: list[Row], new_hamlets: NewHamlets, by: User | None) -> None:
    if not new_hamlets:
        return
    Hamlet.objects.bulk_create(
        [
            Hamlet(village_id=village_id, name=name, kind=kind, created_by=by)
            for (village_id, _key), (kind, name) in new_hamlets.items()
        ],
        ignore_conflicts=True,
    )
    ids = hamlet_ids({village_id for village_id, _key in new_hamlets})
    for row in rows:
        if row.hamlet_key and row.data.hamlet_id is None:
            row.data.hamlet_id = ids[row.hamlet_key]


def _write_chunk(rows: list[Row], program: Program, stamp: Stamp) -> int:
    people = _write_people(rows, program, stamp)
    memberships = [_membership(row, program, people[row.number]) for row in rows]
    _insert(memberships, stamp, key="person_id", filters={"program": program})
    write_history(Membership, [m.pk for m in memberships], history_type="+", stamp=stamp)
    return len(memberships)


def _write_people(rows: list[Row], program: Program, stamp: Stamp) -> dict[int, Person]:
    existing = people_by_nik([r.data.nik for r in rows])
    new_people: list[Person] = []
    changed: list[Person] = []
    person_of: dict[int, Person] = {}
    for row in rows:
        person = existing.get(row.data.nik)
        if person is None:
            person = _new_person(row, stamp.by, program)
            new_people.append(person)
        elif update_person(person, row):
            person.updated_at = stamp.when
            person.version += 1
            changed.append(person)
        person_of[row.number] = person
    if new_people:
        _insert(new_people, stamp, key="nik", filters={})
        write_history(Person, [p.pk for p in new_people], history_type="+", stamp=stamp)
    if changed:
        bulk_update(changed, [*UPDATABLE, "updated_at", "version"], batch_size=stamp.batch_size)
        write_history(Person, [p.pk for p in changed], history_type="~", stamp=stamp)
        _reverify(changed, stamp)
        counts.refresh_people([p.pk for p in changed])  # their registrations in other programmes
    return person_of


def _reverify(people: list[Person], stamp: Stamp) -> None:
    """Approved open registrations of people whose identity changed wait for the verifier again."""
    again = list(
        Membership.objects.filter(
            person__in=people, verification=Verification.APPROVED, group__status__in=OPEN_STATUSES
        ).values_list("pk", flat=True)
    )
    if not again:
        return
    Membership.objects.filter(pk__in=again).update(
        verification=Verification.PENDING,
        verified_by=None,
        verified_at=None,
        verification_reason="",
        updated_at=stamp.when,
        version=F("version") + 1,
    )
    write_history(Membership, again, history_type="~", stamp=stamp)


def _new_person(row: Row, by: User | None, program: Program) -> Person:
    data = row.data
    return Person(
        nik=data.nik,
        full_name=data.full_name,
        name_key=name_key(data.full_name),
        sex=data.sex,
        birth_place=data.birth_place,
        birth_date=data.birth_date,
        owner_office_id=program.office_id,
        created_by=by,
    )


def _membership(row: Row, program: Program, person: Person) -> Membership:
    assert row.group_id is not None, "a row without its group has an error and is not written"
    data = row.data
    return Membership(
        program=program,
        group_id=row.group_id,
        person=person,
        role=row.role,
        # The copies the lists sort and filter on (Membership.office, person_name, group_name).
        office_id=program.office_id,
        person_name=person.full_name,
        group_name=row.group_name,
        **{name: getattr(data, name) for name in DECLARED_FIELDS},
        # The new hamlet is news for the import's report, not something to review on the membership.
        warnings=[{"code": w.code, "message": w.message} for w in row.warnings if w.code != "hamlet_new"],
    )


def _insert(objs: list[Any], stamp: Stamp, *, key: str, filters: dict[str, Any]) -> None:
    """Bulk-inserts rows and gives them their ids, read back by ``key`` where the database does not return
    them (MySQL, and SQLite before 3.35)."""
    model = type(objs[0])
    model.objects.bulk_create(objs, batch_size=stamp.batch_size)
    if objs[0].pk is not None:
        return
    keys = [getattr(obj, key) for obj in objs]
    ids = dict(model.objects.filter(**filters, **{f"{key}__in": keys}).values_list(key, "pk"))
    for obj in objs:
        obj.pk = ids[getattr(obj, key)]


def update_person(person: Person, row: Row) -> bool:
    """Brings a known person's identity up to the row (the checks let only its owner office do so); an empty
    birth place keeps the one on record."""
    data = row.data
    values: dict[str, Any] = {
        "full_name": data.full_name,
        "name_key": name_key(data.full_name),
        "sex": data.sex,
        "birth_date": data.birth_date,
    }
    if data.birth_place:
        values["birth_place"] = data.birth_place
    changed = False
    for name, value in values.items():
        if getattr(person, name) != value:
            setattr(person, name, value)
            changed = True
    return changed


def write_history(
    model: type[Person] | type[Membership], ids: list[int], *, history_type: str, stamp: Stamp
) -> None:
    """Adds the django-simple-history rows of rows just written, with one ``INSERT … SELECT`` per batch.

    The rows are those simple-history's bulk_history_create writes (its tracked fields, the date, "+" or "~",
    the user, the reason), into its own tables. Its bulk helpers build a historical instance per row and send
    every value through the ORM a second time: measured on 10,000 rows, that was 40 % of the whole import,
    while the database copies the rows it has just written in a small fraction of the time.
    """
    if not ids or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    history = model.history.model
    db = connections[model._default_manager.db]
    qn = db.ops.quote_name
    tracked = history.tracked_fields
    extra = [history._meta.get_field(name) for name in HISTORY_FIELDS]
    targets = ", ".join(qn(f.column) for f in [*(history._meta.get_field(f.name) for f in tracked), *extra])
    sources = ", ".join(qn(f.column) for f in tracked)
    constants = [
        extra[0].get_db_prep_save(stamp.when, db),
        history_type,
        stamp.by.pk if stamp.by is not None else None,
        stamp.reason,
    ]
    pk = qn(_pk_column(model))
    # Table and column names come from the models' metadata; every value travels as a parameter.
    with db.cursor() as cursor:
        for chunk in chunks(ids, stamp.batch_size):
            cursor.execute(
                f"INSERT INTO {qn(history._meta.db_table)} ({targets}) "  # noqa: S608
                f"SELECT {sources}, %s, %s, %s, %s FROM {qn(model._meta.db_table)} "
                f"WHERE {pk} IN ({', '.join(['%s'] * len(chunk))})",
                [*constants, *chunk],
            )


def _pk_column(model: type[Model]) -> str:
    pk = model._meta.pk
    assert pk is not None, "every concrete model has a primary key"
    return pk.column


def bulk_update(objs: list[Any], fields: list[str], *, batch_size: int) -> None:
    """Writes ``fields`` of saved rows with one ``UPDATE … FROM (VALUES …)`` statement per batch.

    Django's bulk_update builds a CASE with one branch per row for every field: compiling it for a few hundred
    people costs more than inserting thousands, and the database then scans the branches for every row.
    PostgreSQL and SQLite 3.33+ join a list of values instead; other databases keep Django's way.
    """
    model = type(objs[0])
    # The wrapper itself, not django.db.connection: every attribute read through that proxy costs a
    # context-local lookup, and the values below make tens of thousands of them.
    db = connections[model._default_manager.db]
    postgres = db.vendor == "postgresql"
    if not postgres and not (db.vendor == "sqlite" and sqlite3.sqlite_version_info >= (3, 33)):
        model._default_manager.bulk_update(objs, fields, batch_size=batch_size)
        return
    pk = model._meta.pk
    columns = [pk, *(model._meta.get_field(name) for name in fields)]
    template, placeholders = _update_from_values(db, model, columns)
    if not postgres and db.features.max_query_params:
        batch_size = min(batch_size, db.features.max_query_params // len(columns))
    # Table and column names come from the model's metadata; every value travels as a parameter.
    with db.cursor() as cursor:
        for chunk in chunks(objs, batch_size):
            params = [f.get_db_prep_save(getattr(obj, f.attname), db) for obj in chunk for f in columns]
            cursor.execute(template.format(rows=", ".join([placeholders] * len(chunk))), params)


def _update_from_values(db: Any, model: type[Model], columns: list[Any]) -> tuple[str, str]:
    """The ``UPDATE … FROM (VALUES {rows})`` statement of a model's columns (the primary key first), and
    the placeholders of one row."""
    qn = db.ops.quote_name
    table = qn(model._meta.db_table)
    pk = qn(columns[0].column)
    if db.vendor == "postgresql":
        # Casts give the VALUES columns their types even where the first row holds a NULL.
        placeholders = "(" + ", ".join(f"CAST(%s AS {f.db_type(db)})" for f in columns) + ")"
        names = ", ".join(qn(f.column) for f in columns)
        assignments = ", ".join(f"{qn(f.column)} = v.{qn(f.column)}" for f in columns[1:])
        template = (
            f"UPDATE {table} SET {assignments} FROM (VALUES {{rows}}) AS v ({names}) "  # noqa: S608
            f"WHERE {table}.{pk} = v.{pk}"
        )
        return template, placeholders
    placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
    assignments = ", ".join(f"{qn(f.column)} = v.column{i}" for i, f in enumerate(columns[1:], start=2))
    template = (
        f"UPDATE {table} SET {assignments} FROM (VALUES {{rows}}) AS v "  # noqa: S608
        f"WHERE {table}.{pk} = v.column1"
    )
    return template, placeholders


@contextmanager
def full_sqlite_batches() -> Iterator[None]:
    """Lets bulk inserts on SQLite use as many variables per statement as the library allows.

    Django 5.2 assumes SQLite's historical limit of 999 variables, which caps a batch of people at about
    40 rows; SQLite since 3.32 allows 32,766, so the same import needs some 30 times fewer statements.
    """
    if connection.vendor != "sqlite":
        yield
        return
    connection.ensure_connection()
    limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    features = connection.features
    had_own = "max_query_params" in vars(features)
    previous = features.max_query_params
    features.max_query_params = max(previous or 0, limit)
    try:
        yield
    finally:
        if had_own:
            features.max_query_params = previous
        else:
            del features.max_query_params
