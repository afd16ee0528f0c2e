"""The registry's reports: the group and participant lists, with the filters the user chose.

Their rows come from ``exports`` (one row per group or membership, NIK masked for roles that may not see it)
and their records from the scoped selectors, so a report shows exactly what the list page shows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from tunas.reports.generators import ReportGenerator
from tunas.reports.renderers import Column

from . import exports, rules, selectors
from .forms import GroupFilterForm, MemberFilterForm

# Sort keys a list accepts, each with the fields it orders by (the first one takes the direction).
GROUP_SORTS = {
    "name": ["name"],
    "program": ["program__code", "name"],
    "type": ["business_type", "name"],
    "village": ["village__name", "name"],
    "members": ["member_count", "name"],
    "status": ["status", "name"],
}
# Each sort reads an index in order (see the models' indexes) so that a page is a seek, not a sort of the
# whole jurisdiction: within a group by name, within a decision by order of registration.
MEMBER_SORTS = {
    "name": ["person__full_name"],
    "nik": ["person__nik"],
    "group": ["group__name", "group_id", "person__full_name"],
    "program": ["program__code", "group__name", "group_id", "person__full_name"],
    "verification": ["verification"],
}
CHUNK = 2000


def member_sorts_for(user: Any) -> dict[str, list[str]]:
    """The member sorts a user may use: ordering by NIK would let a role that sees it masked bisect it."""
    if user.sees_full_nik:
        return MEMBER_SORTS
    return {key: fields for key, fields in MEMBER_SORTS.items() if key != "nik"}


def sorted_by(qs, sort: str, allowed: dict[str, list[str]], default: str):
    """Orders ``qs`` by one of the ``allowed`` sort keys ("-key" descending); returns it and the key used."""
    key = sort.lstrip("-")
    if key not in allowed:
        sort, key = default, default.lstrip("-")
    fields = list(allowed[key])
    if sort.startswith("-"):
        fields[0] = "-" + fields[0]
    return qs.order_by(*fields, "pk"), sort


def _valid(form) -> dict:
    return form.cleaned_data if form.is_valid() else {}


class GroupListReport(ReportGenerator):
    code = "groups"
    title = _("Groups")
    description = _("Business groups with their village, business type, members and status.")
    order = 10

    def is_available_to(self, user: Any) -> bool:
        return selectors.may_read_registry(user)

    def filters(self, user: Any, data: Mapping[str, Any]) -> dict:
        return {**_valid(GroupFilterForm(data or None, user=user)), "sort": data.get("sort", "program")}

    def queryset(self, user: Any, filters: dict):
        qs = selectors.group_list_visible(user=user, filters=filters)
        return sorted_by(qs, filters.get("sort") or "program", GROUP_SORTS, "program")[0]

    def columns(self, user: Any) -> list[Column]:
        return exports.GROUP_COLUMNS

    def rows(self, user: Any, filters: dict) -> Iterable[dict]:
        return exports.group_rows(self.queryset(user, filters).iterator(chunk_size=CHUNK))

    def count(self, user: Any, filters: dict) -> int:
        return self.queryset(user, filters).count()

    def filename(self) -> str:
        return str(_("groups"))


class MemberListReport(ReportGenerator):
    code = "participants"
    title = _("Participants")
    description = _("Members of the groups with their identity, categories and verification.")
    order = 20

    def is_available_to(self, user: Any) -> bool:
        return selectors.may_read_registry(user)

    def filters(self, user: Any, data: Mapping[str, Any]) -> dict:
        return {**_valid(MemberFilterForm(data or None, user=user)), "sort": data.get("sort", "name")}

    def queryset(self, user: Any, filters: dict):
        qs = selectors.membership_list_visible(user=user, filters=filters)
        return sorted_by(qs, filters.get("sort") or "name", member_sorts_for(user), "name")[0]

    def columns(self, user: Any) -> list[Column]:
        return exports.member_columns(full=user.sees_full_nik)

    def rows(self, user: Any, filters: dict) -> Iterable[dict]:
        qs = self.queryset(user, filters).select_related("hamlet")
        return exports.member_rows(qs.iterator(chunk_size=CHUNK), full=user.sees_full_nik)

    def count(self, user: Any, filters: dict) -> int:
        return self.queryset(user, filters).count()

    def filename(self) -> str:
        return str(_("participants"))


class AuditTrailReport(ReportGenerator):
    """Changes in the office's jurisdiction by user and day: who, when, what, before and after."""

    code = "audit"
    title = _("Audit trail")
    description = _("Who changed which personal or financial record, when, from which value to which.")
    order = 90
    formats = ("xlsx", "csv")
    # An export of the trail holds at most this many changes; narrow the dates for more.
    MAX_ROWS = 5000

    def is_available_to(self, user: Any) -> bool:
        return rules.may_read_office_trail(user)

    def filters(self, user: Any, data: Mapping[str, Any]) -> dict:
        from .views_audit import trail_filters

        found = trail_filters(user, data)
        found.pop("form")
        return found

    def columns(self, user: Any) -> list[Column]:
        return [
            Column("when", _("When"), kind="text", width=18),
            Column("who", _("User"), width=18),
            Column("kind", _("Record type"), width=18),
            Column("record", _("Record"), width=30),
            Column("action", _("Action"), width=12),
            Column("field", _("Field"), width=24),
            Column("old", _("Before"), width=30),
            Column("new", _("After"), width=30),
            Column("reason", _("Reason"), width=30),
        ]

    def rows(self, user: Any, filters: dict) -> Iterable[dict]:
        from . import audit

        entries = audit.office_trail(
            user=user,
            who=filters.get("who"),
            since=filters.get("since"),
            until=filters.get("until"),
            before=filters.get("before"),
            limit=self.MAX_ROWS,
        )
        for e in entries:
            base = {
                "when": e.when.strftime("%Y-%m-%d %H:%M:%S"),
                "who": e.who.username if e.who else "—",
                "kind": e.kind,
                "record": e.record,
                "action": e.action,
                "reason": e.reason,
            }
            if not e.changes:
                yield {**base, "field": "", "old": "", "new": ""}
            for change in e.changes:
                yield {**base, "field": change.label, "old": change.old, "new": change.new}

    def filename(self) -> str:
        return str(_("audit-trail"))
