"""Lists whose cost does not grow with the table: keyset (seek) pagination and totals that never scan.

Every list in Tunas pages with ``keyset_page``: the page after a row is the rows that sort after it, found by
an index seek (``WHERE (name, id) > (last name, last id) ORDER BY name, id LIMIT 26``), so page 20,000 costs
what page 1 costs; OFFSET, which reads and throws away every earlier row, is never used. A page jump seeks to
the first row from a value ("names from M") instead of counting pages. ``bounded_total`` counts at most
``TOTAL_EXACT_UP_TO`` rows and, past that, shows the database planner's estimate ("about 1.2 million").

The ordering must end with a unique field (``pk``), and its fields must not be null.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import connections
from django.db.models import F, Model, Q, QuerySet
from django.utils.translation import gettext as _

from .formatting import approximate, number

# Below this many rows a total is exact; above it, an estimate (or "more than" where there is none).
TOTAL_EXACT_UP_TO = 10_000
# A cursor longer than this is not one Tunas made.
CURSOR_MAX_LENGTH = 2_000


# Cursors ----------------------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return {"t": value.isoformat()}
    if isinstance(value, dt.date):
        return {"d": value.isoformat()}
    if isinstance(value, Decimal):
        return {"n": str(value)}
    return value


def _typed(value: Any) -> Any:
    if isinstance(value, dict) and len(value) == 1:
        ((kind, text),) = value.items()
        if kind == "t":
            return dt.datetime.fromisoformat(text)
        if kind == "d":
            return dt.date.fromisoformat(text)
        if kind == "n":
            return Decimal(text)
    return value


def encode_cursor(values: list[Any]) -> str:
    """The URL-safe token for a position in a list: the sort values of a row, last the row's key."""
    raw = json.dumps([_plain(v) for v in values], separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(token: str | None, length: int) -> list[Any] | None:
    """The values a cursor holds, or None when it is missing, malformed or of another list's shape."""
    if not token or len(token) > CURSOR_MAX_LENGTH:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        values = json.loads(raw.decode())
        if not isinstance(values, list) or len(values) != length:
            return None
        return [_typed(v) for v in values]
    except (binascii.Error, UnicodeDecodeError, ValueError, TypeError):
        return None


# The seek ---------------------------------------------------------------------------------------------------


def _split(ordering: tuple[str, ...]) -> list[tuple[str, bool]]:
    return [(name.lstrip("-"), name.startswith("-")) for name in ordering]


def _value_of(item: Any, path: str) -> Any:
    value = item
    for part in path.split("__"):
        value = getattr(value, "pk" if part == "pk" else part)
    return value


def _field_for(model: type[Model], path: str):
    """The model field a path ends at, or None for an annotation."""
    current: Any = model
    found = None
    for part in path.split("__"):
        try:
            found = current._meta.pk if part == "pk" else current._meta.get_field(part)
        except FieldDoesNotExist:
            return None
        if found.is_relation and found.related_model is not None:
            current = found.related_model
    return found


def _cleaned(model: type[Model], fields: list[tuple[str, bool]], values: list[Any]) -> list[Any] | None:
    cleaned = []
    for (path, _desc), value in zip(fields, values, strict=True):
        model_field = _field_for(model, path)
        if value is None:
            return None
        try:
            cleaned.append(model_field.to_python(value) if model_field is not None else value)
        except Exception:  # noqa: BLE001 - any value that is not of the field's type makes the cursor invalid
            return None
    return cleaned


def _read(model: type[Model], fields: list[tuple[str, bool]], token: str | None) -> list[Any] | None:
    values = decode_cursor(token, len(fields))
    return _cleaned(model, fields, values) if values is not None else None


def _after_q(fields: list[tuple[str, bool]], values: list[Any], *, reverse: bool) -> Q:
    """Rows strictly after ``values`` in the ordering (before them when ``reverse``).

    Written as (a > x) OR (a = x AND b > y) OR …, led by the redundant a >= x that lets the database
    start an index range scan at the cursor.
    """
    seek = Q()
    equal = Q()
    for (path, desc), value in zip(fields, values, strict=True):
        later = "lt" if desc != reverse else "gt"
        seek |= equal & Q(**{f"{path}__{later}": value})
        equal &= Q(**{path: value})
    first_path, first_desc = fields[0]
    lead = "lte" if first_desc != reverse else "gte"
    return Q(**{f"{first_path}__{lead}": values[0]}) & seek


def _order(fields: list[tuple[str, bool]], *, reverse: bool) -> list:
    return [
        F(path).desc() if desc != reverse else F(path).asc()  # type: ignore[union-attr]
        for path, desc in fields
    ]


@dataclass
class KeysetPage:
    """One page of a keyset-paginated list."""

    items: list
    has_next: bool = False
    has_previous: bool = False
    next_cursor: str | None = None
    previous_cursor: str | None = None
    jumped: str = ""
    ordering: tuple[str, ...] = field(default_factory=tuple)
    total: Total | None = None
    jumpable: bool = False

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __bool__(self) -> bool:
        return bool(self.items)

    @property
    def is_first(self) -> bool:
        return not self.has_previous


def keyset_page(
    queryset: QuerySet,
    *,
    ordering: tuple[str, ...] | list[str],
    cursor: str | None = None,
    before: str | None = None,
    jump: str | None = None,
    size: int = 25,
) -> KeysetPage:
    """The page after ``cursor`` (or before ``before``, or from the first row whose leading sort value is at
    least ``jump``), in one query. A cursor that cannot be read gives the first page, never an error."""
    ordering = tuple(ordering)
    fields = _split(ordering)
    if fields[-1][0] not in ("pk", "id"):
        fields.append(("pk", False))
        ordering = (*ordering, "pk")
    model = queryset.model
    qs = queryset
    backwards = False
    jumped = ""
    after = _read(model, fields, cursor)
    back = _read(model, fields, before) if not after else None
    if after:
        qs = qs.filter(_after_q(fields, after, reverse=False))
    elif back:
        qs = qs.filter(_after_q(fields, back, reverse=True))
        backwards = True
    elif jump and (jump_q := _jump_q(model, fields[0], jump)) is not None:
        qs = qs.filter(jump_q)
        jumped = " ".join(jump.split())[:40].title()
    rows = _page_rows(qs, _order(fields, reverse=backwards), size + 1)
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()
    page = KeysetPage(items=rows, jumped=jumped, ordering=ordering)
    if backwards:
        page.has_previous, page.has_next = more, True
    else:
        page.has_next, page.has_previous = more, bool(after or jumped)
    if rows:
        first = [_value_of(rows[0], path) for path, _d in fields]
        last = [_value_of(rows[-1], path) for path, _d in fields]
        page.previous_cursor = encode_cursor(first) if page.has_previous else None
        page.next_cursor = encode_cursor(last) if page.has_next else None
    return page


def _page_rows(qs: QuerySet, order: list, limit: int) -> list:
    """The page's rows in two steps: the keys of the page, sorted and cut on the narrow rows the filters and
    the order need, then the page's rows with everything the list shows (its select_related joins) for
    those keys only. Sorting a large jurisdiction's rows with every joined column is what made a page slow."""
    keys = list(qs.order_by(*order).values_list("pk", flat=True)[:limit])
    if not keys:
        return []
    by_key = {row.pk: row for row in qs.order_by().filter(pk__in=keys)}
    return [by_key[key] for key in keys if key in by_key]


def _jump_q(model: type[Model], first: tuple[str, bool], text: str) -> Q | None:
    """Rows from ``text`` on in the leading sort field: names from "Ma" for a name sort; None elsewhere."""
    path, desc = first
    model_field = _field_for(model, path)
    text = " ".join(text.split())[:40]
    if not text or model_field is None or model_field.get_internal_type() not in ("CharField", "TextField"):
        return None
    # Names are stored as written on the KTP, capitalised: "ni made" jumps to "Ni Made".
    text = text.title()
    # Descending, "from M" means M and everything before it: the names up to the last one starting with M.
    return Q(**{f"{path}__lte": text + "\uffff"}) if desc else Q(**{f"{path}__gte": text})


def jumps_for(ordering: tuple[str, ...], model: type[Model]) -> bool:
    """Whether the list's leading sort is text, so a page jump by letters makes sense."""
    model_field = _field_for(model, ordering[0].lstrip("-")) if ordering else None
    return model_field is not None and model_field.get_internal_type() in ("CharField", "TextField")


def list_page(request, queryset: QuerySet, *, ordering, size: int = 25, total: bool = True) -> KeysetPage:
    """The page a list URL asks for (``?after=``, ``?before=``, ``?jump=``), with the list's bounded total:
    what every list view calls. Two or three queries whatever the size of the table."""
    ordering = tuple(ordering)
    page = keyset_page(
        queryset,
        ordering=ordering,
        cursor=request.GET.get("after"),
        before=request.GET.get("before"),
        jump=request.GET.get("jump"),
        size=size,
    )
    page.jumpable = jumps_for(ordering, queryset.model)
    if total:
        page.total = bounded_total(queryset)
    return page


# Totals -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Total:
    """How many rows a list holds: exact up to a bound, else an estimate (or a lower bound)."""

    value: int
    exact: bool = True
    estimated: bool = False

    def __str__(self) -> str:
        if self.exact:
            return number(self.value)
        if self.estimated:
            return _("about %(n)s") % {"n": approximate(self.value)}
        return _("more than %(n)s") % {"n": number(self.value)}

    def __bool__(self) -> bool:
        return self.value > 0


def _planner_rows(queryset: QuerySet) -> int | None:
    """PostgreSQL's estimate of the rows a query returns, from EXPLAIN (no rows are read)."""
    if connections[queryset.db].vendor != "postgresql":
        return None
    try:
        plan = json.loads(queryset.order_by().explain(format="json"))
        return int(plan[0]["Plan"]["Plan Rows"])
    except (ValueError, KeyError, IndexError, TypeError):
        return None


def bounded_total(queryset: QuerySet, *, exact_up_to: int = TOTAL_EXACT_UP_TO) -> Total:
    """The list's total reading at most ``exact_up_to`` + 1 rows: exact below it, above it the planner's
    estimate on PostgreSQL ("about 1.2 million") or "more than 10,000" elsewhere. One or two queries."""
    seen = queryset.order_by().values("pk")[: exact_up_to + 1].count()
    if seen <= exact_up_to:
        return Total(seen)
    estimate = _planner_rows(queryset)
    if estimate is not None and estimate > exact_up_to:
        return Total(estimate, exact=False, estimated=True)
    return Total(exact_up_to, exact=False)
