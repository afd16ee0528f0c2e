"""Registry pages: groups, members, verification, lists and exports.

``groups_tab_context`` and ``participants_tab_context`` fill the programme page's tabs (contributions.py).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tunas.core.choices import Sex, TargetCategory
from tunas.core.errors import ConflictError, message_for
from tunas.core.formatting import date_long, datetime_long
from tunas.core.http import AuthenticatedHttpRequest
from tunas.core.nik import mask_nik, parse_nik
from tunas.core.pagination import list_page
from tunas.programs.models import Program
from tunas.programs.selectors import program_get_visible
from tunas.regions.models import Hamlet
from tunas.regions.selectors import district_exists, within_q
from tunas.reports.views import report_response

from . import documents, reports, rules, selectors, services
from .eligibility import Candidate, EligibilityContext, age_on, check_candidate
from .extensions import sections_for
from .forms import (
    DecisionForm,
    GroupFilterForm,
    GroupForm,
    MemberFilterForm,
    MemberForm,
    ProgramGroupsFilterForm,
    ProgramMembersFilterForm,
    coded_message,
)
from .models import Group, GroupStatus, Membership, Role, Verification

PAGE_SIZE = 25
# Groups per page of the verification queue: each comes with all its members (ten to twenty), their re-check
# and their decision forms, so five groups are already a page of sixty to a hundred rows to work through.
QUEUE_PAGE_SIZE = 5


# Permissions ------------------------------------------------------------------------------------------------


def _require_reader(request) -> None:
    if not selectors.may_read_registry(request.user):
        raise PermissionDenied


def _require_manager(request) -> None:
    if not request.user.manages_programmes:
        raise PermissionDenied


def _require_verifier(request) -> None:
    if not rules.may_verify(request.user):
        raise PermissionDenied


def _program_or_404(request, code: str) -> Program:
    try:
        return program_get_visible(user=request.user, code=code)
    except Program.DoesNotExist as exc:
        raise Http404 from exc


def _group_or_404(request, pk: int) -> Group:
    try:
        return selectors.group_get_visible(user=request.user, pk=pk)
    except Group.DoesNotExist as exc:
        raise Http404 from exc


def _membership_or_404(request, pk: int) -> Membership:
    try:
        return selectors.membership_get_visible(user=request.user, pk=pk)
    except Membership.DoesNotExist as exc:
        raise Http404 from exc


def _next_or(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _error_messages(request, exc: ValidationError) -> None:
    errors = exc.error_dict.values() if hasattr(exc, "error_dict") else [exc.error_list]
    for error_list in errors:
        for error in error_list:
            text = error.message % error.params if error.params else error.message
            messages.error(request, coded_message(str(text), error.code or "value_invalid"))


def _filters(form) -> dict:
    return form.cleaned_data if form.is_valid() else {}


def _has_filters(request, names) -> bool:
    return any(request.GET.get(name) for name in names)


# The programme page's tabs ----------------------------------------------------------------------------------


def groups_tab_context(request: AuthenticatedHttpRequest, program: Program) -> dict:
    """The programme page's groups tab: the programme's groups, searchable, sortable and paginated."""
    user = request.user
    form = ProgramGroupsFilterForm(request.GET or None)
    filters = _filters(form)
    qs = selectors.group_list_visible(user=user, program=program, filters=filters)
    qs, sort = reports.sorted_by(qs, request.GET.get("sort", "name"), reports.GROUP_SORTS, "name")
    return {
        "can_read_registry": selectors.may_read_registry(user),
        "groups_page": list_page(request, qs, ordering=qs.query.order_by, size=PAGE_SIZE),
        "sort": sort,
        "filters": form,
        "filtered": bool(filters.get("q") or filters.get("status")),
        "selected_groups": selectors.program_summary(program=program).groups_selected,
    }


def participants_tab_context(request: AuthenticatedHttpRequest, program: Program) -> dict:
    """The programme page's participants tab: its members, filtered by verification, paginated."""
    user = request.user
    form = ProgramMembersFilterForm(request.GET or None)
    filters = _filters(form)
    qs = selectors.membership_list_visible(user=user, program=program, filters=filters)
    qs, sort = reports.sorted_by(
        qs, request.GET.get("sort", "group"), selectors.member_sorts_for(request.user), "group"
    )
    return {
        "can_verify": rules.may_verify(user),
        "members_page": list_page(request, qs, ordering=qs.query.order_by, size=PAGE_SIZE),
        "sort": sort,
        "filters": form,
        "filtered": bool(filters.get("q") or filters.get("verification")),
    }


# Groups -----------------------------------------------------------------------------------------------------


def _group_list_queryset(request):
    form = GroupFilterForm(request.GET or None, user=request.user)
    qs = selectors.group_list_visible(user=request.user, filters=_filters(form))
    qs, sort = reports.sorted_by(qs, request.GET.get("sort", "program"), reports.GROUP_SORTS, "program")
    return form, qs, sort


@login_required
@require_GET
def group_list(request):
    _require_reader(request)
    form, qs, sort = _group_list_queryset(request)
    return render(
        request,
        "registry/group_list.html",
        {
            "page": list_page(request, qs, ordering=qs.query.order_by, size=PAGE_SIZE),
            "filters": form,
            "sort": sort,
            "filtered": _has_filters(request, ["q", "program", "status", "business_type", "district"]),
            "can_manage": request.user.manages_programmes,
        },
    )


@login_required
@require_GET
def group_export(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    _require_reader(request)
    return report_response(reports.GroupListReport(), request, "xlsx")


def _hamlets_of(village_code: str | None):
    if not village_code:
        return []
    return list(Hamlet.objects.filter(village_id=village_code).order_by("name"))


@login_required
def group_edit(request, code: str | None = None, pk: int | None = None):
    _require_manager(request)
    if pk is not None:
        group = _group_or_404(request, pk)
        program = group.program
    else:
        program = _program_or_404(request, code or "")
        group = Group(program=program)
    form = GroupForm(request.POST or None, instance=group, program=program, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            group, hamlet_created = services.group_save_with_hamlet(
                group=form.save(commit=False),
                hamlet_text=form.cleaned_data["hamlet_name"],
                # An edit that does not say which version it started from cannot prove it is not stale.
                expected_version=(form.cleaned_data.get("version") or 0) if pk is not None else None,
                by=request.user,
            )
        except ConflictError as exc:
            form.add_error(None, ValidationError(str(exc), code="conflict"))
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            if hamlet_created:
                messages.info(request, message_for("hamlet_new"))
            messages.success(request, _("Data saved successfully."))
            return redirect("registry:group_detail", pk=group.pk)
    village_code = form["village"].value() if form.is_bound else group.village_id
    return render(
        request,
        "registry/group_form.html",
        {"form": form, "group": group, "program": program, "hamlets": _hamlets_of(village_code)},
    )


@login_required
@require_GET
def group_detail(request, pk: int):
    _require_reader(request)
    group = _group_or_404(request, pk)
    members = list(selectors.group_members(group=group))
    for m in members:
        m.group = group  # the rules read the group; it is this one, already loaded
    removable = {m.pk for m in members if rules.member_may_be_removed(m)}
    counts = {v: 0 for v in Verification.values}
    for m in members:
        counts[m.verification] += 1
    active = counts[Verification.PENDING] + counts[Verification.APPROVED]
    program = group.program
    return render(
        request,
        "registry/group_detail.html",
        {
            "group": group,
            "program": program,
            "members": members,
            "counts": counts,
            "active_count": active,
            "is_full": rules.group_is_full(group, active),
            "is_open": rules.group_is_open(group),
            "can_manage": request.user.manages_programmes and rules.may_edit_registry(program, request.user),
            "can_verify": rules.may_verify(request.user),
            "decidable": rules.group_is_decidable(group),
            "may_read_trail": rules.may_read_trail(request.user),
            "removable": removable,
            "sections": sections_for(request, group),
        },
    )


# Members ----------------------------------------------------------------------------------------------------


def _member_list_queryset(request):
    form = MemberFilterForm(request.GET or None, user=request.user)
    qs = selectors.membership_list_visible(user=request.user, filters=_filters(form))
    qs, sort = reports.sorted_by(
        qs, request.GET.get("sort", "name"), selectors.member_sorts_for(request.user), "name"
    )
    return form, qs, sort


@login_required
@require_GET
def member_list(request):
    _require_reader(request)
    form, qs, sort = _member_list_queryset(request)
    return render(
        request,
        "registry/member_list.html",
        {
            "page": list_page(request, qs, ordering=qs.query.order_by, size=PAGE_SIZE),
            "filters": form,
            "sort": sort,
            "filtered": _has_filters(
                request, ["q", "program", "verification", "category", "sex", "warnings"]
            ),
            "can_manage": request.user.manages_programmes,
        },
    )


@login_required
@require_GET
def member_export(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    _require_reader(request)
    return report_response(reports.MemberListReport(), request, "xlsx")


def _member_form_page(request, form, *, group, membership=None):
    village_code = form["village"].value() if form.is_bound else form.initial.get("village")
    return render(
        request,
        "registry/member_form.html",
        {
            "form": form,
            "group": group,
            "program": group.program,
            "membership": membership,
            "hamlets": _hamlets_of(village_code),
        },
    )


def _announce_saved(request, membership: Membership, hamlet_created: bool) -> None:
    if hamlet_created:
        messages.info(request, message_for("hamlet_new"))
    if getattr(membership, "sent_back_to_queue", False):
        messages.warning(request, coded_message(message_for("back_to_verification"), "back_to_verification"))
    if membership.warnings and not membership.warnings_resolved_by_id:
        messages.warning(
            request,
            _("%(name)s is saved, with a warning: %(warning)s")
            % {"name": membership.person.full_name, "warning": message_for("possible_duplicate")},
        )
    else:
        messages.success(request, _("%(name)s is saved.") % {"name": membership.person.full_name})


@login_required
def member_add(request, pk: int):
    _require_manager(request)
    group = _group_or_404(request, pk)
    # Members live in the group's village, most of them: the form starts there.
    start = {"village": group.village_id, "hamlet_name": group.hamlet.name if group.hamlet else ""}
    form = MemberForm(request.POST or None, initial=start, user=request.user, program=group.program)
    if request.method == "POST" and form.is_valid():
        try:
            membership, hamlet_created = services.member_save(
                group=group,
                data=form.person_data(),
                hamlet_text=form.cleaned_data["hamlet_name"],
                role=form.cleaned_data["role"],
                by=request.user,
                reason=form.cleaned_data.get("change_reason", ""),
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            _announce_saved(request, membership, hamlet_created)
            if "add_another" in request.POST:
                return redirect("registry:member_add", pk=group.pk)
            return redirect("registry:group_detail", pk=group.pk)
    return _member_form_page(request, form, group=group)


@login_required
def member_edit(request, pk: int):
    _require_manager(request)
    membership = _membership_or_404(request, pk)
    group = membership.group
    group.program = membership.program
    form = MemberForm(
        request.POST or None,
        initial=MemberForm.initial_for(membership),
        user=request.user,
        program=membership.program,
    )
    if request.method == "POST" and form.is_valid():
        try:
            membership, hamlet_created = services.member_save(
                membership=membership,
                data=form.person_data(),
                hamlet_text=form.cleaned_data["hamlet_name"],
                role=form.cleaned_data["role"],
                expected_version=form.cleaned_data.get("version") or 0,
                by=request.user,
                reason=form.cleaned_data.get("change_reason", ""),
            )
        except ConflictError as exc:
            # The form keeps what the user typed; nothing is lost while they compare with the newer data.
            form.add_error(None, ValidationError(str(exc), code="conflict"))
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            _announce_saved(request, membership, hamlet_created)
            return redirect("registry:member_detail", pk=membership.pk)
    return _member_form_page(request, form, group=group, membership=membership)


def _eligibility(membership: Membership) -> dict:
    """The rules re-checked today against everyone else: the result may differ from registration day."""
    person = membership.person
    candidate = Candidate(
        nik=person.nik,
        full_name=person.full_name,
        birth_date=person.birth_date,
        village_code=membership.village_id,
        categories=list(membership.categories),
        phone=membership.phone or None,
        group_id=None,
    )
    context = EligibilityContext(membership.program, [candidate], exclude_membership_id=membership.pk)
    errors, warnings = check_candidate(candidate, context)
    nik = parse_nik(person.nik, sex=person.sex, birth_date=person.birth_date, district_exists=district_exists)
    return {
        "errors": errors,
        "warnings": warnings,
        "nik_errors": [(code, message_for(code, nik.details.get(code))) for code in nik.errors],
        "nik_warnings": [(code, message_for(code)) for code in nik.warnings],
        "age": age_on(person.birth_date, context.reference_date),
        "reference_date": context.reference_date,
        "age_is_today": context.reference_date == timezone.localdate(),
    }


@login_required
@require_GET
def member_detail(request, pk: int):
    _require_reader(request)
    membership = _membership_or_404(request, pk)
    person = membership.person
    duplicates = selectors.possible_duplicates(user=request.user, person=person, phone=membership.phone)
    history = selectors.person_history(user=request.user, person=person)
    return render(
        request,
        "registry/member_detail.html",
        {
            "membership": membership,
            "person": person,
            "group": membership.group,
            "program": membership.program,
            "eligibility": _eligibility(membership),
            "duplicates": duplicates,
            "history": history,
            "categories": [label for key, label in TargetCategory.choices if key in membership.categories],
            "full_nik": request.user.sees_full_nik,
            "can_manage": request.user.manages_programmes
            and rules.may_edit_registry(membership.program, request.user),
            "warnings_open": bool(membership.warnings) and not membership.warnings_resolved_by_id,
            "may_read_trail": rules.may_read_trail(request.user),
            "may_remove": rules.member_may_be_removed(membership),
            "may_decide": rules.may_verify(request.user) and rules.decision_may_change(membership),
        },
    )


@login_required
@require_POST
def member_remove(request, pk: int):
    _require_manager(request)
    membership = _membership_or_404(request, pk)
    group = membership.group
    name = membership.person.full_name
    try:
        services.membership_remove(membership=membership, by=request.user)
    except ValidationError as exc:
        _error_messages(request, exc)
        return redirect("registry:member_detail", pk=pk)
    messages.success(
        request, _("%(name)s is no longer a member of %(group)s.") % {"name": name, "group": group}
    )
    return redirect("registry:group_detail", pk=group.pk)


@login_required
@require_POST
def member_warnings_resolve(request, pk: int):
    _require_manager(request)
    membership = _membership_or_404(request, pk)
    try:
        services.membership_warnings_resolve(membership=membership, by=request.user)
    except ValidationError as exc:
        _error_messages(request, exc)
    else:
        messages.success(request, _("The warnings are marked as checked: these are different people."))
    return redirect(_next_or(request, reverse("registry:member_detail", args=[membership.pk])))


# Verification -----------------------------------------------------------------------------------------------


class QueueWords:
    """What every row of one queue page shares, worked out once for the page: the member pages' addresses
    (one ``reverse`` each), the choices' labels and the table's words in the user's language. A page shows a
    hundred members or more; a ``{% url %}``, a ``get_…_display`` and a ``{% translate %}`` per row each
    were a good part of the page's time."""

    SENTINEL = 987654321

    def __init__(self, request) -> None:
        # What {% csrf_token %} writes, once for the page's two hundred forms.
        self.csrf = format_html(
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request)
        )
        self._links = {
            name: reverse(f"registry:{name}", args=[self.SENTINEL]).split(str(self.SENTINEL), 1)
            for name in ("member_detail", "member_verify")
        }
        self.roles = {key: str(label) for key, label in Role.choices}
        self.sexes = {key: str(label) for key, label in Sex.choices}
        self.verifications = {key: str(label) for key, label in Verification.choices}
        self.badges: dict[str, str] = {
            Verification.APPROVED: "text-bg-success",
            Verification.REJECTED: "text-bg-danger",
        }
        self.categories = [(key, str(label)) for key, label in TargetCategory.choices]
        self.language = get_language()
        self.nik = _("NIK")
        self.village = _("Village")
        self.target_categories = _("Target categories")
        self.eligibility = _("Eligibility")
        self.decision = _("Decision")
        self.approve = _("Approve")
        self.reject = _("Reject")
        self.reason_placeholder = _("Reason for rejection")
        self.change = _("Change the decision")
        self.reason = _("Reason")
        self.not_eligible = _("Not eligible")
        self.check_warnings = _("Check the warnings")
        self.no_problem = _("No problem found")
        self.checked = _("Checked by an officer")

    def link(self, name: str, pk: int) -> str:
        head, tail = self._links[name]
        return f"{head}{pk}{tail}"


@dataclass
class QueueRow:
    """One member as the verification queue shows them: the re-check, whether the decision may change, and
    the row's words and addresses, worked out here from the page's ``QueueWords`` rather than by template
    tags."""

    m: Membership
    check: selectors.Recheck
    may_change: bool
    words: QueueWords
    full_numbers: bool = False  # the user's role sees full NIKs and the reasons for rejections

    @property
    def pk(self) -> int:
        return self.m.pk

    @property
    def key(self) -> str:
        """The id as text: the row writes it a dozen times, and a number would be localised each time."""
        return str(self.m.pk)

    @property
    def version(self) -> str:
        return str(self.m.version)

    @property
    def name(self) -> str:
        return self.m.person.full_name

    @property
    def reason_label(self) -> str:
        return _("Reason for rejecting %(name)s") % {"name": self.m.person.full_name}

    @property
    def badge(self) -> str:
        """The colour of the decision's badge (with its words beside it, never alone)."""
        return self.words.badges.get(self.m.verification, "text-bg-warning")

    @property
    def detail_url(self) -> str:
        return self.words.link("member_detail", self.m.pk)

    @property
    def verify_url(self) -> str:
        return self.words.link("member_verify", self.m.pk)

    @property
    def facts(self) -> str:
        """Role, sex and birth date: "Ketua · Perempuan · 4 April 1985"."""
        person, words = self.m.person, self.words
        role, sex = words.roles.get(self.m.role, self.m.role), words.sexes.get(person.sex, person.sex)
        return f"{role} · {sex} · {date_long(person.birth_date, words.language)}"

    @property
    def nik(self) -> str:
        nik = self.m.person.nik
        return nik if self.full_numbers else mask_nik(nik)

    @property
    def categories(self) -> list[str]:
        """The target categories' labels, in the vocabulary's order."""
        chosen = set(self.m.categories or [])
        return [label for key, label in self.words.categories if key in chosen]

    @property
    def verification(self) -> str:
        return self.words.verifications.get(self.m.verification, self.m.verification)

    @property
    def reason(self) -> str:
        """The reason for a rejection, for the roles that may read it."""
        return self.m.verification_reason if self.full_numbers else ""

    @property
    def decided(self) -> str:
        """ "Decided by Komang on 4 April 2026 09.30.", or nothing while the member waits."""
        m = self.m
        if not m.verified_at:
            return ""
        who = (m.verified_by.get_full_name() or m.verified_by.username) if m.verified_by else "—"
        when = datetime_long(m.verified_at, self.words.language)
        return _("Decided by %(who)s on %(when)s.") % {"who": who, "when": when}


def _queue_rows(request, members, checks, words: QueueWords | None = None) -> list[QueueRow]:
    """The queue's rows of these members, sharing the page's words and addresses."""
    words = words or QueueWords(request)
    full = request.user.sees_full_nik
    return [
        QueueRow(
            m=m, check=checks[m.pk], may_change=rules.decision_may_change(m), words=words, full_numbers=full
        )
        for m in members
    ]


@dataclass
class QueueTally:
    """A group's decisions so far against the programme's group size."""

    approved: int
    rejected: int
    pending: int
    size_min: int
    size_max: int

    @property
    def short(self) -> bool:
        """Fewer members approved than the programme needs."""
        return self.approved < self.size_min

    @property
    def over(self) -> bool:
        """More members approved or waiting than the programme allows."""
        return self.approved + self.pending > self.size_max

    @property
    def ready(self) -> bool:
        """Every member decided and enough of them approved: the group can be verified."""
        return not self.pending and not self.short


@dataclass
class QueueGroup:
    """A group in the queue: its members shown by the filter, how many the filter hides, its tally."""

    group: Group
    rows: list[QueueRow]
    hidden: int
    tally: QueueTally
    decidable: bool
    plan: selectors.ApprovalPlan | None = None


def _queue_show(value: str | None) -> str:
    return value if value in selectors.QUEUE_SHOW else ""


def _queue_show_choices() -> list[tuple[str, str]]:
    return [
        ("", _("All members")),
        ("waiting", _("Waiting")),
        ("warnings", _("With warnings")),
        ("decided", _("Decided")),
    ]


def _row_shown(row: QueueRow, show: str) -> bool:
    verification = row.m.verification
    if show == "waiting":
        return verification == Verification.PENDING
    if show == "decided":
        return verification != Verification.PENDING
    if show == "warnings":
        return verification != Verification.REJECTED and not row.check.clean
    return True


def _tally(group: Group, counts: dict[str, int]) -> QueueTally:
    return QueueTally(
        approved=counts.get("approved", 0),
        rejected=counts.get("rejected", 0),
        pending=counts.get("pending", 0),
        size_min=group.program.group_size_min,
        size_max=group.program.group_size_max,
    )


def _queue_group(
    request,
    group: Group,
    members: list[Membership],
    checks: dict[int, selectors.Recheck],
    show: str,
    words: QueueWords | None = None,
) -> QueueGroup:
    rows = _queue_rows(request, members, checks, words)
    shown = [row for row in rows if _row_shown(row, show)]
    counts = {
        "approved": sum(1 for m in members if m.verification == Verification.APPROVED),
        "rejected": sum(1 for m in members if m.verification == Verification.REJECTED),
        "pending": sum(1 for m in members if m.verification == Verification.PENDING),
    }
    return QueueGroup(
        group=group,
        rows=shown,
        hidden=len(rows) - len(shown),
        tally=_tally(group, counts),
        decidable=rules.group_is_decidable(group),
    )


def _coded_errors(exc: ValidationError) -> list[tuple[str, str]]:
    """(message with its code, code) for each problem of a refused decision."""
    found = []
    errors = exc.error_dict.values() if hasattr(exc, "error_dict") else [exc.error_list]
    for error_list in errors:
        for error in error_list:
            text = error.message % error.params if error.params else error.message
            code = error.code or "value_invalid"
            found.append((coded_message(str(text), code), code))
    return found


def _with_query(url: str, **params: str) -> str:
    """``url`` with some query parameters set (a fragment replaced by ``#fragment``)."""
    fragment = params.pop("fragment", "")
    parts = urlsplit(url)
    query = QueryDict(parts.query, mutable=True)
    for key, value in params.items():
        query[key] = value
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query.urlencode(), fragment))


def _queue_next(request) -> str:
    """The queue page the request came from, without a fragment (the forms add the row's own)."""
    return _next_or(request, reverse("registry:verification_queue")).split("#", 1)[0]


def _member_row_response(request, pk: int, *, errors: list[tuple[str, str]]) -> HttpResponse:
    """The member's queue row as it is now (with what refused the decision), and the updated group tally
    and waiting count swapped in beside it (htmx out-of-band)."""
    membership = _membership_or_404(request, pk)
    checks = selectors.memberships_recheck([membership])
    [row] = _queue_rows(request, [membership], checks)
    late = request.POST.get("row") == "late"
    context = {
        "row": row,
        "errors": errors,
        "reason_invalid": any(code == "required" for _message, code in errors),
        "next": _queue_next(request),
        "late": late,
    }
    parts: list[str] = [render_to_string("registry/partials/_queue_member.html", context, request=request)]
    group = membership.group
    if not late and group.status == GroupStatus.FORMING:
        group.program = membership.program
        tally = _tally(group, selectors.group_verification_counts(group=group))
        # Wrapped in <template>: after a <tr> the browser parses in table mode, where forms would come apart.
        parts.append("<template>")
        parts.append(
            render_to_string(
                "registry/partials/_queue_group_summary.html",
                {
                    "group": group,
                    "tally": tally,
                    "decidable": rules.group_is_decidable(group),
                    "next": context["next"],
                    "oob": True,
                },
                request=request,
            )
        )
        waiting = selectors.queue_waiting_count(
            user=request.user, program_code=request.POST.get("queue_program", "")
        )
        parts.append(
            render_to_string(
                "registry/partials/_queue_waiting_total.html", {"waiting_total": waiting, "oob": True}
            )
        )
        parts.append("</template>")
    return HttpResponse("".join(parts))


def _group_section_response(
    request, group: Group, *, notices: list[str], errors: list[tuple[str, str]]
) -> HttpResponse:
    """The group's whole queue section as it is now, with what was done or refused at its top."""
    group = _group_or_404(request, group.pk)  # read again: its status may just have changed
    show = _queue_show(request.POST.get("queue_show"))
    members = selectors.queue_members_of(groups=[group])[group.pk]
    checks = selectors.memberships_recheck(members)
    context = {
        "item": _queue_group(request, group, members, checks, show),
        "next": _queue_next(request),
        "notices": notices,
        "errors": errors,
    }
    return render(request, "registry/partials/_queue_group.html", context)


@login_required
@require_GET
def verification_queue(request):
    """Forming groups with all their members, re-checked, filtered and paginated by group."""
    _require_verifier(request)
    user = request.user
    programs = list(selectors.programs_for_filter(user=user))
    chosen = next((p for p in programs if p.code == request.GET.get("program")), None)
    show = _queue_show(request.GET.get("show"))
    groups_qs = selectors.verification_queue_groups(user=user, program=chosen, show=show)
    page = list_page(request, groups_qs, ordering=selectors.QUEUE_ORDER, size=QUEUE_PAGE_SIZE)
    groups = list(page)
    members = selectors.queue_members_of(groups=groups)
    # Members who joined a group after it was verified wait as well, shown apart.
    late = selectors.late_members(user=user, program=chosen)
    # One re-check for the whole page: a few queries per programme, whatever the number of members.
    on_page = [m for group_members in members.values() for m in group_members]
    checks = selectors.memberships_recheck(on_page + late)
    words = QueueWords(request)
    queue = [_queue_group(request, g, members[g.pk], checks, show, words) for g in groups]
    waiting_total = selectors.queue_waiting_count(user=user, program_code=chosen.code if chosen else "")
    # Without JavaScript, "approve all without problems" comes back here to show its summary.
    for item in queue:
        if str(item.group.pk) == request.GET.get("review"):
            item.plan = selectors.approval_plan(group=item.group)
    here = request.GET.copy()
    here.pop("review", None)
    return render(
        request,
        "registry/verification_queue.html",
        {
            "page": page,
            "queue": queue,
            "programs": programs,
            "chosen": chosen,
            "show": show,
            "show_choices": _queue_show_choices(),
            "group_total": page.total,
            "waiting_total": waiting_total,
            "late": _queue_rows(request, late, checks, words),
            "next": f"{request.path}?{here.urlencode()}" if here else request.path,
        },
    )


@login_required
@require_POST
def member_verify(request, pk: int):
    _require_verifier(request)
    membership = _membership_or_404(request, pk)
    form = DecisionForm(request.POST)
    name = membership.person.full_name
    errors: list[tuple[str, str]] = []
    approve = False
    if not form.is_valid():
        errors = [(message_for("value_invalid"), "value_invalid")]
    else:
        approve = form.cleaned_data["decision"] == "approve"
        try:
            services.member_verify(
                membership=membership,
                approve=approve,
                reason=form.cleaned_data["reason"],
                by=request.user,
                # The version the verifier saw: a decision made meanwhile by someone else is not overwritten.
                expected_version=form.cleaned_data["version"] or 0,
            )
        except ConflictError as exc:
            errors = [(coded_message(str(exc), "conflict"), "conflict")]
        except ValidationError as exc:
            errors = _coded_errors(exc)
    if request.htmx:
        # Only the member's row changes: no reload, and the verifier stays where they were on the page.
        if errors and form.is_valid():
            errors.insert(0, (_("%(name)s: the decision was not saved.") % {"name": name}, ""))
        return _member_row_response(request, pk, errors=errors)
    if errors and form.is_valid():
        messages.error(request, _("%(name)s: the decision was not saved.") % {"name": name})
    for message, _code in errors:
        messages.error(request, message)
    if not errors:
        if approve:
            messages.success(request, _("%(name)s is verified.") % {"name": name})
        else:
            messages.success(request, _("%(name)s is rejected.") % {"name": name})
    return redirect(_next_or(request, reverse("registry:member_detail", args=[membership.pk])))


@login_required
@require_POST
def group_verify(request, pk: int):
    _require_verifier(request)
    group = _group_or_404(request, pk)
    form = DecisionForm(request.POST)
    errors: list[tuple[str, str]] = []
    notices: list[str] = []
    if not form.is_valid():
        errors = [(message_for("value_invalid"), "value_invalid")]
    else:
        approve = form.cleaned_data["decision"] == "approve"
        try:
            services.group_verify(
                group=group, approve=approve, reason=form.cleaned_data["reason"], by=request.user
            )
        except ValidationError as exc:
            errors = _coded_errors(exc)
        else:
            if approve:
                notices.append(_("The group %(name)s is verified.") % {"name": group.name})
            else:
                notices.append(_("The group %(name)s is rejected.") % {"name": group.name})
    if request.htmx:
        return _group_section_response(request, group, notices=notices, errors=errors)
    for message, _code in errors:
        messages.error(request, message)
    for notice in notices:
        messages.success(request, notice)
    return redirect(_next_or(request, reverse("registry:group_detail", args=[group.pk])))


def _seen_versions(values: list[str]) -> dict[int, int]:
    """``["12:3", "13:1"]`` (member id, the version the summary showed) as a dict; nonsense is skipped."""
    seen = {}
    for value in values:
        pk, _sep, version = value.partition(":")
        if pk.isdigit() and version.isdigit():
            seen[int(pk)] = int(version)
    return seen


def _approval_notices(result: services.BulkApproval) -> list[str]:
    notices = [
        ngettext("%(n)s member is approved.", "%(n)s members are approved.", len(result.approved))
        % {"n": len(result.approved)}
    ]
    if result.needs_look:
        notices.append(
            ngettext(
                "%(n)s member still needs a look.", "%(n)s members still need a look.", len(result.needs_look)
            )
            % {"n": len(result.needs_look)}
        )
    if result.changed:
        notices.append(
            ngettext(
                "%(n)s member changed after the summary was shown and still waits; check them again.",
                "%(n)s members changed after the summary was shown and still wait; check them again.",
                len(result.changed),
            )
            % {"n": len(result.changed)}
        )
    return notices


@login_required
@require_POST
def queue_approve_without_problems(request):
    """Approves a group's waiting members without problems: first a summary, then (``confirm=1``) the
    approval of exactly the members the summary listed, if they did not change meanwhile."""
    _require_verifier(request)
    raw = request.POST.get("group", "")
    if not raw.isdigit():
        raise Http404
    group = _group_or_404(request, int(raw))
    anchor = f"queue-group-{group.pk}"
    if request.POST.get("confirm") != "1":
        if request.htmx:
            context = {
                "group": group,
                "plan": selectors.approval_plan(group=group),
                "next": _queue_next(request),
            }
            return render(request, "registry/partials/_queue_approve_plan.html", context)
        return redirect(_with_query(_queue_next(request), review=str(group.pk), fragment=anchor))
    errors: list[tuple[str, str]] = []
    notices: list[str] = []
    try:
        result = services.members_approve_without_problems(
            group=group, by=request.user, expected_versions=_seen_versions(request.POST.getlist("seen"))
        )
    except ValidationError as exc:
        errors = _coded_errors(exc)
    else:
        notices = _approval_notices(result)
    if request.htmx:
        return _group_section_response(request, group, notices=notices, errors=errors)
    for message, _code in errors:
        messages.error(request, message)
    for notice in notices:
        messages.success(request, notice)
    return redirect(_with_query(_queue_next(request), fragment=anchor))


@login_required
@require_GET
def selection_record_pdf(request, code: str):
    _require_reader(request)
    program = _program_or_404(request, code)
    day = timezone.localdate()
    if raw := request.GET.get("date"):
        with contextlib.suppress(ValueError):
            day = dt.date.fromisoformat(raw)
    return documents.selection_record_response(program=program, day=day, user=request.user)


@login_required
@require_GET
def hamlet_options(request):
    """The hamlets of the chosen village, as <option>s for the hamlet field's suggestion list."""
    prefix = request.user.jurisdiction
    hamlets = []
    if prefix is not None:
        hamlets = list(
            Hamlet.objects.filter(
                within_q(prefix, "village__code"), village_id=request.GET.get("village", "")
            ).order_by("name")
        )
    return render(request, "registry/partials/_hamlet_options.html", {"hamlets": hamlets})
