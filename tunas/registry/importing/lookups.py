"""The few bulk queries an import needs: villages, hamlets and groups of the whole file, the single roles
already taken, and the people already registered under the file's NIKs.

Each reads a batch of keys at a time, so the number of queries grows with the file size divided by the batch
size, never with the number of rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from tunas.core.errors import message_for
from tunas.regions.models import Hamlet, Village
from tunas.regions.selectors import within_q

from ..models import GroupStatus, Membership, Person, Verification
from ..rules import OPEN_STATUSES, SINGLE_ROLES
from .columns import HEADER_OF
from .rows import Row
from .values import word_key

if TYPE_CHECKING:
    from tunas.programs.models import Program

# Keys per IN (…) list: far below every database's limit on parameters.
CHUNK = 2000
T = TypeVar("T")
# (village code, hamlet name compared) -> (kind, hamlet name as written)
NewHamlets = dict[tuple[str, str], tuple[str, str]]


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def resolve_villages(rows: list[Row], *, prefix: str) -> None:
    """Every row's village, by code anywhere or by a name unique within the jurisdiction ``prefix``."""
    known_codes = _known_codes(sorted({r.village_text for r in rows if r.village_kind == "code"}))
    codes_by_name = _codes_by_name(
        sorted({r.village_text for r in rows if r.village_kind == "name" and r.village_text}), prefix
    )
    header = HEADER_OF["village"]
    for row in rows:
        if not row.village_kind:
            continue
        if row.village_kind == "code":
            if row.village_text in known_codes:
                row.data.village_id = row.village_text
            else:
                row.error("village_unknown", header)
            continue
        found = codes_by_name.get(row.village_text, [])
        if len(found) == 1:
            row.data.village_id = found[0]
        elif found:
            row.error(
                "village_unknown",
                header,
                _("More than one village in the jurisdiction has this name. Use the village code instead."),
            )
        else:
            row.error("village_unknown", header)


def _known_codes(codes: list[str]) -> set[str]:
    known: set[str] = set()
    for chunk in chunks(codes, CHUNK):
        known.update(Village.objects.filter(code__in=chunk).values_list("code", flat=True))
    return known


def _codes_by_name(names: list[str], prefix: str) -> dict[str, list[str]]:
    codes: dict[str, list[str]] = {}
    for chunk in chunks(names, CHUNK):
        for lname, code in (
            Village.objects.filter(within_q(prefix))
            .annotate(lname=Lower("name"))
            .filter(lname__in=chunk)
            .values_list("lname", "code")
        ):
            codes.setdefault(word_key(lname), []).append(code)
    return codes


def hamlet_ids(villages: Iterable[str]) -> dict[tuple[str, str], int]:
    """(village code, hamlet name compared) -> hamlet id, for every hamlet of these villages."""
    ids: dict[tuple[str, str], int] = {}
    for chunk in chunks(sorted(villages), CHUNK):
        for village_id, name, pk in Hamlet.objects.filter(village_id__in=chunk).values_list(
            "village_id", "name", "pk"
        ):
            ids[(village_id, word_key(name))] = pk
    return ids


def resolve_hamlets(rows: list[Row], *, dry_run: bool) -> NewHamlets:
    """Every row's hamlet within its village; returns the hamlets to add, each announced on its first row."""
    hamlets = hamlet_ids({r.data.village_id for r in rows if r.hamlet_key and r.data.village_id})
    new: NewHamlets = {}
    header = HEADER_OF["hamlet"]
    message = (
        _("This hamlet is not in the village's list yet; it will be added when the rows are imported.")
        if dry_run
        else message_for("hamlet_new")
    )
    for row in rows:
        if not row.hamlet_key:
            continue
        if not row.data.village_id:
            row.hamlet_key = None
            continue
        hamlet_name = row.hamlet_key[1]
        key = (row.data.village_id, word_key(hamlet_name))
        row.hamlet_key = key
        if key in hamlets:
            row.data.hamlet_id = hamlets[key]
        elif key not in new:
            new[key] = (row.hamlet_kind, hamlet_name)
            row.warn("hamlet_new", header, message)
    return new


def resolve_groups(rows: list[Row], *, program: Program) -> None:
    """Every row's group, by name among the programme's groups; only forming and verified groups take
    members."""
    groups = {
        word_key(name): (pk, status, name)
        for pk, name, status in program.groups.exclude(status=GroupStatus.DISSOLVED).values_list(
            "pk", "name", "status"
        )
    }
    header = HEADER_OF["group"]
    for row in rows:
        if not row.group_text:
            continue
        found = groups.get(row.group_text)
        if found is None:
            row.error("group_unknown", header)
        elif found[1] not in OPEN_STATUSES:
            row.error(
                "value_invalid",
                header,
                _("The group is %(status)s; its members can no longer change.")
                % {"status": GroupStatus(found[1]).label},
            )
        else:
            row.group_id, row.group_name = found[0], found[2]


def single_roles_taken(program: Program) -> set[tuple[int, str]]:
    """(group, role) of the chairs, secretaries and treasurers the programme's groups already have."""
    return set(
        Membership.objects.filter(program=program, role__in=SINGLE_ROLES)
        .exclude(verification=Verification.REJECTED)
        .values_list("group_id", "role")
    )


def identities(niks: Sequence[str], *, office: Any, batch_size: int = 2000) -> dict[str, tuple[Person, bool]]:
    """The people already known under these NIKs, each with whether this office may correct their identity
    (it owns it and no other office registered them): two queries per batch."""
    found: dict[str, tuple[Person, bool]] = {}
    for chunk in chunks(sorted(set(niks)), batch_size):
        people = list(
            Person.objects.filter(nik__in=chunk).only(
                "nik", "full_name", "name_key", "sex", "birth_date", "birth_place", "owner_office_id"
            )
        )
        elsewhere = set(
            Membership.objects.filter(person__in=people)
            .exclude(program__office=office)
            .values_list("person_id", flat=True)
        )
        for p in people:
            owner_ok = p.owner_office_id in (None, office.pk)
            found[p.nik] = (p, owner_ok and p.pk not in elsewhere)
    return found


def people_by_nik(niks: list[str]) -> dict[str, Person]:
    """The people already registered under these NIKs, locked until the import's transaction ends."""
    return {p.nik: p for p in Person.objects.select_for_update().filter(nik__in=niks)}
