"""Registry pages: groups, members, verification, lists and exports.

``groups_tab_context`` and ``participants_tab_context`` fill the programme page's tabs (contributions.py).
"""

from __future__ import annotations

import contextlib
import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tunas.core.choices import TargetCategory
from tunas.core.errors import ConflictError, message_for
from tunas.core.http import AuthenticatedHttpRequest
from tunas.core.nik import parse_nik
from tunas.programs.models import Program
from tunas.programs.selectors import program_get_visible
from tunas.regions.models import Hamlet
from tunas.regions.selectors import district_exists, within_q
from tunas.reports.views import report_response

from . import documents, reports, rules, selectors, services
from .eligibility import Candidate, EligibilityContext, age_on, check_candidate
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
from .models import Group, GroupStatus, Membership, Verification

PAGE_SIZE = 25
QUEUE_PAGE_SIZE = 10

GROUP_SORTS = reports.GROUP_SORTS
MEMBER_SORTS = reports.MEMBER_SORTS


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


def _sorted(qs, sort: str, allowed: dict[str, list[str]], default: str):
    return reports.sorted_by(qs, sort, allowed, default)


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
    qs, sort = _sorted(qs, request.GET.get("sort", "name"), GROUP_SORTS, "name")
    return {
        "can_read_registry": selectors.may_read_registry(user),
        "groups_page": Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page")),
        "sort": sort,
        "filters": form,
        "filtered": bool(filters.get("q") or filters.get("status")),
        "selected_groups": Group.objects.filter(
            program=program, status__in=selectors.SELECTED_STATUSES
        ).count(),
    }


def participants_tab_context(request: AuthenticatedHttpRequest, program: Program) -> dict:
    """The programme page's participants tab: its members, filtered by verification, paginated."""
    user = request.user
    form = ProgramMembersFilterForm(request.GET or None)
    filters = _filters(form)
    qs = selectors.membership_list_visible(user=user, program=program, filters=filters)
    qs, sort = _sorted(qs, request.GET.get("sort", "group"), MEMBER_SORTS, "group")
    return {
        "can_verify": rules.may_verify(user),
        "members_page": Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page")),
        "sort": sort,
        "filters": form,
        "filtered": bool(filters.get("q") or filters.get("verification")),
    }


# Groups -----------------------------------------------------------------------------------------------------


def _group_list_queryset(request):
    form = GroupFilterForm(request.GET or None, user=request.user)
    qs = selectors.group_list_visible(user=request.user, filters=_filters(form))
    qs, sort = _sorted(qs, request.GET.get("sort", "program"), GROUP_SORTS, "program")
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
            "page": Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page")),
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
        },
    )


@login_required
@require_POST
def group_verify(request, pk: int):
    _require_verifier(request)
    group = _group_or_404(request, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, message_for("value_invalid"))
    else:
        approve = form.cleaned_data["decision"] == "approve"
        try:
            services.group_verify(
                group=group, approve=approve, reason=form.cleaned_data["reason"], by=request.user
            )
        except ValidationError as exc:
            _error_messages(request, exc)
        else:
            if approve:
                messages.success(request, _("The group %(name)s is verified.") % {"name": group.name})
            else:
                messages.success(request, _("The group %(name)s is rejected.") % {"name": group.name})
    return redirect(_next_or(request, reverse("registry:group_detail", args=[group.pk])))


# Members ----------------------------------------------------------------------------------------------------


def _member_list_queryset(request):
    form = MemberFilterForm(request.GET or None, user=request.user)
    qs = selectors.membership_list_visible(user=request.user, filters=_filters(form))
    qs, sort = _sorted(qs, request.GET.get("sort", "name"), MEMBER_SORTS, "name")
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
            "page": Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page")),
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
    form = MemberForm(request.POST or None, user=request.user, program=group.program)
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
def member_verify(request, pk: int):
    _require_verifier(request)
    membership = _membership_or_404(request, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, message_for("value_invalid"))
    else:
        approve = form.cleaned_data["decision"] == "approve"
        name = membership.person.full_name
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
            messages.error(request, _("%(name)s: the decision was not saved.") % {"name": name})
            messages.error(request, coded_message(str(exc), "conflict"))
        except ValidationError as exc:
            messages.error(request, _("%(name)s: the decision was not saved.") % {"name": name})
            _error_messages(request, exc)
        else:
            if approve:
                messages.success(request, _("%(name)s is verified.") % {"name": name})
            else:
                messages.success(request, _("%(name)s is rejected.") % {"name": name})
    return redirect(_next_or(request, reverse("registry:member_detail", args=[membership.pk])))


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


@login_required
@require_GET
def verification_queue(request):
    _require_verifier(request)
    programs = list(selectors.programs_for_filter(user=request.user))
    chosen = next((p for p in programs if p.code == request.GET.get("program")), None)
    groups_qs = selectors.verification_queue_groups(user=request.user, program=chosen)
    page = Paginator(groups_qs, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    groups = list(page)
    pending = selectors.pending_members_of(groups=groups)
    waiting = Membership.objects.filter(
        selectors.registry_scope_q(request.user),
        verification=Verification.PENDING,
        group__status=GroupStatus.FORMING,
    )
    if chosen:
        waiting = waiting.filter(program=chosen)
    # Members who joined a group after it was verified wait as well, shown apart.
    late = list(
        Membership.objects.filter(
            selectors.registry_scope_q(request.user),
            verification=Verification.PENDING,
            group__status=GroupStatus.VERIFIED,
        )
        .filter(Q(program=chosen) if chosen else Q())
        .select_related("person", "village", "group", "program")
        .order_by("group__name", "person__full_name")[:50]
    )
    return render(
        request,
        "registry/verification_queue.html",
        {
            "page": page,
            "queue": [(g, pending.get(g.pk, [])) for g in groups],
            "programs": programs,
            "chosen": chosen,
            "group_total": page.paginator.count,
            "waiting_total": waiting.count(),
            "late": late,
        },
    )


@login_required
@require_GET
def selection_record_pdf(request, code: str):
    _require_reader(request)
    program = _program_or_404(request, code)
    day = timezone.localdate()
    if raw := request.GET.get("date"):
        with contextlib.suppress(ValueError):
            day = dt.date.fromisoformat(raw)
    return documents.selection_record_response(program=program, day=day)


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
