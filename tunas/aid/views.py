"""Aid pages: purchases and allocations, handover records and their signing, the asset register, cash
transfers and accountability reports. Thin: fetch through the scoped selectors, validate with a form, call
a service, redirect or render. ``aid_tab_context`` fills the programme page's aid tab (contributions.py)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tunas.core.errors import ConflictError, message_for
from tunas.core.http import AuthenticatedHttpRequest
from tunas.programs import ledger
from tunas.programs.models import AidForm, Program
from tunas.programs.selectors import program_get_visible
from tunas.registry.forms import coded_message
from tunas.registry.models import Group, GroupStatus
from tunas.registry.selectors import SELECTED_STATUSES

from . import documents, files, forms, selectors, services
from .models import AccountabilityReport, AidSettings, Handover, ReportStatus

# Permissions and look-ups -----------------------------------------------------------------------------------


def _require_reader(request) -> None:
    if not selectors.may_read_aid(request.user):
        raise PermissionDenied


def _require_writer(request, program: Program) -> None:
    if not ledger.may_record(request.user, program):
        raise PermissionDenied


def _get(getter, request, pk) -> object:
    _require_reader(request)
    try:
        return getter(user=request.user, pk=pk)
    except ObjectDoesNotExist as exc:
        raise Http404 from exc


def _program(request, code: str) -> Program:
    _require_reader(request)
    try:
        return program_get_visible(user=request.user, code=code)
    except Program.DoesNotExist as exc:
        raise Http404 from exc


def _errors_to_messages(request, exc: ValidationError) -> None:
    errors = exc.error_dict.values() if hasattr(exc, "error_dict") else [exc.error_list]
    for error_list in errors:
        for error in error_list:
            text = error.message % error.params if error.params else error.message
            messages.error(request, coded_message(str(text), error.code or "value_invalid"))


def _warn(request, obj) -> None:
    for warning in getattr(obj, "warnings", []):
        messages.warning(request, coded_message(warning, "aid_over_group_amount"))


def _file(field, *, download_name: str) -> FileResponse:
    if not field:
        raise Http404
    try:
        handle = field.open("rb")
    except (OSError, ValueError) as exc:
        raise Http404 from exc
    name = field.name.rsplit("/", 1)[-1]
    extension = name.rsplit(".", 1)[-1] if "." in name else "bin"
    response = FileResponse(handle, content_type=files.content_type(name))
    response["Content-Disposition"] = f'inline; filename="{download_name}.{extension}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _selected_groups(program):
    return Group.objects.filter(program=program, status__in=SELECTED_STATUSES).order_by("name")


# The programme page's aid tab -------------------------------------------------------------------------------


def aid_tab_context(request: AuthenticatedHttpRequest, program: Program) -> dict:
    """The programme's purchases, the groups with what they were allocated and handed, and cash aid (with
    what is planned: the aid per group for each group still in the running)."""
    planned_groups = program.groups.exclude(status__in=[GroupStatus.REJECTED, GroupStatus.DISSOLVED]).count()
    return {
        "planned_groups": planned_groups,
        "aid_planned": planned_groups * program.aid_per_group,
        "purchases": selectors.purchase_list(program=program),
        "aid_groups": selectors.group_aid_rows(program=program),
        "aid_totals": selectors.program_aid_totals(program=program),
        "transfers": selectors.transfer_list(program=program),
        "can_record_aid": ledger.may_record(request.user, program),
        "is_money": program.aid_form == AidForm.MONEY,
    }


# Purchases and allocations ----------------------------------------------------------------------------------


@login_required
def purchase_create(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    program = _program(request, code)
    _require_writer(request, program)
    form = forms.PurchaseForm(request.POST or None, request.FILES or None, program=program)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            purchase = services.purchase_record(
                program=program,
                budget_line=data["budget_line"],
                name=data["name"],
                specification=data["specification"],
                unit=data["unit"],
                quantity=data["quantity"],
                unit_price=data["unit_price"],
                supplier=data["supplier"],
                purchased_on=data["purchased_on"],
                receipt=data.get("receipt"),
                by=request.user,
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            for warning in purchase.warnings:  # type: ignore[attr-defined]
                messages.warning(request, warning)
            messages.success(request, _("The purchase is recorded in the budget ledger."))
            return redirect("aid:purchase_detail", pk=purchase.pk)
    return render(request, "aid/purchase_form.html", {"form": form, "program": program})


@login_required
def purchase_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A purchase and its allocations to groups; a POST allocates units to a group."""
    purchase = _get(selectors.purchase_get_visible, request, pk)
    program = purchase.program  # type: ignore[attr-defined]
    groups = _selected_groups(program)
    can_record = ledger.may_record(request.user, program)
    form = forms.AllocationForm(request.POST or None, groups=groups)
    if request.method == "POST":
        _require_writer(request, program)
        if form.is_valid():
            try:
                allocation = services.allocation_save(
                    purchase=purchase,  # type: ignore[arg-type]
                    group=form.cleaned_data["group"],
                    quantity=form.cleaned_data["quantity"],
                    by=request.user,
                )
            except ConflictError as exc:
                form.add_error(None, ValidationError(str(exc), code="conflict"))
            except ValidationError as exc:
                form.add_service_error(exc)
            else:
                _warn(request, allocation)
                messages.success(request, _("The allocation is saved."))
                return redirect("aid:purchase_detail", pk=pk)
    allocations = list(purchase.allocations.select_related("group").order_by("group__name"))  # type: ignore[attr-defined]
    allocated = sum(a.quantity for a in allocations)
    return render(
        request,
        "aid/purchase_detail.html",
        {
            "purchase": purchase,
            "program": program,
            "allocations": allocations,
            "allocated": allocated,
            "unallocated": purchase.quantity - allocated,  # type: ignore[attr-defined]
            "form": form,
            "can_record": can_record,
        },
    )


@login_required
@require_POST
def allocation_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    allocation = _get(selectors.allocation_get_visible, request, pk)
    purchase = allocation.purchase  # type: ignore[attr-defined]
    _require_writer(request, purchase.program)
    try:
        services.allocation_delete(allocation=allocation, by=request.user)  # type: ignore[arg-type]
    except ValidationError as exc:
        _errors_to_messages(request, exc)
    else:
        messages.success(request, _("The allocation is taken back."))
    return redirect("aid:purchase_detail", pk=purchase.pk)


# A group's aid ----------------------------------------------------------------------------------------------


@login_required
@require_GET
def group_aid(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """What a group was allocated and handed, its asset register, and its cash aid."""
    group = _get(selectors.group_get_visible, request, pk)
    program = group.program  # type: ignore[attr-defined]
    return render(
        request,
        "aid/group_aid.html",
        {
            "group": group,
            "program": program,
            "allocations": selectors.open_allocations(group=group),
            "handovers": list(group.aid_handovers.order_by("handed_on", "pk")),  # type: ignore[attr-defined]
            "assets": selectors.group_assets(group=group),
            "transfers": list(group.aid_transfers.select_related("report").order_by("transferred_on")),  # type: ignore[attr-defined]
            "can_record": ledger.may_record(request.user, program),
            "is_selected": group.status in SELECTED_STATUSES,  # type: ignore[attr-defined]
        },
    )


# Handover records -------------------------------------------------------------------------------------------


def _handover_initial(program: Program, group: Group) -> dict:
    office = program.office
    where = ", ".join(p for p in [str(group.hamlet) if group.hamlet_id else "", group.village.name] if p)
    return {
        "handed_on": program.aid_date,
        "place": where,
        "official_name": office.head_name,
        "official_nip": office.head_nip,
        "official_position": office.head_title or f"Kepala {office.name}",
    }


def _handover_form_page(request, *, group: Group, handover: Handover | None) -> HttpResponse:
    program = group.program
    _require_writer(request, program)
    members = selectors.approved_members(group=group)
    allocations = selectors.open_allocations(group=group, handover=handover)
    if handover is not None:
        if handover.is_signed:
            messages.error(request, coded_message(message_for("handover_signed"), "handover_signed"))
            return redirect("aid:handover_detail", pk=handover.pk)
        on_record = {i.allocation_id: i for i in handover.items.all()}
        initial = {
            "handed_on": handover.handed_on,
            "place": handover.place,
            "date_reason": handover.date_reason,
            "official_name": handover.official_name,
            "official_nip": handover.official_nip,
            "official_position": handover.official_position,
            "receiver": handover.receiver_id,
            "witnesses": [w.pk for w in handover.witnesses.all()],
            "version": handover.version,
        }
        for a in allocations:
            if a.pk in on_record:
                initial[f"qty_{a.pk}"] = on_record[a.pk].quantity
                initial[f"serials_{a.pk}"] = "\n".join(on_record[a.pk].serials)
    else:
        initial = _handover_initial(program, group)
    allocations = [a for a in allocations if a.left > 0]  # type: ignore[attr-defined]
    form = forms.HandoverForm(request.POST or None, initial=initial, members=members, allocations=allocations)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        items = [
            services.ItemData(a, data[f"qty_{a.pk}"], services.parse_serials(data[f"serials_{a.pk}"]))
            for a in allocations
            if data.get(f"qty_{a.pk}")
        ]
        try:
            handover = services.handover_save(
                group=group,
                handed_on=data["handed_on"],
                place=data["place"],
                date_reason=data["date_reason"],
                official_name=data["official_name"],
                official_nip=data["official_nip"],
                official_position=data["official_position"],
                receiver=data["receiver"],
                witnesses=list(data["witnesses"]),
                items=items,
                handover=handover,
                expected_version=(data.get("version") or 0) if handover is not None else None,
                by=request.user,
            )
        except ConflictError as exc:
            form.add_error(None, ValidationError(str(exc), code="conflict"))
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(
                request,
                _("The handover record %(number)s is saved. Print it, have it signed, then upload the scan.")
                % {"number": handover.number},
            )
            return redirect("aid:handover_detail", pk=handover.pk)
    return render(
        request,
        "aid/handover_form.html",
        {"form": form, "group": group, "program": program, "handover": handover, "members": members},
    )


@login_required
def handover_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    group = _get(selectors.group_get_visible, request, pk)
    return _handover_form_page(request, group=group, handover=None)  # type: ignore[arg-type]


@login_required
def handover_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    handover = _get(selectors.handover_get_visible, request, pk)
    return _handover_form_page(request, group=handover.group, handover=handover)  # type: ignore[attr-defined,arg-type]


@login_required
@require_GET
def handover_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    handover: Handover = _get(selectors.handover_get_visible, request, pk)  # type: ignore[assignment]
    program = handover.program
    items = list(handover.items.all())
    return render(
        request,
        "aid/handover_detail.html",
        {
            "handover": handover,
            "program": program,
            "group": handover.group,
            "items": items,
            "total": sum(i.total for i in items),
            "photos": list(handover.photos.all()),
            "can_record": ledger.may_record(request.user, program) and not handover.is_signed,
            "photo_form": forms.PhotoForm(),
            "sign_form": forms.SignForm(initial={"version": handover.version}),
        },
    )


@login_required
@require_GET
def handover_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    handover: Handover = _get(selectors.handover_get_visible, request, pk)  # type: ignore[assignment]
    return documents.handover_response(handover=handover)


@login_required
@require_POST
def handover_photo_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    handover: Handover = _get(selectors.handover_get_visible, request, pk)  # type: ignore[assignment]
    _require_writer(request, handover.program)
    form = forms.PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.handover_photo_add(
                handover=handover,
                upload=form.cleaned_data["image"],
                caption=form.cleaned_data["caption"],
                by=request.user,
            )
        except ValidationError as exc:
            _errors_to_messages(request, exc)
        else:
            messages.success(request, _("The photo is added."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    return redirect("aid:handover_detail", pk=handover.pk)


@login_required
@require_GET
def photo_file(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    photo = _get(selectors.photo_get_visible, request, pk)
    return _file(photo.image, download_name=f"foto-serah-terima-{photo.pk}")  # type: ignore[attr-defined]


@login_required
@require_POST
def photo_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    photo = _get(selectors.photo_get_visible, request, pk)
    handover = photo.handover  # type: ignore[attr-defined]
    _require_writer(request, handover.program)
    try:
        services.handover_photo_delete(photo=photo, by=request.user)  # type: ignore[arg-type]
    except ValidationError as exc:
        _errors_to_messages(request, exc)
    return redirect("aid:handover_detail", pk=handover.pk)


@login_required
@require_POST
def handover_sign(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    handover: Handover = _get(selectors.handover_get_visible, request, pk)  # type: ignore[assignment]
    _require_writer(request, handover.program)
    form = forms.SignForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.handover_sign(
                handover=handover,
                scan=form.cleaned_data["scan"],
                expected_version=form.cleaned_data.get("version") or 0,
                by=request.user,
            )
        except ConflictError as exc:
            messages.error(request, coded_message(str(exc), "conflict"))
        except ValidationError as exc:
            _errors_to_messages(request, exc)
        else:
            messages.success(request, _("The signed record is uploaded; the record is now locked."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    return redirect("aid:handover_detail", pk=handover.pk)


@login_required
@require_GET
def handover_scan(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    handover: Handover = _get(selectors.handover_get_visible, request, pk)  # type: ignore[assignment]
    return _file(handover.signed_scan, download_name=f"bast-bertanda-tangan-{handover.pk}")


# The asset register ---------------------------------------------------------------------------------------


@login_required
def asset_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """An asset's condition checks over time; a POST records a new one."""
    asset = _get(selectors.asset_get_visible, request, pk)
    group = asset.group  # type: ignore[attr-defined]
    may_check = services.may_check_assets(request.user, group)
    form = forms.AssetCheckForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not may_check:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.asset_check_record(
                    asset=asset,  # type: ignore[arg-type]
                    checked_on=data["checked_on"],
                    condition=data["condition"],
                    note=data["note"],
                    photo=data.get("photo"),
                    by=request.user,
                )
            except ValidationError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, _("The condition check is saved."))
                return redirect("aid:asset_detail", pk=pk)
    return render(
        request,
        "aid/asset_detail.html",
        {
            "asset": asset,
            "group": group,
            "program": group.program,
            "checks": list(asset.checks.select_related("checked_by")),  # type: ignore[attr-defined]
            "form": form,
            "may_check": may_check,
        },
    )


@login_required
@require_GET
def check_photo(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    from .models import AssetCheck

    _require_reader(request)
    try:
        check = AssetCheck.objects.filter(selectors.aid_scope_q(request.user, "asset__group__program")).get(
            pk=pk
        )
    except AssetCheck.DoesNotExist as exc:
        raise Http404 from exc
    return _file(check.photo, download_name=f"foto-kondisi-{check.pk}")


# Cash aid ---------------------------------------------------------------------------------------------------


@login_required
def transfer_create(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    program = _program(request, code)
    _require_writer(request, program)
    form = forms.TransferForm(
        request.POST or None, request.FILES or None, program=program, groups=_selected_groups(program)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            transfer = services.transfer_record(
                group=data["group"],
                budget_line=data["budget_line"],
                bank=data["bank"],
                account_holder=data["account_holder"],
                account_number=data["account_number"],
                amount=data["amount"],
                transferred_on=data["transferred_on"],
                proof=data.get("proof"),
                by=request.user,
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            for warning in transfer.warnings:  # type: ignore[attr-defined]
                messages.warning(request, warning)
            messages.success(
                request, _("The transfer is recorded; its accountability report is due in 30 days.")
            )
            return redirect("aid:report_detail", pk=transfer.report.pk)
    return render(request, "aid/transfer_form.html", {"form": form, "program": program})


@login_required
@require_GET
def transfer_proof(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    transfer = _get(selectors.transfer_get_visible, request, pk)
    return _file(transfer.proof, download_name=f"bukti-transfer-{transfer.pk}")  # type: ignore[attr-defined]


@login_required
def report_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The accountability report: its chapters and the return of the balance (a POST saves them)."""
    report: AccountabilityReport = _get(selectors.report_get_visible, request, pk)  # type: ignore[assignment]
    transfer = report.transfer
    program = transfer.program
    can_record = ledger.may_record(request.user, program) and report.status != ReportStatus.SUBMITTED
    initial = {name: getattr(report, name) for name in AccountabilityReport.CHAPTERS}
    initial.update(
        due_on=report.due_on,
        returned_amount=report.returned_amount,
        returned_on=report.returned_on,
        version=report.version,
    )
    form = forms.ReportForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST":
        _require_writer(request, program)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.report_save(
                    report=report,
                    chapters={name: data[name] for name in AccountabilityReport.CHAPTERS},
                    returned_amount=data.get("returned_amount") or 0,
                    returned_on=data.get("returned_on"),
                    return_proof=data.get("return_proof"),
                    due_on=data["due_on"],
                    expected_version=data.get("version") or 0,
                    by=request.user,
                )
            except ConflictError as exc:
                form.add_error(None, ValidationError(str(exc), code="conflict"))
            except ValidationError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, _("Data saved successfully."))
                return redirect("aid:report_detail", pk=pk)
    purchases = list(report.purchases.all())
    spent = sum(p.amount for p in purchases)
    return render(
        request,
        "aid/report_detail.html",
        {
            "report": report,
            "transfer": transfer,
            "group": transfer.group,
            "program": program,
            "purchases": purchases,
            "spent": spent,
            "remaining": transfer.amount - spent,
            "missing": services.report_missing(report) if report.status != ReportStatus.SUBMITTED else [],
            "form": form,
            "purchase_form": forms.ReportPurchaseForm(),
            "can_record": can_record,
        },
    )


@login_required
@require_POST
def report_purchase_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    report: AccountabilityReport = _get(selectors.report_get_visible, request, pk)  # type: ignore[assignment]
    _require_writer(request, report.transfer.program)
    form = forms.ReportPurchaseForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.report_purchase_add(
                report=report,
                bought_on=data["bought_on"],
                description=data["description"],
                quantity=data["quantity"],
                amount=data["amount"],
                receipt=data.get("receipt"),
                photo=data.get("photo"),
                by=request.user,
            )
        except ValidationError as exc:
            _errors_to_messages(request, exc)
        else:
            messages.success(request, _("The purchase is added to the report."))
    else:
        for name, errors in form.errors.items():
            for error in errors:
                label = form.fields[name].label if name in form.fields else ""
                messages.error(request, f"{label}: {error}" if label else str(error))
    return redirect("aid:report_detail", pk=report.pk)


@login_required
@require_POST
def report_submit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    report: AccountabilityReport = _get(selectors.report_get_visible, request, pk)  # type: ignore[assignment]
    _require_writer(request, report.transfer.program)
    try:
        services.report_submit(
            report=report, expected_version=int(request.POST.get("version") or 0), by=request.user
        )
    except ConflictError as exc:
        messages.error(request, coded_message(str(exc), "conflict"))
    except ValidationError as exc:
        _errors_to_messages(request, exc)
    else:
        messages.success(request, _("The accountability report is submitted."))
    return redirect("aid:report_detail", pk=report.pk)


@login_required
@require_GET
def report_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    report: AccountabilityReport = _get(selectors.report_get_visible, request, pk)  # type: ignore[assignment]
    return documents.report_response(report=report)


@login_required
@require_GET
def report_return_proof(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    report: AccountabilityReport = _get(selectors.report_get_visible, request, pk)  # type: ignore[assignment]
    return _file(report.return_proof, download_name=f"bukti-pengembalian-{report.pk}")


@login_required
@require_GET
def report_purchase_file(request: AuthenticatedHttpRequest, pk: int, kind: str) -> FileResponse:
    from .models import ReportPurchase

    _require_reader(request)
    if kind not in ("receipt", "photo"):
        raise Http404
    try:
        row = ReportPurchase.objects.filter(
            selectors.aid_scope_q(request.user, "report__transfer__program")
        ).get(pk=pk)
    except ReportPurchase.DoesNotExist as exc:
        raise Http404 from exc
    return _file(getattr(row, kind), download_name=f"{'kuitansi' if kind == 'receipt' else 'foto'}-{row.pk}")


@login_required
@require_GET
def reports_overdue(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Accountability reports past their due date, for officers (and, later, mentors)."""
    _require_reader(request)
    return render(
        request, "aid/reports_overdue.html", {"reports": list(selectors.reports_overdue(user=request.user))}
    )


@login_required
@require_GET
def handovers_unsigned(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Handover records still waiting for their signed scan."""
    _require_reader(request)
    rows = list(
        selectors.handovers_to_sign(user=request.user)
        .select_related("group", "program")
        .order_by("handed_on", "pk")
    )
    return render(request, "aid/handovers_unsigned.html", {"handovers": rows})


# The office's settings --------------------------------------------------------------------------------------


@login_required
def aid_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    """An administrator sets how the office numbers its handover records."""
    user = request.user
    if not user.has_role("admin") or user.office is None:
        raise PermissionDenied
    office = user.office
    current = services.handover_number_pattern(office)
    form = forms.AidSettingsForm(request.POST or None, initial={"handover_number_pattern": current})
    if request.method == "POST" and form.is_valid():
        try:
            services.aid_settings_save(
                office=office, handover_number_pattern=form.cleaned_data["handover_number_pattern"], by=user
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Data saved successfully."))
            return redirect("aid:settings")
    example = services.document_number_format(
        pattern=current
        if not services.number_pattern_problems(current)
        else services.DEFAULT_HANDOVER_NUMBER_PATTERN,
        sequence=27,
        office_code=office.document_code,
        day=dt.date(2018, 9, 4),
        program_code="KLK-TKM-2018",
    )
    return render(
        request,
        "aid/settings.html",
        {
            "form": form,
            "office": office,
            "example": example,
            "has_row": AidSettings.objects.filter(office=office).exists(),
        },
    )
