from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tunas.accounts.roles import Role
from tunas.core.errors import ConflictError
from tunas.core.http import AuthenticatedHttpRequest
from tunas.core.pagination import list_page

from . import lifecycle, selectors, services
from .extensions import tabs_for
from .forms import BudgetLineFormSet, ProgramFilterForm, ProgramForm, StageStepBackForm
from .models import Program, Stage


def get_program_or_404(request: AuthenticatedHttpRequest, code: str) -> Program:
    try:
        return selectors.program_get_visible(user=request.user, code=code)
    except Program.DoesNotExist as exc:
        raise Http404 from exc


def _require_manager(request: AuthenticatedHttpRequest) -> None:
    if not request.user.manages_programmes:
        raise PermissionDenied


@login_required
def program_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    filters = ProgramFilterForm(request.GET or None)
    data = filters.cleaned_data if filters.is_valid() else {}
    sort = request.GET.get("sort", "-fiscal_year")
    allowed = {"code", "-code", "fiscal_year", "-fiscal_year", "name", "-name", "status", "-status"}
    qs = selectors.program_list_visible(user=request.user, filters=data)
    page = list_page(request, qs, ordering=(sort if sort in allowed else "-fiscal_year", "code"), size=25)
    selectors.with_group_counts(page.items)
    return render(
        request,
        "programs/list.html",
        {"page": page, "filters": filters, "sort": sort, "can_manage": request.user.manages_programmes},
    )


@login_required
def program_detail(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """The programme page: its stage, what is missing, and the tabs the apps registered."""
    program = get_program_or_404(request, code)
    tabs = tabs_for(request.user)
    if not tabs:
        raise PermissionDenied
    tab = next((t for t in tabs if t.key == request.GET.get("tab")), tabs[0])
    context = {
        "program": program,
        "tab": tab,
        "tabs": tabs,
        "can_manage": request.user.manages_programmes,
    }
    context.update(tab.context(request, program))
    if request.htmx and request.htmx.target == "program-tab":
        return render(request, "programs/partials/_tab.html", {**context, "oob": True})
    context.update(_stage_context(request, program))
    return render(request, "programs/detail.html", context)


def _stage_context(request: AuthenticatedHttpRequest, program: Program) -> dict:
    """The stepper, what is missing, and what moving on (or an administrator's step back) would change."""
    following = lifecycle.next_stage(program)
    previous = lifecycle.previous_stage(program)
    can_step_back = previous is not None and request.user.has_role(Role.ADMIN)
    return {
        "steps": lifecycle.stage_steps(program),
        "missing": lifecycle.missing_for_next_stage(program) if following else [],
        "next_stage": following,
        "next_stage_label": lifecycle.stage_label(following) if following else "",
        "next_stage_change": lifecycle.STAGE_CHANGES.get(following, "") if following else "",
        "can_step_back": can_step_back,
        "previous_stage_label": lifecycle.stage_label(previous) if previous else "",
        "previous_stage_change": lifecycle.STAGE_BACK_CHANGES.get(previous, "") if previous else "",
        "step_back_form": StageStepBackForm(auto_id="id_step_back_%s") if can_step_back else None,
    }


@login_required
def program_edit(request: AuthenticatedHttpRequest, code: str | None = None) -> HttpResponse:
    _require_manager(request)
    program = get_program_or_404(request, code) if code else Program(office=request.user.office)
    if program.office_id is None:
        raise PermissionDenied
    form = ProgramForm(request.POST or None, instance=program)
    initial_lines = (
        [{"name": line.name, "planned": line.planned} for line in program.budget_lines.all()]
        if program.pk
        else []
    )
    lines = BudgetLineFormSet(request.POST or None, initial=initial_lines, prefix="lines")
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        budget = [
            (f.cleaned_data["name"], f.cleaned_data["planned"]) for f in lines if f.cleaned_data.get("name")
        ]
        try:
            services.program_save(
                program=form.save(commit=False),
                budget_lines=budget,
                # An edit that does not say which version it started from cannot prove it is not stale.
                expected_version=(form.cleaned_data.get("version") or 0) if program.pk else None,
            )
        except ConflictError as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            _attach_errors(form, exc)
        else:
            messages.success(request, _("Data saved successfully."))
            return redirect("programs:detail", code=program.code)
    return render(request, "programs/form.html", {"form": form, "lines": lines, "program": program})


def _attach_errors(form: ProgramForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _posted_version(request: AuthenticatedHttpRequest) -> int:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return 0  # no version matches 0, so a garbled form is refused as stale


@login_required
@require_POST
def program_advance(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    _require_manager(request)
    program = get_program_or_404(request, code)
    try:
        services.program_advance(program=program, expected_version=_posted_version(request))
    except ConflictError as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("The programme moved to the stage “%(stage)s”.") % {"stage": program.get_status_display()},
        )
    return redirect("programs:detail", code=program.code)


@login_required
@require_POST
def program_step_back(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """An administrator moves the programme back one stage, with a reason kept in its history."""
    if not request.user.has_role(Role.ADMIN):
        raise PermissionDenied
    program = get_program_or_404(request, code)
    form = StageStepBackForm(request.POST)
    # The service says what is wrong with the reason, in the same words the API and scripts get.
    reason = form.cleaned_data["reason"] if form.is_valid() else request.POST.get("reason", "")
    try:
        services.program_step_back(
            program=program, by=request.user, reason=reason, expected_version=_posted_version(request)
        )
    except ConflictError as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("The programme went back to the stage “%(stage)s”. The reason is kept in its history.")
            % {"stage": program.get_status_display()},
        )
    return redirect("programs:detail", code=program.code)


@login_required
def programs_in_stage(request: AuthenticatedHttpRequest, stage: str) -> HttpResponse:
    """The user's programmes in one stage, each linking to ``next`` with CODE replaced by its code.

    Other apps' pages offer it as a choice ("Add group": the programmes in registration) without
    programs knowing where the links lead.
    """
    _require_manager(request)
    if stage not in Stage.values:
        raise Http404
    if not request.htmx:
        # Without scripts the programme list, filtered to the stage, is the choice.
        return redirect(f"{reverse('programs:list')}?status={stage}")
    target = request.GET.get("next", "")
    if not (
        "CODE" in target
        and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
        and target.startswith("/")
    ):
        target = reverse("programs:detail", args=["CODE"])
    programs = selectors.program_list_visible(user=request.user, filters={"status": stage}).order_by(
        "-fiscal_year", "code"
    )[:50]
    choices = [(p, target.replace("CODE", p.code)) for p in programs]
    return render(
        request,
        "programs/partials/_stage_programmes.html",
        {"choices": choices, "stage": stage, "stage_label": lifecycle.stage_label(stage)},
    )
